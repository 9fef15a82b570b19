"""Load pages, indexes and mirrors under the given paths into a catalog. UI-free.

The orchestration only: ``discovery`` finds the files, ``reading`` parses them, ``indexcache``
keeps what was parsed. A library ``load`` leaves the process's garbage collector as it found it;
the entry points pause it themselves (``made_to_last``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as WaitTimeout  # not the builtin before 3.11
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Optional

from .builder import CatalogBuilder
from .cachedirs import site_index
from .discovery import (
    LoadUnit,
    PathLike,
    TagGroup,
    bundled_seeds,
    checkout_groups,
    tag_groups,
)
from .fetchers import DEFAULT_DOWNLOAD_DEADLINE, DEFAULT_MAX_DOWNLOAD_MB, DEFAULT_TIMEOUT, Status
from .gcpolicy import made_to_last
from .model import Problem
from .reading import IndexOptions, Parser

if TYPE_CHECKING:
    from .catalog import Catalog
    from .discovery import FileItem
    from .indexcache import PendingWrites, Plan

__all__ = [
    "DEFAULT_DOWNLOAD_DEADLINE", "DEFAULT_MAX_BYTES", "DEFAULT_MAX_DOWNLOAD_MB", "BackgroundLoad",
    "LoadResult", "TagGroup", "bundled_seeds", "checkout_groups", "load", "made_to_last",
    "tag_groups",
]  # fmt: skip

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
PROGRESS_EVERY = 64

Progress = Callable[[int, int], None]


def _pending_writes() -> PendingWrites:
    # The index cache needs numpy: imported in the loading thread, not when this module is
    # (the CLI imports the loader to start loading before Textual and numpy are imported).
    from .indexcache import PendingWrites

    return PendingWrites()


@dataclass
class LoadResult:
    problems: list[Problem] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    files_read: int = 0
    pages: int = 0
    not_pages: int = 0
    cache_notes: list[str] = field(default_factory=list)
    # The index-cache files this load has to write: not results, the caller's to ``save()``.
    pending: PendingWrites = field(default_factory=_pending_writes, repr=False, compare=False)
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
                self.merged.merge(*self.parts)
        return self.merged

    @property
    def catalog(self) -> Catalog:
        if self.built is None:
            self.built = self.builder.build()
        return self.built

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]


class BackgroundLoad:
    """``load`` started in a thread before the browser is up: the folder walk and the file
    reads release the GIL, so they run while Textual is imported and the screen is set up.
    ``around`` (e.g. ``made_to_last``) wraps the load: the entry point's GC policy."""

    def __init__(
        self,
        paths: Sequence[PathLike],
        around: Optional[Callable[[], AbstractContextManager[None]]] = None,
        **options: Any,
    ) -> None:
        self.progress: tuple[int, int] = (0, 0)
        self.status = ""
        self._future: Future[LoadResult] = Future()
        # A daemon thread: quitting during the load must not wait for it.
        threading.Thread(target=self._run, args=(list(paths), around, options), daemon=True,
                         name="cachetui-load").start()  # fmt: skip

    def _run(self, paths: list[PathLike], around: Optional[Callable[[], AbstractContextManager[None]]],
             options: dict[str, Any]) -> None:  # fmt: skip
        def progress(done: int, total: int) -> None:
            self.progress = (done, total)

        def status(message: str) -> None:
            self.status = message

        try:
            if around is None:
                result = load(paths, progress=progress, status=status, **options)
            else:
                with around():
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
    max_download_mb: float = DEFAULT_MAX_DOWNLOAD_MB,
    download_deadline: float = DEFAULT_DOWNLOAD_DEADLINE,
    tags: Optional[Mapping[str, str]] = None,
    jobs: int = 1,
) -> LoadResult:
    """Load every page, index and mirror under ``paths`` into a catalog. With ``cache``, a
    folder's parsed pages are kept on disk and only changed files are parsed again; call
    ``result.pending.save()`` to write what changed (the browser does it in the background).
    ``build=False`` leaves the catalog to its first use (lazy tags only merge the builder).
    A download stops at ``max_download_mb`` (and an index inflates to no more) and at
    ``download_deadline`` seconds; without ``cache`` the download cache is not used either.
    ``tags`` gives some inputs a tag of their own (e.g. a configured mirror its name), over
    ``tag``; such an input is loaded and cached on its own. ``jobs`` > 1 parses a folder's
    pages in that many worker processes (``parallel``), with the same result."""
    result = _snapshot(paths, max_bytes, tag) if cache and not tags else None
    if result is not None:
        if build:
            result.catalog  # noqa: B018 - as below
        return result
    options = IndexOptions(tag, timeout, status, max_download_mb, download_deadline, cache)
    result = _load(paths, progress, max_bytes, options, cache, dict(tags or {}), jobs)
    if build:
        result.catalog  # noqa: B018 - built now, under the caller's GC policy
    return result


def _snapshot(
    paths: Sequence[PathLike], max_bytes: int, tag: Optional[str]
) -> Optional[LoadResult]:
    """The load served by the site index (``siteindex``) when one is in use and holds it."""
    if site_index() is None:  # the index machinery imports numpy: not without an index
        return None
    from .siteindex import open_snapshot

    return open_snapshot([os.fspath(p) for p in paths], max_bytes, tag)


@dataclass
class _Planned:
    unit: LoadUnit
    plan: Optional[Plan]  # None without the cache
    todo: list[FileItem]  # what is left to parse
    options: IndexOptions  # the unit's: its own tag, if it has one


def _load(paths: Sequence[PathLike], progress: Optional[Progress], max_bytes: int,
          options: IndexOptions, use_cache: bool, tags: dict[str, str],
          jobs: int = 1) -> LoadResult:  # fmt: skip
    from . import indexcache
    from .discovery import load_units

    inputs = [os.fspath(p) for p in paths]
    planned: list[_Planned] = []
    total = 0
    for unit in load_units(inputs, indexcache.CACHE_MIN_BYTES, alone=tags.keys()):
        files = unit.found.files
        unit_options = options
        if isinstance(unit.key, str) and unit.key in tags:
            unit_options = replace(options, tag=tags[unit.key])
        plan = (indexcache.plan(unit.key, files, max_bytes, unit_options.tag, unit.found.stats)
                if use_cache else None)  # fmt: skip
        todo = plan.todo if plan is not None else files
        planned.append(_Planned(unit, plan, todo, unit_options))
        total += len(todo)
    done = [0]

    def tick(files: int = 1) -> None:
        before, done[0] = done[0], min(done[0] + files, total)
        if progress is not None and (done[0] // PROGRESS_EVERY > before // PROGRESS_EVERY
                                     or done[0] == total):  # fmt: skip
            progress(done[0], total)

    result = LoadResult(inputs=inputs)
    for item in planned:
        plan, found = item.plan, item.unit.found
        builder = plan.builder if plan is not None else CatalogBuilder()
        parser: Any = None
        if jobs > 1:
            from .parallel import parse_in_workers

            parser = parse_in_workers(builder, item.todo, max_bytes, item.options, jobs, tick)
        if parser is None:
            parser = Parser(builder, max_bytes, item.options)
            if plan is not None:
                plan.seed(parser)
            for item_path, explicit in item.todo:
                tick()
                parser.parse(item_path, explicit)
        kinds = dict(plan.kinds) if plan is not None else {}
        kinds.update(parser.kinds)
        # Once each: a walk and a page may both report a file (a spec file that is a FIFO).
        part_problems = list(dict.fromkeys(
            found.problems + (plan.problems if plan is not None else []) + parser.problems
        ))  # fmt: skip
        sources = {page.source for page in parser.builder.pages}
        for root in sorted(found.walked):
            if not any(source.startswith(root) for source in sources):
                part_problems.append(Problem(root, "no build cache pages found in this folder"))
        result.problems.extend(part_problems)
        result.files_read += sum(1 for kind in kinds.values() if kind in ("page", "index", "error"))
        result.pages += sum(1 for kind in kinds.values() if kind in ("page", "index"))
        result.not_pages += sum(1 for kind in kinds.values() if kind == "not-page")
        if plan is not None:
            result.cache_notes.append(plan.describe(len(parser.kinds)))
            if plan.changed or item.todo:
                result.pending.add(
                    plan.saver(parser.builder, kinds, parser.problems + plan.problems),
                    len(result.cache_notes) - 1,
                )
        result.parts.append(parser.builder)
    if progress is not None:
        progress(total, total)
    return result
