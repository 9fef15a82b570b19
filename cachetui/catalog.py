"""The indexed, column-wise store of every loaded spec. UI-free.

A million specs as Python objects cost ~1 KB each and seconds to build. Here each field is a
numpy array of small integer codes into a table of distinct values (interning), so filtering,
counting and sorting are vector operations and a spec costs ~150 bytes. ``Spec`` records are made
on demand for the rows someone looks at.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import numpy as np

from .cancel import CancelCheck, check, never
from .hashcol import WIDTH, Hashes, Tarballs
from .interner import Interner
from .model import Package, Spec, parse_compiler
from .schema import CODED, FACET_COLUMN, FACETS, PER_PAGE

if TYPE_CHECKING:  # the builder imports this module to build: not the other way round
    from .builder import CatalogBuilder, PageRecord

# Spec ids: a numpy integer array, or any sequence of ints (numpy indexes with either).
Ids = Union[np.ndarray, Sequence[int]]


class Column:
    """One field of every spec: per spec a code, per code a distinct value.

    Every question about a column is answered per distinct value and broadcast to the specs
    through the codes (one numpy indexing), never by Python work per spec.
    """

    __slots__ = ("name", "codes", "values")

    def __init__(self, name: str, codes: np.ndarray, values: list[Any]) -> None:
        self.name = name
        self.codes = codes  # per spec: an index into ``values``
        self.values = values  # the distinct values, in order of first appearance

    def __len__(self) -> int:
        """The number of specs (not of distinct values)."""
        return len(self.codes)

    def code(self, spec_id: int) -> int:
        return int(self.codes[spec_id])

    def cell(self, spec_id: int) -> Any:
        """The value of one spec."""
        return self.values[self.codes[spec_id]]

    def counts(self, ids: Optional[Ids] = None) -> np.ndarray:
        """Per code, how many of ``ids`` (every spec when None) have its value."""
        codes = self.codes if ids is None else self.codes[ids]
        return np.bincount(codes, minlength=len(self.values))

    def value_counts(self, ids: Optional[Ids] = None) -> list[tuple[Any, int]]:
        """(value, count) for every value present among ``ids``, in code order."""
        counts = self.counts(ids)
        present = np.flatnonzero(counts)
        values = self.values
        # tolist: Python ints in one C call, not one numpy scalar per value
        return [(values[c], n) for c, n in zip(present.tolist(), counts[present].tolist())]

    def broadcast(self, per_value: np.ndarray) -> np.ndarray:
        """Per spec, the entry of ``per_value`` (one per distinct value) for its value."""
        if not len(self.values):  # no values, no specs: ``per_value`` may be a placeholder
            return np.zeros(len(self.codes), dtype=per_value.dtype)
        return per_value[self.codes]

    def mask_equal(self, value: Any) -> np.ndarray:
        """A boolean mask of the specs whose value is ``value``."""
        try:
            code = self.values.index(value)
        except ValueError:
            return np.zeros(len(self.codes), dtype=bool)
        return self.codes == code

    def mask_where(self, predicate: Callable[[Any], object]) -> np.ndarray:
        """A mask of the specs whose value satisfies ``predicate`` (called once per distinct
        value, not per spec)."""
        values = self.values
        lut = np.fromiter((bool(predicate(v)) for v in values), dtype=bool, count=len(values))
        return self.broadcast(lut)

    def derive(self, name: str, derive: Callable[[Any], Any]) -> Column:
        """A column whose value is ``derive`` of this one's (cheap: tables are small)."""
        table = Interner()
        lut = np.array([table.code(derive(v)) for v in self.values] or [0], dtype=np.int32)
        codes = lut[self.codes] if len(self.values) else self.codes.copy()
        return Column(name, codes, table.values)


class Catalog:
    """Every loaded spec, indexed by tag, package and hash, with facet counts."""

    def __init__(
        self,
        hashes: Union[Sequence[str], Hashes],
        columns: dict[str, Column],
        pages: list[PageRecord],
        page_of: np.ndarray,
        sizes: np.ndarray,
        tarballs: Optional[Tarballs] = None,
        deps: Optional[list[tuple]] = None,
    ) -> None:
        # ``Hashes`` reads like a list of str: ``catalog.hashes[i]``, ``take(ids)``, ``argsort``.
        self.hashes = Hashes.of(hashes)
        self.deps = deps if deps is not None else [()] * len(hashes)
        self._dependents: Optional[dict[str, list[int]]] = None
        self._columns = columns
        self.pages = pages
        self.page_of = page_of
        self.sizes = sizes
        if tarballs is None:
            tarballs = Tarballs(np.zeros(len(hashes), dtype=np.int32), [None], self.hashes)
        self.tarballs = tarballs
        # Per-page fields become per-spec columns through the page index.
        for name in PER_PAGE:
            table = Interner()
            page_codes = np.array([table.code(getattr(p, name)) for p in pages], dtype=np.int32)
            codes = page_codes[page_of] if len(pages) else np.zeros(0, dtype=np.int32)
            self._columns[name] = Column(name, codes, table.values)
        self._add_derived_columns()
        self._packages: Optional[dict[tuple[str, str], Package]] = None
        self._hash_order: Optional[np.ndarray] = None
        self._sorted_hashes: Optional[np.ndarray] = None

    # -- construction ------------------------------------------------------------------------

    def _add_derived_columns(self) -> None:
        columns = self._columns
        columns["version"] = columns["versions"].derive("version", lambda vs: vs[0] if vs else "")
        compiler = columns["compiler"]
        columns["compiler_normalized"] = compiler.derive(
            "compiler_normalized", lambda c: parse_compiler(c).normalized
        )
        columns["compiler_name"] = compiler.derive(
            "compiler_name", lambda c: parse_compiler(c).name or "none"
        )

    @property
    def packages(self) -> dict[tuple[str, str], Package]:
        """(tag, name) to its package, built on first use (0.15 s at 26k pages: not needed
        for the first paint)."""
        if self._packages is None:
            self._packages = self._build_packages()
        return self._packages

    def _build_packages(self) -> dict[tuple[str, str], Package]:
        from .builder import PageMeta

        packages: dict[tuple[str, str], Package] = {}
        for page in self.pages:
            key = (page.tag, page.package)
            package = packages.get(key)
            if package is None:
                package = packages[key] = Package(page.package, page.tag, meta=PageMeta(page))
            package.num_specs += page.count
            for stack, count in page.specs_by_stack.items():
                package.specs_by_stack[stack] = package.specs_by_stack.get(stack, 0) + count
        return packages

    # -- access ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.hashes)

    def column(self, name: str) -> Column:
        """A coded column (``schema.CODED``, ``PER_PAGE`` or ``DERIVED``); KeyError if none."""
        return self._columns[name]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(self._columns)

    def spec(self, index: int) -> Spec:
        columns = self._columns

        def get(name: str) -> Any:
            return columns[name].cell(index)

        size = int(self.sizes[index])
        return Spec(
            hash=self.hashes[index],
            package=get("package"),
            tag=get("tag"),
            versions=get("versions"),
            compiler=get("compiler"),
            os=get("os"),
            platform=get("platform"),
            target=get("target"),
            variants=get("variants"),
            stacks=get("stacks"),
            size=None if size < 0 else size,
            tarball=self.tarballs[index],
            source=get("source"),
            dependencies=self.deps[index],
        )

    def specs(self, ids: Optional[Iterable[int]] = None) -> Iterator[Spec]:
        for index in range(len(self)) if ids is None else ids:
            yield self.spec(int(index))

    @property
    def tags(self) -> list[str]:
        """Every tag with specs (a page that lists none makes no tag)."""
        return sorted(self.specs_per_tag())

    @property
    def package_names(self) -> list[str]:
        """Every distinct package name, in order of first appearance (do not modify)."""
        return self._columns["package"].values

    def mask_equal(self, column: str, value: Any) -> np.ndarray:
        """A boolean mask of the specs whose ``column`` is ``value``."""
        return self._columns[column].mask_equal(value)

    def mask_where(self, column: str, predicate: Callable[[Any], object]) -> np.ndarray:
        """A mask of the specs whose ``column`` value satisfies ``predicate`` (run per distinct
        value, not per spec)."""
        return self._columns[column].mask_where(predicate)

    def ids_for(
        self,
        tag: Optional[str] = None,
        package: Optional[str] = None,
        version: Optional[str] = None,
    ) -> np.ndarray:
        """Spec ids of a tag, a package of a tag, or one version of it."""
        return np.flatnonzero(self.mask_for(tag, package, version))

    def mask_for(
        self,
        tag: Optional[str] = None,
        package: Optional[str] = None,
        version: Optional[str] = None,
    ) -> np.ndarray:
        """A mask of the specs of a tag, a package of a tag, or one version of it."""
        mask = np.ones(len(self), dtype=bool)
        for column, value in (("tag", tag), ("package", package), ("version", version)):
            if value is not None:
                mask &= self.mask_equal(column, value)
        return mask

    # -- hashes ------------------------------------------------------------------------------

    def _hash_index(self) -> tuple[np.ndarray, np.ndarray]:
        """The hashes to search (``S32`` as they are, searched through ``order``; objects in
        order when some do not fit) and the ids in hash order. No sorted copy of the ``S32``
        column: at 10M specs it would be 320 MB."""
        if self._sorted_hashes is None or self._hash_order is None:
            order = self.hashes.argsort()
            self._sorted_hashes = (
                self.hashes.raw if not self.hashes.odd
                else np.array(self.hashes.take(order), dtype=object)
            )  # fmt: skip
            self._hash_order = order
        return self._sorted_hashes, self._hash_order

    def by_hash_prefix(self, prefix: str, limit: Optional[int] = None) -> list[int]:
        """Ids of specs whose hash starts with ``prefix`` (``/`` allowed), in hash order."""
        prefix = prefix.lstrip("/").strip().lower()
        if not prefix:
            return []
        hashes, order = self._hash_index()
        if hashes.dtype == object:
            lo = bisect.bisect_left(hashes, prefix)
            hi = bisect.bisect_left(hashes, prefix + "\U0010ffff", lo)
        else:
            if not prefix.isascii() or len(prefix) > WIDTH:
                return []
            key = prefix.encode("ascii")
            lo = int(np.searchsorted(hashes, key, side="left", sorter=order))
            top = key + b"\xff" * (WIDTH - len(key))  # hashes that fit are ASCII
            hi = int(np.searchsorted(hashes, top, side="right", sorter=order))
        if limit is not None:
            hi = min(hi, lo + limit)
        return order[lo:hi].tolist()

    def dependents(self, full_hash: str) -> list[int]:
        """Ids of the loaded specs that depend on ``full_hash`` (built on first use)."""
        if self._dependents is None:
            index: dict[str, list[int]] = {}
            for spec_id, deps in enumerate(self.deps):
                for dep in deps:
                    index.setdefault(dep.hash, []).append(spec_id)
            self._dependents = index
        return self._dependents.get(full_hash, [])

    def mask_dependencies(self, predicate: Callable[[str, str], bool]) -> np.ndarray:
        """Specs with a direct dependency ``(name, version)`` for which ``predicate`` holds
        (only specs from Spack indexes know their dependencies)."""
        mask = np.zeros(len(self), dtype=bool)
        answers: dict[tuple[str, str], bool] = {}
        for spec_id, deps in enumerate(self.deps):
            for dep in deps:
                key = (dep.name, dep.version)
                found = answers.get(key)
                if found is None:
                    found = answers[key] = predicate(dep.name, dep.version)
                if found:
                    mask[spec_id] = True
                    break
        return mask

    def by_hash(self, full_hash: str) -> list[int]:
        full = full_hash.lstrip("/").strip().lower()
        return [i for i in self.by_hash_prefix(full) if self.hashes[i] == full]

    # -- facets and counts --------------------------------------------------------------------

    def facet_counts(self, facet: str, ids: Optional[Ids] = None) -> list[tuple[str, int]]:
        """Counts per value of ``facet`` over ``ids`` (all specs when None), most first."""
        column = self._columns[FACET_COLUMN.get(facet, facet)]
        totals: Counter[str] = Counter()
        for value, count in column.value_counts(ids):
            if facet == "stack":  # a spec counts once for each of its stacks
                for stack in value:
                    totals[stack] += count
            else:
                totals[value] += count
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    def facets(
        self, ids: Optional[Ids] = None, cancelled: CancelCheck = never
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts per value of every facet over ``ids``; checks ``cancelled`` between facets."""
        result = {}
        for facet in FACETS:
            check(cancelled)
            result[facet] = self.facet_counts(facet, ids)
        return result

    def package_list(self) -> list[Package]:
        return sorted(self.packages.values(), key=lambda p: (p.tag, p.name))

    def specs_per_tag(self) -> dict[str, int]:
        """Every tag's spec count, in order of first appearance; a tag whose pages list no
        spec is left out (an empty legacy page would make a phantom "legacy (0)")."""
        column = self._columns["tag"]
        counts = column.counts()
        return {tag: int(counts[code]) for code, tag in enumerate(column.values) if counts[code]}

    def packages_in(self, tag: Optional[str]) -> list[tuple[str, int]]:
        """(package, spec count) of every package with specs in ``tag`` (any tag when None),
        by name."""
        counts = self._columns["package"].value_counts(self.ids_for(tag=tag))
        return sorted(counts, key=lambda item: item[0])

    def tags_of(self, package: str) -> list[tuple[str, int]]:
        """(tag, spec count) of every tag with specs of ``package``, most first."""
        return self.facet_counts("tag", self.ids_for(package=package))

    def versions_of(self, tag: str, package: str) -> list[tuple[str, int]]:
        """(version, spec count) of ``package`` in ``tag``, in string order."""
        ids = self.ids_for(tag=tag, package=package)
        return sorted(self.facet_counts("version", ids), key=lambda item: item[0])


def empty_catalog() -> Catalog:
    def empty(name: str) -> Column:
        return Column(name, np.zeros(0, dtype=np.int32), [])

    columns = {name: empty(name) for name in CODED}
    return Catalog([], columns, [], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))


def _frozen(column: Any, dtype: type) -> np.ndarray:
    """A builder's column as numpy: the mapped cache column as it is (read-only, no copy), or a
    copy of a growing ``array`` (the builder may still grow it, which a view would forbid)."""
    if isinstance(column, np.ndarray):
        return column
    return np.frombuffer(column, dtype=dtype).copy()


def build_catalog(builder: CatalogBuilder) -> Catalog:
    """Freeze a builder's columns into numpy arrays."""
    columns = {
        name: Column(name, _frozen(codes, np.int32), builder.tables[name].values)
        for name, codes in builder.codes.items()
    }
    counts = np.array([page.count for page in builder.pages], dtype=np.int64)
    page_of = np.repeat(np.arange(len(builder.pages), dtype=np.int32), counts)
    sizes = _frozen(builder.sizes, np.int64)
    # The builder keeps the compact hashes too: its lists would double them (it may be saved).
    hashes = builder.compact_hashes()
    tarball_codes = _frozen(builder.tarball_codes, np.int32)
    tarballs = Tarballs(tarball_codes, builder.tarball_table.values or [None], hashes)
    return Catalog(hashes, columns, builder.pages, page_of, sizes, tarballs, builder.deps)
