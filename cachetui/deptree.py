"""The dependency graph as the browser walks it: one spec's dependencies, a level at a time, and
"why is this here" (nix-tree's ``w``): the paths from the roots down to a spec. UI-free.

Both walk the hash graph the way ``closure`` does (every loaded copy of a hash is the same
binary; its first copy read from an index speaks for it), and both are bounded, because an
index is untrusted: a dependency tree is opened one node at a time and a hash already on the
path from the root is a *cycle*, marked and never followed; the "why" search stops after
``limit`` paths and visits each hash once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .catalog import Catalog
from .closure import copy_of, known_specs, needed
from .spackdb import Dependency

WHY_LIMIT = 20  # paths shown: the shortest come first, and twenty answer "why" on any screen


@dataclass(frozen=True)
class DepNode:
    """One dependency of a spec in the tree."""

    dependency: Dependency  # as the depending spec's index lists it
    spec_id: Optional[int]  # the loaded spec that speaks for its hash; None: not loaded
    needed: bool  # link or run: ``spack install --cache-only`` needs it
    cycle: bool  # its hash is already on the path from the tree's root: not followed
    expandable: bool  # loaded, its dependencies known, and it has some

    @property
    def missing(self) -> bool:
        """Not in the loaded caches (a build- or test-only one is not needed, so not missing)."""
        return self.spec_id is None and self.needed


def dependency_nodes(
    catalog: Catalog,
    spec_id: int,
    on_path: Collection[str] = (),
    known: Optional[np.ndarray] = None,
) -> list[DepNode]:
    """The direct dependencies of a spec, in its index's order. ``on_path``: the hashes from
    the tree's root down to ``spec_id`` (itself included), so a dependency that closes a cycle
    is marked rather than opened again."""
    known = known_specs(catalog) if known is None else known
    nodes = []
    for dep in catalog.deps[spec_id]:
        copy = copy_of(catalog, dep.hash, known)
        cycle = bool(dep.hash) and dep.hash in on_path
        expandable = copy is not None and not cycle and bool(known[copy])
        expandable = expandable and bool(catalog.deps[copy])  # type: ignore[index]
        nodes.append(DepNode(dep, copy, needed(dep.deptypes), cycle, expandable))
    return nodes


@dataclass(frozen=True)
class WhyResult:
    """Why a spec is here: for each root that reaches it (a loaded spec nothing loaded depends
    on), the shortest path from that root down to the spec, as spec ids root first; shortest
    first, at most ``limit``. ``roots``: how many roots reach it in all. A spec that only a
    cycle reaches (a broken index) gets the paths from the cycle's members, ``cycle`` set."""

    spec_id: int
    paths: list[tuple[int, ...]]
    roots: int
    cycle: bool = False
    unlisted: int = 0  # loaded specs whose dependencies were not read (site pages list none)

    @property
    def is_root(self) -> bool:
        """Nothing loaded depends on the spec itself."""
        return self.paths == [(self.spec_id,)]

    @property
    def complete(self) -> bool:
        """Every root's path is in ``paths``."""
        return len(self.paths) >= self.roots


def _dependents(catalog: Catalog, full_hash: str, known: np.ndarray) -> list[int]:
    """One spec per distinct hash among the loaded specs that depend on ``full_hash``."""
    distinct: dict[str, int] = {}
    for spec_id in catalog.dependents(full_hash):
        other = catalog.hashes[spec_id]
        key = other or f"#{spec_id}"  # a spec without a hash is its own node
        if key not in distinct or (known[spec_id] and not known[distinct[key]]):
            distinct[key] = spec_id
    return list(distinct.values())


def why_paths(catalog: Catalog, spec_id: int, limit: int = WHY_LIMIT) -> WhyResult:
    """Why is this spec here. One breadth-first walk up the reverse edges, each hash visited
    once (so a cycle is walked around once, and the cost is linear in the spec's ancestors,
    whatever the number of distinct paths, which grows exponentially in a layered graph); the
    first time a root is met is by a shortest path."""
    known = known_specs(catalog)
    unlisted = len(known) - int(np.count_nonzero(known))
    if not catalog.hashes[spec_id]:  # nothing can name a spec without a hash as a dependency
        return WhyResult(spec_id, [(spec_id,)], 1, unlisted=unlisted)
    below: dict[int, int] = {}  # ancestor -> the spec it was reached from (one step down)
    seen = {catalog.hashes[spec_id]}
    roots: list[int] = []
    order: list[int] = []  # every ancestor, in order of distance
    queue = deque([spec_id])
    while queue:
        current = queue.popleft()
        above = _dependents(catalog, catalog.hashes[current], known)
        if not above:
            roots.append(current)
        for parent in above:
            parent_hash = catalog.hashes[parent]
            if parent_hash not in seen:
                seen.add(parent_hash)
                below[parent] = current
                order.append(parent)
                queue.append(parent)
    cycle = not roots  # only a cycle above: show the paths from its farthest members
    tops = roots if roots else order[-limit:][::-1]
    paths = []
    for top in tops[:limit]:
        path = [top]
        while path[-1] != spec_id:
            path.append(below[path[-1]])
        paths.append(tuple(path))
    return WhyResult(spec_id, paths, len(tops), cycle, unlisted)


def edge_deptypes(catalog: Catalog, parent: int, child: int) -> tuple[str, ...]:
    """The deptypes of the edge ``parent -> child`` as the parent's index lists it."""
    child_hash = catalog.hashes[child]
    for dep in catalog.deps[parent]:
        if dep.hash == child_hash:
            return dep.deptypes
    return ()


__all__ = [
    "DepNode",
    "WHY_LIMIT",
    "WhyResult",
    "dependency_nodes",
    "edge_deptypes",
    "why_paths",
]
