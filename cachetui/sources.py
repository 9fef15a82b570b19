"""Where a Spack index comes from: a file, a mirror folder (layout v2 or v3) or an http(s) URL of
either, with a download cache. UI-free.

Downloads are cached under the user's cache folder, keyed by what the mirror says the index is:
``index.json.hash`` (layout v2) or the index blob's sha256 in the v3 manifest. A second open of
an unchanged mirror fetches only that small file.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import __version__
from .spackdb import (
    INDEX_MANIFEST,
    V2_INDEX,
    IndexData,
    IndexError_,
    blob_path,
    decode_json,
    index_blob_record,
    open_blob,
    read_database,
    read_spec_file,
    sha256,
)

DEFAULT_TIMEOUT = 30.0
Status = Callable[[str], None]


class FetchError(IndexError_):
    """A download that failed; the reason names the URL."""


@dataclass
class Loaded:
    data: IndexData
    tag: str
    source: str
    notes: list[str] = field(default_factory=list)


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def mirror_index(directory: str) -> Optional[str]:
    """The index file of a mirror folder (v3 manifest first), or None if it is not a mirror."""
    for parts in (INDEX_MANIFEST, V2_INDEX, ("index.json",)):
        candidate = os.path.join(directory, *parts)
        if os.path.isfile(candidate):
            if parts == ("index.json",) and os.path.basename(directory) != "build_cache":
                continue
            return candidate
    return None


def looks_like_index_file(path: str, head: bytes) -> bool:
    """A JSON, gzip or clear-signed file that is an index, manifest or spec file."""
    name = os.path.basename(path)
    if (
        name.endswith((".spec.json", ".spec.json.sig", "index.manifest.json"))
        or name == "index.json"
    ):
        return True
    stripped = head.lstrip()
    return stripped.startswith((b"{", b"\x1f\x8b", b"-----BEGIN PGP SIGNED MESSAGE-----"))


def cache_dir() -> Path:
    override = os.environ.get("CACHETUI_CACHE_DIR")
    if override:
        return Path(override) / "downloads"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("cachetui")) / "downloads"


def _cached(key: str) -> Optional[bytes]:
    path = cache_dir() / key
    try:
        return path.read_bytes()
    except OSError:
        return None


def _store(key: str, data: bytes) -> None:
    directory = cache_dir()
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
    """GET ``url`` whole, or raise ``FetchError`` with a plain reason."""
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
        raise FetchError(f"HTTP {error.code} {error.reason} for {url}") from None
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


def _join(url: str, *parts: str) -> str:
    return url.rstrip("/") + "/" + "/".join(parts)


def _url_tag(url: str) -> tuple[str, tuple[str, ...]]:
    """The tag and stacks a mirror URL names: ``/<tag>/<stack>`` (the public cache's layout),
    or its one path component."""
    parts = [p for p in urllib.parse.urlsplit(url).path.split("/") if p]
    while parts and (parts[-1] in ("build_cache", "index.json", "v3", "manifests", "index")
                     or parts[-1].endswith(".json")):  # fmt: skip
        parts.pop()
    if len(parts) >= 2:
        return parts[-2], (parts[-1],)
    if parts:
        return parts[0], ()
    return urllib.parse.urlsplit(url).netloc, ()


def load_url(url: str, timeout: float = DEFAULT_TIMEOUT, status: Optional[Status] = None) -> Loaded:
    tag, stacks = _url_tag(url)
    notes: list[str] = []
    if url.endswith("index.manifest.json"):
        root = url[: -len("/".join(INDEX_MANIFEST))].rstrip("/")
        return Loaded(_v3_from_url(root, url, timeout, status, notes, stacks), tag, url, notes)
    if url.endswith(".json") or url.endswith(".sig"):
        data = _v2_from_url(url, timeout, status, notes)
        document = decode_json(data, url)
        if isinstance(document, dict) and "database" in document:
            return Loaded(read_database(document, stacks), tag, url, notes)
        return Loaded(read_spec_file(document), tag, url, notes)
    # A mirror root: layout v3 first, then v2.
    manifest_url = _join(url, *INDEX_MANIFEST)
    try:
        return Loaded(
            _v3_from_url(url, manifest_url, timeout, status, notes, stacks), tag, url, notes
        )
    except FetchError as v3_error:
        if "HTTP 404" not in v3_error.reason:
            raise
    index_url = _join(url, *V2_INDEX)
    data = _v2_from_url(index_url, timeout, status, notes)
    return Loaded(read_database(decode_json(data, index_url), stacks), tag, url, notes)


def _v3_from_url(root: str, manifest_url: str, timeout: float, status: Optional[Status],
                 notes: list[str], stacks: tuple[str, ...]) -> IndexData:  # fmt: skip
    record = index_blob_record(decode_json(fetch(manifest_url, timeout), manifest_url))
    blob = _cached(record["checksum"])
    if blob is None:
        blob = fetch(_join(root, *blob_path(record)), timeout, status)
        open_blob(blob, record)  # verify before caching
        _store(record["checksum"], blob)
    else:
        notes.append("index read from the download cache (unchanged on the mirror)")
    return read_database(decode_json(open_blob(blob, record), manifest_url), stacks)


def _v2_from_url(
    index_url: str, timeout: float, status: Optional[Status], notes: list[str]
) -> bytes:
    try:
        expected = fetch(index_url + ".hash", timeout).decode("ascii", "replace").strip()
    except FetchError:
        expected = ""
    if expected and len(expected) == 64:
        cached = _cached(expected)
        if cached is not None:
            notes.append("index read from the download cache (unchanged on the mirror)")
            return cached
    data = fetch(index_url, timeout, status)
    if expected and len(expected) == 64:
        if sha256(data) != expected:
            raise FetchError(f"{index_url} does not match its index.json.hash")
        _store(expected, data)
    return data


# -- local ------------------------------------------------------------------------------------


def _local_tag(path: str) -> str:
    """A mirror's name: its folder (the folder holding build_cache/ or v3/)."""
    parts = Path(os.path.abspath(path)).parts
    for marker in ("build_cache", "v3"):
        if marker in parts:
            index = len(parts) - 1 - parts[::-1].index(marker)
            if index > 0:
                return parts[index - 1]
    return Path(os.path.abspath(path)).parent.name or "index"


def load_local(path: str) -> Loaded:
    """An index file, a v3 manifest, a spec file, or a mirror folder."""
    if os.path.isdir(path):
        index = mirror_index(path)
        if index is None:
            raise IndexError_("not a Spack mirror: no build_cache/index.json or v3 index manifest")
        loaded = load_local(index)
        loaded.tag = os.path.basename(os.path.abspath(path).rstrip("/")) or loaded.tag
        return loaded
    with open(path, "rb") as handle:
        raw = handle.read()
    tag = _local_tag(path)
    document = decode_json(raw, os.path.basename(path))
    if (
        isinstance(document, dict)
        and "data" in document
        and "version" in document
        and "database" not in document
    ):
        record = index_blob_record(document)
        root = path
        for _ in INDEX_MANIFEST:
            root = os.path.dirname(root)
        blob_file = os.path.join(root, *blob_path(record))
        try:
            with open(blob_file, "rb") as handle:
                blob = handle.read()
        except OSError as error:
            raise IndexError_(f"index blob {blob_file} cannot be read: {error.strerror}") from None
        return Loaded(read_database(decode_json(open_blob(blob, record), blob_file)), tag, path)
    if isinstance(document, dict) and "database" in document:
        return Loaded(read_database(document), tag, path)
    if not (isinstance(document, dict) and "spec" in document):
        raise IndexError_("not a build cache page, Spack index, index manifest or spec file")
    return Loaded(read_spec_file(document), tag, path)
