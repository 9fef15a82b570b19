"""The package tree: tags, then packages, then versions, each with its spec count.

Children are built when a node is first expanded, so thousands of packages cost nothing up front.
Moving the cursor scopes the spec table (a ``ScopeChanged`` message to the app).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...catalog import Catalog
from ...faults import guard_handlers
from ...text import visible
from ...versions import sort_key
from ...view import Scope
from ..actions import bindings


@dataclass
class NodeData:
    scope: Scope
    loaded: bool = False
    pending: bool = False  # a tag not loaded yet (lazy tags): highlighting it loads it


def _label(name: str, count: int) -> Text:
    # Text, never a str: a str label would be parsed as Rich markup.
    return Text.assemble(visible(name), (f" {count:,}", "dim"))


@guard_handlers
class PackageTree(Tree[NodeData]):
    BINDINGS = bindings("tree")

    class ScopeChanged(Message):
        def __init__(self, scope: Scope) -> None:
            super().__init__()
            self.scope = scope

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(Text("build caches"), NodeData(Scope(), loaded=True), id=id)
        self.show_root = True
        self.guide_depth = 2
        self.catalog: Optional[Catalog] = None

    def process_label(self, label) -> Text:
        return Text(label) if isinstance(label, str) else label

    def populate(self, catalog: Catalog, pending: Sequence[tuple[str, int]] = (),
                 keep: Optional[Scope] = None) -> None:  # fmt: skip
        """Tags of the catalog, and (lazy tags) the tags not loaded yet with their package
        counts; ``keep`` puts the cursor back on a scope."""
        self.catalog = catalog
        self.clear()
        root_label = _label("all tags", len(catalog))
        if pending:
            root_label.append(f"  {len(pending)} tag(s) not loaded", "dim italic")
        self.root.set_label(root_label)
        tags = catalog.specs_per_tag()
        entries = [(tag, count, False) for tag, count in tags.items()]
        entries += [(label, packages, True) for label, packages in pending if label not in tags]
        for name, count, is_pending in sorted(entries):
            if is_pending:
                label = Text.assemble(
                    visible(name), (f" {count:,} packages, not loaded", "dim italic")
                )
                data = NodeData(Scope(tag=name), loaded=True, pending=True)
                self.root.add(label, data, allow_expand=False)
                continue
            node = self.root.add(_label(name, count), NodeData(Scope(tag=name)))
            if len(entries) == 1:
                self._load_children(node)
                node.expand()
        self.root.expand()
        if keep is not None and keep.tag is not None:
            self.select_scope(keep)

    def _load_children(self, node: TreeNode[NodeData]) -> None:
        data = node.data
        if data is None or data.loaded or self.catalog is None:
            return
        data.loaded = True
        scope = data.scope
        catalog = self.catalog
        if scope.package is None:
            for name, count in catalog.packages_in(scope.tag):
                node.add(_label(name, count),
                         NodeData(Scope(tag=scope.tag, package=name)))  # fmt: skip
        elif scope.version is None:
            versions = catalog.versions_of(scope.tag or "", scope.package)
            for version, count in sorted(versions, key=lambda vc: sort_key(vc[0])):
                node.add_leaf(_label(version or "(no version)", count),
                              NodeData(Scope(scope.tag, scope.package, version), loaded=True))  # fmt: skip

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        self._load_children(event.node)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        # Only the user's own moves scope the table; a jump (go to package or hash) sets the
        # scope itself and moves this cursor to match, with focus elsewhere.
        if self.has_focus and event.node.data is not None:
            self.post_message(self.ScopeChanged(event.node.data.scope))

    def select_scope(self, scope: Scope) -> None:
        """Move the cursor to the node of ``scope``, opening its parents (go-to-package)."""
        node = self.root
        for depth, value in enumerate((scope.tag, scope.package, scope.version)):
            if value is None:
                break
            self._load_children(node)
            node.expand()
            match = next((c for c in node.children if c.data and
                          (c.data.scope.tag, c.data.scope.package, c.data.scope.version)[depth] == value), None)  # fmt: skip
            if match is None:
                break
            node = match
        self._load_children(node)
        # Lines of newly opened nodes exist only after the next refresh.
        self.call_after_refresh(self.move_cursor, node)
