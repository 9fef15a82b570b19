"""Reading and checking the index cache file (see ``indexcache``): every value is checked for
its type and shape, so a truncated, corrupt or forged file is rebuilt, never trusted. UI-free."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from array import array
from pathlib import Path
from typing import Any, Callable, Optional, Union

import numpy as np

from .builder import CatalogBuilder, PageRecord
from .cachedirs import index_cache_dir
from .errors import CacheInvalid
from .hashcol import WIDTH, Hashes
from .interner import Interner
from .model import Problem
from .schema import CODED
from .spackdb import Dependency

FORMAT = 4
CACHE_MIN_BYTES = 1_000_000  # smaller inputs parse in milliseconds: not worth a cache file
TUPLE_COLUMNS = ("versions", "variants", "stacks")
TEMPORARY_PREFIX = ".tmp-"
ERAS = ("A", "B", "legacy", "index")
LEVELS = ("error", "warning")


Input = Union[str, tuple[str, ...]]  # a folder, or several small ones cached as one unit


def _where(path: Input) -> Union[str, list[str]]:
    """What a cache file is for: the folder's absolute path, or the sorted list of them."""
    if isinstance(path, str):
        return os.path.abspath(path)
    return sorted(os.path.abspath(p) for p in path)


def cache_file(path: Input, max_bytes: int, tag: Optional[str], version: int = FORMAT) -> Path:
    identity = json.dumps([version, _where(path), max_bytes, tag])
    return index_cache_dir() / (hashlib.sha256(identity.encode()).hexdigest()[:32] + ".npz")


def _stat(path: str) -> Optional[tuple[int, int]]:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _open_regular(target: Path) -> Any:
    """The cache file opened for reading, if it is a regular file (a FIFO would block, a
    device never end): stat first, open non-blocking, check again."""
    try:
        info = os.stat(target)
    except FileNotFoundError:
        raise
    if not stat.S_ISREG(info.st_mode):
        raise CacheInvalid("not a regular file")
    handle = os.open(
        target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    )
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise CacheInvalid("not a regular file")
    return os.fdopen(handle, "rb")


def read(
    target: Path, root: str
) -> tuple[dict[str, tuple[int, int, str]], list[Problem], CatalogBuilder]:
    """The cached files, problems and builder; ``CacheInvalid`` when it cannot be trusted.
    Every value is checked for its type and shape: a forged but well-formed file is rebuilt."""
    try:
        with _open_regular(target) as handle, np.load(handle, allow_pickle=False) as bundle:
            doc = json.loads(bytes(bundle["doc"]).decode("utf-8"))
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise CacheInvalid("made by another cachetui version")
            if doc.get("root") != _where(root):
                raise CacheInvalid("made for another folder")
            _check_doc(doc)
            codes = {name: bundle[f"codes_{name}"] for name in CODED}
            sizes = bundle["sizes"]
            if doc["hashes"] is None and "hashes_s32" in bundle.files:
                hashes: Any = _get_hashes(bundle["hashes_s32"], doc["specs"])
            else:
                hashes = _get_texts(bundle, doc, "hashes", doc["specs"], empty="")
            tarballs = bundle["tarball_codes"]
            metas = _get_texts(bundle, doc, "metas", len(doc["pages"]), empty="")
    except FileNotFoundError:
        raise CacheInvalid("none yet") from None
    except CacheInvalid:
        raise
    except Exception as error:  # whatever a damaged file does to numpy or zipfile
        raise CacheInvalid(f"unreadable ({type(error).__name__})") from None
    try:
        if not isinstance(hashes, Hashes):
            _check_texts(hashes, "hashes", len_=doc["specs"])
        _check_texts(metas, "metas", len_=len(doc["pages"]))
        builder = _builder(doc, codes, sizes, hashes, tarballs, metas)
        files = {p: (size, mtime, kind) for p, size, mtime, kind in doc["files"]}
        problems = [Problem(d["path"], d["reason"], d.get("line"), d.get("level", "error"),
                            tuple(d.get("details", ()))) for d in doc["problems"]]  # fmt: skip
    except CacheInvalid:
        raise
    except Exception as error:
        raise CacheInvalid(f"inconsistent ({type(error).__name__})") from None
    return files, problems, builder


# -- checking a cache file's document ---------------------------------------------------------


def _forged(what: str) -> CacheInvalid:
    return CacheInvalid(f"damaged or forged: {what}")


def _is_int(value: Any) -> bool:
    return type(value) is int


def _check_texts(values: Any, what: str, len_: Optional[int] = None,
                 nullable: bool = False) -> None:  # fmt: skip
    if not isinstance(values, list) or (len_ is not None and len(values) != len_):
        raise _forged(what)
    for value in values:
        if not (type(value) is str or (nullable and value is None)):
            raise _forged(what)


def _check_rows(rows: Any, what: str, check: Callable[[list], bool]) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) and check(r) for r in rows):
        raise _forged(what)


def _file_row(row: list) -> bool:
    return (len(row) == 4 and type(row[0]) is str and _is_int(row[1]) and _is_int(row[2])
            and type(row[3]) is str)  # fmt: skip


def _page_row(row: list) -> bool:
    if len(row) != 7:
        return False
    package, tag, source, era, start, count, by_stack = row
    return (type(package) is str and type(tag) is str and type(source) is str and era in ERAS
            and _is_int(start) and _is_int(count) and start >= 0 and count >= 0
            and isinstance(by_stack, dict)
            and all(_is_int(n) and n >= 0 for n in by_stack.values()))  # fmt: skip


def _dependency(entry: Any) -> bool:
    return (isinstance(entry, list) and len(entry) == 4
            and all(type(value) is str for value in entry[:3])
            and isinstance(entry[3], list) and all(type(t) is str for t in entry[3]))  # fmt: skip


def _problem(entry: Any) -> bool:
    return (isinstance(entry, dict) and type(entry.get("path")) is str
            and type(entry.get("reason")) is str
            and (entry.get("line") is None or _is_int(entry.get("line")))
            and entry.get("level", "error") in LEVELS
            and isinstance(entry.get("details", []), list)
            and all(type(d) is str for d in entry.get("details", [])))  # fmt: skip


def _check_doc(doc: dict) -> None:
    """Every value of the document has the type and shape ``write`` gives it."""
    specs = doc.get("specs")
    if not _is_int(specs) or specs < 0:
        raise _forged("spec count")
    tables = doc.get("tables")
    if not isinstance(tables, dict):
        raise _forged("tables")
    for name in CODED:
        values = tables.get(name)
        if not isinstance(values, list):
            raise _forged(f"table {name}")
        for value in values:
            if name in TUPLE_COLUMNS:
                _check_texts(value, f"table {name}")
            elif type(value) is not str:
                raise _forged(f"table {name}")
    _check_rows(doc.get("files"), "files", _file_row)
    _check_rows(doc.get("pages"), "pages", _page_row)
    _check_rows(doc.get("deps"), "dependencies",
                lambda r: len(r) == 2 and _is_int(r[0]) and 0 <= r[0] < specs
                and isinstance(r[1], list) and all(map(_dependency, r[1])))  # fmt: skip
    problems = doc.get("problems")
    if not isinstance(problems, list) or not all(map(_problem, problems)):
        raise _forged("problems")
    for name in ("hashes", "metas"):
        if doc.get(name) is not None and not isinstance(doc.get(name), list):
            raise _forged(name)
    templates = doc.get("tarballs")
    if not isinstance(templates, list) or not all(map(_template, templates)):
        raise _forged("tarballs")


def _template(entry: Any) -> bool:
    return entry is None or (isinstance(entry, list) and len(entry) in (1, 2)
                             and all(type(t) is str for t in entry))  # fmt: skip


def _get_hashes(raw: np.ndarray, count: int) -> Hashes:
    """The ``S32`` hashes, checked: ASCII, and padding only at the end (a value with a NUL
    inside would not be what was written)."""
    if raw.dtype != np.dtype(f"S{WIDTH}") or raw.ndim != 1 or len(raw) != count:
        raise _forged("hashes")
    data = raw.view(np.uint8).reshape(count, WIDTH)
    nul = data == 0
    if (data >= 0x80).any() or (nul[:, :-1] & ~nul[:, 1:]).any():
        raise _forged("hashes")
    return Hashes(raw)


def _get_texts(bundle: Any, doc: dict, name: str, count: int, empty: Optional[str]) -> list[Any]:
    if doc[name] is not None:
        return doc[name]
    texts: list[Any] = bundle[name].tobytes().decode("utf-8").split("\n") if count else []
    return texts if empty == "" or all(texts) else [text or None for text in texts]


def _builder(doc: dict, codes: dict, sizes: np.ndarray, hashes: Any, tarballs: np.ndarray,
             metas: list[str]) -> CatalogBuilder:  # fmt: skip
    builder = CatalogBuilder()
    count = len(hashes)
    if count != doc["specs"]:
        raise ValueError("hashes missing")
    for name in CODED:
        values = doc["tables"][name]
        if name in TUPLE_COLUMNS:
            values = [tuple(v) for v in values]
        table = Interner()
        table.values = values
        table.index = {value: code for code, value in enumerate(values)}
        if len(table.index) != len(values):
            raise _forged(f"table {name} repeats a value")
        builder.tables[name] = table
        if codes[name].dtype.kind not in "iu" or codes[name].ndim != 1:
            raise _forged(f"column {name}")
        column = np.asarray(codes[name], dtype=np.int32)
        if len(column) != count or (count and (column.min() < 0 or column.max() >= len(values))):
            raise ValueError(f"column {name} does not fit")
        builder.codes[name] = array("i", column.tobytes())
    if len(sizes) != count or len(tarballs) != count:
        raise ValueError("columns of different lengths")
    templates = [None if t is None else tuple(t) for t in doc["tarballs"]]
    if tarballs.dtype.kind not in "iu" or tarballs.ndim != 1:
        raise _forged("tarballs")
    if count and (tarballs.min() < 0 or tarballs.max() >= len(templates)):
        raise _forged("tarballs")
    builder.tarball_table.values = templates
    builder.tarball_table.index = {t: code for code, t in enumerate(templates)}
    builder.tarball_codes = array("i", np.asarray(tarballs, dtype=np.int32).tobytes())
    if sizes.dtype.kind not in "iu" or sizes.ndim != 1:
        raise _forged("sizes")
    builder.sizes = array("q", np.asarray(sizes, dtype=np.int64).tobytes())
    builder.hashes = hashes
    deps: list[tuple] = [()] * count
    for index, entries in doc["deps"]:
        deps[index] = tuple(Dependency(n, v, h, tuple(t)) for n, v, h, t in entries)
    builder.deps = deps
    if len(metas) != len(doc["pages"]):
        raise ValueError("page metas missing")
    expected = 0  # pages follow one another over the columns, as the builder makes them
    for (package, tag, source, era, start, size, by_stack), meta in zip(doc["pages"], metas):
        if start != expected or start + size > count:
            raise _forged("a page outside the columns")
        expected += size
        builder.pages.append(PageRecord(package, tag, source, meta, era, start, size, by_stack))
    return builder
