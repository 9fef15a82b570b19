"""Where cachetui keeps its on-disk caches. UI-free.

Both live under one folder, the user's cache folder (XDG via platformdirs), or
``$CACHETUI_CACHE_DIR`` when set (the tests point it at a temporary folder).
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path
from typing import Optional

SITE_INDEX_ENV = "CACHETUI_INDEX"  # a shared, read-only site index (``siteindex``)
STALE_SECONDS = 600  # a temporary file this old was left by a writer that was killed


def cache_base() -> Path:
    override = os.environ.get("CACHETUI_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir  # only when needed: `--help` stays light

    return Path(user_cache_dir("cachetui"))


def site_index() -> Optional[Path]:
    """The site index folder in use (``$CACHETUI_INDEX``; ``--index`` sets it), if any."""
    folder = os.environ.get(SITE_INDEX_ENV)
    return Path(folder) if folder else None


def index_cache_dir() -> Path:
    """The parsed pages of input folders (``indexcache``)."""
    return cache_base() / "index"


def download_cache_dir() -> Path:
    """Mirror indexes downloaded over http(s), keyed by their checksum (``fetchers``)."""
    return cache_base() / "downloads"


def remove_stale_temporaries(folder: Path, prefix: str, older_than: float = STALE_SECONDS) -> None:
    """Remove the temporary files (``prefix``...) that writers killed half way left in
    ``folder``: those not touched for ``older_than`` seconds (a live writer's is younger)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not entry.name.startswith(prefix):
                continue
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(info.st_mode) and now - info.st_mtime > older_than:
                    os.unlink(entry.path)
