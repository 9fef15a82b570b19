"""What there is to load: the files under the given paths, the units the index cache keeps,
and the tag folders of a big site checkout. UI-free; reads directories, and of file contents
only one page's front matter per tag folder (the tag its pages give their specs).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, NamedTuple, Optional, Union

from .fetchers import is_url
from .model import Problem
from .pages import page_tag
from .sources import mirror_index
from .untrusted import read_bytes

PathLike = Union[str, Path]
FileStats = dict[str, tuple[int, int]]  # path -> (size, mtime in ns)
CacheKey = Union[str, tuple[str, ...]]  # a folder, or several small ones cached as one unit


class FileItem(NamedTuple):
    path: str
    explicit: bool  # given by the user (read whatever it is), not met in a folder walk


@dataclass
class Found:
    """What a discovery found: the candidate files, the problems met on the way, the folders
    walked, and each file's size and mtime (the index cache compares them without a second
    stat() of every file)."""

    files: list[FileItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    walked: set[str] = field(default_factory=set)
    stats: FileStats = field(default_factory=dict)


@dataclass
class LoadUnit:
    """One input (or several small folders pooled together): loaded, and cached, as one."""

    key: CacheKey
    found: Found


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


def index_name(path: str) -> bool:
    """A file a folder walk reads as a Spack index or spec file (by its name)."""
    name = os.path.basename(path)
    return name.endswith((".spec.json", ".spec.json.sig")) or (
        name.endswith(".json") and "index" in name
    )


def discover(paths: Sequence[PathLike]) -> Found:
    """Every candidate file under ``paths``, in order; URLs and mirror folders as one item."""
    found = Found()
    seen_files: set[tuple[int, int]] = set()

    def add(path: str, explicit: bool, info: os.stat_result) -> None:
        key = (info.st_dev, info.st_ino)
        if key not in seen_files:
            seen_files.add(key)
            found.files.append(FileItem(path, explicit))
            found.stats[path] = (info.st_size, info.st_mtime_ns)

    for raw in paths:
        path = os.fspath(raw)
        if is_url(path):
            found.files.append(FileItem(path, True))
            continue
        try:
            info = os.stat(path)
        except FileNotFoundError:
            found.problems.append(Problem(path, "no such file or directory"))
            continue
        except OSError as error:
            found.problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
            continue
        if stat.S_ISDIR(info.st_mode) and mirror_index(path):
            found.files.append(FileItem(path, True))
        elif stat.S_ISDIR(info.st_mode):
            found.walked.add(path)
            _walk(path, add, found)
        elif stat.S_ISREG(info.st_mode):
            add(path, True, info)
        else:
            found.problems.append(Problem(path, f"{_kind(info.st_mode)}, not a file; skipped"))
    return found


def _walk(root: str, add: Callable[[str, bool, os.stat_result], None], found: Found) -> None:
    """Depth first, in name order, with ``os.scandir``: a real folder's identity comes free
    from the directory listing, so only folder links cost a stat() (loop detection)."""
    problems = found.problems
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
            found.files.append(FileItem(directory, True))  # a mirror in the tree: its index
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


def load_units(
    inputs: Sequence[str], small_bytes: int, alone: Collection[str] = ()
) -> list[LoadUnit]:
    """Each input walked, as a unit. Folders under ``small_bytes`` (too small for an index
    cache of their own: the legacy package folders of a site checkout, a few hundred of them)
    become one unit, cached together, when there are several; never those in ``alone``."""
    units: list[LoadUnit] = []
    small: list[LoadUnit] = []
    for path in inputs:
        unit = LoadUnit(path, discover([path]))
        units.append(unit)
        # Grouped with or without the cache: the specs come in the same order either way.
        found = unit.found
        if (
            path not in alone
            and path in found.walked
            and sum(size for size, _ in found.stats.values()) < small_bytes
        ):
            small.append(unit)
    if len(small) < 2:
        return units
    pooled = Found()
    for unit in small:
        pooled.files += unit.found.files
        pooled.problems += unit.found.problems
        pooled.walked |= unit.found.walked
        pooled.stats.update(unit.found.stats)
    together = LoadUnit(tuple(str(unit.key) for unit in small), pooled)
    # The unit takes the place of the first small folder: specs keep the order of the inputs
    # as far as they can.
    first = units.index(small[0])
    kept = [unit for unit in units if all(unit is not s for s in small)]
    return kept[:first] + [together] + kept[first:]


# -- tag groups: a big site checkout, one tag at a time ---------------------------------------


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


PAGE_PEEK_LIMIT = 4 << 20  # the largest real page is ~1 MB


def _pages_tag(children: list[os.DirEntry]) -> Optional[str]:
    """The tag of the first page in the first package folder of a tag folder: its folder may
    be named otherwise (``develop/`` holding pages of ``develop-2025``)."""
    for child in sorted((c for c in children if c.is_dir()), key=lambda c: c.name):
        try:
            pages = sorted(f.path for f in os.scandir(child.path) if f.name.endswith(".md"))
        except OSError:
            continue
        for page in pages:
            data = read_bytes(page, PAGE_PEEK_LIMIT, [])  # regular files only, bounded
            if data:
                return page_tag(data.decode("utf-8", "replace"))
        return None
    return None


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
            tag = _pages_tag(children)
            if tag is not None and tag not in {g.label for g in groups}:
                groups[-1].label = tag  # named as its specs are: `tag=` finds it
        else:
            legacy.append(entry.path)  # a package folder right under the root: a legacy page
    if legacy:
        groups.append(TagGroup("legacy", legacy, len(legacy)))
    minimum = LAZY_MIN_PACKAGES if min_packages is None else min_packages
    if len(groups) < 2 or sum(g.packages for g in groups) < minimum:
        return None
    return groups
