"""What the spec table shows: scope, filter query and sort order turned into a row list. UI-free,
so the same computation runs in the app's worker threads, in the CLI and in the benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from .cancel import CancelCheck, check, never
from .catalog import Catalog
from .host import Host, Verdict, runs_on
from .model import Spec
from .query import Evaluator
from .querysyntax import QueryError, parse_query
from .text import visible
from .versions import sort_key


@dataclass(frozen=True)
class Column:
    key: str  # catalog column ("hash" is special: not coded)
    title: str
    max_width: int  # never wider: longer values are cut with "…"
    min_width: int  # never narrower: a column with less room is left off (scroll right to it)
    priority: int  # who gets the room first when not every column fits (0 first)
    pinned: bool = False  # stays on screen while the other columns scroll sideways
    # Cut in the middle, keeping the end: ubuntu18.04 and ubuntu22.04, neoverse_v1 and
    # neoverse_v2, gcc@=11.4.0 and gcc@=13.2.0 differ at the end.
    cut_middle: bool = False


# Screen order. Hash and package (and the run mark between them) say which row is which, so
# they stay put while the others scroll; target gets room before os: neoverse_v1 and
# neoverse_v2 must not both read "neoverse_".
COLUMNS = (
    Column("hash", "hash", 7, 7, 0, pinned=True),
    Column("runs", "run", 3, 3, 2, pinned=True),  # runs on the host: ✓ yes, ✗ no, ? unknown
    Column("package", "package", 30, 7, 1, pinned=True),
    Column("version", "version", 14, 5, 3, cut_middle=True),
    Column("os", "os", 14, 5, 5, cut_middle=True),
    Column("target", "target", 16, 6, 4, cut_middle=True),
    Column("compiler", "compiler", 18, 6, 6, cut_middle=True),
    Column("tag", "tag", 24, 5, 7, cut_middle=True),
    Column("stacks", "stacks", 36, 6, 8),
    Column("variants", "variants", 48, 8, 9),
)
GAP = 1  # cells between two columns
# Widths are measured on at most this many rows of a view, spread evenly over it: exact for
# views up to this size, and the longest value of a bigger one that the sample misses is cut
# with "…" (a 100k-row view costs ~1 ms, not ~25 ms for every row of every column).
WIDTH_SAMPLE = 4096


def fit_columns(natural: dict[str, int], width: int, first: int = 0,
                columns: Sequence[Column] = COLUMNS) -> list[tuple[Column, int]]:  # fmt: skip
    """The columns shown in ``width`` cells, in screen order, with their widths: the pinned
    ones, then the others from the ``first`` unpinned one on (of ``columns``: the config's
    choice and order).

    Room goes by priority: each column gets its ``natural`` width while there is room, then
    what is left if that is at least its minimum (it is cut with "…"). The columns after the
    first one that gets nothing are left off too, so what shows is always a run of columns
    and scrolling right reveals the next one.
    """
    pinned = [c for c in columns if c.pinned]
    shown = pinned + [c for c in columns if not c.pinned][max(0, first) :]
    while True:
        granted: dict[str, int] = {}
        room = width
        for column in sorted(shown, key=lambda c: c.priority):
            wanted = natural.get(column.key, column.max_width)
            if room >= wanted + GAP:
                granted[column.key] = wanted
            elif column.pinned or room - GAP >= column.min_width:
                granted[column.key] = max(0, room - GAP)  # cut: better than gone
            else:
                granted[column.key] = 0
            room -= granted[column.key] + GAP if granted[column.key] else 0
        missing = next((i for i, c in enumerate(shown) if not granted[c.key]), None)
        if missing is None or missing < len(pinned):
            return [(c, granted[c.key]) for c in shown if granted[c.key]]
        shown = shown[:missing]  # the room of the columns after it goes to those before


RUNS_YES = 1
# How the table and the JSON show a runs code (1 yes, 0 no, -1 unknown).
RUNS_MARKS = {1: "✓", 0: "✗", -1: "?"}
RUNS_WORDS = {1: "yes", 0: "no", -1: "unknown"}
CLOSURE_WORDS = {1: "complete", 0: "incomplete", -1: "unknown"}


def with_runs_here(
    specs: Iterable[Spec],
    ids: Iterable[int],
    codes: np.ndarray,
    closure: Optional[np.ndarray] = None,
    places: Optional[Sequence[tuple]] = None,
) -> Iterator[Spec]:
    """The specs with their ``runs_here`` verdict (``codes`` from ``Evaluator.runs_codes``),
    given ``closure`` (``Evaluator.closure_codes``) their closure's, and given ``places``
    (``provenance.places_for``) where their hash lives: one ``replace`` each, which costs more
    than any of the values."""
    places_of = iter(places) if places is not None else None
    for spec, spec_id in zip(specs, ids):
        words = {"runs_here": RUNS_WORDS[int(codes[spec_id])]}
        if closure is not None:
            words["closure"] = CLOSURE_WORDS[int(closure[spec_id])]
        if places_of is not None:
            words["mirrors"] = next(places_of)
        yield replace(spec, **words)


@dataclass(frozen=True)
class Scope:
    """The tree node the table is scoped to: everything, a tag, a package of it, one version."""

    tag: Optional[str] = None
    package: Optional[str] = None
    version: Optional[str] = None

    def describe(self) -> str:
        parts = [p for p in (self.tag, self.package, self.version) if p]
        return " / ".join(parts) if parts else "all tags"


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool = False


@dataclass
class ViewResult:
    ids: np.ndarray
    scope_total: int
    notes: list[str] = field(default_factory=list)
    error: Optional[str] = None
    widths: dict[str, int] = field(default_factory=dict)  # each column's natural width here


def cell_text(value: object) -> str:
    """How a column value is shown in one table cell (control characters escaped)."""
    if isinstance(value, tuple):
        return visible(",".join(value))
    return visible(str(value))


class ViewModel:
    """Computes table rows for a catalog. Thread-safe for reads: it caches only derived tables."""

    def __init__(
        self, catalog: Catalog, host: Optional[Host] = None, installed: Optional[frozenset] = None
    ) -> None:
        self.catalog = catalog
        self.evaluator = Evaluator(catalog, host, installed)  # ``host``: this machine when None
        self._ranks: dict[str, np.ndarray] = {}
        self._scope_cache: dict[Scope, np.ndarray] = {}
        self._lengths: dict[str, np.ndarray] = {}

    def scope_mask(self, scope: Scope) -> np.ndarray:
        mask = self._scope_cache.get(scope)
        if mask is None:
            mask = self.catalog.mask_for(scope.tag, scope.package, scope.version)
            if len(self._scope_cache) > 64:
                self._scope_cache.clear()
            self._scope_cache[scope] = mask
        return mask

    def compute(
        self,
        scope: Scope,
        query_text: str,
        sort: Optional[Sort],
        runs_only: bool = False,
        cancelled: CancelCheck = never,
    ) -> ViewResult:
        """The rows of ``scope`` matching ``query_text`` (and running on the host, with
        ``runs_only``), sorted; raises ``Cancelled`` when ``cancelled`` says so (checked
        between the query's tokens and before sorting)."""
        check(cancelled)
        base = self.scope_mask(scope)
        scope_total = int(base.sum())
        notes: list[str] = []
        if query_text.strip():
            try:
                result = self.evaluator.evaluate(parse_query(query_text), base, cancelled)
            except QueryError as error:
                return ViewResult(np.zeros(0, dtype=np.int64), scope_total, error=str(error))
            mask, notes = result.mask, result.notes
        else:
            mask = base
        if runs_only:
            mask = mask & (self.runs_codes() == RUNS_YES)
        check(cancelled)
        ids = np.flatnonzero(mask)
        if sort is not None:
            check(cancelled)
            ids = self.sorted_ids(ids, sort)
        return ViewResult(ids, scope_total, notes, widths=self.shown_widths(ids))

    @property
    def host(self) -> Host:
        return self.evaluator.host()

    def runs_codes(self) -> np.ndarray:
        """Per spec: 1 runs on the host, 0 does not, -1 unknown."""
        return self.evaluator.runs_codes()

    def specs(self, ids: Sequence[int]) -> list[Spec]:
        """The specs of ``ids``, each with its ``runs_here`` and closure verdicts (for exports;
        the closures are computed in a worker after the first paint)."""
        codes = self.evaluator.closure_codes()
        return list(with_runs_here(self.catalog.specs(ids), ids, self.runs_codes(), codes))

    def closure_known(self) -> bool:
        return self.evaluator.closure_known()

    def closure_codes(self, cancelled: CancelCheck = never) -> np.ndarray:
        """Per spec: 1 closure complete, 0 incomplete, -1 unknown."""
        return self.evaluator.closure_codes(cancelled)

    def closure_counts(self, ids: np.ndarray) -> list[tuple[str, int]]:
        """The closure facet of ``ids``: (verdict, count), most first (codes must be known)."""
        codes = self.closure_codes()[ids]
        counts = [(CLOSURE_WORDS[c], int((codes == c).sum())) for c in (1, 0, -1)]
        return sorted([item for item in counts if item[1]], key=lambda item: -item[1])

    def runs_known(self) -> bool:
        return self.evaluator.runs_known()

    def runs_mark(self, spec_id: int) -> str:
        """✓ ✗ ?, or · until the codes are computed (off the UI thread, after the first paint:
        detecting the host and judging every target costs ~0.1 s at start)."""
        if not self.runs_known():
            return "·"
        return RUNS_MARKS[int(self.runs_codes()[spec_id])]

    def runs_verdict(self, spec_id: int) -> Optional[Verdict]:
        """Whether and why one spec runs on the host, in one line (None until known)."""
        if not self.runs_known():
            return None
        column = self.catalog.column
        parts = (column(name).cell(spec_id) for name in ("platform", "os", "target"))
        return runs_on(*parts, self.host)

    def rank(self, column: str) -> np.ndarray:
        """Per spec, its position in the column's sort order."""
        ranks = self._ranks.get(column)
        if ranks is None:
            catalog = self.catalog
            if column == "runs":  # yes, then unknown, then no (a code of -1 reads the last)
                ranks = np.array([2, 0, 1], dtype=np.int64)[self.runs_codes()]
            elif column == "hash":
                order = np.argsort(np.array(catalog.hashes, dtype=object), kind="stable")
                ranks = np.empty(len(order), dtype=np.int64)
                ranks[order] = np.arange(len(order))
            else:
                coded = catalog.column(column)
                values = coded.values
                if column == "version":
                    keys = [sort_key(v) for v in values]
                else:
                    keys = [cell_text(v).lower() for v in values]
                order = sorted(range(len(values)), key=keys.__getitem__)
                lut = np.empty(len(values), dtype=np.int64)
                lut[order] = np.arange(len(values))
                ranks = coded.broadcast(lut)
            self._ranks[column] = ranks
        return ranks

    def sorted_ids(self, ids: np.ndarray, sort: Sort) -> np.ndarray:
        keys = self.rank(sort.column)[ids]
        if sort.descending:
            keys = -keys
        return ids[np.argsort(keys, kind="stable")]

    def _value_lengths(self, column: str) -> np.ndarray:
        """Per distinct value of ``column``, the length of its cell (computed once)."""
        lengths = self._lengths.get(column)
        if lengths is None or len(lengths) < len(self.catalog.column(column).values):
            values = self.catalog.column(column).values
            lengths = np.fromiter((len(cell_text(v)) for v in values), np.int64, len(values))
            self._lengths[column] = lengths
        return lengths

    def shown_widths(self, ids: np.ndarray) -> dict[str, int]:
        """Each column's natural width for the rows ``ids``: its longest value among them (on
        a sample of a big view), at least its title, at most its ``max_width``."""
        if len(ids) > WIDTH_SAMPLE:
            ids = ids[np.linspace(0, len(ids) - 1, WIDTH_SAMPLE).astype(np.int64)]
        widths = {}
        for column in COLUMNS:
            if column.key in ("hash", "runs"):
                widths[column.key] = column.max_width
                continue
            longest = 0
            if len(ids):
                codes = self.catalog.column(column.key).codes[ids]
                longest = int(self._value_lengths(column.key)[codes].max())
            widths[column.key] = min(max(longest, len(column.title)), column.max_width)
        return widths

    def column_widths(self) -> dict[str, int]:
        """Each column's natural width over the whole catalog (before a view is computed)."""
        return self.shown_widths(np.arange(len(self.catalog), dtype=np.int64))
