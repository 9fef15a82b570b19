"""Reading and checking the index cache file (see ``indexcache``): every value is checked for
its type and shape, so a truncated, corrupt or forged file is rebuilt, never trusted. UI-free."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from itertools import chain
from pathlib import Path
from typing import Any, Callable, Optional, Union

import numpy as np

from .builder import CatalogBuilder, FrozenTable, PageRecord
from .cachedirs import index_cache_dir
from .cachefile import read_columns
from .errors import CacheInvalid
from .hashcol import WIDTH, Hashes, TemplateTable
from .interner import Interner
from .model import Problem
from .schema import CODED
from .spackdb import Dependency

FORMAT = 5  # 5: memory-mapped columns (``cachefile``); 4 and older: a numpy .npz
CACHE_MIN_BYTES = 1_000_000  # smaller inputs parse in milliseconds: not worth a cache file
TUPLE_COLUMNS = ("versions", "variants", "stacks")
TEMPORARY_PREFIX = ".tmp-"
ERAS = ("A", "B", "legacy", "index")
LEVELS = ("error", "warning")
TEMPLATE_PARTS = ("text", "bounds", "cuts")
# Every array a cache file may hold, and its dtype (little-endian, as written on any machine).
ARRAYS = {
    **{f"codes_{name}": "<i4" for name in CODED},
    "sizes": "<i8", "hashes_s32": f"|S{WIDTH}", "hashes": "|u1", "metas": "|u1",
    "tarball_codes": "<i4", "tarball_text": "|u1", "tarball_bounds": "<i8", "tarball_cuts": "<i8",
}  # fmt: skip
REQUIRED = [f"codes_{name}" for name in CODED] + [
    "sizes", "tarball_codes", "tarball_text", "tarball_bounds", "tarball_cuts",
]  # fmt: skip
SUFFIX = ".cols"
CHECK_ROWS = 1 << 18  # hashes checked per slice (8 MB)


Input = Union[str, tuple[str, ...]]  # a folder, or several small ones cached as one unit


def _where(path: Input) -> Union[str, list[str]]:
    """What a cache file is for: the folder's absolute path, or the sorted list of them."""
    if isinstance(path, str):
        return os.path.abspath(path)
    return sorted(os.path.abspath(p) for p in path)


def cache_file(path: Input, max_bytes: int, tag: Optional[str], version: int = FORMAT,
               folder: Optional[Path] = None) -> Path:  # fmt: skip
    """The cache file of ``path`` in ``folder`` (the user's index cache folder by default)."""
    identity = json.dumps([version, _where(path), max_bytes, tag])
    name = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return (folder or index_cache_dir()) / (name + (SUFFIX if version >= 5 else ".npz"))


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
        doc, bundle = read_columns(_open_regular(target), ARRAYS)
        if doc.get("format") != FORMAT:
            raise CacheInvalid("made by another cachetui version")
        if doc.get("root") != _where(root):
            raise CacheInvalid("made for another folder")
        _check_doc(doc)
        missing = [name for name in REQUIRED if name not in bundle]
        if missing:
            raise _forged(f"array {missing[0]} missing")
        codes = {name: bundle[f"codes_{name}"] for name in CODED}
        sizes = bundle["sizes"]
        if doc["hashes"] is None and "hashes_s32" in bundle:
            hashes: Any = _get_hashes(bundle["hashes_s32"], doc["specs"])
        else:
            hashes = _get_texts(bundle, doc, "hashes", doc["specs"], empty="")
        templates = TemplateTable(*(bundle[f"tarball_{part}"] for part in TEMPLATE_PARTS))
        templates.check()
        tarballs = bundle["tarball_codes"]
        metas = _get_texts(bundle, doc, "metas", len(doc["pages"]), empty="")
    except FileNotFoundError:
        raise CacheInvalid("none yet") from None
    except CacheInvalid:
        raise
    except Exception as error:  # whatever a damaged file does to the mapping or the decoders
        raise CacheInvalid(f"unreadable ({type(error).__name__})") from None
    try:
        if not isinstance(hashes, Hashes):
            _check_texts(hashes, "hashes", len_=doc["specs"])
        _check_texts(metas, "metas", len_=len(doc["pages"]))
        builder = _builder(doc, codes, sizes, hashes, (tarballs, templates), metas)
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


def _only(values: Any, kind: type) -> bool:
    """Every one of ``values`` is exactly of ``kind`` (a bool is no int): a set of types, in C."""
    return set(map(type, values)) <= {kind}


def _check_pages(rows: Any) -> None:
    """Page rows, checked a field at a time (26k pages: 0.03 s, a row at a time 0.23 s)."""
    if not isinstance(rows, list) or not all(type(r) is list and len(r) == 7 for r in rows):
        raise _forged("pages")
    if not rows:
        return
    package, tag, source, era, start, count, by_stack = zip(*rows)
    if not (_only(package, str) and _only(tag, str) and _only(source, str) and _only(era, str)
            and set(era) <= set(ERAS) and _only(start, int) and _only(count, int)
            and min(start) >= 0 and min(count) >= 0 and _only(by_stack, dict)):  # fmt: skip
        raise _forged("pages")
    stacks = [n for counts in by_stack for n in counts.values()]
    if not _only(stacks, int) or min(stacks, default=0) < 0:
        raise _forged("pages")


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
        if name in TUPLE_COLUMNS:  # lists of texts: checked all at once (43k variant sets)
            if not _only(values, list) or not _only(chain.from_iterable(values), str):
                raise _forged(f"table {name}")
        elif not _only(values, str):
            raise _forged(f"table {name}")
    _check_rows(doc.get("files"), "files", _file_row)
    _check_pages(doc.get("pages"))
    _check_rows(doc.get("deps"), "dependencies",
                lambda r: len(r) == 2 and _is_int(r[0]) and 0 <= r[0] < specs
                and isinstance(r[1], list) and all(map(_dependency, r[1])))  # fmt: skip
    problems = doc.get("problems")
    if not isinstance(problems, list) or not all(map(_problem, problems)):
        raise _forged("problems")
    for name in ("hashes", "metas"):
        if doc.get(name) is not None and not isinstance(doc.get(name), list):
            raise _forged(name)


def _get_hashes(raw: np.ndarray, count: int) -> Hashes:
    """The ``S32`` hashes, checked: ASCII, and padding only at the end (a value with a NUL
    inside would not be what was written). In slices: the checks' temporaries stay small."""
    if raw.dtype != np.dtype(f"S{WIDTH}") or raw.ndim != 1 or len(raw) != count:
        raise _forged("hashes")
    data = raw.view(np.uint8).reshape(count, WIDTH)
    for start in range(0, count, CHECK_ROWS):
        part = data[start : start + CHECK_ROWS]
        nul = part == 0
        if (part >= 0x80).any() or (nul[:, :-1] & ~nul[:, 1:]).any():
            raise _forged("hashes")
    return Hashes(raw)


def _get_texts(bundle: Any, doc: dict, name: str, count: int, empty: Optional[str]) -> list[Any]:
    if doc[name] is not None:
        return doc[name]
    texts: list[Any] = str(bundle[name], "utf-8").split("\n") if count else []
    return texts if empty == "" or all(texts) else [text or None for text in texts]


def _builder(doc: dict, codes: dict, sizes: np.ndarray, hashes: Any,
             tarballs: tuple[np.ndarray, TemplateTable], metas: list[str]) -> CatalogBuilder:  # fmt: skip
    """A builder over the mapped columns, as they are (read-only: ``CatalogBuilder.thaw``
    copies them before more specs are added)."""
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
        builder.codes[name] = _codes(codes[name], count, len(values), f"column {name}")
    if len(sizes) != count:
        raise ValueError("columns of different lengths")
    codes_, templates = tarballs
    builder.tarball_codes = _codes(codes_, count, len(templates), "tarballs")
    builder.tarball_table = FrozenTable(templates)
    builder.sizes = sizes
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


def _codes(column: np.ndarray, count: int, values: int, what: str) -> np.ndarray:
    """``column`` if it has a code per spec, each naming one of ``values``."""
    if len(column) != count:
        raise ValueError(f"{what} does not fit")
    if count and (int(column.min()) < 0 or int(column.max()) >= values):
        raise ValueError(f"{what} does not fit")
    return column
