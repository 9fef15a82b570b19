"""Find pages under the given paths, parse them and build the catalog. UI-free.

A bad file never stops the load: it becomes a ``Problem`` naming the file, the line where known
and a plain reason, and the other files still load.
"""

from __future__ import annotations

import gc
import os
import re
import stat
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as WaitTimeout  # not the builtin before 3.11
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

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
    problems: list[Problem] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    files_read: int = 0
    pages: int = 0
    not_pages: int = 0
    cache_notes: list[str] = field(default_factory=list)
    pending_saves: list[Callable[[], None]] = field(default_factory=list)
    # Each input's specs; merged into one builder, and that built into the catalog, on first
    # use (a lazy tag's load is merged into the corpus part by part, never built on its own).
    parts: list[CatalogBuilder] = field(default_factory=list)
    merged: Optional[CatalogBuilder] = field(default=None, repr=False)
    built: Optional[Catalog] = field(default=None, repr=False)

    @property
    def builder(self) -> CatalogBuilder:
        if self.merged is None:
            if len(self.parts) == 1:
                self.merged = self.parts[0]
            else:  # into a fresh builder: each part may still be saved to its own cache
                self.merged = CatalogBuilder()
                for part in self.parts:
                    self.merged.merge(part)
        return self.merged

    @property
    def catalog(self) -> Catalog:
        if self.built is None:
            self.built = self.builder.build()
        return self.built

    def save_cache(self) -> None:
        """Write the on-disk index cache for what this load parsed (atomic, may run in a thread)."""
        saves, self.pending_saves = self.pending_saves, []
        for save in saves:
            save()

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


def discover(
    paths: Sequence[PathLike], stats: Optional[dict[str, tuple[int, int]]] = None
) -> tuple[list[tuple[str, bool]], list[Problem], set[str]]:
    """Every candidate file under ``paths`` as (path, given explicitly), the problems met on the
    way, and the directories that were walked. ``stats`` receives each file's size and mtime
    (the index cache compares them without a second stat() of every file)."""
    files: list[tuple[str, bool]] = []
    problems: list[Problem] = []
    walked: set[str] = set()
    seen_files: set[tuple[int, int]] = set()

    def add(path: str, explicit: bool, info: os.stat_result) -> None:
        key = (info.st_dev, info.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            files.append((path, explicit))
            if stats is not None:
                stats[path] = (info.st_size, info.st_mtime_ns)

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
    """Depth first, in name order, with ``os.scandir``: a real folder's identity comes free
    from the directory listing, so only folder links cost a stat() (loop detection)."""
    try:
        root_info = os.stat(root)
    except OSError as error:
        problems.append(Problem(root, f"cannot be read: {error.strerror}"))
        return
    device = root_info.st_dev
    visited: set[tuple[int, int]] = {(device, root_info.st_ino)}
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(
                    (e for e in listing if not e.name.startswith(".")), key=lambda e: e.name
                )
        except OSError as error:
            problems.append(Problem(directory, f"cannot be read: {error.strerror}"))
            continue
        folders, files = [], []
        for entry in entries:
            try:
                (folders if entry.is_dir() else files).append(entry)
            except OSError:
                files.append(entry)
        names = {e.name for e in folders}
        maybe_mirror = (
            "build_cache" in names or "v3" in names or any(e.name == "index.json" for e in files)
        )
        if directory != root and maybe_mirror and mirror_index(directory):
            items.append((directory, True))  # a Spack mirror inside the tree: read its index
            continue
        for entry in files:
            try:
                info = entry.stat()
            except OSError as error:
                problems.append(Problem(entry.path, f"cannot be read: {error.strerror}"))
                continue
            if stat.S_ISREG(info.st_mode):
                add(entry.path, False, info)
            else:
                problems.append(Problem(entry.path, f"{_kind(info.st_mode)}, not a file; skipped"))
        for entry in reversed(folders):
            try:
                if entry.is_symlink():
                    target = os.stat(entry.path)
                    key = (target.st_dev, target.st_ino)
                else:
                    key = (device, entry.inode())
            except OSError as error:
                problems.append(Problem(entry.path, f"cannot be read: {error.strerror}"))
                continue
            if key in visited:
                problems.append(Problem(entry.path, "directory link loop (leads back to a folder already read)",
                                        level="warning"))  # fmt: skip
                continue
            visited.add(key)
            stack.append(entry.path)


def _read(path: str, explicit: bool, max_bytes: int) -> Optional[bytes]:
    """The file's bytes, or None when a walked file is plainly not a page (saves reading
    tarballs and spec files whole)."""
    # Unbuffered: a buffered read(n) allocates n bytes up front, the whole size limit per page.
    with open(path, "rb", buffering=0) as handle:
        head = handle.read(8)
        if not explicit and head and not head.startswith((b"---", b"\xef\xbb\xbf---")):
            return None
        size = os.fstat(handle.fileno()).st_size
        if size > max_bytes:
            raise PageError(
                f"{size / 1e6:.1f} MB is over the size limit of {max_bytes / 1e6:.1f} MB; skipped"
            )
        # What the file holds, and one byte more to see it grow; special files report no size.
        want = (size if 0 < size <= max_bytes else max_bytes) + 1 - len(head)
        chunks = [head]
        while want > 0:
            chunk = handle.read(want)
            if not chunk:
                break
            chunks.append(chunk)
            want -= len(chunk)
        return b"".join(chunks)


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


@contextmanager
def made_to_last() -> Iterator[None]:
    """For data that lives until the process ends (a catalog and its views): pause the cyclic
    collector while it is made, then freeze everything alive. The catalog holds no reference
    cycles (a test checks); left to the collector, its next passes walk all of it again
    (0.4 s at 1M specs, right at the browser's first paint). Nested ``load`` calls leave the
    collector as they found it."""
    # Collect first, so no garbage is frozen: it walks only what came since the last freeze.
    # What the UI throws away while the collector is paused is frozen with the rest: ~1 MB per
    # lazy tag load, measured; bounded, as each tag loads once.
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


class BackgroundLoad:
    """``load`` started in a thread before the browser is up: the folder walk and the file
    reads release the GIL, so they run while Textual is imported and the screen is set up."""

    def __init__(self, paths: Sequence[PathLike], **options: Any) -> None:
        self.progress: tuple[int, int] = (0, 0)
        self.status = ""
        self._future: Future[LoadResult] = Future()
        # A daemon thread: quitting during the load must not wait for it.
        threading.Thread(target=self._run, args=(list(paths), options), daemon=True,
                         name="cachetui-load").start()  # fmt: skip

    def _run(self, paths: list[PathLike], options: dict[str, Any]) -> None:
        def progress(done: int, total: int) -> None:
            self.progress = (done, total)

        def status(message: str) -> None:
            self.status = message

        try:
            with made_to_last():
                result = load(paths, progress=progress, status=status, **options)
        except BaseException as error:  # handed to whoever waits for the result
            self._future.set_exception(error)
        else:
            self._future.set_result(result)

    def done(self, wait: float = 0.0) -> bool:
        """Whether the load has finished, waiting up to ``wait`` seconds for it."""
        try:
            self._future.exception(timeout=wait)
        except WaitTimeout:
            return False
        return True

    def result(self) -> LoadResult:
        return self._future.result()


def load(
    paths: Sequence[PathLike],
    progress: Optional[Progress] = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    tag: Optional[str] = None,
    timeout: float = DEFAULT_TIMEOUT,
    status: Optional[Status] = None,
    cache: bool = True,
    build: bool = True,
) -> LoadResult:
    """Load every page, index and mirror under ``paths`` into a catalog. With ``cache``, a
    folder's parsed pages are kept on disk and only changed files are parsed again; call
    ``result.save_cache()`` to write what changed (the browser does it in the background).
    ``build=False`` leaves the catalog to its first use (lazy tags only merge the builder)."""
    # Parsing makes millions of small containers and no reference cycles: the cyclic GC would
    # only rescan the growing heap again and again (~20% of the load time at 100k specs).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        options = IndexOptions(tag, timeout, status)
        result = _load(paths, progress, max_bytes, options, cache)
        if build:
            result.catalog  # noqa: B018 - built now, with the collector paused
        return result
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class IndexOptions:
    tag: Optional[str] = None  # the tag of specs from Spack indexes (default: the mirror's name)
    timeout: float = DEFAULT_TIMEOUT
    status: Optional[Status] = None


def _one_problem(path: str, messages: list[str], line: Optional[int] = None) -> Problem:
    """One problem per file: the first reason, and every reason in the details."""
    more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return Problem(path, messages[0] + more, line, "warning", tuple(messages))


class Parser:
    """Parses files into one builder, keeping what spans files: legacy folders' repeated pages
    and hashes seen per tag. ``kinds`` records what each file turned out to be."""

    def __init__(self, builder: CatalogBuilder, max_bytes: int, options: IndexOptions) -> None:
        self.builder = builder
        self.max_bytes = max_bytes
        self.options = options
        self.problems: list[Problem] = []
        self.kinds: dict[str, str] = {}  # path -> "page", "index", "not-page" or "error"
        self.legacy_seen: dict[tuple[str, str, str], tuple[str, set]] = {}
        self.hashes_of_tag: dict[str, set[str]] = {}

    def parse(self, path: str, explicit: bool) -> None:
        try:
            self.kinds[path] = self._parse(path, explicit)
        except NotAPage as error:
            self.kinds[path] = "not-page"
            if explicit:
                self.problems.append(
                    Problem(path, f"not a build cache page: {error.reason}", error.line)
                )
        except PageError as error:
            self.kinds[path] = "error"
            self.problems.append(Problem(path, error.reason, error.line))
        except OSError as error:
            self.kinds[path] = "error"
            self.problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
        except RecursionError:
            self.kinds[path] = "error"
            self.problems.append(Problem(path, "a value is nested too deeply"))

    def _parse(self, path: str, explicit: bool) -> str:
        if is_url(path) or os.path.isdir(path):
            return self._index(path)
        index_named = _index_name(path)
        data = _read(path, explicit or index_named, self.max_bytes)
        if data is None:
            return "not-page"
        if (
            (explicit or index_named)
            and not _PAGE_START.match(data)
            and looks_like_index_file(path, data[:64])
        ):
            return self._index(path)
        text, note, note_line = _decode(data)
        page = parse_page(text, path)
        if page.era == "legacy":
            key = (page.tag, page.title, os.path.dirname(path))
            first, seen = self.legacy_seen.setdefault(key, (path, set()))
            fresh = [row for row in page.specs if row not in seen]
            if first != path and len(fresh) < len(page.specs):
                page.warn(
                    f"{len(page.specs) - len(fresh)} specs repeat those of"
                    f" {os.path.basename(first)}; each is listed once"
                )
            seen.update(fresh)
            page.specs = fresh
        _check_hashes(page, self.hashes_of_tag.setdefault(page.tag, set()))
        self.builder.start_page(page.title, page.tag, path, page.meta, page.era)
        self.builder.add_rows(page.specs)
        record = self.builder.pages[-1]
        for message in meta_disagreements(page.meta, record.count, record.specs_by_stack):
            page.warn(message)
        if not page.specs:
            page.warn("the page lists no specs")
        messages = ([note] if note else []) + page.warnings
        if messages:
            self.problems.append(_one_problem(path, messages, note_line if note else None))
        return "page"

    def _index(self, path: str) -> str:
        """A Spack index, mirror or spec file; its packages become pages of one tag."""
        options = self.options
        loaded = (
            load_url(path, options.timeout, options.status) if is_url(path) else load_local(path)
        )
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
            self.builder.start_page(name, tag, loaded.source, {}, "index")
            self.builder.add_rows([data.rows[i] for i in chosen], [data.deps[i] for i in chosen])
            start = stop
        messages = list(data.warnings) + loaded.notes
        if not data.rows:
            messages.append(f"the index lists no specs in the build cache ({data.records} records)")
        if messages:
            self.problems.append(_one_problem(path, messages))
        return "index"


def _cache_units(inputs: list[str]) -> list[tuple]:
    """Each input walked, as (unit, files, problems, walked folders, file stats). Folders too
    small for an index cache of their own (the legacy package folders of a site checkout, a
    few hundred of them) become one unit, cached together, when there are several."""
    from .indexcache import CACHE_MIN_BYTES

    units: list[tuple] = []
    small = []
    for path in inputs:
        stats: dict[str, tuple[int, int]] = {}
        files, problems, walked = discover([path], stats)
        entry = (path, files, problems, walked, stats)
        units.append(entry)
        # Grouped with or without the cache: the specs come in the same order either way.
        if path in walked and sum(size for size, _ in stats.values()) < CACHE_MIN_BYTES:
            small.append(entry)
    if len(small) < 2:
        return units
    together = (
        tuple(entry[0] for entry in small),
        [item for entry in small for item in entry[1]],
        [problem for entry in small for problem in entry[2]],
        {folder for entry in small for folder in entry[3]},
        {path: info for entry in small for path, info in entry[4].items()},
    )
    # The unit takes the place of the first small folder: specs keep the order of the inputs
    # as far as they can.
    first = units.index(small[0])
    pooled = {id(entry) for entry in small}
    kept = [entry for entry in units if id(entry) not in pooled]
    return kept[:first] + [together] + kept[first:]


def _load(paths: Sequence[PathLike], progress: Optional[Progress], max_bytes: int,
          options: IndexOptions, use_cache: bool) -> LoadResult:  # fmt: skip
    from . import indexcache

    inputs = [os.fspath(p) for p in paths]
    plans = []
    total = 0
    for unit, files, problems, walked, stats in _cache_units(inputs):
        plan = indexcache.plan(unit, files, max_bytes, options.tag, stats) if use_cache else None
        todo = plan.todo if plan is not None else files
        plans.append((unit, files, problems, walked, plan, todo))
        total += len(todo)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None and (done[0] % PROGRESS_EVERY == 0 or done[0] == total):
            progress(done[0], total)

    parts: list[CatalogBuilder] = []
    result = LoadResult(inputs=inputs)
    for _path, _files, problems, walked, plan, todo in plans:
        parser = Parser(plan.builder if plan is not None else CatalogBuilder(), max_bytes, options)
        if plan is not None:
            plan.seed(parser)
        for item_path, explicit in todo:
            tick()
            parser.parse(item_path, explicit)
        kinds = dict(plan.kinds) if plan is not None else {}
        kinds.update(parser.kinds)
        part_problems = problems + (plan.problems if plan is not None else []) + parser.problems
        sources = {page.source for page in parser.builder.pages}
        for root in sorted(walked):
            if not any(source.startswith(root) for source in sources):
                part_problems.append(Problem(root, "no build cache pages found in this folder"))
        result.problems.extend(part_problems)
        result.files_read += sum(1 for kind in kinds.values() if kind in ("page", "index", "error"))
        result.pages += sum(1 for kind in kinds.values() if kind in ("page", "index"))
        result.not_pages += sum(1 for kind in kinds.values() if kind == "not-page")
        if plan is not None:
            result.cache_notes.append(plan.describe(len(parser.kinds)))
            if plan.changed or todo:
                result.pending_saves.append(
                    plan.saver(parser.builder, kinds, parser.problems + plan.problems)
                )
        parts.append(parser.builder)
    if progress is not None:
        progress(total, total)
    result.parts = parts
    return result


@dataclass
class TagGroup:
    """A tag folder of a big site checkout (``_cache/<tag>/``), or the legacy package folders
    beside them: loaded on first use."""

    label: str
    paths: list[str]
    packages: int
    loaded: bool = False


LAZY_MIN_PACKAGES = 2000  # below this a whole checkout loads in about a second: no laziness


def checkout_groups(paths: Sequence[str]) -> Optional[list[TagGroup]]:
    """The tag groups to load one at a time: ``tag_groups`` of a single input; None for
    several inputs (they load whole)."""
    return tag_groups(paths[0]) if len(paths) == 1 else None


def tag_groups(path: str, min_packages: Optional[int] = None) -> Optional[list[TagGroup]]:
    """The tag folders of ``path`` when it looks like a checkout of the site's ``_cache/`` with
    several tags and enough packages to be worth loading lazily; else None. Costs one directory
    listing per tag, nothing per package."""
    if is_url(path) or not os.path.isdir(path) or mirror_index(path):
        return None
    groups: list[TagGroup] = []
    legacy: list[str] = []
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
        visible = [e for e in entries if not e.name.startswith(".")]
        while len(visible) == 1 and visible[0].is_dir():  # a site checkout: go down to _cache/
            entries = sorted(os.scandir(visible[0].path), key=lambda e: e.name)
            visible = [e for e in entries if not e.name.startswith(".")]
    except OSError:
        return None
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            children = [c for c in os.scandir(entry.path) if not c.name.startswith(".")]
        except OSError:
            continue
        folders = sum(1 for c in children if c.is_dir())
        if folders and folders >= sum(1 for c in children if c.is_file()):
            groups.append(TagGroup(entry.name, [entry.path], folders))
        else:
            legacy.append(entry.path)  # a package folder right under the root: a legacy page
    if legacy:
        groups.append(TagGroup("legacy", legacy, len(legacy)))
    minimum = LAZY_MIN_PACKAGES if min_packages is None else min_packages
    if len(groups) < 2 or sum(g.packages for g in groups) < minimum:
        return None
    return groups
