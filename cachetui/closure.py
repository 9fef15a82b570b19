"""Can a spec be installed from the loaded caches alone? Its link/run closure. UI-free.

``spack install --cache-only`` installs a binary and, before it, every dependency reachable
through ``link`` or ``run`` edges (``installer.BuildRequest.get_depflags``: ``LINK | RUN``, and
``BUILD`` only for what is built from source). Build-only and test-only dependencies are not
needed, so a binary whose compiler is nowhere in the cache still installs. A spec's closure is
*complete* when every hash reachable that way is among the loaded specs, *incomplete* when some
hash is not (each one listed, with who needs it and the path from the spec), and *unknown* when
the walk meets a spec whose dependencies nobody told us: the site's pages carry none, so a spec
known only from a page is never called complete. A missing hash outranks an unknown one: the
closure is incomplete whatever the unknown parts hold.

Every loaded copy of a hash is the same binary, so the graph's nodes are hashes, and a hash's
dependencies come from its first copy read from a Spack index or spec file (two indexes that
disagree about one hash are broken; the first one loaded is believed).
An edge with no deptypes at all (malformed) is taken as needed: better an "incomplete" too many
than a "complete" that fails at install time. Dependencies Spack treats as external (an
``external`` gcc or cmake of the system, never in a cache) are not told apart by the index
reader yet, so a link/run external shows as missing.

The whole catalog's verdicts come from one pass over the hash graph: Tarjan's strongly connected
components, iterative (a hostile index may hold chains far deeper than Python's recursion limit,
and cycles), each component's verdict settled from those it reaches before it is left.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .cancel import CancelCheck, check, never
from .catalog import Catalog
from .spackdb import Dependency

NEEDED_DEPTYPES = frozenset(("link", "run"))
INDEX_ERA = "index"  # the era of the pages the loader makes from Spack indexes and spec files

COMPLETE = "complete"
INCOMPLETE = "incomplete"
UNKNOWN = "unknown"

MASK_COMPLETE = 1
MASK_INCOMPLETE = 0
MASK_UNKNOWN = -1

_MISSING = 1  # flags of a node of the hash graph: reaches a missing hash ...
_UNKNOWN = 2  # ... reaches a spec whose dependencies are unknown
CHECK_EVERY = 1 << 14  # nodes between looks at ``cancelled``: ~5 ms of work at 100k specs


def needed(deptypes: Sequence[str]) -> bool:
    """Does ``spack install --cache-only`` need a dependency of these types?"""
    return not deptypes or not NEEDED_DEPTYPES.isdisjoint(deptypes)


def known_specs(catalog: Catalog) -> np.ndarray:
    """Per spec: were its dependencies read (from a Spack index or spec file)?"""
    by_page = np.array([page.era == INDEX_ERA for page in catalog.pages], dtype=bool)
    if not len(by_page):
        return np.zeros(len(catalog), dtype=bool)
    return by_page[catalog.page_of]


@dataclass(frozen=True)
class Missing:
    """A needed hash that is not among the loaded specs."""

    dependency: Dependency  # name, version, hash and deptypes as the needing spec lists it
    needed_by: int  # the spec id whose index lists the edge
    path: tuple[int, ...]  # spec ids from the closure's root to ``needed_by``, shortest first


@dataclass(frozen=True)
class Closure:
    """The link/run closure of one spec. ``present``: spec ids of the needed hashes that are
    loaded (one per hash, the root left out); ``unknown``: the specs among root and present whose
    dependencies are unknown."""

    root: int
    present: list[int]
    missing: list[Missing]
    unknown: list[int]

    @property
    def known(self) -> bool:
        """Were the dependencies of the root and of everything it needs all read?"""
        return not self.unknown

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unknown

    @property
    def verdict(self) -> str:
        if self.missing:
            return INCOMPLETE
        return UNKNOWN if self.unknown else COMPLETE

    @property
    def mask_value(self) -> int:
        return {COMPLETE: MASK_COMPLETE, INCOMPLETE: MASK_INCOMPLETE}.get(
            self.verdict, MASK_UNKNOWN
        )


def copy_of(catalog: Catalog, full_hash: str, known: np.ndarray) -> Optional[int]:
    """The loaded spec that speaks for a hash: its first copy read from an index, else its first
    copy; None when no loaded spec has exactly this hash."""
    if not full_hash:
        return None
    if full_hash == full_hash.lstrip("/").strip().lower():  # what the catalog's index finds
        ids = catalog.by_hash(full_hash)
    else:  # a hash no Spack would write, in a hostile index: compared as it is, the slow way
        ids = [i for i, h in enumerate(catalog.hashes) if h == full_hash]
    if not ids:
        return None
    return next((i for i in ids if known[i]), ids[0])


def closure_of(catalog: Catalog, spec_id: int, known: Optional[np.ndarray] = None) -> Closure:
    """The link/run closure of one spec, breadth first (so each path shown is a shortest one).
    ``known`` (from ``known_specs``) saves recomputing it over many calls."""
    known = known_specs(catalog) if known is None else known
    root = spec_id  # the first copy of its hash read from an index speaks for every copy
    root_copy = copy_of(catalog, catalog.hashes[root], known)
    if root_copy is not None and known[root_copy]:
        root = root_copy
    parent: dict[int, int] = {}
    seen = {catalog.hashes[root]} - {""}
    present: list[int] = []
    missing: list[Missing] = []
    unknown: list[int] = []
    queue = deque([root])
    while queue:
        current = queue.popleft()
        if not known[current]:
            unknown.append(current)
            continue
        for dep in catalog.deps[current]:
            if not needed(dep.deptypes) or (dep.hash and dep.hash in seen):
                continue
            if dep.hash:
                seen.add(dep.hash)
            copy = copy_of(catalog, dep.hash, known)
            if copy is None:
                path = _from(spec_id, _path(parent, root, current))
                missing.append(Missing(dep, path[-1], path))
            else:
                parent[copy] = current
                present.append(copy)
                queue.append(copy)
    return Closure(spec_id, present, missing, unknown)


def _path(parent: dict[int, int], root: int, spec_id: int) -> tuple[int, ...]:
    path = [spec_id]
    while path[-1] != root:
        path.append(parent[path[-1]])
    return tuple(reversed(path))


def _from(spec_id: int, path: tuple[int, ...]) -> tuple[int, ...]:
    """A path walked from another copy of the root's hash, shown from the root asked for."""
    return (spec_id,) + path[1:]


def closure_mask(catalog: Catalog, cancelled: CancelCheck = never) -> np.ndarray:
    """Per spec, as int8: 1 complete, 0 incomplete, -1 unknown. One pass over the hash graph;
    raises ``Cancelled`` when ``cancelled`` says so (checked every ``CHECK_EVERY`` nodes)."""
    known_array = known_specs(catalog)
    if not known_array.any():  # only the site's pages: nothing is known
        return np.full(len(catalog), MASK_UNKNOWN, dtype=np.int8)
    # A graph of lists and no cycles of objects: the cyclic collector would only rescan the
    # catalog's million objects again and again (0.4 s -> 1.4 s at 100k specs).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _mask(catalog, known_array.tolist(), cancelled)
    finally:
        if was_enabled:
            gc.enable()


def _mask(catalog: Catalog, known: list[bool], cancelled: CancelCheck) -> np.ndarray:
    count = len(catalog)
    hashes = catalog.hashes
    # Nodes: one per distinct hash (a spec without a hash is a node of its own, needed by none).
    node_of_hash: dict[str, int] = {}
    node_of_spec = np.empty(count, dtype=np.int64)
    copy: list[int] = []  # the spec whose dependencies speak for each node
    for spec_id, full_hash in enumerate(hashes):
        node = node_of_hash.get(full_hash) if full_hash else None
        if node is None:
            node = len(copy)
            copy.append(spec_id)
            if full_hash:
                node_of_hash[full_hash] = node
        elif known[spec_id] and not known[copy[node]]:
            copy[node] = spec_id
        node_of_spec[spec_id] = node
    check(cancelled)
    flags, edges = _hash_graph(catalog, copy, known, node_of_hash, cancelled)
    _settle(flags, edges, cancelled)
    # flags 0: complete; 1 or 3: incomplete (a miss outranks the unknown); 2: unknown
    verdict = np.array([MASK_COMPLETE, MASK_INCOMPLETE, MASK_UNKNOWN, MASK_INCOMPLETE], np.int8)
    return verdict[np.frombuffer(bytes(flags), dtype=np.uint8)][node_of_spec]


def _hash_graph(
    catalog: Catalog,
    copy: list[int],
    known: list[bool],
    node_of_hash: dict[str, int],
    cancelled: CancelCheck = never,
) -> tuple[bytearray, list[list[int]]]:
    """Each node's own flags and its needed edges to loaded nodes."""
    deps = catalog.deps
    flags = bytearray(len(copy))
    edges: list[list[int]] = []
    needed_types: dict[tuple[str, ...], bool] = {}
    for node, spec_id in enumerate(copy):
        if not node % CHECK_EVERY:
            check(cancelled)
        targets: list[int] = []
        edges.append(targets)
        if not known[spec_id]:
            flags[node] = _UNKNOWN
            continue
        for dep in deps[spec_id]:
            types = dep.deptypes
            need = needed_types.get(types)
            if need is None:
                need = needed_types[types] = needed(types)
            if not need:
                continue
            target = node_of_hash.get(dep.hash) if dep.hash else None
            if target is None:
                flags[node] |= _MISSING
            elif target != node:
                targets.append(target)
    return flags, edges


def _settle(flags: bytearray, edges: list[list[int]], cancelled: CancelCheck = never) -> None:
    """OR into each node's flags those of every node it reaches: Tarjan's algorithm without
    recursion; a component's flags are final when it is popped, and every component it reaches
    was popped before it."""
    size = len(flags)
    order = [-1] * size  # discovery order; -1: not visited
    low = [0] * size
    on_stack = bytearray(size)
    stack: list[int] = []
    counter = 0
    next_check = 0
    for start in range(size):
        if order[start] != -1:
            continue
        if counter >= next_check:
            check(cancelled)
            next_check = counter + CHECK_EVERY
        work = [(start, 0)]
        order[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack[start] = 1
        while work:
            node, position = work[-1]
            targets = edges[node]
            descended = False
            while position < len(targets):
                target = targets[position]
                position += 1
                if order[target] == -1:
                    work[-1] = (node, position)
                    order[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack[target] = 1
                    work.append((target, 0))
                    descended = True
                    break
                if on_stack[target]:
                    if order[target] < low[node]:
                        low[node] = order[target]
                else:  # a finished component: its flags are final
                    flags[node] |= flags[target]
            if descended:
                continue
            work.pop()
            if low[node] == order[node]:  # the root of a component: settle and pop it
                members = []
                combined = 0
                while True:
                    member = stack.pop()
                    on_stack[member] = 0
                    members.append(member)
                    combined |= flags[member]
                    if member == node:
                        break
                for member in members:
                    flags[member] = combined
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
                flags[parent] |= flags[node]


__all__ = [
    "Closure",
    "copy_of",
    "Missing",
    "closure_mask",
    "closure_of",
    "known_specs",
    "needed",
]
