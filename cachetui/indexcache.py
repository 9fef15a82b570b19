"""The on-disk index cache: a folder's parsed pages, so a warm start parses nothing. UI-free.

One cache file per input folder (keyed by its absolute path and the load options) in the user's
cache folder. Each source file is checked by size and mtime (ns): only changed or new files are
parsed again (with the rest of their folder, which a legacy page pair spans), deleted files drop
out. The file holds memory-mapped numpy columns and a JSON document (``cachefile``), never a
pickle: a cache that is truncated, corrupt, from another format version or for another folder
is detected and rebuilt, never trusted. Writes go to a temporary file that is
renamed into place, so two cachetui processes never leave a half-written cache.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from .builder import CatalogBuilder
from .cachedirs import cache_base, download_cache_dir, index_cache_dir
from .cacheread import (  # noqa: F401 - the index cache's interface, in one place
    CACHE_MIN_BYTES,
    FORMAT,
    SUFFIX,
    Input,
    _stat,
    _where,
    cache_file,
    read,
)
from .cachewrite import write  # noqa: F401
from .errors import CacheInvalid
from .fetchers import is_url
from .model import Problem

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


def _cache_files(folder: Path, suffix: tuple[str, ...] = ("",)) -> list[Path]:
    """The finished cache files in ``folder``: regular files, not a writer's temporary one."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if not p.name.startswith(".") and p.name.endswith(suffix)
        and stat.S_ISREG(p.lstat().st_mode)
    )  # fmt: skip


def info() -> dict[str, Any]:
    entries = _cache_files(index_cache_dir(), (SUFFIX, ".npz"))  # .npz: older versions'
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
