"""Where a mirror's files come from: a local folder, or http(s) with a download cache. UI-free.

Both fetchers answer the same three questions for the one mirror reader in ``sources``: a file
whole, a layout v2 index, a layout v3 index blob. Downloads are cached under the user's cache
folder, keyed by what the mirror says the index is: ``index.json.hash`` (v2) or the blob's
sha256 in the v3 manifest, so a second open of an unchanged mirror fetches only that small file.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Optional

from . import __version__
from .cachedirs import download_cache_dir
from .errors import FetchError, IndexError_, Missing
from .spackdb import open_blob, sha256

DEFAULT_TIMEOUT = 30.0
FROM_CACHE = "index read from the download cache (unchanged on the mirror)"
Status = Callable[[str], None]


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def blob_path(record: dict) -> tuple[str, ...]:
    """Where a v3 manifest record's blob lives, under the mirror root."""
    checksum = record["checksum"]
    return ("blobs", record.get("checksumAlgorithm", "sha256"), checksum[:2], checksum)


class LocalFetcher:
    """A mirror on this machine's file system."""

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
        with open(where, "rb") as handle:
            return handle.read()

    def read_index(self, where: str, notes: list[str]) -> bytes:
        return self.read(where)

    def read_blob(self, root: str, record: dict, notes: list[str]) -> tuple[bytes, str]:
        where = self.join(root, *blob_path(record))
        try:
            with open(where, "rb") as handle:
                blob = handle.read()
        except OSError as error:
            raise IndexError_(f"index blob {where} cannot be read: {error.strerror}") from None
        return open_blob(blob, record), where


class HttpFetcher:
    """A mirror over http(s), with the download cache."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, status: Optional[Status] = None) -> None:
        self.timeout = timeout
        self.status = status

    def join(self, root: str, *parts: str) -> str:
        return root.rstrip("/") + "/" + "/".join(parts)

    def root_of(self, where: str, depth: int) -> str:
        return where.rsplit("/", depth)[0]

    def name(self, where: str) -> str:
        return where

    def read(self, where: str) -> bytes:
        return fetch(where, self.timeout)

    def read_index(self, where: str, notes: list[str]) -> bytes:
        """A v2 index, from the download cache when ``index.json.hash`` says it is unchanged,
        else downloaded and checked against that hash."""
        try:
            expected = fetch(where + ".hash", self.timeout).decode("ascii", "replace").strip()
        except FetchError:
            expected = ""
        known = len(expected) == 64
        if known:
            cached = _cached(expected)
            if cached is not None:
                notes.append(FROM_CACHE)
                return cached
        data = fetch(where, self.timeout, self.status)
        if known:
            if sha256(data) != expected:
                raise FetchError(f"{where} does not match its index.json.hash")
            _store(expected, data)
        return data

    def read_blob(self, root: str, record: dict, notes: list[str]) -> tuple[bytes, str]:
        where = self.join(root, *blob_path(record))
        blob = _cached(record["checksum"])
        if blob is None:
            blob = fetch(where, self.timeout, self.status)
            opened = open_blob(blob, record)  # verified before it is cached
            _store(record["checksum"], blob)
            return opened, where
        notes.append(FROM_CACHE)
        return open_blob(blob, record), where


# -- the download cache -------------------------------------------------------------------------


def _cached(key: str) -> Optional[bytes]:
    try:
        return (download_cache_dir() / key).read_bytes()
    except OSError:
        return None


def _store(key: str, data: bytes) -> None:
    directory = download_cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, directory / key)  # atomic: a reader never sees half a file
    except OSError:
        pass  # a cache that cannot be written only costs a download next time


# -- http -------------------------------------------------------------------------------------


def fetch(url: str, timeout: float = DEFAULT_TIMEOUT, status: Optional[Status] = None) -> bytes:
    """GET ``url`` whole, or raise ``FetchError`` (``Missing`` for a 404) with a plain reason."""
    request = urllib.request.Request(url, headers={"User-Agent": f"cachetui/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            chunks, got = [], 0
            while True:
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
                if status is not None:
                    of = f" of {total / 1e6:.1f}" if total else ""
                    status(f"Downloading {url}: {got / 1e6:.1f}{of} MB")
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
            raise FetchError(f"timed out after {timeout:g} s: {url}") from None
        host = urllib.parse.urlsplit(url).netloc
        raise FetchError(f"cannot reach {host}: {reason}") from None
    except ssl.SSLError as error:
        raise FetchError(f"TLS error for {url}: {error.reason or error}") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"timed out after {timeout:g} s: {url}") from None
    except http.client.IncompleteRead as error:
        raise FetchError(f"download cut short: {len(error.partial):,} bytes from {url}") from None
    except (http.client.HTTPException, ConnectionError, OSError) as error:
        raise FetchError(f"download failed for {url}: {error}") from None
