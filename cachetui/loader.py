"""Find pages under the given paths, parse them and build the catalog. UI-free.

A bad file never stops the load: it becomes a ``Problem`` naming the file, the line where known
and a plain reason, and the other files still load.
"""

from __future__ import annotations

import gc
import os
import re
import stat
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Union

if TYPE_CHECKING:
    from .catalog import Catalog

from .builder import CatalogBuilder
from .model import Problem, meta_disagreements
from .pages import NotAPage, PageData, PageError, parse_page
from .sources import (
    DEFAULT_TIMEOUT,
    Status,
    is_url,
    load_local,
    load_url,
    looks_like_index_file,
    mirror_index,
)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_PAGE_START = re.compile(rb"(\xef\xbb\xbf)?---[ \t]*\r?\n")  # the largest real page is ~1 MB
PROGRESS_EVERY = 64

Progress = Callable[[int, int], None]
PathLike = Union[str, Path]


@dataclass
class LoadResult:
    catalog: Catalog
    problems: list[Problem] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    files_read: int = 0
    pages: int = 0
    not_pages: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


def bundled_seeds() -> Path:
    """The seed pages: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if candidate.is_dir():
            return candidate
    return here / "seeds"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def discover(paths: Sequence[PathLike]) -> tuple[list[tuple[str, bool]], list[Problem], set[str]]:
    """Every candidate file under ``paths`` as (path, given explicitly), the problems met on the
    way, and the directories that were walked."""
    files: list[tuple[str, bool]] = []
    problems: list[Problem] = []
    walked: set[str] = set()
    seen_files: set[tuple[int, int]] = set()

    def add(path: str, explicit: bool, info: os.stat_result) -> None:
        key = (info.st_dev, info.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            files.append((path, explicit))

    for raw in paths:
        path = os.fspath(raw)
        if is_url(path):
            files.append((path, True))
            continue
        try:
            info = os.stat(path)
        except FileNotFoundError:
            problems.append(Problem(path, "no such file or directory"))
            continue
        except OSError as error:
            problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
            continue
        if stat.S_ISDIR(info.st_mode) and mirror_index(path):
            files.append((path, True))
        elif stat.S_ISDIR(info.st_mode):
            walked.add(path)
            _walk(path, add, problems, files)
        elif stat.S_ISREG(info.st_mode):
            add(path, True, info)
        else:
            problems.append(Problem(path, f"{_kind(info.st_mode)}, not a file; skipped"))
    return files, problems, walked


def _walk(root: str, add: Callable[..., None], problems: list[Problem], items: list) -> None:
    visited: set[tuple[int, int]] = set()

    def on_error(error: OSError) -> None:
        problems.append(Problem(error.filename or root, f"cannot be read: {error.strerror}"))

    for directory, dirnames, filenames in os.walk(root, onerror=on_error, followlinks=True):
        try:
            info = os.stat(directory)
        except OSError:
            dirnames[:] = []
            continue
        key = (info.st_dev, info.st_ino)
        if key in visited:
            problems.append(
                Problem(
                    directory,
                    "directory link loop (leads back to a folder already read)",
                    level="warning",
                )
            )
            dirnames[:] = []
            continue
        visited.add(key)
        if directory != root and mirror_index(directory):
            items.append((directory, True))  # a Spack mirror inside the tree: read its index
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = os.path.join(directory, name)
            try:
                info = os.stat(path)
            except OSError as error:
                problems.append(Problem(path, f"cannot be read: {error.strerror}"))
                continue
            if stat.S_ISREG(info.st_mode):
                add(path, False, info)
            else:
                problems.append(Problem(path, f"{_kind(info.st_mode)}, not a file; skipped"))


def _read(path: str, explicit: bool, max_bytes: int) -> Optional[bytes]:
    """The file's bytes, or None when a walked file is plainly not a page (saves reading
    tarballs and spec files whole)."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if not explicit and head and not head.startswith((b"---", b"\xef\xbb\xbf---")):
            return None
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise PageError(
                f"{size / 1e6:.1f} MB is over the size limit of {max_bytes / 1e6:.1f} MB; skipped"
            )
        return head + handle.read(max_bytes + 1 - len(head))


def _index_name(path: str) -> bool:
    """A file a folder walk reads as a Spack index or spec file (by its name)."""
    name = os.path.basename(path)
    return name.endswith((".spec.json", ".spec.json.sig")) or (
        name.endswith(".json") and "index" in name
    )


def _decode(data: bytes) -> tuple[str, Optional[str], Optional[int]]:
    """The text, and a note with its line when bytes had to be replaced."""
    if not data:
        raise PageError("empty file")
    nul = data.find(b"\x00")
    if nul != -1:
        raise PageError(f"binary file (NUL byte at offset {nul}); skipped")
    try:
        return data.decode("utf-8"), None, None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        note = (
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start},"
            f" line {line}); bad bytes shown as \ufffd"
        )
        return data.decode("utf-8", errors="replace"), note, line


def _check_hashes(page: PageData, seen_in_tag: set[str]) -> None:
    """Report a hash listed twice in a page, or also on another page of the same tag (a hash
    in several tags is normal: releases share binaries). Both copies are kept."""
    hashes = [row[0] for row in page.specs if row[0]]
    unique = set(hashes)
    if len(unique) < len(hashes):
        repeated = sorted(h for h, n in Counter(hashes).items() if n > 1)
        page.warn(
            f"hash {repeated[0]} is listed more than once on this page ({len(repeated)} such)"
        )
    elsewhere = unique & seen_in_tag
    if elsewhere:
        first = sorted(elsewhere)[0]
        page.warn(
            f"hash {first} is also on another page of tag {page.tag!r} ({len(elsewhere)} such)"
        )
    seen_in_tag |= unique


def load(
    paths: Sequence[PathLike],
    progress: Optional[Progress] = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    tag: Optional[str] = None,
    timeout: float = DEFAULT_TIMEOUT,
    status: Optional[Status] = None,
) -> LoadResult:
    """Load every page under ``paths`` into a catalog."""
    # Parsing makes millions of small containers and no reference cycles: the cyclic GC would
    # only rescan the growing heap again and again (~20% of the load time at 100k specs).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _load(paths, progress, max_bytes, IndexOptions(tag, timeout, status))
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class IndexOptions:
    tag: Optional[str] = None  # the tag of specs from Spack indexes (default: the mirror's name)
    timeout: float = DEFAULT_TIMEOUT
    status: Optional[Status] = None


def _load_index(
    path: str, explicit_file: bool, options: IndexOptions, builder: CatalogBuilder
) -> list[str]:
    """Load a Spack index, mirror or spec file into ``builder``; returns warnings."""
    loaded = load_url(path, options.timeout, options.status) if is_url(path) else load_local(path)
    data = loaded.data
    tag = options.tag or loaded.tag
    order = sorted(range(len(data.rows)), key=data.names.__getitem__)
    start = 0
    while start < len(order):
        name = data.names[order[start]]
        stop = start
        while stop < len(order) and data.names[order[stop]] == name:
            stop += 1
        chosen = order[start:stop]
        builder.start_page(name, tag, loaded.source, {}, "index")
        builder.add_rows([data.rows[i] for i in chosen], [data.deps[i] for i in chosen])
        start = stop
    warnings = list(data.warnings) + loaded.notes
    if not data.rows:
        warnings.append(f"the index lists no specs in the build cache ({data.records} records)")
    return warnings


def _load(paths: Sequence[PathLike], progress: Optional[Progress], max_bytes: int,
          options: IndexOptions = IndexOptions()) -> LoadResult:  # fmt: skip
    files, problems, walked = discover(paths)
    builder = CatalogBuilder()
    result_pages = not_pages = files_read = 0
    pages_under: dict[str, int] = dict.fromkeys(walked, 0)
    # A legacy package folder has the same specs twice, in index.md and in specs.md.
    legacy_seen: dict[tuple[str, str, str], tuple[str, set]] = {}
    hashes_of_tag: dict[str, set[str]] = {}
    total = len(files)
    for done, (path, explicit) in enumerate(files, start=1):
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
        try:
            if is_url(path) or os.path.isdir(path):
                notes_of_index = _load_index(path, False, options, builder)
                result_pages += 1
                files_read += 1
                if notes_of_index:
                    more = (
                        f" (and {len(notes_of_index) - 1} more)" if len(notes_of_index) > 1 else ""
                    )
                    problems.append(
                        Problem(
                            path, notes_of_index[0] + more, None, "warning", tuple(notes_of_index)
                        )
                    )
                continue
            index_named = _index_name(path)
            data = _read(path, explicit or index_named, max_bytes)
            if data is None:
                not_pages += 1
                continue
            files_read += 1
            if (
                (explicit or index_named)
                and not _PAGE_START.match(data)
                and looks_like_index_file(path, data[:64])
            ):
                notes_of_index = _load_index(path, True, options, builder)
                result_pages += 1
                if notes_of_index:
                    more = (
                        f" (and {len(notes_of_index) - 1} more)" if len(notes_of_index) > 1 else ""
                    )
                    problems.append(
                        Problem(
                            path, notes_of_index[0] + more, None, "warning", tuple(notes_of_index)
                        )
                    )
                continue
            text, note, note_line = _decode(data)
            page = parse_page(text, path)
        except NotAPage as error:
            not_pages += 1
            if explicit:
                problems.append(
                    Problem(path, f"not a build cache page: {error.reason}", error.line)
                )
            continue
        except PageError as error:
            problems.append(Problem(path, error.reason, error.line))
            continue
        except OSError as error:
            problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
            continue
        except RecursionError:
            problems.append(Problem(path, "a value is nested too deeply"))
            continue
        result_pages += 1
        if page.era == "legacy":
            key = (page.tag, page.title, os.path.dirname(path))
            first, seen = legacy_seen.setdefault(key, (path, set()))
            fresh = [row for row in page.specs if row not in seen]
            if first != path and len(fresh) < len(page.specs):
                page.warn(
                    f"{len(page.specs) - len(fresh)} specs repeat those of"
                    f" {os.path.basename(first)}; each is listed once"
                )
            seen.update(fresh)
            page.specs = fresh
        _check_hashes(page, hashes_of_tag.setdefault(page.tag, set()))
        builder.start_page(page.title, page.tag, path, page.meta, page.era)
        builder.add_rows(page.specs)
        record = builder.pages[-1]
        for message in meta_disagreements(page.meta, record.count, record.specs_by_stack):
            page.warn(message)
        if not page.specs:
            page.warn("the page lists no specs")
        messages = ([note] if note else []) + page.warnings
        count = page.issue_count + (1 if note else 0)
        if count:
            # One problem per file: the first reason, and every reason in the details.
            more = f" (and {count - 1} more)" if count > 1 else ""
            problems.append(Problem(path, messages[0] + more, note_line if note else None,
                                    "warning", tuple(messages)))  # fmt: skip
    sources = {page.source for page in builder.pages}
    for root in pages_under:
        pages_under[root] = sum(1 for source in sources if source.startswith(root))
    for root, count in pages_under.items():
        if count == 0:
            problems.append(Problem(root, "no build cache pages found in this folder"))
    catalog = builder.build()
    return LoadResult(
        catalog=catalog,
        problems=problems,
        inputs=[os.fspath(p) for p in paths],
        files_read=files_read,
        pages=result_pages,
        not_pages=not_pages,
    )
