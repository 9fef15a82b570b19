"""The browser's delays, in one injectable object: tests set them instead of sleeping."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Delays:
    progress_after: float = 0.5  # seconds of loading before the progress bar shows
    progress_every: float = 0.2  # between progress repaints (each takes the GIL from parsing)
    warm: float = 1.0  # after a load, before the hash index is built (it holds the GIL)
    cache_save: float = 2.0  # after a load, before its index cache is written
    search_load_pause: float = 0.6  # lazy tags: no typing this long, and a search loads tags
    size_pause: float = 0.4  # the cursor rests this long on a spec: read its spec manifest
    tag_load_pause: float = 0.25  # lazy tags: the tree cursor rests this long on a tag: load it
