"""A shared site index: an administrator builds it once, every user opens it read-only. UI-free.

``cachetui index build PATH... --out DIR`` parses the pages once and writes, into ``DIR``, one
index file (``cachefile`` layout) for each load the browser and the commands make of these
paths: the whole of them, and each tag group of a big checkout (the browser loads tags one at a
time). ``--index DIR`` (or ``$CACHETUI_INDEX``) then serves a load of the same paths, with the
same ``--tag`` and ``--max-file-mb``, from that file: mapped read-only, so every user of one node
shares it in the page cache, and opening it never writes a byte (nothing is created, removed or
renamed in ``DIR``).

An index is a snapshot: a load served from it neither walks nor checks the pages, which is
what makes it fast, so pages changed since it was built are not seen until it is built again.
The load's cache note says so, with the build time. Paths the index does not hold load as
always (with the user's own index cache).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from .cachedirs import site_index
from .cacheread import SUFFIX, Input, cache_file, read
from .cachewrite import write
from .errors import CacheInvalid

if TYPE_CHECKING:
    from .builder import CatalogBuilder
    from .loader import LoadResult

MANIFEST = "cachetui-index.json"
COUNTS = ("files_read", "pages", "not_pages")


def _key(paths: Sequence[str]) -> Input:
    return paths[0] if len(paths) == 1 else tuple(paths)


def _manifest(folder: Path) -> dict[str, Any]:
    """The index's manifest; ``CacheInvalid`` when it is missing or not one."""
    try:
        with open(folder / MANIFEST, encoding="utf-8") as handle:
            manifest = json.loads(handle.read(1 << 24))
    except (OSError, ValueError) as error:
        raise CacheInvalid(f"no site index in {folder} ({type(error).__name__})") from None
    if (not isinstance(manifest, dict) or not isinstance(manifest.get("inputs"), list)
            or not all(type(p) is str for p in manifest["inputs"])
            or type(manifest.get("built")) is not str):  # fmt: skip
        raise CacheInvalid(f"no site index in {folder} (a damaged manifest)")
    return manifest


def inputs_of(folder: Path) -> list[str]:
    """The paths the index was built from (what ``--index DIR`` opens when given no path)."""
    return list(_manifest(folder)["inputs"])


def open_snapshot(paths: Sequence[str], max_bytes: int, tag: Optional[str],
                  parts: Sequence[Sequence[str]] = ()) -> Optional[LoadResult]:  # fmt: skip
    """The load of ``paths`` served from the site index, or None (no index in use, or it does
    not hold these paths with these options, or its file cannot be trusted: a normal load).
    ``parts``: how ``paths`` divide into loads the index may hold (the tag groups asked for:
    the legacy group is many folders, indexed as one)."""
    folder = site_index()
    if folder is None or not paths:
        return None
    from .loader import LoadResult

    paths = [os.fspath(p) for p in paths]
    try:
        manifest = _manifest(folder)
    except CacheInvalid:
        return None
    # The load as built, or else each path as built (several lazy tags asked for at once).
    candidates = [[paths]] + ([[list(part) for part in parts]] if len(parts) > 1 else [])
    candidates += [[[p] for p in paths]] if len(paths) > 1 else []
    for keys in candidates:
        try:
            found = [_read(folder, manifest, key, max_bytes, tag) for key in keys]
        except CacheInvalid:
            continue
        break
    else:
        return None
    problems = [problem for part in found for problem in part[0]]
    counts = {name: sum(part[2][name] for part in found) for name in COUNTS}
    note = (f"site index {folder} (built {manifest['built']}): a snapshot, pages changed since"
            " are not shown until it is built again")  # fmt: skip
    return LoadResult(problems=problems, inputs=paths, **counts, cache_notes=[note],
                      parts=[part[1] for part in found])  # fmt: skip


def _read(folder: Path, manifest: dict, paths: Sequence[str], max_bytes: int,
          tag: Optional[str]) -> tuple[list, CatalogBuilder, dict[str, int]]:  # fmt: skip
    key = _key(paths)
    target = cache_file(key, max_bytes, tag, folder=folder)
    _files, problems, builder = read(target, key)
    entry = manifest.get("loads", {}).get(target.name, {})
    entry = entry if isinstance(entry, dict) else {}
    counts = {name: entry[name] if type(entry.get(name)) is int else 0 for name in COUNTS}
    return problems, builder, counts


def build(paths: Sequence[str], out: Path, max_bytes: int, tag: Optional[str],
          say: Any = None) -> dict[str, Any]:  # fmt: skip
    """Parse ``paths`` and write the index into ``out``; what was written."""
    from .builder import CatalogBuilder
    from .loader import checkout_groups, load, made_to_last

    paths = [os.path.abspath(p) for p in paths]
    out.mkdir(parents=True, exist_ok=True)
    groups = checkout_groups(paths) or []
    loads: dict[str, Any] = {}
    whole = CatalogBuilder()
    problems: list = []
    counts = {"files_read": 0, "pages": 0, "not_pages": 0}

    def save(key_paths: Sequence[str], builder: CatalogBuilder, found: list,
             numbers: dict) -> Path:  # fmt: skip
        target = cache_file(_key(key_paths), max_bytes, tag, folder=out)
        write(target, _key(key_paths), {}, found, builder)
        loads[target.name] = {"paths": list(key_paths), "specs": len(builder), **numbers}
        if say is not None:
            say(f"{target.name}: {len(builder):,} specs of {', '.join(key_paths)[:120]}")
        return target

    with made_to_last():
        for group_paths in [g.paths for g in groups] or [paths]:
            result = load(group_paths, max_bytes=max_bytes, tag=tag, cache=False, build=False)
            numbers = {name: getattr(result, name) for name in counts}
            found_problems = result.problems
            part = result.builder
            if groups:  # the whole is merged from the tags' files as written, mapped: each
                # parsed tag is freed at once, its templates never decoded again
                target = save(group_paths, part, result.problems, numbers)
                part = read(target, _key(group_paths))[2]
                del result
            whole.merge(part)
            problems += found_problems
            for name in counts:
                counts[name] += numbers[name]
        save(paths, whole, problems, counts)
    manifest = {"format": 1, "built": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "inputs": paths, "tag": tag, "max_bytes": max_bytes, "loads": loads}  # fmt: skip
    _write_text(out / MANIFEST, json.dumps(manifest, indent=1))
    _remove_unlisted(out, set(loads))
    return manifest


def _write_text(target: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # every user reads it
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _remove_unlisted(out: Path, listed: set[str]) -> None:
    """Index files of an earlier build that this one does not list (a tag gone)."""
    for entry in out.iterdir():
        if entry.name.endswith(SUFFIX) and entry.name not in listed and entry.is_file():
            with contextlib.suppress(OSError):
                entry.unlink()
        elif entry.name in listed:
            with contextlib.suppress(OSError):
                entry.chmod(0o644)  # the writer's temporary file was private (mkstemp)
