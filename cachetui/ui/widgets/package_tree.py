"""The package tree: tags, then packages, then versions, each with its spec count.

Children are built when a node is first expanded, so thousands of packages cost nothing up front.
Moving the cursor scopes the spec table (a ``ScopeChanged`` message to the app).

The pane is as wide as its widest line, up to a share of the window (``fit_width``). A label
that still does not fit loses the middle of its name, never its end or its count: tags differ
at the end (develop-2025-03-23, develop-2025-03-30).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from rich.style import Style
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

SHARE = 0.3  # at most this share of the window's width: the table needs the rest
MIN_WIDTH = 14  # cells, borders included
CHROME = 2  # the right border and the scrollbar
KEEP_HEAD = 3  # a name cut in the middle keeps this many first characters, and its end


@dataclass
class NodeData:
    scope: Scope
    loaded: bool = False
    pending: bool = False  # a tag not loaded yet (lazy tags): highlighting it loads it
    name_length: int = 0  # the label's first characters that are the name (cut in the middle)


def _label(name: str, count: int) -> Text:
    # Text, never a str: a str label would be parsed as Rich markup.
    return Text.assemble(visible(name), (f" {count:,}", "dim"))


def shorten(label: Text, start: int, name_length: int, width: int) -> Text:
    """``label`` in at most ``width`` cells: the middle of its name (``name_length``
    characters from ``start``) gives way first, then its end, each cut marked "…"."""
    excess = label.cell_len - width
    if excess <= 0:
        return label
    keep = name_length - excess - 1  # characters of the name left besides the "…"
    if keep >= KEEP_HEAD + 2:
        end = start + name_length
        return Text.assemble(label[: start + KEEP_HEAD], "…", label[end - (keep - KEEP_HEAD) :])
    cut = label.copy()
    cut.truncate(max(1, width), overflow="ellipsis")
    return cut


@guard_handlers
class PackageTree(Tree[NodeData]):
    BINDINGS = bindings("tree")
    window_width = 0  # set by the screen on each resize

    class ScopeChanged(Message):
        def __init__(self, scope: Scope) -> None:
            super().__init__()
            self.scope = scope

    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(Text("build caches"), NodeData(Scope(), loaded=True), id=id)
        self.show_root = True
        self.guide_depth = 2
        self.catalog: Optional[Catalog] = None

    # -- width -------------------------------------------------------------------------------

    def fit_width(self, window_width: Optional[int] = None) -> None:
        """As wide as the widest line, within a share of the window."""
        if window_width is not None:
            self.window_width = window_width
        if not self.window_width:
            return
        wanted = self.virtual_size.width + CHROME
        cap = max(MIN_WIDTH, int(self.window_width * SHARE))
        width = max(MIN_WIDTH, min(wanted, cap))
        if self.styles.width is None or self.styles.width.cells != width:
            self.styles.width = width

    def watch_virtual_size(self, size) -> None:
        self.fit_width()

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        # The whole label, uncut: the pane's width follows it.
        return super().render_label(node, Style(), Style()).cell_len

    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        depth, parent = 0, node.parent
        while parent is not None:
            depth, parent = depth + 1, parent.parent
        room = self.scrollable_content_region.width - depth * self.guide_depth
        data = node.data
        if room <= 0 or data is None or label.cell_len <= room:
            return label
        icon = label.cell_len - node._label.cell_len  # the ▶ ▼ before the name
        return shorten(label, icon, data.name_length, room)

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
        self.root.data = NodeData(Scope(), loaded=True, name_length=len("all tags"))
        tags = catalog.specs_per_tag()
        entries = [(tag, count, False) for tag, count in tags.items()]
        entries += [(label, packages, True) for label, packages in pending if label not in tags]
        for name, count, is_pending in sorted(entries):
            if is_pending:
                label = Text.assemble(
                    visible(name), (f" {count:,} packages, not loaded", "dim italic")
                )
                data = NodeData(Scope(tag=name), loaded=True, pending=True,
                                name_length=len(visible(name)))  # fmt: skip
                self.root.add(label, data, allow_expand=False)
                continue
            data = NodeData(Scope(tag=name), name_length=len(visible(name)))
            node = self.root.add(_label(name, count), data)
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
                node.add(_label(name, count), NodeData(Scope(tag=scope.tag, package=name),
                                                       name_length=len(visible(name))))  # fmt: skip
        elif scope.version is None:
            versions = catalog.versions_of(scope.tag or "", scope.package)
            for version, count in sorted(versions, key=lambda vc: sort_key(vc[0])):
                name = visible(version or "(no version)")
                node.add_leaf(_label(name, count),
                              NodeData(Scope(scope.tag, scope.package, version), loaded=True,
                                       name_length=len(name)))  # fmt: skip

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
