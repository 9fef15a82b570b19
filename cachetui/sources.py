"""The one mirror reader: a Spack index, index manifest, spec file or mirror, in a folder or at
an http(s) URL. UI-free.

A mirror root is read as layout v3 (``v3/manifests/index/index.manifest.json`` naming a blob by
sha256), then layout v2 (``build_cache/index.json``). A file is read by what it holds. Where the
bytes come from is the fetcher's job (``fetchers``), what they mean is ``spackdb``'s.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from .errors import IndexError_, Missing
from .fetchers import (
    DEFAULT_DOWNLOAD_DEADLINE,
    DEFAULT_MAX_DOWNLOAD_MB,
    DEFAULT_TIMEOUT,
    HttpFetcher,
    LocalFetcher,
    Status,
    is_url,
)
from .limits import MB
from .mirrorviews import view_of
from .spackdb import (
    IndexData,
    decode_json,
    index_blob_record,
    read_database,
    read_spec_file,
)

INDEX_MANIFEST = ("v3", "manifests", "index", "index.manifest.json")
V2_INDEX = ("build_cache", "index.json")
Fetcher = Union[LocalFetcher, HttpFetcher]

__all__ = ["DEFAULT_TIMEOUT", "Loaded", "Status", "is_url", "looks_like_index_file",
           "mirror_index", "read_source"]  # fmt: skip


@dataclass
class Loaded:
    data: IndexData
    tag: str
    source: str
    notes: list[str] = field(default_factory=list)


def mirror_index(directory: str) -> Optional[str]:
    """The index file of a mirror folder (v3 manifest first), or None if it is not a mirror."""
    for parts in _layouts(directory):
        candidate = os.path.join(directory, *parts)
        if os.path.isfile(candidate):
            return candidate
    return None


def _layouts(root: str) -> list[tuple[str, ...]]:
    """Where a mirror root keeps its index, in the order they are tried: v3, then v2 (a
    ``build_cache`` folder given itself holds the v2 index directly)."""
    layouts = [INDEX_MANIFEST, V2_INDEX]
    if os.path.basename(root.rstrip("/")) == "build_cache":
        layouts.append(("index.json",))
    return layouts


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


def read_source(
    path: str,
    timeout: float = DEFAULT_TIMEOUT,
    status: Optional[Status] = None,
    max_bytes: int = int(DEFAULT_MAX_DOWNLOAD_MB * MB),
    max_download: int = int(DEFAULT_MAX_DOWNLOAD_MB * MB),
    deadline: float = DEFAULT_DOWNLOAD_DEADLINE,
    use_cache: bool = True,
) -> Loaded:
    """An index file, a v3 manifest, a spec file, or a mirror root: a folder or a URL. A local
    file is read up to ``max_bytes``, a download up to ``max_download`` bytes and ``deadline``
    seconds; a gzip-compressed index inflates to no more than the same limit. Without
    ``use_cache`` the download cache is neither read nor written."""
    notes: list[str] = []
    view = view_of(path)
    if is_url(path):
        fetcher: Fetcher = HttpFetcher(timeout, status, max_download, deadline, use_cache)
        tag, stacks = _url_tag(path)
        is_root = not path.endswith((".json", ".sig"))
    else:
        fetcher = LocalFetcher(max_bytes)
        is_root = os.path.isdir(path)
        stacks = ()
        tag = (os.path.basename(os.path.abspath(path).rstrip("/")) or _local_tag(path)
               if is_root else _local_tag(path))  # fmt: skip
    if view is not None:  # a view of a mirror: the mirror's tag, the view as a stack
        tag, stacks = _url_tag(view[0]) if is_url(path) else (_local_tag(path), ())
        stacks = (*stacks, view[1])
    data = _read_root(path, fetcher, stacks, notes) if is_root else None
    if data is None:
        data = _read_file(path, fetcher, stacks, notes)
    return Loaded(data, tag, path, notes)


def _read_root(root: str, fetcher: Fetcher, stacks: tuple[str, ...],
               notes: list[str]) -> IndexData:  # fmt: skip
    """Layout v3, then v2; an error other than a missing file is the answer."""
    missing: Optional[Missing] = None
    for parts in _layouts(root):
        where = fetcher.join(root, *parts)
        try:
            if parts == INDEX_MANIFEST:
                return _read_v3(fetcher.read(where), root, fetcher, stacks, notes)
            return _read_document(fetcher.read_index(where, notes), where, fetcher, stacks, notes)
        except Missing as error:
            missing = missing if isinstance(fetcher, LocalFetcher) else error
    if isinstance(fetcher, LocalFetcher) or missing is None:
        raise IndexError_("not a Spack mirror: no build_cache/index.json or v3 index manifest")
    raise missing


def _read_file(where: str, fetcher: Fetcher, stacks: tuple[str, ...],
               notes: list[str]) -> IndexData:  # fmt: skip
    # A v2 index over http is checked against its index.json.hash (and cached): any .json URL
    # but a manifest, whose blob is what gets cached.
    raw = (fetcher.read(where) if where.endswith("index.manifest.json")
           else fetcher.read_index(where, notes))  # fmt: skip
    return _read_document(raw, where, fetcher, stacks, notes)


def _read_document(raw: bytes, where: str, fetcher: Fetcher, stacks: tuple[str, ...],
                   notes: list[str]) -> IndexData:  # fmt: skip
    """A file by what it holds: a v3 manifest, a Spack database, or a spec file."""
    document = decode_json(raw, fetcher.name(where), fetcher.max_bytes)
    if _is_manifest(document):
        view = view_of(where)
        root = view[0] if view else fetcher.root_of(where, len(INDEX_MANIFEST))
        return _read_manifest(document, root, fetcher, stacks, notes)
    if isinstance(document, dict) and "database" in document:
        return read_database(document, stacks)
    if not (isinstance(document, dict) and "spec" in document):
        raise IndexError_("not a build cache page, Spack index, index manifest or spec file")
    return read_spec_file(document)


def _read_v3(raw: bytes, root: str, fetcher: Fetcher, stacks: tuple[str, ...],
             notes: list[str]) -> IndexData:  # fmt: skip
    where = fetcher.join(root, *INDEX_MANIFEST)
    manifest = decode_json(raw, fetcher.name(where), fetcher.max_bytes)
    return _read_manifest(manifest, root, fetcher, stacks, notes)


def _read_manifest(manifest: Any, root: str, fetcher: Fetcher, stacks: tuple[str, ...],
                   notes: list[str]) -> IndexData:  # fmt: skip
    record = index_blob_record(manifest)
    blob, where = fetcher.read_blob(root, record, notes)
    return read_database(decode_json(blob, fetcher.name(where), fetcher.max_bytes), stacks)


def _is_manifest(document: Any) -> bool:
    return (isinstance(document, dict) and "data" in document and "version" in document
            and "database" not in document)  # fmt: skip


# -- tags -------------------------------------------------------------------------------------


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


def _local_tag(path: str) -> str:
    """A mirror's name: its folder (the folder holding build_cache/ or v3/)."""
    parts = Path(os.path.abspath(path)).parts
    for marker in ("build_cache", "v3"):
        if marker in parts:
            index = len(parts) - 1 - parts[::-1].index(marker)
            if index > 0:
                return parts[index - 1]
    return Path(os.path.abspath(path)).parent.name or "index"
