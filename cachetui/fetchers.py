"""Where a mirror's files come from: a local folder, or http(s) with a download cache. UI-free.

Both fetchers answer the same three questions for the one mirror reader in ``sources``: a file
whole, a layout v2 index, a layout v3 index blob. Downloads are cached under the user's cache
folder, keyed by what the mirror says the index is: ``index.json.hash`` (v2) or the blob's
sha256 in the v3 manifest, so a second open of an unchanged mirror fetches only that small file.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import ssl
import stat
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from . import __version__
from .cachedirs import download_cache_dir, remove_stale_temporaries
from .errors import FetchError, IndexError_, Missing
from .limits import DEFAULT_DOWNLOAD_DEADLINE, DEFAULT_MAX_DOWNLOAD_MB, DEFAULT_TIMEOUT, MB
from .spackdb import check_checksum, is_checksum, open_blob, sha256, too_large

__all__ = ["DEFAULT_DOWNLOAD_DEADLINE", "DEFAULT_MAX_DOWNLOAD_MB", "DEFAULT_TIMEOUT",
           "HttpFetcher", "LocalFetcher", "Status", "fetch", "is_url", "read_regular"]  # fmt: skip
HASH_FILE_LIMIT = 4096  # index.json.hash holds 64 hex characters
FROM_CACHE = "index read from the download cache (unchanged on the mirror)"
Status = Callable[[str], None]
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def blob_path(record: dict) -> tuple[str, ...]:
    """Where a v3 manifest record's blob lives, under the mirror root (the record comes from
    ``spackdb.index_blob_record``: its checksum is already known to be lower-case hex)."""
    algorithm = record.get("checksumAlgorithm", "sha256")
    checksum = check_checksum(record.get("checksum"), algorithm, "the index manifest's checksum")
    return ("blobs", algorithm, checksum[:2], checksum)


def read_regular(path: str, limit: int, what: str = "index") -> bytes:
    """A regular file's bytes, at most ``limit`` of them. A FIFO, device or folder is refused
    without being opened for long: stat first, then open non-blocking and check again (the name
    may have changed in between). ``Missing`` when there is no such file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise Missing(f"no such file: {path}") from None
    if not stat.S_ISREG(info.st_mode):
        raise IndexError_(f"{what} is not a regular file: {path}")
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise IndexError_(f"{what} is not a regular file: {path}")
        if info.st_size > limit:
            raise IndexError_(f"{too_large(limit)}: {path}")
        chunks, got = [], 0
        while True:
            chunk = os.read(handle, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
            if got > limit:  # it grew while read
                raise IndexError_(f"{too_large(limit)}: {path}")
        return b"".join(chunks)
    finally:
        os.close(handle)


def _inside(folder: str, path: str, what: str = "index blob") -> str:
    """``path`` resolved, if it stays inside ``folder`` (resolved), else an ``IndexError_``."""
    base = Path(folder).resolve()
    target = Path(path).resolve()
    if target != base and base not in target.parents:
        raise IndexError_(f"the {what}'s path leaves the mirror folder: {path}")
    return str(target)


class LocalFetcher:
    """A mirror on this machine's file system; no file is read past ``max_bytes``."""

    def __init__(self, max_bytes: int = int(DEFAULT_MAX_DOWNLOAD_MB * MB)) -> None:
        self.max_bytes = max_bytes

    def join(self, root: str, *parts: str) -> str:
        return os.path.join(root, *parts)

    def root_of(self, where: str, depth: int) -> str:
        for _ in range(depth):
            where = os.path.dirname(where)
        return where

    def name(self, where: str) -> str:
        return os.path.basename(where)

    def read(self, where: str) -> bytes:
        """The file whole; ``Missing`` when there is none, ``OSError`` when it cannot be read."""
        if not os.path.isfile(where):
            raise Missing(f"no such file: {where}")
        return read_regular(where, self.max_bytes)

    def read_index(self, where: str, notes: list[str]) -> bytes:
        return self.read(where)

    def read_blob(self, root: str, record: dict, notes: list[str]) -> tuple[bytes, str]:
        where = self.join(root, *blob_path(record))
        try:
            blob = read_regular(_inside(root, where), self.max_bytes, "index blob")
        except Missing:
            raise IndexError_(f"index blob {where} cannot be read: no such file") from None
        except OSError as error:
            raise IndexError_(f"index blob {where} cannot be read: {error.strerror}") from None
        return open_blob(blob, record, self.max_bytes), where


class HttpFetcher:
    """A mirror over http(s), with the download cache (unless ``use_cache`` is false). Each
    download stops at ``max_bytes`` (what an index inflates to, too) and ``deadline`` seconds."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, status: Optional[Status] = None,
                 max_bytes: int = int(DEFAULT_MAX_DOWNLOAD_MB * MB),
                 deadline: float = DEFAULT_DOWNLOAD_DEADLINE, use_cache: bool = True) -> None:  # fmt: skip
        self.timeout = timeout
        self.status = status
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.use_cache = use_cache

    def join(self, root: str, *parts: str) -> str:
        return root.rstrip("/") + "/" + "/".join(parts)

    def root_of(self, where: str, depth: int) -> str:
        return where.rsplit("/", depth)[0]

    def name(self, where: str) -> str:
        return where

    def _fetch(self, url: str, status: Optional[Status] = None, limit: Optional[int] = None,
               what: str = "index") -> bytes:  # fmt: skip
        return fetch(url, self.timeout, status, self.max_bytes if limit is None else limit,
                     self.deadline, what)  # fmt: skip

    def read(self, where: str) -> bytes:
        return self._fetch(where)

    def read_index(self, where: str, notes: list[str]) -> bytes:
        """A v2 index, from the download cache when ``index.json.hash`` says it is unchanged,
        else downloaded and checked against that hash (a hash that is not a sha256 is refused:
        the mirror is bad)."""
        try:
            raw = self._fetch(where + ".hash", limit=HASH_FILE_LIMIT, what="index.json.hash")
        except FetchError:
            raw = None
        expected = None
        if raw is not None:
            text = raw.decode("ascii", "replace").strip()
            expected = check_checksum(text, "sha256", f"index.json.hash of {where}")
        if expected is not None and self.use_cache:
            cached = _cached(expected, self.max_bytes)
            if cached is not None:
                notes.append(FROM_CACHE)
                return cached
        data = self._fetch(where, self.status)
        if expected is not None:
            if sha256(data) != expected:
                raise FetchError(f"{where} does not match its index.json.hash")
            if self.use_cache:
                _store(expected, data)
        return data

    def read_blob(self, root: str, record: dict, notes: list[str]) -> tuple[bytes, str]:
        where = self.join(root, *blob_path(record))
        checksum = record["checksum"]  # checked by blob_path
        blob = _cached(checksum, self.max_bytes) if self.use_cache else None
        if blob is None:
            blob = self._fetch(where, self.status)
            opened = open_blob(blob, record, self.max_bytes)  # verified before it is cached
            if self.use_cache:
                _store(checksum, blob)
            return opened, where
        notes.append(FROM_CACHE)
        return open_blob(blob, record, self.max_bytes), where


# -- the download cache -------------------------------------------------------------------------


def _cached(key: str, limit: int) -> Optional[bytes]:
    """The cached file named ``key`` (a checksum), if it is a regular file within ``limit``."""
    if not is_checksum(key):
        return None
    directory = download_cache_dir()
    try:
        return read_regular(_inside(str(directory), str(directory / key)), limit)
    except (OSError, IndexError_):
        return None


def _store(key: str, data: bytes) -> None:
    if not is_checksum(key):
        return
    directory = download_cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(directory, ".part-")
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, directory / key)  # atomic: a reader never sees half a file
        except OSError:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # a cache that cannot be written only costs a download next time


# -- http -------------------------------------------------------------------------------------


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to http or https (urllib would also follow ftp)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl)).scheme
        if scheme.lower() not in ("http", "https"):
            raise FetchError(
                f"refused a redirect to a {scheme or 'schemeless'} URL from {req.full_url}"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def content_length(header: Optional[str]) -> Optional[int]:
    """The Content-Length header as a byte count, or None when it is not plain ASCII digits."""
    text = (header or "").strip()
    return int(text) if _CONTENT_LENGTH.fullmatch(text) else None


def fetch(url: str, timeout: float = DEFAULT_TIMEOUT, status: Optional[Status] = None,
          max_bytes: int = int(DEFAULT_MAX_DOWNLOAD_MB * MB),
          deadline: float = DEFAULT_DOWNLOAD_DEADLINE, what: str = "index") -> bytes:  # fmt: skip
    """GET ``url`` whole, or raise ``FetchError`` (``Missing`` for a 404) with a plain reason.
    The body is streamed: more than ``max_bytes`` of it, or a download that takes more than
    ``deadline`` seconds in all, is an error (``timeout`` bounds each wait for bytes)."""
    if not is_url(url):
        raise FetchError(f"not an http(s) URL: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": f"cachetui/{__version__}"})
    started = time.monotonic()

    def late() -> bool:
        return time.monotonic() - started > deadline

    def too_big() -> FetchError:
        reason = (
            too_large(max_bytes) if what == "index" else f"{what} larger than {max_bytes:,} bytes"
        )
        return FetchError(f"{reason}: {url}")

    try:
        with _OPENER.open(request, timeout=max(0.001, min(timeout, deadline))) as response:
            total = content_length(response.headers.get("Content-Length"))
            if total is not None and total > max_bytes:
                raise too_big()
            read = getattr(response, "read1", response.read)
            chunks, got = [], 0
            while True:
                if late():
                    raise FetchError(f"download took longer than {deadline:g} s: {url}")
                chunk = read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
                if got > max_bytes:
                    raise too_big()
                if status is not None:
                    of = f" of {total / 1e6:.1f}" if total else ""
                    status(f"Downloading {url}: {got / 1e6:.1f}{of} MB")
            if late():
                raise FetchError(f"download took longer than {deadline:g} s: {url}")
            if total is not None and got < total:
                raise FetchError(f"download cut short: {got:,} of {total:,} bytes from {url}")
            return b"".join(chunks)
    except urllib.error.HTTPError as error:
        kind = Missing if error.code == 404 else FetchError
        raise kind(f"HTTP {error.code} {error.reason} for {url}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, ssl.SSLError):
            raise FetchError(f"TLS error for {url}: {reason.reason or reason}") from None
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise _timed_out(url, timeout, deadline, late()) from None
        host = urllib.parse.urlsplit(url).netloc
        raise FetchError(f"cannot reach {host}: {reason}") from None
    except ssl.SSLError as error:
        raise FetchError(f"TLS error for {url}: {error.reason or error}") from None
    except (socket.timeout, TimeoutError):
        raise _timed_out(url, timeout, deadline, late()) from None
    except http.client.IncompleteRead as error:
        raise FetchError(f"download cut short: {len(error.partial):,} bytes from {url}") from None
    except (http.client.HTTPException, ConnectionError, OSError, ValueError) as error:
        raise FetchError(f"download failed for {url}: {str(error)[:200]}") from None


def _timed_out(url: str, timeout: float, deadline: float, late: bool) -> FetchError:
    if late or deadline < timeout:
        return FetchError(f"download took longer than {deadline:g} s: {url}")
    return FetchError(f"timed out after {timeout:g} s: {url}")
