"""The indexed, column-wise store of every loaded spec. UI-free.

A million specs as Python objects cost ~1 KB each and seconds to build. Here each field is a
numpy array of small integer codes into a table of distinct values (interning), so filtering,
counting and sorting are vector operations and a spec costs ~150 bytes. ``Spec`` records are made
on demand for the rows someone looks at.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, Optional

import numpy as np

from .builder import PER_PAGE, CatalogBuilder, PageRecord, _Interner
from .model import Package, Spec, parse_compiler

FACETS = ("os", "target", "compiler", "stack", "version", "platform")


class Catalog:
    """Every loaded spec, indexed by tag, package and hash, with facet counts."""

    def __init__(
        self,
        hashes: list[str],
        columns: dict[str, tuple[np.ndarray, list[Any]]],
        pages: list[PageRecord],
        page_of: np.ndarray,
        sizes: np.ndarray,
        tarballs: list[Optional[str]],
        deps: Optional[list[tuple]] = None,
    ) -> None:
        self.hashes = hashes
        self.deps = deps if deps is not None else [()] * len(hashes)
        self._dependents: Optional[dict[str, list[int]]] = None
        self.columns = columns
        self.pages = pages
        self.page_of = page_of
        self.sizes = sizes
        self.tarballs = tarballs
        # Per-page fields become per-spec columns through the page index.
        for name in PER_PAGE:
            table = _Interner()
            page_codes = np.array([table.code(getattr(p, name)) for p in pages], dtype=np.int32)
            codes = page_codes[page_of] if len(pages) else np.zeros(0, dtype=np.int32)
            self.columns[name] = (codes, table.values)
        self._add_derived_columns()
        self._packages: Optional[dict[tuple[str, str], Package]] = None
        self._hash_order: Optional[list[int]] = None
        self._sorted_hashes: Optional[list[str]] = None

    # -- construction ------------------------------------------------------------------------

    def _derive(self, source: str, name: str, derive) -> None:
        """A column computed per distinct value of another (cheap: tables are small)."""
        codes, values = self.columns[source]
        table = _Interner()
        lut = np.array([table.code(derive(v)) for v in values] or [0], dtype=np.int32)
        self.columns[name] = (lut[codes] if len(values) else codes.copy(), table.values)

    def _add_derived_columns(self) -> None:
        self._derive("versions", "version", lambda vs: vs[0] if vs else "")
        self._derive("compiler", "compiler_normalized", lambda c: parse_compiler(c).normalized)
        self._derive("compiler", "compiler_name", lambda c: parse_compiler(c).name or "none")

    @property
    def packages(self) -> dict[tuple[str, str], Package]:
        """(tag, name) to its package, built on first use (0.15 s at 26k pages: not needed
        for the first paint)."""
        if self._packages is None:
            self._packages = self._build_packages()
        return self._packages

    def _build_packages(self) -> dict[tuple[str, str], Package]:
        packages: dict[tuple[str, str], Package] = {}
        for page in self.pages:
            key = (page.tag, page.package)
            package = packages.get(key)
            if package is None:
                package = packages[key] = Package(page.package, page.tag, meta=page.meta)
            package.sources.append(page.source)
            package.num_specs += page.count
            for stack, count in page.specs_by_stack.items():
                package.specs_by_stack[stack] = package.specs_by_stack.get(stack, 0) + count
        return packages

    # -- access ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.hashes)

    def value(self, column: str, index: int) -> Any:
        codes, values = self.columns[column]
        return values[codes[index]]

    def spec(self, index: int) -> Spec:
        columns = self.columns

        def get(name: str) -> Any:
            codes, values = columns[name]
            return values[codes[index]]

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
        return sorted(self.columns["tag"][1])

    def mask_equal(self, column: str, value: Any) -> np.ndarray:
        """A boolean mask of the specs whose ``column`` is ``value``."""
        codes, values = self.columns[column]
        try:
            code = values.index(value)
        except ValueError:
            return np.zeros(len(self), dtype=bool)
        return codes == code

    def mask_where(self, column: str, predicate) -> np.ndarray:
        """A mask of the specs whose ``column`` value satisfies ``predicate`` (run per distinct
        value, not per spec)."""
        codes, values = self.columns[column]
        lut = np.fromiter((bool(predicate(v)) for v in values), dtype=bool, count=len(values))
        if not len(values):
            return np.zeros(len(self), dtype=bool)
        return lut[codes]

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

    def _hash_index(self) -> tuple[list[str], list[int]]:
        if self._sorted_hashes is None or self._hash_order is None:
            order = sorted(range(len(self.hashes)), key=self.hashes.__getitem__)
            self._hash_order = order
            self._sorted_hashes = [self.hashes[i] for i in order]
        return self._sorted_hashes, self._hash_order

    def by_hash_prefix(self, prefix: str, limit: Optional[int] = None) -> list[int]:
        """Ids of specs whose hash starts with ``prefix`` (``/`` allowed), in hash order."""
        prefix = prefix.lstrip("/").strip().lower()
        if not prefix:
            return []
        sorted_hashes, order = self._hash_index()
        lo = bisect.bisect_left(sorted_hashes, prefix)
        hi = bisect.bisect_left(sorted_hashes, prefix + "\U0010ffff", lo)
        if limit is not None:
            hi = min(hi, lo + limit)
        return order[lo:hi]

    def dependents(self, full_hash: str) -> list[int]:
        """Ids of the loaded specs that depend on ``full_hash`` (built on first use)."""
        if self._dependents is None:
            index: dict[str, list[int]] = {}
            for spec_id, deps in enumerate(self.deps):
                for dep in deps:
                    index.setdefault(dep.hash, []).append(spec_id)
            self._dependents = index
        return self._dependents.get(full_hash, [])

    def by_hash(self, full_hash: str) -> list[int]:
        full = full_hash.lstrip("/").strip().lower()
        return [i for i in self.by_hash_prefix(full) if self.hashes[i] == full]

    # -- facets ------------------------------------------------------------------------------

    def facet_counts(self, facet: str, ids: Optional[np.ndarray] = None) -> list[tuple[str, int]]:
        """Counts per value of ``facet`` over ``ids`` (all specs when None), most first."""
        column = {"stack": "stacks", "compiler": "compiler_normalized"}.get(facet, facet)
        codes, values = self.columns[column]
        if ids is not None:
            codes = codes[ids]
        counts = np.bincount(codes, minlength=len(values)) if len(values) else np.zeros(0)
        totals: Counter[str] = Counter()
        for code in np.flatnonzero(counts):
            value = values[code]
            if facet == "stack":
                for stack in value:
                    totals[stack] += int(counts[code])
            else:
                totals[value] += int(counts[code])
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    def facets(self, ids: Optional[np.ndarray] = None) -> dict[str, list[tuple[str, int]]]:
        return {facet: self.facet_counts(facet, ids) for facet in FACETS}

    def package_list(self) -> list[Package]:
        return sorted(self.packages.values(), key=lambda p: (p.tag, p.name))

    def versions_of(self, tag: str, package: str) -> list[tuple[str, int]]:
        ids = self.ids_for(tag=tag, package=package)
        return sorted(self.facet_counts("version", ids), key=lambda item: item[0])


def empty_catalog() -> Catalog:
    return CatalogBuilder().build()


def build_catalog(builder: CatalogBuilder) -> Catalog:
    """Freeze a builder's columns into numpy arrays."""
    columns = {
        name: (np.frombuffer(codes, dtype=np.int32).copy(), builder.tables[name].values)
        for name, codes in builder.codes.items()
    }
    counts = np.array([page.count for page in builder.pages], dtype=np.int64)
    page_of = np.repeat(np.arange(len(builder.pages), dtype=np.int32), counts)
    sizes = np.frombuffer(builder.sizes, dtype=np.int64).copy()
    return Catalog(
        builder.hashes, columns, builder.pages, page_of, sizes, builder.tarballs, builder.deps
    )
