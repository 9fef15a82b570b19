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
    max_width: int
    min_width: int = 3


COLUMNS = (
    Column("hash", "hash", 7, 7),
    Column("runs", "run", 3, 3),  # runs on the host: ✓ yes, ✗ no, ? unknown
    Column("package", "package", 30, 7),
    Column("version", "version", 14, 7),
    Column("os", "os", 14, 4),
    Column("target", "target", 14, 6),
    Column("compiler", "compiler", 18, 8),
    Column("stacks", "stacks", 36, 6),
    Column("variants", "variants", 48, 8),
    Column("tag", "tag", 20, 3),
)


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
        self._widths: Optional[dict[str, int]] = None

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
        return ViewResult(ids, scope_total, notes)

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

    def column_widths(self) -> dict[str, int]:
        """Each column's width for this catalog (computed once: call it in a worker first)."""
        if self._widths is not None:
            return self._widths
        widths = {}
        for column in COLUMNS:
            if column.key in ("hash", "runs"):
                widths[column.key] = column.max_width
                continue
            longest = 0
            for value in self.catalog.column(column.key).values:
                longest = max(longest, len(cell_text(value)))
                if longest >= column.max_width:
                    break  # the column is as wide as it gets: no need to see the rest
            widths[column.key] = max(
                column.min_width, len(column.title), min(longest, column.max_width)
            )
        self._widths = widths
        return widths
