"""The cyclic garbage collector's policy for data made to last the whole process. UI-free.

Used by the two entry points (the CLI and the browser), never by the library's ``load``: a
library call leaves the process's collector as it found it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def made_to_last() -> Iterator[None]:
    """For data that lives until the process ends (a catalog and its views): pause the cyclic
    collector while it is made, then freeze everything alive. Parsing makes millions of small
    containers and no reference cycles (a test checks): the collector would only rescan the
    growing heap (~20% of the load time at 100k specs), and left to it, its next passes walk
    all of the catalog again (0.4 s at 1M specs, right at the browser's first paint)."""
    # Collect first, so no garbage is frozen: it walks only what came since the last freeze.
    # What the UI throws away while the collector is paused is frozen with the rest: ~1 MB per
    # lazy tag load, measured; bounded, as each tag loads once.
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
