"""Where cachetui keeps its on-disk caches. UI-free.

Both live under one folder, the user's cache folder (XDG via platformdirs), or
``$CACHETUI_CACHE_DIR`` when set (the tests point it at a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_base() -> Path:
    override = os.environ.get("CACHETUI_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir  # only when needed: `--help` stays light

    return Path(user_cache_dir("cachetui"))


def index_cache_dir() -> Path:
    """The parsed pages of input folders (``indexcache``)."""
    return cache_base() / "index"


def download_cache_dir() -> Path:
    """Mirror indexes downloaded over http(s), keyed by their checksum (``fetchers``)."""
    return cache_base() / "downloads"
