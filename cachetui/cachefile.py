"""The index cache's file layout: aligned, memory-mapped numpy columns and one JSON document.
UI-free.

    bytes 0-31   magic (16 bytes), the document's offset and length (little-endian u64 each)
    then         each array's raw bytes, at an offset that is a multiple of 64
    then         the JSON document, with ``arrays``: name -> [dtype, length, offset]

A reader maps the file (``mmap``, read-only) and gets each column as a numpy view of the
mapping: nothing is copied, pages are read when first touched, and every process that opens the
same file (several users of one site index on a login node) shares one copy in the page cache.
A file is only ever replaced whole (a temporary renamed into place), never changed in place, so a
mapping stays valid while another process writes a newer cache. Never a pickle: the arrays are
raw numbers and fixed-width bytes, and every entry of the directory is checked against the
dtype the reader expects for that name, the alignment and the file's size before it is mapped.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from collections.abc import Mapping
from typing import Any, BinaryIO

import numpy as np

from .errors import CacheInvalid

MAGIC = b"\x93CACHETUI-COLS\n\x00"
PREFIX = struct.Struct("<16sQQ")
ALIGN = 64  # a cache line: numpy's vector loops read aligned data fastest


def write_columns(out: BinaryIO, doc: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` and ``doc`` to ``out`` (a fresh file open for writing, seekable)."""
    out.write(bytes(PREFIX.size))
    position = PREFIX.size
    directory = {}
    for name, values in arrays.items():
        values = np.ascontiguousarray(values)
        if values.ndim != 1:
            raise ValueError(f"column {name} is not one-dimensional")
        pad = -position % ALIGN
        out.write(bytes(pad))
        position += pad
        directory[name] = [values.dtype.str, len(values), position]
        out.write(values.view(np.uint8).data if values.nbytes else b"")
        position += values.nbytes
    body = json.dumps({**doc, "arrays": directory}, ensure_ascii=False).encode("utf-8")
    out.write(body)
    out.seek(0)
    out.write(PREFIX.pack(MAGIC, position, len(body)))


def read_columns(
    handle: BinaryIO, expected: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The document and the arrays (read-only views of a mapping) of an open cache file.
    ``expected`` gives the dtype of every array name a reader accepts: any other name or dtype,
    a misaligned or overlapping offset, or a length past the end is ``CacheInvalid``."""
    with handle:  # closed here: the mapping keeps its own reference to the file
        size = os.fstat(handle.fileno()).st_size
        if size < PREFIX.size:
            raise CacheInvalid("unreadable (truncated)")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    magic, doc_at, doc_length = PREFIX.unpack_from(mapped, 0)
    if magic != MAGIC:
        raise CacheInvalid("unreadable (not an index cache file of this format)")
    if doc_at < PREFIX.size or doc_at + doc_length != size:
        raise CacheInvalid("unreadable (truncated)")
    try:
        doc = json.loads(mapped[doc_at : doc_at + doc_length].decode("utf-8"))
    except ValueError:
        raise CacheInvalid("unreadable (a damaged document)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("arrays"), dict):
        raise CacheInvalid("unreadable (a damaged document)")
    entries = []
    for name, entry in doc.pop("arrays").items():
        wanted = expected.get(name)
        if (wanted is None or not isinstance(entry, list) or len(entry) != 3
                or entry[0] != wanted or type(entry[1]) is not int or type(entry[2]) is not int
                or entry[1] < 0):  # fmt: skip
            raise CacheInvalid(f"damaged or forged: array {name[:40]}")
        entries.append((entry[2], name, entry[1], wanted))
    arrays = {}
    end = PREFIX.size
    # In file order (an empty array first at its offset): none may overlap another.
    for offset, name, length, dtype in sorted(entries, key=lambda e: (e[0], e[2] > 0)):
        nbytes = length * np.dtype(dtype).itemsize
        if offset % ALIGN or offset < end or offset + nbytes > doc_at:
            raise CacheInvalid(f"damaged or forged: array {name} outside its place")
        arrays[name] = np.frombuffer(mapped, dtype=dtype, count=length, offset=offset)
        end = offset + nbytes
    return doc, arrays


def rewrite_document(path: str, change: Any) -> None:
    """Rewrite the cache file at ``path`` with its document changed by ``change(doc)`` (the
    tests forge files with it); the arrays are copied as they are."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    _magic, doc_at, doc_length = PREFIX.unpack_from(mapped, 0)
    doc = json.loads(mapped[doc_at : doc_at + doc_length].decode("utf-8"))
    assert doc_at + doc_length == size
    directory = doc.pop("arrays")
    arrays = {
        name: np.frombuffer(mapped, dtype=dtype, count=length, offset=offset).copy()
        for name, (dtype, length, offset) in directory.items()
    }
    change(doc)
    with open(path, "wb") as out:
        write_columns(out, doc, arrays)
