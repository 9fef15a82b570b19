"""The detail panel's dependency tree: what a spec depends on, opened a level at a time, and
what depends on it.

A node's children are read (``deptree.dependency_nodes``) when it is first opened, so a deep or
huge closure is never built whole; a hash already on the path from the root is a cycle (only a
hostile or broken index has one): marked ↻ and never opened. A node lists at most
``MAX_CHILDREN`` children. Labels are ``Text``: data is never read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...catalog import Catalog
from ...closure import known_specs
from ...deptree import DepNode, dependency_nodes
from ...faults import guard_handlers
from ...model import Spec
from ...text import visible
from ..actions import bindings

MAX_CHILDREN = 500  # children shown under one node; a hostile index may list 100,000


@dataclass(frozen=True)
class NodeData:
    """What a tree node leads to: a hash (enter jumps to it), the loaded spec speaking for it,
    the hashes from the root down to it (cycles), and whether it can still be opened."""

    full_hash: str = ""
    spec_id: Optional[int] = None
    on_path: frozenset = frozenset()
    expandable: bool = False


def dependency_label(node: DepNode) -> Text:
    dep = node.dependency
    label = Text.assemble(
        (visible(dep.name), "bold"),
        f"@{visible(dep.version)}" if dep.version else "",
        (f"  /{visible(dep.short_hash)}", "cyan"),
        (f"  {', '.join(visible(t) for t in dep.deptypes) or 'no deptypes'}", "dim"),
    )
    if node.cycle:
        label.append("  ↻ cycle: already on this path", "yellow")
    elif node.missing:
        label.append("  ✗ missing: not in the loaded caches", "bold red")
    elif node.spec_id is None:
        label.append("  not loaded (build/test only: not needed)", "dim")
    return label


def dependent_label(spec: Spec) -> Text:
    return Text.assemble(
        (visible(spec.package), "bold"),
        f"@{visible(spec.version)}" if spec.version else "",
        (f"  /{visible(spec.short_hash)}", "cyan"),
        (f"  {visible(spec.tag)}", "dim"),
    )


@guard_handlers
class DependencyTree(Tree[NodeData]):
    BINDINGS = bindings("deps")
    DEFAULT_CSS = """
    DependencyTree { height: auto; max-height: 16; padding: 0; background: $surface; }
    """

    class JumpRequested(Message):
        """The user chose a dependency (or dependent): show the spec with this hash."""

        def __init__(self, full_hash: str) -> None:
            super().__init__()
            self.full_hash = full_hash

    def __init__(self, **kwargs) -> None:
        super().__init__(Text("dependencies"), **kwargs)
        self.show_root = False
        self.auto_expand = False  # enter jumps; space opens
        self.guide_depth = 2
        self.catalog: Optional[Catalog] = None
        self._known: Optional[np.ndarray] = None
        self._known_for: Optional[Catalog] = None

    def known(self) -> np.ndarray:
        assert self.catalog is not None
        if self._known_for is not self.catalog:  # once per catalog, not per spec shown
            self._known = known_specs(self.catalog)
            self._known_for = self.catalog
        assert self._known is not None
        return self._known

    def show(self, catalog: Catalog, spec_id: int, dependents: list[Spec],
             dependents_total: int = 0) -> bool:  # fmt: skip
        """Show one spec's dependencies and the first of its dependents (``dependents_total``
        in all); False when it has neither."""
        self.catalog = catalog
        self.clear()
        full_hash = catalog.hashes[spec_id]
        deps = catalog.deps[spec_id]
        if deps:
            section = self.root.add(
                Text(f"depends on ({len(deps)})", "bold"),
                NodeData(spec_id=spec_id, on_path=frozenset({full_hash}), expandable=True),
                expand=True,
            )
            self._fill(section)
        if dependents:
            total = max(dependents_total, len(dependents))
            section = self.root.add(Text(f"needed by ({total})", "bold"), expand=True)
            for spec in dependents[:MAX_CHILDREN]:
                section.add_leaf(dependent_label(spec), NodeData(spec.hash))
            if total > len(dependents[:MAX_CHILDREN]):
                more = total - len(dependents[:MAX_CHILDREN])
                section.add_leaf(Text(f"… {more:,} more not shown (w: why is this here)", "dim"))
        self.root.expand()
        if deps or dependents:
            self.move_cursor_to_line(1)  # the first dependency (or dependent)
        return bool(deps or dependents)

    def _fill(self, parent: TreeNode[NodeData]) -> None:
        """Read and add the children of ``parent`` (once)."""
        data = parent.data
        if data is None or data.spec_id is None or not data.expandable or parent.children:
            return
        assert self.catalog is not None
        nodes = dependency_nodes(self.catalog, data.spec_id, data.on_path, self.known())
        for node in nodes[:MAX_CHILDREN]:
            child_hash = node.dependency.hash
            child = NodeData(child_hash, node.spec_id, data.on_path | {child_hash},
                             node.expandable)  # fmt: skip
            label = dependency_label(node)
            if node.expandable:
                parent.add(label, child)
            else:
                parent.add_leaf(label, child)
        if len(nodes) > MAX_CHILDREN:
            parent.add_leaf(Text(f"… {len(nodes) - MAX_CHILDREN:,} more not shown", "dim"))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        event.stop()
        self._fill(event.node)

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if data is not None and data.full_hash and event.node.parent is not self.root:
            self.post_message(self.JumpRequested(data.full_hash))

    def current_spec(self) -> Optional[int]:
        """The loaded spec under the cursor, if any."""
        node = self.cursor_node
        if node is None or node.data is None or node.parent is self.root:
            return None
        if node.data.spec_id is not None:
            return node.data.spec_id
        if self.catalog is not None and node.data.full_hash:
            found = self.catalog.by_hash(node.data.full_hash)
            return found[0] if found else None
        return None
