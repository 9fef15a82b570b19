"""Collects specs page by page into columns of interned codes; ``catalog.build_catalog``
freezes the result into numpy arrays. UI-free; numpy is imported only to merge and subset
builders.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
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
        # Tarball URLs as codes into templates (``tarballs.template``) for the first
        # ``len(tarball_codes)`` specs (read from the index cache, or merged), and as read for
        # the specs after them: templating costs 50 ms per 100k specs, so a load leaves it to
        # the index cache's write, after the first paint (``tarball_columns``).
        self.tarball_codes = array("i")
        self.tarball_table = Interner()
        self.tarball_tail: list[Optional[str]] = []
        self.deps: list[tuple] = []  # per spec: its dependencies (Spack indexes only)
        self.pages: list[PageRecord] = []

    def __len__(self) -> int:
        return len(self.hashes)

    def _hash_list(self) -> list[str]:
        """The hashes as a list that can grow (a read or built builder keeps ``Hashes``)."""
        if not isinstance(self.hashes, list):  # ``Hashes``: numpy, imported only once built
            self._hash_bytes = None if self.hashes.odd else bytearray(self.hashes.raw.tobytes())
            self.hashes = self.hashes.tolist()
        return self.hashes

    def _raw_hashes(self) -> Optional[bytearray]:
        """``_hash_bytes`` when it holds every hash, else None."""
        raw = self._hash_bytes
        if isinstance(self.hashes, list) and raw is not None:
            return raw if len(raw) == HASH_WIDTH * len(self.hashes) else None
        if not isinstance(self.hashes, list) and not self.hashes.odd:
            return bytearray(self.hashes.raw.tobytes())
        return None

    def compact_hashes(self) -> Hashes:
        """The hashes as ``Hashes``, kept so: the lists would double them."""
        from .hashcol import Hashes  # numpy: not needed to parse

        if not isinstance(self.hashes, list):  # read or built: already compact
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
        head = len(self.tarball_codes)
        if index >= head:
            return self.tarball_tail[index - head]
        shape = self.tarball_table.values[self.tarball_codes[index]]
        return None if shape is None else template_text(shape, self.hashes[index])

    def _templated_tail(self, table: Interner) -> list[int]:
        """The codes in ``table`` of the tail's templates (new ones are added to it)."""
        head, codes = len(self.tarball_codes), []
        for page in self.pages:  # page by page: a page whose every spec has one is fast
            start, stop = max(page.start, head), page.start + page.count
            if start < stop:
                tail = self.tarball_tail[start - head : stop - head]
                codes += template_codes(tail, self.hashes[start:stop], table)
        return codes

    def tarball_columns(self) -> tuple[array, list[Any]]:
        """Every spec's template code, and the templates. Leaves the builder as it is: the
        index cache is written in the background while the loading thread may merge it."""
        if not self.tarball_tail:
            return self.tarball_codes, self.tarball_table.values
        table = Interner()
        table.values = list(self.tarball_table.values)
        table.index = dict(self.tarball_table.index)
        codes = array("i", self.tarball_codes)
        codes.extend(self._templated_tail(table))
        return codes, table.values

    def merge(self, other: CatalogBuilder) -> None:
        """Append ``other``'s specs after these, re-coding its values into these tables."""
        import numpy as np

        offset = len(self.hashes)
        if self.tarball_tail and other.tarball_codes:  # codes must come before the tail
            self.tarball_codes.extend(self._templated_tail(self.tarball_table))
            self.tarball_tail = []
        pairs = [(self.tables[name], other.tables[name], self.codes[name], other.codes[name])
                 for name in CODED]  # fmt: skip
        pairs.append((self.tarball_table, other.tarball_table, self.tarball_codes,
                      other.tarball_codes))  # fmt: skip
        for table, theirs, mine, their_codes in pairs:
            values = theirs.values
            # Lookups in C; only values new to this table take the slow road.
            found = list(map(table.index.get, values))
            if None in found:
                found = [table.code(v) if c is None else c for c, v in zip(found, values)]
            lut = np.array(found or [0], dtype=np.int32)
            codes = np.frombuffer(their_codes, dtype=np.int32)
            if len(codes):
                mine.frombytes(lut[codes].astype(np.int32).tobytes())
        self.tarball_tail.extend(other.tarball_tail)
        mine, theirs = self._raw_hashes(), other._raw_hashes()
        self._hash_list().extend(other.hashes)
        if mine is not None and theirs is not None:
            mine += theirs
        self._hash_bytes = mine if theirs is not None else None
        self.sizes.extend(other.sizes)
        self.deps.extend(other.deps)
        for page in other.pages:  # copies: ``other`` stays as it was (a cache may still save it)
            self.pages.append(PageRecord(page.package, page.tag, page.source, page.meta_source,
                                         page.era, page.start + offset, page.count,
                                         page.specs_by_stack))  # fmt: skip

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
        head = len(self.tarball_codes)
        in_head = index[index < head]
        kept.tarball_codes = array(
            "i", np.frombuffer(self.tarball_codes, dtype=np.int32)[in_head].tobytes()
        )
        kept.tarball_tail = [self.tarball_tail[i - head] for i in index[index >= head].tolist()]
        from .hashcol import Hashes  # numpy: not needed to parse

        kept.hashes = Hashes.of(self.hashes).take(index)
        kept._hash_bytes = None
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
        for name in CODED:
            del self.codes[name][specs:]
        del self._hash_list()[specs:]
        if self._hash_bytes is not None:
            del self._hash_bytes[specs * HASH_WIDTH :]
        del self.sizes[specs:]
        head = len(self.tarball_codes)
        if specs >= head:
            del self.tarball_tail[specs - head :]
        else:
            del self.tarball_codes[specs:]
            self.tarball_tail = []
        del self.deps[specs:]
        del self.pages[pages:]

    def start_page(self, package: str, tag: str, source: str,
                   meta: Union[dict[str, Any], str], era: str) -> None:  # fmt: skip
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
        self.tarball_tail.extend(columns[TARBALL])
        self.deps.extend(deps if deps is not None else [()] * len(rows))
        page.count += len(rows)
