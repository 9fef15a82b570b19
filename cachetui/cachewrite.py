"""Writing the index cache file (see ``indexcache``, ``cachefile``): atomic, never a pickle.
UI-free."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, Optional

import numpy as np

from . import __version__
from .builder import CatalogBuilder
from .cachedirs import remove_stale_temporaries
from .cachefile import write_columns
from .cacheread import FORMAT, SUFFIX, TEMPLATE_PARTS, TEMPORARY_PREFIX, _where
from .hashcol import Hashes, TemplateTable
from .model import Problem
from .schema import CODED


def _dependency_lists(deps: list[tuple]) -> list:
    return [[i, [[d.name, d.version, d.hash, list(d.deptypes)] for d in entry]]
            for i, entry in enumerate(deps) if entry]  # fmt: skip


def write(target: Path, root: str, files: dict[str, tuple[int, int, str]], problems: list[Problem],
          builder: CatalogBuilder) -> None:  # fmt: skip
    """Write the cache atomically (a temporary file renamed into place)."""
    arrays = {f"codes_{name}": _numbers(builder.codes[name], "<i4") for name in CODED}
    arrays["sizes"] = _numbers(builder.sizes, "<i8")
    doc = {
        "format": FORMAT,
        "cachetui": __version__,
        "root": _where(root),
        "files": [[p, size, mtime, kind] for p, (size, mtime, kind) in files.items()],
        "problems": [problem.to_dict() for problem in problems],
        "tables": {
            name: [list(v) if isinstance(v, tuple) else v for v in builder.tables[name].values]
            for name in CODED
        },  # fmt: skip
        "specs": len(builder.hashes),
        "deps": _dependency_lists(builder.deps),
        "pages": [
            [p.package, p.tag, p.source, p.era, p.start, p.count, p.specs_by_stack]
            for p in builder.pages
        ],  # fmt: skip
    }
    hashes = Hashes.of(builder.hashes)
    if hashes.odd:  # bad data kept as given: as text
        _put_texts(arrays, doc, "hashes", hashes.tolist(), empty="")
    else:
        arrays["hashes_s32"] = hashes.raw
        doc["hashes"] = None
    arrays["tarball_codes"] = _numbers(builder.tarball_codes, "<i4")
    templates = TemplateTable.pack(builder.tarball_table.values)
    for part in TEMPLATE_PARTS:
        arrays[f"tarball_{part}"] = getattr(templates, part)
    # One JSON line per page's meta, decoded when a page is first looked at.
    _put_texts(arrays, doc, "metas", [page.meta_json() for page in builder.pages], empty="")
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent, TEMPORARY_PREFIX)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY_PREFIX, suffix=SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            write_columns(out, doc, arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _numbers(column: Any, dtype: str) -> np.ndarray:
    """A builder's column (an ``array``, or the mapped column it was read as) as ``dtype``."""
    return np.asarray(np.frombuffer(column, dtype=dtype) if not isinstance(column, np.ndarray)
                      else column, dtype=dtype)  # fmt: skip


def _put_texts(arrays: dict, doc: dict, name: str, texts: list[Any], empty: Optional[str]) -> None:
    """Texts as one line-separated UTF-8 array, read back with a split: ~4x faster than a JSON
    list of 1M strings. An empty line stands for ``empty`` ("" or None). A list with a value
    that would not survive the trip (the other kind of empty, or a line break inside a text:
    bad data kept as given) goes to the JSON instead."""
    doc[name] = texts
    if (None if empty == "" else "") in texts:
        return
    joined = "\n".join(texts) if empty == "" else "\n".join([text or "" for text in texts])
    if joined.count("\n") == max(len(texts) - 1, 0):
        arrays[name] = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
        doc[name] = None
