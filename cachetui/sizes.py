"""Download sizes from layout v3 spec manifests, one manifest at a time. UI-free.

A layout v3 mirror keeps, per binary, ``v3/manifests/spec/<name>/<name>-<version>-<hash>
.spec.manifest.json`` (``url_buildcache.URLBuildcacheEntry.get_manifest_url``): a JSON document
``{"version": 3, "data": [blob records]}``, maybe PGP clear-signed, whose records carry
``contentLength``, ``mediaType``, ``compression``, ``checksumAlgorithm`` and ``checksum``. The
tarball is the record of media type ``application/vnd.spack.install.v<N>.tar+gzip``; its
``contentLength`` is what ``spack install`` downloads for that spec. Indexes do not carry it, so
a size costs one small request: they are fetched only when asked for (the spec under the cursor,
a selection, ``check --sizes``), never at start, and kept in the download cache.

Everything in a manifest is untrusted: it is read up to ``MANIFEST_LIMIT`` bytes, must be the
JSON above, and the length must be a plain non-negative integer below ``MAX_SIZE``. The path is
built from the spec's name, version and hash, each checked to be one safe path component, and a
local manifest must resolve inside the mirror folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Optional

from .cancel import CancelCheck, Cancelled, never
from .errors import IndexError_
from .fetchers import _cached, _inside, _store, fetch, is_url, read_regular
from .limits import DEFAULT_TIMEOUT
from .spackdb import decode_json, sha256, strip_clearsign

SPEC_MANIFESTS = ("v3", "manifests", "spec")
MANIFEST_SUFFIX = ".spec.manifest.json"
MANIFEST_LIMIT = 256 * 1024  # a real spec manifest is ~0.7 kB, ~2 kB clear-signed
MAX_SIZE = 1 << 50  # a petabyte: a larger "contentLength" is nonsense
MAX_FETCHES = 2000  # one request of sizes asks at most this many manifests
PARALLEL = 8  # manifests fetched at once over http (each is one round trip)
MANIFEST_DEADLINE = 30.0
TARBALL_MEDIA = re.compile(r"application/vnd\.spack\.install\.v[0-9]{1,4}\.tar\+gzip")
_HASH = re.compile(r"[a-z0-9]{32}")  # url_buildcache.SPEC_HASH_RE
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,127}")
_VERSION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+=-]{0,199}")
_CACHE_KEY = "cachetui spec manifest\0"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Size:
    """One spec's download: ``size`` in bytes, or ``error`` saying why it is not known."""

    hash: str
    size: Optional[int] = None
    error: Optional[str] = None


@dataclass
class Total:
    """The download of several specs: the sum of those known, and what could not be had."""

    bytes: int = 0
    known: int = 0
    failed: list[Size] = field(default_factory=list)
    skipped: int = 0  # over ``MAX_FETCHES``: not asked

    @property
    def count(self) -> int:
        return self.known + len(self.failed) + self.skipped


def manifest_parts(name: str, version: str, full_hash: str) -> tuple[str, ...]:
    """The spec manifest's path under the mirror root, each part checked to be one safe path
    component (``IndexError_`` when a name, version or hash is not one Spack would write)."""
    if not _HASH.fullmatch(full_hash or ""):
        raise IndexError_(f"not a Spack hash: {full_hash[:40]!r}")
    if not _NAME.fullmatch(name or ""):
        raise IndexError_(f"not a package name that names a manifest: {name[:60]!r}")
    # Spack's format_path turns a path separator inside a value into "_".
    version = (version or "").replace("/", "_").replace("\\", "_")
    if not _VERSION.fullmatch(version) or ".." in version:
        raise IndexError_(f"not a version that names a manifest: {version[:60]!r}")
    return (*SPEC_MANIFESTS, name, f"{name}-{version}-{full_hash}{MANIFEST_SUFFIX}")


def tarball_size(raw: bytes, what: str) -> int:
    """The tarball's ``contentLength`` in a spec manifest's bytes (clear-signed or not)."""
    text = raw.decode("utf-8", "replace")
    body = strip_clearsign(text).encode("utf-8")
    document = decode_json(body, what, MANIFEST_LIMIT)
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise IndexError_(f"{what}: not a spec manifest (no data list)")
    if document.get("version") != 3:
        raise IndexError_(f"{what}: not a layout v3 manifest (version {document.get('version')!r})")
    for record in document["data"]:
        if not isinstance(record, dict):
            continue
        media = record.get("mediaType")
        if not (isinstance(media, str) and TARBALL_MEDIA.fullmatch(media)):
            continue
        length = record.get("contentLength")
        if type(length) is not int or not 0 <= length < MAX_SIZE:
            raise IndexError_(f"{what}: the tarball's contentLength is not a size: {length!r:.40}")
        return length
    raise IndexError_(f"{what}: the manifest lists no tarball")


class SizeReader:
    """Reads spec manifests from mirror roots (folders or http(s) URLs), remembering each answer
    for the life of the reader; downloaded manifests are kept in the download cache."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, use_cache: bool = True,
                 deadline: float = MANIFEST_DEADLINE) -> None:  # fmt: skip
        self.timeout = timeout
        self.use_cache = use_cache
        self.deadline = deadline
        self._known: dict[tuple[str, str], Size] = {}

    def known(self, root: str, full_hash: str) -> Optional[Size]:
        """The answer already had for this spec, without asking the mirror."""
        return self._known.get((root, full_hash))

    def size(self, root: str, name: str, version: str, full_hash: str) -> Size:
        """The download size of one spec of the mirror at ``root``; never raises for bad input."""
        key = (root, full_hash)
        if key not in self._known:
            try:
                self._known[key] = Size(full_hash, self._read(root, name, version, full_hash))
            except (IndexError_, OSError) as error:
                reason = getattr(error, "reason", None) or getattr(error, "strerror", None)
                self._known[key] = Size(full_hash, error=str(reason or error))
        return self._known[key]

    def _read(self, root: str, name: str, version: str, full_hash: str) -> int:
        parts = manifest_parts(name, version, full_hash)
        if is_url(root):
            where = root.rstrip("/") + "/" + "/".join(parts)
            key = sha256((_CACHE_KEY + where).encode("utf-8"))
            raw = _cached(key, MANIFEST_LIMIT) if self.use_cache else None
            if raw is not None:
                try:
                    return tarball_size(raw, where)
                except IndexError_:
                    pass  # a damaged cache entry: fetch it again
            raw = fetch(where, self.timeout, None, MANIFEST_LIMIT, self.deadline,
                        "spec manifest")  # fmt: skip
            size = tarball_size(raw, where)  # checked before it is cached
            if self.use_cache:
                _store(key, raw)
            return size
        where = os.path.join(root, *parts)
        if not os.path.lexists(where):
            raise IndexError_(f"no spec manifest {where} (sizes need a layout v3 mirror)")
        inside = _inside(root, where, "spec manifest")
        return tarball_size(read_regular(inside, MANIFEST_LIMIT, "spec manifest"), where)

    def total(self, wanted: Sequence[tuple[str, str, str, str]], progress: Optional[Progress] = None,
              cancelled: CancelCheck = never) -> Total:  # fmt: skip
        """The sum over ``(root, name, version, hash)`` items, each hash counted once, at most
        ``MAX_FETCHES`` asked (the rest counted in ``skipped``); ``Cancelled`` when told."""
        unique: dict[str, tuple[str, str, str, str]] = {}
        for item in wanted:
            unique.setdefault(item[3], item)
        items = list(unique.values())
        asked, skipped = items[:MAX_FETCHES], max(0, len(items) - MAX_FETCHES)
        total = Total(skipped=skipped)
        done = 0

        def add(result: Size) -> None:
            nonlocal done
            done += 1
            if result.size is None:
                total.failed.append(result)
            else:
                total.bytes += result.size
                total.known += 1
            if progress is not None:
                progress(done, len(asked))

        cached = [i for i in asked if self.known(i[0], i[3]) is not None]
        for item in cached:
            add(self.known(item[0], item[3]))  # type: ignore[arg-type]
        rest = [i for i in asked if self.known(i[0], i[3]) is None]
        if rest:
            with ThreadPoolExecutor(max_workers=min(PARALLEL, len(rest))) as pool:
                futures = [pool.submit(self.size, *item) for item in rest]
                try:
                    for future in futures:
                        if cancelled():
                            raise Cancelled
                        add(future.result())
                finally:
                    for future in futures:
                        future.cancel()
        return total


def human(size: Optional[int]) -> str:
    """``12.3 MB`` (decimal units, as ``--max-download-mb``), ``-`` when unknown."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{size:,} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size:,} B"  # pragma: no cover


def total_line(total: Total) -> str:
    """One line: ``123.4 MB for 12 specs``, plus what is not known."""
    line = f"{human(total.bytes)} for {total.known} spec{'s' if total.known != 1 else ''}"
    if total.failed:
        line += f"; {len(total.failed)} unknown"
    if total.skipped:
        line += f"; {total.skipped} not asked (over {MAX_FETCHES})"
    return line


def first_reasons(total: Total, limit: int = 3) -> Iterable[str]:
    """The reasons of the first few failures, each once."""
    return list(dict.fromkeys(f.error or "unknown" for f in total.failed))[:limit]


__all__ = ["MANIFEST_LIMIT", "MAX_FETCHES", "Size", "SizeReader", "Total", "human",
           "manifest_parts", "tarball_size", "total_line"]  # fmt: skip
