"""Line exports of many specs without a ``Spec`` per row. UI-free.

``export.render_lines`` makes a ``Spec`` per row: ~16 s for 1M specs. Here the rows are grouped
by the coded fields a format shows (one integer key per row); each distinct group is rendered
once, by the same ``Spec`` code the slow path runs on one of its specs, and the texts are
broadcast back to the rows with numpy. Only what differs per spec (hash, size, tarball) is
joined per row, in C loops over object arrays. The output is byte for byte that of the slow path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np

from .export import TSV_COLUMNS, _tsv_cell
from .model import Spec
from .text import is_clean, visible

if TYPE_CHECKING:
    from .catalog import Catalog

FAST_FORMATS = ("specs", "hashes", "install", "tsv")
SPEC_FIELDS = ("package", "versions", "compiler", "variants", "platform", "os", "target")
TSV_CODED = TSV_COLUMNS[1:11]  # package .. stacks: all coded columns
_KEY_LIMIT = 1 << 62


def _groups(
    catalog: Catalog, ids: np.ndarray, names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``ids`` its group, and per group one spec id: rows of one group have the same
    value in every column of ``names``."""
    key = np.zeros(len(ids), dtype=np.int64)
    span = 1
    for name in names:
        column = catalog.column(name)
        size = max(len(column.values), 1)
        if span * size >= _KEY_LIMIT:  # renumber densely before the key would overflow
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64).reshape(-1)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * size + column.codes[ids]
        span *= size
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse.reshape(-1), ids[first]


def _per_group(catalog: Catalog, ids: np.ndarray, names: Sequence[str],
               render: Callable[[Spec], str]) -> np.ndarray:  # fmt: skip
    """Per row, ``render`` of its group's spec (an object array of str)."""
    inverse, reps = _groups(catalog, ids, names)
    texts = np.empty(len(reps), dtype=object)
    texts[:] = [render(catalog.spec(int(r))) for r in reps.tolist()]
    return texts[inverse]


def _objects(texts: list) -> np.ndarray:
    array = np.empty(len(texts), dtype=object)
    array[:] = texts
    return array


def _hashes(catalog: Catalog, ids: np.ndarray) -> list[str]:
    """The hashes of ``ids`` as safe text (``visible`` only where a byte needs it)."""
    hashes = catalog.hashes
    texts = hashes.take(ids)
    data = hashes.raw[ids].view(np.uint8)
    if hashes.odd or ((data > 0) & (data < 0x20)).any() or (data == 0x7F).any():
        texts = [t if is_clean(t) else visible(t) for t in texts]
    return texts


def _tarballs(catalog: Catalog, ids: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Per row, its tarball URL as a TSV cell ("" when none)."""
    tarballs = catalog.tarballs
    shapes = tarballs.templates
    heads = _objects([visible(s[0]) if s else "" for s in shapes])
    tails = _objects([visible(s[1]) if s and len(s) == 2 else "" for s in shapes])
    hashed = np.array([bool(s) and len(s) == 2 for s in shapes], dtype=bool)
    codes = tarballs.codes[ids]
    middle = np.where(hashed[codes], hashes, "")
    return heads[codes] + middle + tails[codes]


def render_fast(catalog: Catalog, ids: Sequence[int], fmt: str) -> Optional[str]:
    """The whole export of ``ids`` in ``fmt``, or None when ``fmt`` has no fast path."""
    if fmt not in FAST_FORMATS:
        return None
    rows = np.asarray(ids, dtype=np.int64).reshape(-1)
    if fmt == "tsv" and not len(rows):
        return "\t".join(TSV_COLUMNS) + "\n"
    if not len(rows):
        return ""
    hashes = _objects(_hashes(catalog, rows))
    has_hash = hashes.astype(bool)
    if fmt == "hashes":
        kept = hashes[has_hash].tolist()
        return "".join(["/" + h + "\n" for h in kept])
    if fmt == "specs":
        lines = _per_group(catalog, rows, SPEC_FIELDS, lambda s: visible(s.spec_string) + "\n")
        return "".join(lines.tolist())
    if fmt == "install":
        lines = "spack install /" + hashes + "\n"
        if not has_hash.all():
            lone = rows[~has_hash]
            lines[~has_hash] = _per_group(catalog, lone, SPEC_FIELDS,
                                          lambda s: visible(s.install_command) + "\n")  # fmt: skip
        return "".join(lines.tolist())
    # tsv
    middle = _per_group(catalog, rows, TSV_CODED, _tsv_middle)
    source = _per_group(catalog, rows, ("source",), lambda s: _tsv_cell(s.source))
    sizes = catalog.sizes[rows]
    size_text = _objects(sizes.astype(str).tolist())
    size_text[sizes < 0] = ""
    lines = (hashes + "\t" + middle + "\t" + size_text + "\t"
             + _tarballs(catalog, rows, hashes) + "\t" + source + "\n")  # fmt: skip
    return "\t".join(TSV_COLUMNS) + "\n" + "".join(lines.tolist())


def _tsv_middle(spec: Spec) -> str:
    record = spec.to_dict()
    return "\t".join(_tsv_cell(record[c]) for c in TSV_CODED)
