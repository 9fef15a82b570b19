"""Build cache views: named indexes of a subset of a layout v3 mirror. UI-free.

Besides its whole index (``v3/manifests/index/index.manifest.json``), a layout v3 mirror may
keep views (Spack PR #51213): ``v3/manifests/index/<view>/index.manifest.json``
(``url_buildcache.URLBuildcacheEntry.get_index_url(mirror, view)``), each an index manifest of
the same shape naming its own blob. Spack finds them by listing that folder; a folder lists on
this machine, and over http(s) only when the server gives a directory listing (an HTML page of
links), so a view can always be named with ``--view``.

A view name comes from a listing or the command line: only one plain path component is used.
"""

from __future__ import annotations

import html
import os
import re
import urllib.parse
from typing import Optional

from .errors import FetchError, IndexError_
from .fetchers import fetch, is_url
from .limits import DEFAULT_TIMEOUT

INDEX_FOLDER = ("v3", "manifests", "index")
INDEX_FILE = "index.manifest.json"
MAX_VIEWS = 1000
LISTING_LIMIT = 4 * 1024 * 1024  # an HTML listing of a thousand views is ~100 kB
LISTING_DEADLINE = 30.0
_VIEW = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}")
_HREF = re.compile(r"""href\s*=\s*["']([^"'<>]{1,1000})["']""", re.IGNORECASE)


def is_view_name(name: str) -> bool:
    return bool(_VIEW.fullmatch(name)) and name not in (".", "..")


def check_view_name(name: str) -> str:
    if not is_view_name(name):
        raise IndexError_(f"not a view name (letters, digits, . _ + -): {name[:60]!r}")
    return name


def view_index(root: str, view: str) -> str:
    """Where a view's index manifest is, under a mirror root (a folder or a URL)."""
    parts = (*INDEX_FOLDER, check_view_name(view), INDEX_FILE)
    if is_url(root):
        return root.rstrip("/") + "/" + "/".join(parts)
    return os.path.join(root, *parts)


def view_of(source: str) -> Optional[tuple[str, str]]:
    """``(mirror root, view)`` when ``source`` is a view's index manifest, else None."""
    separator = "/" if is_url(source) else os.sep
    parts = source.rstrip(separator).split(separator)
    if len(parts) < 6 or parts[-1] != INDEX_FILE or tuple(parts[-5:-2]) != INDEX_FOLDER:
        return None
    if not is_view_name(parts[-2]):
        return None
    root = separator.join(parts[:-5])
    return (root or separator), parts[-2]


def is_mirror_root(path: str) -> bool:
    """A URL that is not itself a file, or a folder holding a layout v3 index folder (what
    ``--view`` applies to)."""
    if is_url(path):
        return not urllib.parse.urlsplit(path).path.endswith((".json", ".sig"))
    return os.path.isdir(os.path.join(path, *INDEX_FOLDER))


def list_views(root: str, timeout: float = DEFAULT_TIMEOUT) -> list[str]:
    """The views of the mirror at ``root``, sorted; ``IndexError_`` with a plain reason when
    they cannot be listed (a URL whose server gives no listing, a folder that is not there)."""
    if is_url(root):
        return _listed_over_http(root, timeout)
    folder = os.path.join(root, *INDEX_FOLDER)
    if not os.path.isdir(folder):
        raise IndexError_(f"not a layout v3 mirror: no folder {folder}")
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if len(found) >= MAX_VIEWS:
                    break
                if (is_view_name(entry.name) and entry.is_dir(follow_symlinks=False)
                        and os.path.isfile(os.path.join(entry.path, INDEX_FILE))):  # fmt: skip
                    found.append(entry.name)
    except OSError as error:
        raise IndexError_(f"cannot list {folder}: {error.strerror}") from None
    return sorted(found)


def _listed_over_http(root: str, timeout: float) -> list[str]:
    folder = root.rstrip("/") + "/" + "/".join(INDEX_FOLDER) + "/"
    try:
        raw = fetch(folder, timeout, None, LISTING_LIMIT, LISTING_DEADLINE, "view listing")
    except FetchError as error:
        raise IndexError_(
            f"cannot list the views of {root} ({error.reason}); name one with --view"
        ) from None
    base = urllib.parse.urlsplit(folder).path
    found: set[str] = set()
    for link in _HREF.findall(raw.decode("utf-8", "replace")):
        path = urllib.parse.urlsplit(html.unescape(link)).path
        if not path.endswith("/"):  # a file (the whole index's manifest), not a view's folder
            continue
        if path.startswith("/"):
            if not path.startswith(base):
                continue
            path = path[len(base) :]
        name = urllib.parse.unquote(path.rstrip("/"))
        if "/" not in name and is_view_name(name):
            found.add(name)
        if len(found) >= MAX_VIEWS:
            break
    return sorted(found)


__all__ = ["is_mirror_root", "is_view_name", "list_views", "view_index", "view_of"]
