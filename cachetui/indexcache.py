"""The on-disk index cache: a folder's parsed pages, so a warm start parses nothing. UI-free.

One cache file per input folder (keyed by its absolute path and the load options) in the user's
cache folder. Each source file is checked by size and mtime (ns): only changed or new files are
parsed again (with the rest of their folder, which a legacy page pair spans), deleted files drop
out. The file is a numpy ``.npz`` (arrays, plus the rest as JSON) read with
``allow_pickle=False``: a cache that is truncated, corrupt, from another format version or for
another folder is detected and rebuilt, never trusted. Writes go to a temporary file that is
renamed into place, so two cachetui processes never leave a half-written cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Union

import numpy as np

from . import __version__
from .builder import CatalogBuilder, PageRecord
from .cachedirs import cache_base, download_cache_dir, index_cache_dir, remove_stale_temporaries
from .errors import CacheInvalid
from .fetchers import is_url
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


# -- reading and writing ----------------------------------------------------------------------


def _dependency_lists(deps: list[tuple]) -> list:
    return [[i, [[d.name, d.version, d.hash, list(d.deptypes)] for d in entry]]
            for i, entry in enumerate(deps) if entry]  # fmt: skip


def write(target: Path, root: str, files: dict[str, tuple[int, int, str]], problems: list[Problem],
          builder: CatalogBuilder) -> None:  # fmt: skip
    """Write the cache atomically (a temporary file renamed into place)."""
    arrays = {f"codes_{name}": np.frombuffer(builder.codes[name], dtype=np.int32) for name in CODED}
    arrays["sizes"] = np.frombuffer(builder.sizes, dtype=np.int64)
    doc = {
        "format": FORMAT,
        "cachetui": __version__,
        "root": _where(root),
        "files": [[p, size, mtime, kind] for p, (size, mtime, kind) in files.items()],
        "problems": [problem.to_dict() for problem in problems],
        "tables": {
            name: [list(v) if isinstance(v, tuple) else v for v in builder.tables[name].values]
            for name in CODED
        },  # fmt: skip
        "specs": len(builder.hashes),
        "deps": _dependency_lists(builder.deps),
        "pages": [
            [p.package, p.tag, p.source, p.era, p.start, p.count, p.specs_by_stack]
            for p in builder.pages
        ],  # fmt: skip
    }
    hashes = Hashes.of(builder.hashes)
    if hashes.odd:  # bad data kept as given: as text
        _put_texts(arrays, doc, "hashes", hashes.tolist(), empty="")
    else:
        arrays["hashes_s32"] = hashes.raw
        doc["hashes"] = None
    arrays["tarball_codes"] = np.frombuffer(builder.tarball_codes, dtype=np.int32)
    doc["tarballs"] = [None if t is None else list(t) for t in builder.tarball_table.values]
    # One JSON line per page's meta, decoded when a page is first looked at.
    _put_texts(arrays, doc, "metas", [page.meta_json() for page in builder.pages], empty="")
    arrays["doc"] = np.frombuffer(
        json.dumps(doc, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent, TEMPORARY_PREFIX)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX, suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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


def _put_texts(arrays: dict, doc: dict, name: str, texts: list[Any], empty: Optional[str]) -> None:
    """Texts as one line-separated UTF-8 array, read back with a split: ~4x faster than a JSON
    list of 1M strings. An empty line stands for ``empty`` ("" or None). A list with a value
    that would not survive the trip (the other kind of empty, or a line break inside a text:
    bad data kept as given) goes to the JSON instead."""
    doc[name] = texts
    if (None if empty == "" else "") in texts:
        return
    joined = "\n".join(texts) if empty == "" else "\n".join([text or "" for text in texts])
    if joined.count("\n") == max(len(texts) - 1, 0):
        arrays[name] = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
        doc[name] = None


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


# -- planning a load --------------------------------------------------------------------------


@dataclass
class Plan:
    """What a load of one input folder takes from the cache and what it must parse."""

    path: str
    target: Path
    stats: dict[str, tuple[int, int]]
    builder: CatalogBuilder = field(default_factory=CatalogBuilder)
    kinds: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    todo: list[tuple[str, bool]] = field(default_factory=list)
    status: str = "none yet"
    new: int = 0
    changed_files: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.todo or self.deleted or self.status != "hit")

    def seed(self, parser: Any) -> None:
        """Tell the parser what the kept pages hold, so duplicate checks span old and new."""
        if not self.todo:
            return
        for page in self.builder.pages:
            seen = parser.hashes_of_tag.setdefault(page.tag, set())
            hashes = self.builder.hashes[page.start : page.start + page.count]
            seen.update(h for h in hashes if h)

    def describe(self, parsed: int) -> str:
        if self.status == "hit" and not parsed and not self.deleted:
            return f"index cache: {len(self.kinds):,} files unchanged, nothing parsed"
        if self.status == "hit":
            return (f"index cache: {len(self.kinds):,} files unchanged; parsed {parsed:,}"
                    f" ({self.changed_files:,} changed, {self.new:,} new, with their folders);"
                    f" {self.deleted:,} deleted")  # fmt: skip
        return f"index cache {self.status}: parsed {parsed:,} files"

    def saver(
        self, builder: CatalogBuilder, kinds: dict[str, str], problems: list[Problem]
    ) -> Callable[[], None]:
        files = {p: (*self.stats[p], kind) for p, kind in kinds.items() if p in self.stats}
        file_problems = [p for p in problems if p.path in files]

        def save() -> Optional[str]:
            """Why the cache could not be written, or None. A cache that cannot be written
            only costs a parse next time."""
            try:
                write(self.target, self.path, files, file_problems, builder)
            except (OSError, ValueError) as error:
                return str(getattr(error, "strerror", None) or error)[:200]
            return None

        return save


class PendingWrites:
    """The index-cache files a load has to write: kept apart from the load's result, so the
    caller decides when (the browser after its first paint, the CLI after its answer)."""

    def __init__(self) -> None:
        self._saves: list[tuple[Callable[[], Optional[str]], int]] = []

    def __len__(self) -> int:
        return len(self._saves)

    def add(self, save: Callable[[], Optional[str]], note: int = -1) -> None:
        """``save`` writes one cache file; ``note`` is the index of its load's cache note."""
        self._saves.append((save, note))

    def save(self) -> dict[int, str]:
        """Write them (atomic, may run in a thread); a second call writes nothing. Returns
        why each write that failed did, by the index of its cache note."""
        saves, self._saves = self._saves, []
        failed: dict[int, str] = {}
        for save, note in saves:
            reason = save()
            if reason is not None:
                failed[note] = reason
        return failed


def plan(
    path: Input,
    items: Sequence[tuple[str, bool]],
    max_bytes: int,
    tag: Optional[str],
    known: Optional[dict[str, tuple[int, int]]] = None,
) -> Optional[Plan]:
    """How to load ``path`` (a folder, or a tuple of small ones) with the cache; None when
    the cache does not apply (URLs, single files, small inputs)."""
    if isinstance(path, str) and (is_url(path) or not os.path.isdir(path)):
        return None
    known = known or {}
    stats = {}
    for item, _explicit in items:
        found = known.get(item)
        if found is None and not is_url(item) and not os.path.isdir(item):
            found = _stat(item)
        if found is not None:
            stats[item] = found
    if sum(size for size, _ in stats.values()) < CACHE_MIN_BYTES:
        return None
    target = cache_file(path, max_bytes, tag)
    result = Plan(path, target, stats)
    try:
        files, problems, builder = read(target, path)
    except CacheInvalid as reason:
        result.status = f"rebuilt ({reason})" if target.exists() else "created"
        result.todo = list(items)
        for version in range(1, FORMAT):  # what older cachetui versions kept for this input
            with contextlib.suppress(OSError):
                cache_file(path, max_bytes, tag, version).unlink()
        return result
    result.status = "hit"
    unchanged = {p for p, (size, mtime, _kind) in files.items() if stats.get(p) == (size, mtime)}
    touched = [p for p in stats if p not in unchanged] + [p for p in files if p not in stats]
    result.new = sum(1 for p in stats if p not in files)
    result.changed_files = sum(1 for p in stats if p in files and p not in unchanged)
    result.deleted = sum(1 for p in files if p not in stats)
    touched_dirs = {os.path.dirname(p) for p in touched}
    keep = (
        {p for p in unchanged if os.path.dirname(p) not in touched_dirs} if touched else unchanged
    )
    result.todo = [(p, e) for p, e in items if p not in keep]
    result.kinds = {p: files[p][2] for p in keep}
    result.problems = [problem for problem in problems if problem.path in keep]
    # Only pages of kept files: a page whose file the cache does not list is parsed again.
    whole = all(page.source in keep for page in builder.pages)
    result.builder = builder if whole else builder.subset(keep)
    return result


def _cache_files(folder: Path, suffix: str = "") -> list[Path]:
    """The finished cache files in ``folder``: regular files, not a writer's temporary one."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if not p.name.startswith(".") and p.name.endswith(suffix)
        and stat.S_ISREG(p.lstat().st_mode)
    )  # fmt: skip


def info() -> dict[str, Any]:
    entries = _cache_files(index_cache_dir(), ".npz")
    download_files = _cache_files(download_cache_dir())
    return {
        "path": str(cache_base()),
        "index_files": len(entries),
        "index_bytes": sum(p.stat().st_size for p in entries),
        "download_files": len(download_files),
        "download_bytes": sum(p.stat().st_size for p in download_files),
    }


def clear() -> int:
    """Remove every cache file (index and downloads); the number of files removed."""
    removed = 0
    for folder in (index_cache_dir(), download_cache_dir()):
        if folder.is_dir():
            removed += sum(1 for p in folder.iterdir() if p.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return removed
