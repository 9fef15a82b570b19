"""Line exports of many specs without a ``Spec`` per row. UI-free.

``export.render_lines`` makes a ``Spec`` per row: ~16 s for 1M specs. Here every coded column's
distinct values are formatted once (``"@" + version``, ``"%" + compiler``, the variants joined,
a TSV cell), and a row is the pieces its codes pick out: a rows x pieces object array filled by
numpy indexing, then one ``str.join`` per chunk of rows, so no string, tuple or ``Spec`` is made
per row beyond what differs per spec (hash, size). Formatting one ``Spec`` per distinct
combination of fields instead cost ~9 s (specs) and ~19 s (tsv) at 1M synthetic specs, where
nearly every spec is its own combination. ``visible`` escapes one character at a time, so the
escaped pieces join to the escaped whole: the output is byte for byte that of the slow path.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import numpy as np

from .export import TSV_COLUMNS, _tsv_cell
from .hashcol import TemplateTable
from .model import _variant_text, parse_compiler
from .text import is_clean, visible

if TYPE_CHECKING:
    from .catalog import Catalog
    from .tarballs import Template

FAST_FORMATS = ("specs", "hashes", "install", "tsv")
TSV_CODED = TSV_COLUMNS[1:11]  # package .. stacks: all coded columns
ARCH_FIELDS = ("platform", "os", "target")
_KEY_LIMIT = 1 << 62
# Rows joined at a time: the pieces array of a chunk stays a few tens of MB.
CHUNK = 1 << 16

# A piece of every row: one text for all, a text per row, or (texts, codes): texts[codes[row]].
Piece = Union[str, np.ndarray, "tuple[np.ndarray, np.ndarray]"]


def _objects(texts: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(texts), dtype=object)
    array[:] = texts
    return array


def _field(catalog: Catalog, ids: np.ndarray, name: str, text: Callable[[Any], str],
           before: str = "", after: str = "") -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """``text`` of each distinct value of column ``name``, made safe, between ``before`` and
    ``after`` (separators joined once per value, not once per row), and the rows' codes."""
    column = catalog.column(name)
    values, codes = column.values, column.codes[ids]
    if len(values) > len(ids):  # a few rows of a big catalog: format only the values they use
        used, codes = np.unique(codes, return_inverse=True)
        values = [values[c] for c in used.tolist()]
        codes = codes.reshape(-1)
    return _objects([before + visible(text(v)) + after for v in values]), codes


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


def _arch(catalog: Catalog, ids: np.ndarray, after: str) -> tuple[np.ndarray, np.ndarray]:
    """`` arch=platform-os-target`` (empty parts left out; nothing when all are), then
    ``after``, per row: one text per combination of the three (a few dozen in real caches)."""
    inverse, reps = _groups(catalog, ids, ARCH_FIELDS)
    columns = [catalog.column(name) for name in ARCH_FIELDS]
    texts = []
    for rep in reps.tolist():
        arch = "-".join(part for part in (c.cell(rep) for c in columns) if part)
        texts.append((visible(" arch=" + arch) if arch else "") + after)
    return _objects(texts), inverse


def _variants(variants: tuple[str, ...]) -> str:
    text = _variant_text(variants)
    return text if not text or text[0] in "+~" else " " + text


def _spec_lines(catalog: Catalog, ids: np.ndarray, before: str = "") -> Iterator[str]:
    """``before``, ``model.Spec.spec_string`` and a newline per row, field by field."""
    pieces: list[Piece] = [
        _field(catalog, ids, "package", str, before=before),
        _field(catalog, ids, "version", lambda v: "@" + v if v else ""),
        _field(catalog, ids, "compiler", lambda c: "%" + c if parse_compiler(c).name else ""),
        _field(catalog, ids, "variants", _variants),
        _arch(catalog, ids, "\n"),
    ]
    return _chunks(pieces, len(ids))


def _take(piece: Piece, start: int, stop: int) -> Any:
    if isinstance(piece, tuple):
        texts, codes = piece
        return texts[codes[start:stop]]
    return piece if isinstance(piece, str) else piece[start:stop]


def _chunks(pieces: Sequence[Piece], count: int) -> Iterator[str]:
    """Row after row the pieces of each row, a string per ``CHUNK`` rows."""
    for start in range(0, count, CHUNK):
        stop = min(start + CHUNK, count)
        table = np.empty((stop - start, len(pieces)), dtype=object)
        for column, piece in enumerate(pieces):
            table[:, column] = _take(piece, start, stop)
        yield "".join(table.ravel().tolist())


def _hashes(catalog: Catalog, ids: np.ndarray) -> list[str]:
    """The hashes of ``ids`` as safe text (``visible`` only where a byte needs it)."""
    hashes = catalog.hashes
    texts = hashes.take(ids)
    data = hashes.raw[ids].view(np.uint8)
    if hashes.odd or ((data > 0) & (data < 0x20)).any() or (data == 0x7F).any():
        texts = [t if is_clean(t) else visible(t) for t in texts]
    return texts


def _template_texts(shapes: Sequence[Template], used: np.ndarray) -> tuple[list, list, list]:
    """Of the templates ``used``: heads, tails (safe text) and whether the hash goes between."""
    if isinstance(shapes, TemplateTable):
        text, bounds, cuts = shapes.text, shapes.bounds, shapes.cuts
        if not ((text < 0x20) | (text > 0x7E)).any():  # printable ASCII: nothing to escape,
            # and byte offsets are character offsets: one decode, then slices (decoding the
            # 650k templates of 1M synthetic specs one by one took 4 s).
            whole = text.tobytes().decode("ascii")
            starts, ends, cut = bounds[used], bounds[used + 1], cuts[used]
            hashed = cut >= 0
            middles = np.where(hashed, starts + cut, ends)
            heads = list(map(whole.__getitem__, map(slice, starts.tolist(), middles.tolist())))
            tails = list(map(whole.__getitem__, map(slice, middles.tolist(), ends.tolist())))
            return heads, tails, hashed.tolist()
    heads, tails, hashed = [], [], []
    for code in used.tolist():
        shape = shapes[code]
        heads.append(visible(shape[0]) if shape else "")
        tails.append(visible(shape[1]) if shape and len(shape) == 2 else "")
        hashed.append(bool(shape) and len(shape) == 2)
    return heads, tails, hashed


def _tarball_pieces(catalog: Catalog, ids: np.ndarray, hashes: np.ndarray) -> list[Piece]:
    """Per row, its tarball URL as a TSV cell ("" when none), in three pieces: the template's
    head, the row's hash where the template cut one out, the template's tail."""
    tarballs = catalog.tarballs
    codes = tarballs.codes[ids]
    if len(tarballs.templates) > len(ids):  # a few rows: only the templates they use
        used, codes = np.unique(codes, return_inverse=True)
        codes = codes.reshape(-1)
    else:
        used = np.arange(len(tarballs.templates))
    heads, tails, hashed = _template_texts(tarballs.templates, used)
    middle = np.where(np.array(hashed, dtype=bool)[codes], hashes, "")
    heads = ["\t" + head for head in heads]  # the tab after the size
    return [(_objects(heads), codes), middle, (_objects(tails), codes)]


def _tsv_value(value: Any) -> str:
    # A Spec's record holds lists where the columns hold tuples (versions, variants, stacks).
    return _tsv_cell(list(value) if isinstance(value, tuple) else value)


def _tsv_pieces(catalog: Catalog, ids: np.ndarray, hashes: np.ndarray) -> list[Piece]:
    """The cells of a TSV row, each tab joined to a per-value text where one is next to it."""
    pieces: list[Piece] = [hashes]
    for name in TSV_CODED:
        after = "\t" if name == TSV_CODED[-1] else ""
        pieces.append(_field(catalog, ids, name, _tsv_value, before="\t", after=after))
    sizes = catalog.sizes[ids]
    size_text = _objects(sizes.astype(str).tolist())
    size_text[sizes < 0] = ""
    pieces += [size_text, *_tarball_pieces(catalog, ids, hashes)]
    pieces.append(_field(catalog, ids, "source", _tsv_value, before="\t", after="\n"))
    return pieces


def render_fast(catalog: Catalog, ids: Sequence[int], fmt: str) -> Optional[str]:
    """The whole export of ``ids`` in ``fmt``, or None when ``fmt`` has no fast path."""
    parts = fast_parts(catalog, ids, fmt)
    return None if parts is None else "".join(parts)


def fast_parts(catalog: Catalog, ids: Sequence[int], fmt: str) -> Optional[Iterator[str]]:
    """The export of ``ids`` in ``fmt`` in pieces to write one after another (the text of 1M
    specs as TSV is ~450 MB: never held twice), or None when ``fmt`` has no fast path."""
    if fmt not in FAST_FORMATS:
        return None
    return _parts(catalog, np.asarray(ids, dtype=np.int64).reshape(-1), fmt)


def _parts(catalog: Catalog, rows: np.ndarray, fmt: str) -> Iterator[str]:
    if fmt == "tsv":
        yield "\t".join(TSV_COLUMNS) + "\n"
    if not len(rows):
        return
    if fmt == "specs":
        yield from _spec_lines(catalog, rows)
        return
    hashes = _objects(_hashes(catalog, rows))
    if fmt == "tsv":
        yield from _chunks(_tsv_pieces(catalog, rows, hashes), len(rows))
        return
    has_hash = hashes.astype(bool)
    if fmt == "hashes":
        kept = hashes[has_hash].tolist()
        yield "".join(["/" + h + "\n" for h in kept])
        return
    lines = "spack install /" + hashes + "\n"  # install
    if not has_hash.all():
        lone = rows[~has_hash]
        text = "".join(_spec_lines(catalog, lone, "spack install "))
        # ``visible`` escaped every newline inside a value: each row ends at its own one.
        lines[~has_hash] = [line + "\n" for line in text.split("\n")[:-1]]
    yield "".join(lines.tolist())
