"""Parsing a folder's pages in worker processes (``--jobs N``). UI-free.

Each worker parses a contiguous share of the files into a builder of its own; the shares are
merged in order, which gives the catalog, problems and file kinds a serial parse gives (values
are coded in order of first appearance either way). What spans files is checked after: a hash
on pages of two shares in one tag, or a legacy folder split between shares, would have been
reported by a serial parse, so then the files are parsed again serially.

Workers are started with ``spawn`` (a fresh interpreter each, ~0.2 s: ``fork`` is unsafe in
the browser, whose loading thread runs beside Textual's); a library caller's script needs the
usual ``if __name__ == "__main__"`` guard, and when no worker can run, the files are parsed
serially. Measured on this project's 2-core machine (bench/bench.py ``--jobs``): see README's
Performance section.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Callable, Optional

from .builder import CatalogBuilder
from .discovery import FileItem
from .model import Problem
from .reading import IndexOptions, Parser

MIN_FILES_PER_JOB = 256  # below this a worker's start costs more than its share saves

_Share = tuple[CatalogBuilder, list[Problem], dict[str, str], dict[str, set[str]], list[tuple]]


def _parse_share(files: Sequence[FileItem], max_bytes: int, options: IndexOptions) -> _Share:
    parser = Parser(CatalogBuilder(), max_bytes, options)
    # What ``gcpolicy.made_to_last`` does for a serial load: parsing makes no cycles.
    enabled = gc.isenabled()
    gc.disable()
    try:
        for path, explicit in files:
            parser.parse(path, explicit)
    finally:
        if enabled:
            gc.enable()
    builder = parser.builder
    for table in (*builder.tables.values(), builder.tarball_table):
        table.index = {}  # ``merge`` reads a share's values only: half the tables' bytes to send
    return (builder, parser.problems, parser.kinds, parser.hashes_of_tag,
            list(parser.legacy_seen))  # fmt: skip


def _spans_shares(shares: list[_Share]) -> bool:
    """Whether a check that spans files would have found something across two shares."""
    tags: dict[str, set[str]] = {}
    legacy: set[tuple] = set()
    for _, _, _, hashes_of_tag, legacy_keys in shares:
        for tag, hashes in hashes_of_tag.items():
            seen = tags.setdefault(tag, set())
            if not seen.isdisjoint(hashes):
                return True
            seen |= hashes
        if not legacy.isdisjoint(legacy_keys):
            return True
        legacy.update(legacy_keys)
    return False


class SharedParse:
    """What a ``Parser`` leaves after parsing files: builder, problems and kinds."""

    def __init__(self, builder: CatalogBuilder) -> None:
        self.builder = builder
        self.problems: list[Problem] = []
        self.kinds: dict[str, str] = {}


def parse_in_workers(
    builder: CatalogBuilder,
    files: list[FileItem],
    max_bytes: int,
    options: IndexOptions,
    jobs: int,
    tick: Callable[[int], None],
) -> Optional[SharedParse]:
    """``files`` parsed into ``builder`` by ``jobs`` worker processes; None when they should
    be parsed serially (few files, an index or URL among them, a builder that already holds
    pages, or a check that spans the shares)."""
    jobs = min(jobs, len(files) // MIN_FILES_PER_JOB)
    if jobs < 2 or builder.pages or any(explicit for _, explicit in files):
        return None
    options = replace(options, status=None)  # walked files only: no download to report on
    size = -(-len(files) // jobs)
    parts = [files[start : start + size] for start in range(0, len(files), size)]
    context = multiprocessing.get_context("spawn")
    shares = []
    try:
        with ProcessPoolExecutor(max_workers=len(parts), mp_context=context) as pool:
            futures = [pool.submit(_parse_share, part, max_bytes, options) for part in parts]
            for part, future in zip(parts, futures):
                shares.append(future.result())
                tick(len(part))
    except Exception:  # no worker could start (a script without a main guard, no semaphores)
        return None
    if _spans_shares(shares):
        return None
    done = SharedParse(builder)
    for share_builder, problems, kinds, _, _ in shares:
        builder.merge(share_builder)
        done.problems.extend(problems)
        done.kinds.update(kinds)
    return done
