"""The fast line exports (one text per distinct value) equal the per-Spec path byte for byte."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEEDS, page_text, spec_entry

from cachetui.export import render_lines
from cachetui.fastexport import FAST_FORMATS, render_fast
from cachetui.loader import load

ODD_HASHES = [
    "abcdefghijklmnopqrstuvwxyz234567", "", "short", "ééé-not-ascii", "a\x1bb", "x" * 40,
    "nul\x00inside", "abcdefghijklmnopqrstuvwxyz234567",
]  # fmt: skip
ODD_TARBALLS = [
    "https://x/abcdefghijklmnopqrstuvwxyz234567.spack", None, "https://x/no-hash.spack",
    "https://x/\x1b[31m/é.spack", "", "https://x/a\x1bb/a\x1bb.spack", "t\tab", None,
]  # fmt: skip


def slow(catalog, ids, fmt: str) -> str:
    return "".join(render_lines(catalog.specs(ids), fmt))


def odd_corpus(tmp_path):
    specs = []
    for i, (hash_, tarball) in enumerate(zip(ODD_HASHES, ODD_TARBALLS)):
        entry = spec_entry(hash=hash_, size=str(i * 1000) if i % 3 else "-",
                           variants=["+a", f"b={i % 2}", "\x1b[2J"][: 1 + i % 3],
                           os="ubuntu22.04" if i % 2 else "", compiler="" if i == 3 else "gcc@=11.4.0")  # fmt: skip
        if tarball is not None:
            entry["tarball"] = tarball
        specs.append(entry)
    page = tmp_path / "odd" / "specs.md"
    page.parent.mkdir()
    page.write_text(page_text("od\x07d", specs=specs))
    return load([page.parent]).catalog


@pytest.mark.parametrize("fmt", FAST_FORMATS)
def test_fast_equals_slow_on_the_seeds(fmt):
    catalog = load([SEEDS]).catalog
    assert len(catalog) > 100
    ids = np.arange(len(catalog))
    assert render_fast(catalog, ids, fmt) == slow(catalog, ids, fmt)
    some = ids[::7][::-1]  # any order, any subset
    assert render_fast(catalog, some, fmt) == slow(catalog, some, fmt)
    assert render_fast(catalog, ids[:0], fmt) == slow(catalog, ids[:0], fmt)


@pytest.mark.parametrize("fmt", FAST_FORMATS)
def test_fast_equals_slow_on_odd_values(tmp_path, fmt):
    catalog = odd_corpus(tmp_path)
    assert len(catalog) == len(ODD_HASHES)
    assert catalog.hashes.odd  # some hashes do not fit the fixed-width column
    ids = list(range(len(catalog)))
    assert render_fast(catalog, ids, fmt) == slow(catalog, ids, fmt)


def test_odd_values_come_back_whole(tmp_path):
    catalog = odd_corpus(tmp_path)
    specs = list(catalog.specs())
    assert [s.hash for s in specs] == ODD_HASHES
    assert [s.tarball for s in specs] == ODD_TARBALLS
    assert catalog.by_hash_prefix("abcdef") == [0, 7]


def test_other_formats_have_no_fast_path():
    catalog = load([SEEDS]).catalog
    assert render_fast(catalog, [0], "json") is None
