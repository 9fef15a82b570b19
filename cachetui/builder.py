"""Collects specs page by page into columns of interned codes; ``catalog.build_catalog``
freezes the result into numpy arrays. UI-free; numpy is imported only to merge and subset
builders.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any, Optional, Union

from .interner import Interner
from .jsontext import DECODER as JSON_TEXT
from .rows import CODED_FIELDS, HASH, HASH_WIDTH, SIZE, STACKS, TARBALL, SpecRow
from .schema import CODED
from .tarballs import template_codes
from .tarballs import untemplate as template_text

if TYPE_CHECKING:
    from .catalog import Catalog
    from .hashcol import Hashes


@dataclass
class PageRecord:
    """One loaded page: which package and tag it describes, and its meta as given."""

    package: str
    tag: str
    source: str
    # The meta, or its JSON text as the index cache keeps it: a warm start decodes none of
    # them (1M specs: 26k pages, 0.15 s), the first look at a page decodes its own.
    meta_source: Union[dict[str, Any], str]
    era: str
    start: int = 0
    count: int = 0
    specs_by_stack: dict[str, int] = field(default_factory=dict)

    @property
    def meta(self) -> dict[str, Any]:
        if isinstance(self.meta_source, str):
            try:  # as the page parser decodes it (the text of a page, or of the cache)
                meta = JSON_TEXT.decode(self.meta_source)
            except (ValueError, RecursionError):  # checked when read: not expected
                meta = {}
            self.meta_source = meta if isinstance(meta, dict) else {}
        return self.meta_source

    def meta_json(self) -> str:
        """The meta as one line of JSON (what the index cache stores)."""
        if isinstance(self.meta_source, str):
            return self.meta_source
        return json.dumps(self.meta_source, ensure_ascii=False)


class PageMeta(Mapping):
    """A page's meta for its ``Package``, decoded when first read: the package list of 1M
    specs holds 26k of them, which decoded at once took 113 MB of the warm browser."""

    __slots__ = ("_page",)

    def __init__(self, page: PageRecord) -> None:
        self._page = page

    def __getitem__(self, key: str) -> Any:
        return self._page.meta[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._page.meta)

    def __len__(self) -> int:
        return len(self._page.meta)


class FrozenTable:
    """A table of values read from the index cache, as read (e.g. a ``hashcol.TemplateTable``):
    nothing is decoded until looked at. ``CatalogBuilder.thaw`` makes it an ``Interner``."""

    __slots__ = ("values",)

    def __init__(self, values: Any) -> None:
        self.values = values


_NO_SIZE = array("q", [-1])  # the size of a spec whose page says "-"


def _fixed_width(hashes: tuple[str, ...]) -> Optional[bytes]:
    """``hashes`` as ``S32`` bytes (padded with NULs, as numpy pads them), or None when one is
    not short ASCII text without NULs (``Hashes`` keeps those aside)."""
    try:
        joined = "".join(hashes)
    except TypeError:  # not text: ``Hashes.of`` says what
        return None
    if not joined.isascii() or "\x00" in joined:
        return None
    longest = max(map(len, hashes))
    if longest == HASH_WIDTH and len(joined) == HASH_WIDTH * len(hashes):  # every one 32 long
        return joined.encode("ascii")
    if longest > HASH_WIDTH:
        return None
    return "".join([text.ljust(HASH_WIDTH, "\0") for text in hashes]).encode("ascii")


class CatalogBuilder:
    """Collects specs page by page, then freezes them into a ``Catalog``."""

    def __init__(self) -> None:
        self.tables = {name: Interner() for name in CODED}
        self.codes = {name: array("i") for name in CODED}
        # A list while parsing; ``Hashes`` once built or read from the index cache.
        self.hashes: Union[list[str], Hashes] = []
        # While parsing, the hashes as ``Hashes.raw`` holds them too, added page by page while
        # the page's strings are in the CPU's cache: one pass over 100k strings scattered in
        # memory cost 20-30 ms at build. None when a hash does not fit (``Hashes.of`` then).
        self._hash_bytes: Optional[bytearray] = bytearray()
        self.sizes = array("q")
        # Tarball URLs as codes into templates (``hashcol.template``): most are derivable.
        self.tarball_codes = array("i")
        self.tarball_table = Interner()
        self.deps: list[tuple] = []  # per spec: its dependencies (Spack indexes only)
        self.pages: list[PageRecord] = []

    def __len__(self) -> int:
        return len(self.hashes)

    def thaw(self) -> None:
        """Columns read from the index cache are read-only views of the mapped file: copied
        into growable arrays before specs are added or removed (only when pages changed)."""
        if isinstance(self.tarball_table, FrozenTable):
            table = Interner()
            table.values = list(self.tarball_table.values)
            table.index = {value: code for code, value in enumerate(table.values)}
            self.tarball_table = table
        for name in CODED:
            self.codes[name] = _growable("i", self.codes[name])
        self.sizes = _growable("q", self.sizes)
        self.tarball_codes = _growable("i", self.tarball_codes)

    def _hash_list(self) -> list[str]:
        """The hashes as a list that can grow (a read or built builder keeps ``Hashes``)."""
        if not isinstance(self.hashes, list):  # ``Hashes``: numpy, imported only once built
            self._hash_bytes = None if self.hashes.odd else bytearray(self.hashes.raw.tobytes())
            self.hashes = self.hashes.tolist()
        return self.hashes

    def _raw_hashes(self) -> Optional[bytearray]:
        """``_hash_bytes`` when it holds every hash (and only them), else None."""
        raw = self._hash_bytes
        if isinstance(self.hashes, list) and raw is not None:
            return raw if len(raw) == HASH_WIDTH * len(self.hashes) else None
        return None

    def compact_hashes(self) -> Hashes:
        """The hashes as ``Hashes``, kept so: the lists would double them."""
        from .hashcol import Hashes  # numpy: not needed to parse

        if not isinstance(self.hashes, list):  # read, merged or built: already compact
            return self.hashes
        raw = self._raw_hashes()
        if raw is not None:
            import numpy as np

            # No copy: nothing else holds the bytearray, so nothing resizes it.
            self.hashes = Hashes(np.frombuffer(raw, dtype=f"S{HASH_WIDTH}"))
        else:
            self.hashes = Hashes.of(self.hashes)
        self._hash_bytes = None
        return self.hashes

    def tarball(self, index: int) -> Optional[str]:
        shape = self.tarball_table.values[self.tarball_codes[index]]
        return None if shape is None else template_text(shape, self.hashes[index])

    def merge(self, *others: CatalogBuilder) -> None:
        """Append the specs of ``others`` after these, re-coding their values into these
        tables (``buildermerge``)."""
        from .buildermerge import merge_into  # numpy: not needed to parse

        merge_into(self, list(others))
        self._hash_bytes = None  # (``compact_hashes`` makes them from the merged list)

    def subset(self, keep_sources: set[str]) -> CatalogBuilder:
        """A builder with only the pages whose source is in ``keep_sources`` (same tables)."""
        import numpy as np

        kept = CatalogBuilder()
        kept.tables = self.tables
        kept.tarball_table = self.tarball_table
        pages = [page for page in self.pages if page.source in keep_sources]
        if not pages:
            return kept
        index = np.concatenate([np.arange(p.start, p.start + p.count) for p in pages])
        for name in CODED:
            kept.codes[name] = array(
                "i", np.frombuffer(self.codes[name], dtype=np.int32)[index].tobytes()
            )
        kept.sizes = array("q", np.frombuffer(self.sizes, dtype=np.int64)[index].tobytes())
        kept.tarball_codes = array(
            "i", np.frombuffer(self.tarball_codes, dtype=np.int32)[index].tobytes()
        )
        from .hashcol import Hashes  # numpy: not needed to parse

        kept.hashes = Hashes.of(self.hashes).take(index)
        kept.deps = [self.deps[i] for i in index.tolist()]
        start = 0
        for page in pages:
            kept.pages.append(PageRecord(page.package, page.tag, page.source, page.meta_source,
                                         page.era, start, page.count,
                                         dict(page.specs_by_stack)))  # fmt: skip
            start += page.count
        return kept

    def build(self) -> Catalog:
        from .catalog import build_catalog

        return build_catalog(self)

    def mark(self) -> tuple[int, int]:
        """Where the builder stands: ``rollback`` returns to it."""
        return len(self.hashes), len(self.pages)

    def rollback(self, mark: tuple[int, int]) -> None:
        """Forget the specs and pages added since ``mark`` (a file that failed half way);
        values already interned stay in the tables, unused."""
        specs, pages = mark
        self.thaw()
        for name in CODED:
            del self.codes[name][specs:]
        del self._hash_list()[specs:]
        if self._hash_bytes is not None:
            del self._hash_bytes[specs * HASH_WIDTH :]
        del self.sizes[specs:]
        del self.tarball_codes[specs:]
        del self.deps[specs:]
        del self.pages[pages:]

    def start_page(self, package: str, tag: str, source: str,
                   meta: Union[dict[str, Any], str], era: str) -> None:  # fmt: skip
        self.thaw()
        self.pages.append(PageRecord(package, tag, source, meta, era, start=len(self.hashes)))

    def add_rows(self, rows: list[SpecRow], deps: Optional[list[tuple]] = None) -> None:
        """Add a page's spec rows (``rows``). Column at a time, so the per-spec work runs in C."""
        if not rows:
            return
        columns = list(zip(*rows))
        for name, field_index in CODED_FIELDS:
            values = columns[field_index]
            table = self.tables[name]
            index = table.index
            for value in set(values):
                if value not in index:
                    table.code(value)
            self.codes[name].extend(map(index.__getitem__, values))
        page = self.pages[-1]
        by_stack = page.specs_by_stack
        # Counted in C, in order of first appearance; a stack listed twice counts twice.
        for stack, count in Counter(chain.from_iterable(columns[STACKS])).items():
            by_stack[stack] = by_stack.get(stack, 0) + count
        hashes = columns[HASH]
        self._hash_list().extend(hashes)
        if self._hash_bytes is not None:
            raw = _fixed_width(hashes)
            if raw is None or len(self._hash_bytes) + len(raw) != HASH_WIDTH * len(self.hashes):
                self._hash_bytes = None
            else:
                self._hash_bytes += raw
        sizes = columns[SIZE]
        if sizes.count(None) == len(sizes):  # no page gives sizes ("-"): no call per spec
            self.sizes.extend(_NO_SIZE * len(sizes))
        else:
            self.sizes.extend(-1 if size is None else size for size in sizes)
        self.tarball_codes.extend(template_codes(columns[TARBALL], hashes, self.tarball_table))
        self.deps.extend(deps if deps is not None else [()] * len(rows))
        page.count += len(rows)


def _growable(typecode: str, column: Any) -> array:
    if isinstance(column, array):
        return column
    grown = array(typecode)
    grown.frombytes(memoryview(column).cast("B"))
    return grown
