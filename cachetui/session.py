"""The loading side of a browsing session, UI-free: what is loaded, what is being loaded, how far
it got, and which index caches are still to be written.

The browser runs ``load_all`` or ``load_tags`` in a worker thread and polls ``progress()`` from
a timer: the loading thread never waits for the UI. Threads share this object; every field
either belongs to one thread or is read and written under ``_lock``:

- under the lock: the tag queue, the pending tag labels, the progress figures, ``loading``,
  the queue of unsaved results;
- the loading thread alone: the ``LazyCorpus`` once tags load (its builder is not thread-safe),
  the preload it takes over.

Every call into the loader lives in this module.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable, Optional

from .cachedirs import site_index
from .catalog import Catalog, empty_catalog
from .lazy import LazyCorpus
from .limits import DEFAULT_DOWNLOAD_DEADLINE, DEFAULT_MAX_DOWNLOAD_MB
from .loader import (
    DEFAULT_MAX_BYTES,
    BackgroundLoad,
    LoadResult,
    TagGroup,
    checkout_groups,
    load,
    made_to_last,
)

PRELOAD_POLL = 0.1  # seconds between looks at the CLI's load while it runs


@dataclass(frozen=True)
class LoadOptions:
    """How to load: the CLI's options, the same for the whole session."""

    max_bytes: int = DEFAULT_MAX_BYTES
    tag: Optional[str] = None
    timeout: float = 30.0
    use_cache: bool = True
    lazy: bool = True
    max_download_mb: float = DEFAULT_MAX_DOWNLOAD_MB
    download_deadline: float = DEFAULT_DOWNLOAD_DEADLINE
    tags: tuple[tuple[str, str], ...] = ()  # (path, tag): inputs with a tag of their own
    installed: Optional[frozenset] = None  # hashes installed in the user's Spack, when known
    jobs: int = 1  # worker processes for parsing (``--jobs``)


@dataclass(frozen=True)
class Progress:
    """What the progress bar shows: ``total`` 0 means not known yet."""

    done: int
    total: int
    label: str


# Called in the loading thread with each batch of tags merged: the batch's own load (for its
# problems), the load of every tag so far (for the report) and the grown catalog.
TagsLoaded = Callable[[LoadResult, LoadResult, Catalog], None]


class LoadSession:
    def __init__(self, paths: Sequence[str], options: Optional[LoadOptions] = None,
                 preload: Optional[BackgroundLoad] = None,
                 groups: Optional[list[TagGroup]] = None) -> None:  # fmt: skip
        self.paths = list(paths)
        self.options = options or LoadOptions()
        self._preload = preload  # the load the CLI started before the UI, if any
        self._groups = groups
        self._lock = threading.Lock()
        self._loading = False
        self._done_total = (0, 0)
        self._what = "Loading pages"
        self._why = ""
        self._status = ""
        self._tag_queue: list[str] = []
        self._pending: list[tuple[str, int]] = []  # (label, packages) of tags not loaded yet
        self._unsaved: list[LoadResult] = []  # loads whose index cache is not written yet
        self.lazy: Optional[LazyCorpus] = None

    # -- what to load ------------------------------------------------------------------------

    def tag_groups(self) -> Optional[list[TagGroup]]:
        """The tags to load one at a time, or None to load everything at once."""
        groups = self._groups
        if groups is None and self._preload is None and self.options.lazy:
            groups = checkout_groups(self.paths)
        return groups or None

    @property
    def has_preload(self) -> bool:
        return self._preload is not None

    @property
    def loading(self) -> bool:
        with self._lock:
            return self._loading

    def begin(self) -> None:
        """Mark a whole load as started (before its worker runs: the progress bar may ask)."""
        with self._lock:
            self._loading = True
            self._what = "Loading pages"

    def _load(self, paths: Sequence[str], build: bool = True) -> LoadResult:
        """``load`` with this session's options, its figures kept for ``progress``."""
        options = self.options

        def progress(done: int, total: int) -> None:
            with self._lock:
                self._done_total = (done, total)

        def status(message: str) -> None:
            with self._lock:
                self._status = message

        return load(paths, progress=progress, max_bytes=options.max_bytes, tag=options.tag,
                    timeout=options.timeout, status=status, cache=options.use_cache,
                    build=build, max_download_mb=options.max_download_mb,
                    download_deadline=options.download_deadline,
                    tags=dict(options.tags), jobs=options.jobs)  # fmt: skip

    def load_all(self) -> LoadResult:
        """Every path at once (or the CLI's preload, once done). Runs in the loading thread;
        call ``finished`` once the result is shown."""
        self.begin()
        preload, self._preload = self._preload, None
        if preload is not None:
            while not preload.done(wait=PRELOAD_POLL):
                with self._lock:
                    self._done_total, self._status = preload.progress, preload.status
            result = preload.result()
        else:
            with made_to_last():
                result = self._load(self.paths)
        self.queue_save(result)
        return result

    def finished(self) -> None:
        with self._lock:
            self._loading = False

    def failed(self) -> None:
        """A load raised: nothing is loading any more, and nothing queued will be."""
        with self._lock:
            self._loading = False
            self._tag_queue.clear()

    # -- lazy tags ---------------------------------------------------------------------------

    def start_lazy(self, groups: list[TagGroup]) -> LoadResult:
        """Show the tag list, load nothing yet; the (empty) result for the report."""
        self.lazy = LazyCorpus(groups)
        with self._lock:
            self._pending = [(g.label, g.packages) for g in groups]
        return self.lazy.combined(empty_catalog())

    def pending(self) -> list[tuple[str, int]]:
        """The tags not loaded yet, with their package counts."""
        with self._lock:
            return list(self._pending)

    def pending_tags(self) -> list[str]:
        return [label for label, _ in self.pending()]

    def request_tags(self, labels: Sequence[str], why: str) -> bool:
        """Queue these not-yet-loaded tags (never twice). True when the caller must start
        ``load_tags`` in a worker: no load is running to pick them up."""
        with self._lock:  # the loading thread may be deciding that it is done
            pending = {label for label, _ in self._pending}
            wanted = [t for t in labels if t in pending and t not in self._tag_queue]
            if not wanted:
                return False
            self._tag_queue.extend(wanted)
            self._why = why
            start = not self._loading
            self._loading = True
        return start

    def queued(self) -> list[str]:
        with self._lock:
            return list(self._tag_queue)

    def load_tags(self, loaded: TagsLoaded) -> None:
        """Load the queued tags until the queue is empty. Runs in the loading thread."""
        lazy = self.lazy
        assert lazy is not None
        while True:
            # Everything queued so far in one pass: one parse (or cache read) per tag folder,
            # one catalog rebuild, one repaint. Done only when the queue is empty under the
            # lock: a tag asked for meanwhile is never stranded.
            with self._lock:
                if not self._tag_queue:
                    self._loading = False
                    return
                batch = list(self._tag_queue)
                what = batch[0] if len(batch) == 1 else f"{len(batch)} tags"
                self._what = f"Loading {what}{self._why}"
                self._status = ""
            paths = [path for label in batch for path in lazy.groups[label].paths]
            with made_to_last():
                whole = self._whole_from_index(batch)
                if whole is not None:  # the site at once, mapped: nothing merged
                    catalog = lazy.replace(whole)
                    result = whole
                else:  # merged into the corpus instead
                    result = self._tags_from_index(batch) or self._load(paths, build=False)
                    catalog = lazy.add(batch, result)
            with self._lock:
                del self._tag_queue[: len(batch)]
                self._pending = [(g.label, g.packages) for g in lazy.pending()]
            self.queue_save(result)
            loaded(result, lazy.combined(catalog), catalog)

    def _whole_from_index(self, batch: list[str]) -> Optional[LoadResult]:
        """Every tag still to load asked for at once, and a site index holding the whole:
        its one file (a search across 40 tags of a 10M-spec site merged them one by one)."""
        lazy = self.lazy
        if lazy is None or set(batch) != {g.label for g in lazy.pending()}:
            return None
        if len(lazy.pending()) < 2 or site_index() is None:
            return None
        from .siteindex import open_snapshot

        options = self.options
        if not options.use_cache or options.tags:  # as ``load`` decides
            return None
        return open_snapshot(self.paths, options.max_bytes, options.tag)

    def _tags_from_index(self, batch: list[str]) -> Optional[LoadResult]:
        """These tags from a site index, each from its own file, if it holds every one."""
        lazy, options = self.lazy, self.options
        if lazy is None or site_index() is None or not options.use_cache or options.tags:
            return None
        from .siteindex import open_snapshot

        parts = [lazy.groups[label].paths for label in batch]
        paths = [path for part in parts for path in part]
        return open_snapshot(paths, options.max_bytes, options.tag, parts)

    # -- progress ----------------------------------------------------------------------------

    def progress(self) -> Optional[Progress]:
        """A snapshot for the progress bar; None when nothing is loading."""
        with self._lock:
            if not self._loading:
                return None
            done, total = self._done_total
            label = self._status or f"{self._what}: {done:,} of {total:,} files"
            return Progress(done, total, label)

    # -- index caches ------------------------------------------------------------------------

    def queue_save(self, result: LoadResult) -> None:
        with self._lock:
            self._unsaved.append(result)

    def unsaved(self) -> int:
        with self._lock:
            return len(self._unsaved)

    def save_next(self) -> bool:
        """Write the oldest unsaved index cache (slow: call it off the UI thread); False when
        there was none."""
        with self._lock:
            if not self._unsaved:
                return False
            result = self._unsaved.pop(0)
        result.pending.save()
        return True

    def save_all(self) -> None:
        """Write what a quick quit left unsaved (after the browser has exited)."""
        while self.save_next():
            pass
