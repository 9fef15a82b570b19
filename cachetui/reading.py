"""Read and parse files into a builder: the bytes (bounded, unbuffered), their text, and the
``Parser`` that turns each file into pages, or a Spack index into pages of one tag. UI-free.

A bad file never stops the load: it becomes a ``Problem`` naming the file, the line where known
and a plain reason, and the other files still load.
"""

from __future__ import annotations

import codecs
import os
import re
from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from typing import Optional, Union

from .builder import CatalogBuilder
from .discovery import index_name
from .errors import NotAPage, PageError
from .fetchers import (
    DEFAULT_DOWNLOAD_DEADLINE,
    DEFAULT_MAX_DOWNLOAD_MB,
    DEFAULT_TIMEOUT,
    Status,
    is_url,
)
from .limits import MB
from .model import Problem, meta_disagreements
from .pages import PageData, parse_page
from .rows import HASH, SpecRow
from .sources import looks_like_index_file, read_source

PAGE_START = re.compile(rb"(\xef\xbb\xbf)?---[ \t]*\r?\n")  # the largest real page is ~1 MB


@dataclass(frozen=True)
class IndexOptions:
    tag: Optional[str] = None  # the tag of specs from Spack indexes (default: the mirror's name)
    timeout: float = DEFAULT_TIMEOUT
    status: Optional[Status] = None
    max_download_mb: float = DEFAULT_MAX_DOWNLOAD_MB  # a download, and what an index inflates to
    download_deadline: float = DEFAULT_DOWNLOAD_DEADLINE  # seconds for a whole download
    use_cache: bool = True  # the download cache


@dataclass(frozen=True)
class Binary:
    """A walked page file (``*.md``) whose first bytes are not text."""

    why: str


def _not_text(head: bytes) -> Optional[str]:
    """Why ``head`` (a file's first bytes) is not UTF-8 text, or None."""
    nul = head.find(b"\x00")
    if nul != -1:
        return f"NUL byte at offset {nul}"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)  # a character cut at the end is fine
    except UnicodeDecodeError as error:
        return f"not UTF-8 text at offset {error.start}"
    return None


def read_file(path: str, explicit: bool, max_bytes: int) -> Union[bytes, Binary, None]:
    """The file's bytes, or None when a walked file is plainly not a page (saves reading
    tarballs and spec files whole), or ``Binary`` when a walked page file holds no text."""
    # Unbuffered: a buffered read(n) allocates n bytes up front, the whole size limit per page.
    with open(path, "rb", buffering=0) as handle:
        head = handle.read(8)
        if not explicit and head and not head.startswith((b"---", b"\xef\xbb\xbf---")):
            if path.lower().endswith(".md"):
                why = _not_text(head)
                if why is not None:
                    return Binary(why)
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


def decode(data: bytes) -> tuple[str, Optional[str], Optional[int]]:
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
    hashes = list(filter(None, map(itemgetter(HASH), page.specs)))
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


def _one_problem(path: str, messages: list[str], line: Optional[int] = None) -> Problem:
    """One problem per file: the first reason, and every reason in the details."""
    if len(messages) == 2:  # "(and 1 more)" would hide a reason as short to say as the count
        more = f"; and: {messages[1]}"
    else:
        more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
    return Problem(path, messages[0] + more, line, "warning", tuple(messages))


def unexpected(error: BaseException) -> str:
    """A plain, short reason for an error no check foresaw."""
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Parser:
    """Parses files into one builder, keeping what spans files: legacy folders' repeated pages
    and hashes seen per tag. ``kinds`` records what each file turned out to be."""

    def __init__(self, builder: CatalogBuilder, max_bytes: int, options: IndexOptions) -> None:
        self.builder = builder
        self.max_bytes = max_bytes
        self.options = options
        self.problems: list[Problem] = []
        self.kinds: dict[str, str] = {}  # path -> "page", "index", "not-page" or "error"
        self.legacy_seen: dict[tuple[str, str, str], tuple[str, set[SpecRow]]] = {}
        self.hashes_of_tag: dict[str, set[str]] = {}
        from .fastpage import canonical_page  # msgspec: imported by the loading thread

        self._canonical = canonical_page

    def parse(self, path: str, explicit: bool) -> None:
        """Parse one file. Whatever goes wrong costs this file alone: what it added to the
        builder is taken back, and it becomes one problem naming it."""
        mark, reported = self.builder.mark(), len(self.problems)
        try:
            self.kinds[path] = self._parse(path, explicit)
            return
        except NotAPage as error:
            kind = "not-page"
            problem = (Problem(path, f"not a build cache page: {error.reason}", error.line)
                       if explicit else None)  # fmt: skip
        except PageError as error:
            kind, problem = "error", Problem(path, error.reason, error.line)
        except OSError as error:
            kind, problem = "error", Problem(path, f"cannot be read: {error.strerror or error}")
        except RecursionError:
            kind, problem = "error", Problem(path, "a value is nested too deeply")
        except Exception as error:  # a defect no check foresaw: still this file alone
            kind, problem = "error", Problem(path, f"cannot be read: {unexpected(error)}")
        self.builder.rollback(mark)
        del self.problems[reported:]
        self.kinds[path] = kind
        if problem is not None:
            self.problems.append(problem)

    def _parse(self, path: str, explicit: bool) -> str:
        # A walked file is a regular file (``discovery`` checked): no stat() again.
        if explicit and (is_url(path) or os.path.isdir(path)):
            return self._index(path)
        index_named = index_name(path)
        data = read_file(path, explicit or index_named, self.max_bytes)
        if data is None:
            return "not-page"
        if isinstance(data, Binary):  # a walked page file that holds no text
            raise PageError(f"binary file ({data.why}); skipped")
        if (
            (explicit or index_named)
            and not PAGE_START.match(data)
            and looks_like_index_file(path, data[:64])
        ):
            return self._index(path)
        text, note, note_line = decode(data)
        page = self._canonical(text) or parse_page(text, path)
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
        meta = page.meta if page.meta_text is None else page.meta_text
        self.builder.start_page(page.title, page.tag, path, meta, page.era)
        self.builder.add_rows(page.specs)
        record = self.builder.pages[-1]
        for message in meta_disagreements(page.meta, record.count, record.specs_by_stack):
            page.warn(message)
        if not page.specs:
            page.warn("the page lists no specs")
        messages = ([note] if note else []) + page.warnings
        if messages:
            self.problems.append(_one_problem(path, messages, note_line if note else None))
        self.problems.extend(Problem(other, why) for other, why in page.elsewhere)
        return "page"

    def _index(self, path: str) -> str:
        """A Spack index, mirror or spec file; its packages become pages of one tag."""
        options = self.options
        loaded = read_source(path, options.timeout, options.status, self.max_bytes,
                             int(options.max_download_mb * MB), options.download_deadline,
                             options.use_cache)  # fmt: skip
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
