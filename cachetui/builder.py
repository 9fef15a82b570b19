"""Collects specs page by page into columns of interned codes. UI-free and numpy-free, so a
parsing subprocess starts fast; ``catalog.build_catalog`` freezes the result into numpy arrays.
"""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .catalog import Catalog

# Fields stored as codes into a value table. Multi-valued fields (versions, variants, stacks)
# intern the whole tuple: real pages repeat the same few combinations.
CODED = ("versions", "compiler", "os", "platform", "target", "variants", "stacks")
# Fields that are the same for every spec of a page: stored once per page.
PER_PAGE = ("package", "tag", "source")
# The order of the coded fields in a spec row (see ``CatalogBuilder.add_rows``).
ROW_CODED = ("versions", "compiler", "os", "platform", "target", "variants", "stacks")
FACETS = ("os", "target", "compiler", "stack", "version", "platform")


class _Interner:
    __slots__ = ("values", "index")

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.index: dict[Any, int] = {}

    def code(self, value: Any) -> int:
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
        return code


@dataclass
class PageRecord:
    """One loaded page: which package and tag it describes, and its meta as given."""

    package: str
    tag: str
    source: str
    meta: dict[str, Any]
    era: str
    start: int = 0
    count: int = 0
    specs_by_stack: dict[str, int] = field(default_factory=dict)


class CatalogBuilder:
    """Collects specs page by page, then freezes them into a ``Catalog``."""

    def __init__(self) -> None:
        self.tables = {name: _Interner() for name in CODED}
        self.codes = {name: array("i") for name in CODED}
        self.hashes: list[str] = []
        self.sizes = array("q")
        self.tarballs: list[Optional[str]] = []
        self.deps: list[tuple] = []  # per spec: its dependencies (Spack indexes only)
        self.pages: list[PageRecord] = []

    def __len__(self) -> int:
        return len(self.hashes)

    def build(self) -> Catalog:
        from .catalog import build_catalog

        return build_catalog(self)

    def start_page(
        self, package: str, tag: str, source: str, meta: dict[str, Any], era: str
    ) -> None:
        self.pages.append(PageRecord(package, tag, source, meta, era, start=len(self.hashes)))

    def add_rows(self, rows: list[tuple], deps: Optional[list[tuple]] = None) -> None:
        """Add a page's spec rows: (hash, versions, compiler, os, platform, target, variants,
        stacks, size, tarball). Column at a time, so the per-spec work runs in C."""
        if not rows:
            return
        columns = list(zip(*rows))
        for name, values in zip(ROW_CODED, columns[1:8]):
            table = self.tables[name]
            index = table.index
            for value in set(values):
                if value not in index:
                    table.code(value)
            self.codes[name].extend(map(index.__getitem__, values))
        page = self.pages[-1]
        for combo, count in Counter(columns[7]).items():
            for stack in combo:
                page.specs_by_stack[stack] = page.specs_by_stack.get(stack, 0) + count
        self.hashes.extend(columns[0])
        self.sizes.extend(-1 if size is None else size for size in columns[8])
        self.tarballs.extend(columns[9])
        self.deps.extend(deps if deps is not None else [()] * len(rows))
        page.count += len(rows)
