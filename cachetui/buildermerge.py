"""Appending one builder's specs to another's (``CatalogBuilder.merge``): the lazy tags of a
big site, each read from its index file, merged into one corpus. UI-free.

Columns are appended as numpy arrays (one copy of the corpus, which the catalog then uses as it
is) rather than grown ``array``s (which the catalog would copy again: at 10M specs, 400 MB).
Tarball templates read from index files stay in their mapped files, chained (``TemplateChain``),
never decoded; hashes stay fixed-width bytes. Builders that were parsed (growable columns,
interned templates) take the general road: values re-coded through their tables.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, Any

import numpy as np

from .hashcol import Hashes, TemplateChain
from .schema import CODED

if TYPE_CHECKING:
    from .builder import CatalogBuilder


def _append(column: Any, extra: np.ndarray, dtype: str) -> Any:
    """``column`` with ``extra`` after it: a grown ``array``, or a new numpy array."""
    if isinstance(column, array) and len(column):
        column.frombytes(np.ascontiguousarray(extra, dtype=dtype).tobytes())
        return column
    if not len(column):
        return np.ascontiguousarray(extra, dtype=dtype)
    return np.concatenate([np.asarray(column, dtype=dtype), np.asarray(extra, dtype=dtype)])


def _lut(table: Any, values: Any) -> np.ndarray:
    """Per value of another table, its code in ``table`` (new values added)."""
    found = list(map(table.index.get, values))  # lookups in C; new values take the slow road
    if None in found:
        found = [table.code(v) if c is None else c for c, v in zip(found, values)]
    return np.array(found or [0], dtype=np.int32)


def _hashes(mine: Any, theirs: list[Any]) -> Any:
    if all(isinstance(t, Hashes) for t in theirs) and (isinstance(mine, Hashes) or not len(mine)):
        parts = ([mine] if len(mine) else []) + theirs
        odd: dict[int, str] = {}
        offset = 0
        for part in parts:
            odd.update({i + offset: text for i, text in part.odd.items()})
            offset += len(part)
        raws = [part.raw for part in parts]
        return Hashes(np.concatenate(raws) if len(raws) != 1 else raws[0], odd)
    if not isinstance(mine, list):
        mine = mine.tolist()
    for part in theirs:
        mine.extend(part)
    return mine


def merge_into(builder: CatalogBuilder, others: list[CatalogBuilder]) -> None:
    """Append every one of ``others`` after ``builder``'s specs: each column joined once
    (one at a time, 40 tags of 250k specs copied the growing corpus 40 times)."""
    from .builder import FrozenTable, PageRecord

    if not others:
        return
    for name in CODED:
        extras = []
        for other in others:
            codes = np.asarray(other.codes[name], dtype=np.int32)
            lut = _lut(builder.tables[name], other.tables[name].values)
            extras.append(lut[codes] if len(codes) else codes)
        builder.codes[name] = _append(builder.codes[name], _joined(extras, "<i4"), "<i4")
    extras = []
    for other in others:
        theirs, mine = other.tarball_table, builder.tarball_table
        codes = np.asarray(other.tarball_codes, dtype=np.int32)
        if isinstance(theirs, FrozenTable) and (isinstance(mine, FrozenTable) or not mine.values):
            before = mine.values if isinstance(mine, FrozenTable) else TemplateChain([])
            builder.tarball_table = FrozenTable(TemplateChain([before, theirs.values]))
            extras.append(codes + len(before))
        else:
            if isinstance(mine, FrozenTable):
                builder.thaw()  # only the table: the columns are joined below
            lut = _lut(builder.tarball_table, theirs.values)
            extras.append(lut[codes] if len(codes) else codes)
    builder.tarball_codes = _append(builder.tarball_codes, _joined(extras, "<i4"), "<i4")
    builder.hashes = _hashes(builder.hashes, [other.hashes for other in others])
    sizes = _joined([np.asarray(other.sizes, dtype=np.int64) for other in others], "<i8")
    builder.sizes = _append(builder.sizes, sizes, "<i8")
    for other in others:
        offset = len(builder.deps)
        builder.deps.extend(other.deps)
        for page in other.pages:  # copies: ``other`` stays as it was (it may still be saved)
            builder.pages.append(PageRecord(page.package, page.tag, page.source,
                                            page.meta_source, page.era, page.start + offset,
                                            page.count, page.specs_by_stack))  # fmt: skip


def _joined(parts: list[np.ndarray], dtype: str) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
