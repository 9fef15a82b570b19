"""The builder's compact columns. Tarball URLs as templates (made while parsing, or read from
the index cache still packed); hashes as text and as fixed-width bytes. Every way of combining
them (merge, subset, rollback, build, export) gives back what was read."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import page_text, spec_entry

import cachetui.indexcache as indexcache
from cachetui.builder import CatalogBuilder
from cachetui.export import render_lines
from cachetui.fastexport import render_fast
from cachetui.hashcol import Hashes
from cachetui.loader import load
from cachetui.tarballs import untemplate


@pytest.fixture(autouse=True)
def cache_small_inputs(monkeypatch):
    monkeypatch.setattr(indexcache, "CACHE_MIN_BYTES", 0)


def h(n: int, salt: str = "a") -> str:
    return (salt + "bcdefghijklmnopqrstuvwxyz234567" * 2)[:27] + f"{n:05d}".translate(
        str.maketrans("0123456789", "234567abcd")
    )


def tarballs_of(salt: str) -> list:
    """Derivable URLs, one without the hash, none, an empty one, one with a control byte."""
    return [f"https://x/{salt}/{h(0, salt)}.spack", f"https://x/{salt}/{h(1, salt)}.spack",
            "https://x/no-hash.spack", None, "", f"https://x/\x1b/{h(5, salt)}"]  # fmt: skip


def write(tmp_path, name: str, salt: str):
    tarballs = tarballs_of(salt)
    specs = []
    for i, tarball in enumerate(tarballs):
        entry = spec_entry(hash=h(i, salt))
        if tarball is not None:
            entry["tarball"] = tarball
        specs.append(entry)
    page = tmp_path / name / "specs.md"
    page.parent.mkdir()
    page.write_text(page_text(name, specs=specs))
    return page.parent, tarballs


def parsed(tmp_path, name: str, salt: str):
    folder, tarballs = write(tmp_path, name, salt)
    return load([folder], cache=False, build=False).builder, tarballs


def from_cache(tmp_path, name: str, salt: str):
    folder, tarballs = write(tmp_path, name, salt)
    load([folder], build=False).pending.save()
    builder = load([folder], build=False).builder
    assert len(builder.tarball_codes) == len(tarballs)
    return builder, tarballs


def every_tarball(builder: CatalogBuilder) -> list:
    return [builder.tarball(i) for i in range(len(builder))]


def test_a_parse_templates_tarballs_and_gives_back_what_was_read(tmp_path):
    builder, tarballs = parsed(tmp_path, "p", "a")
    codes, templates = builder.tarball_codes, builder.tarball_table.values
    hashes = builder.hashes
    assert [untemplate(templates[c], hashes[i]) for i, c in enumerate(codes)] == tarballs
    # the derivable URLs share one template: the URL with the hash cut out
    assert codes[0] == codes[1] and len(set(codes)) < len(tarballs)
    assert list(builder.build().tarballs) == tarballs


@pytest.mark.parametrize("first", ["parsed", "cached"])
@pytest.mark.parametrize("second", ["parsed", "cached"])
def test_merge_in_any_mix_gives_back_what_was_read(tmp_path, first, second):
    make = {"parsed": parsed, "cached": from_cache}
    one, a = make[first](tmp_path, "one", "a")
    two, b = make[second](tmp_path, "two", "b")
    merged = CatalogBuilder()
    merged.merge(one)
    merged.merge(two)
    assert every_tarball(merged) == a + b
    assert list(merged.build().tarballs) == a + b
    assert every_tarball(one) == a and every_tarball(two) == b  # the parts stay as they were


def mixed(tmp_path):
    """Templates read from the index cache for the first page, parsed for the second."""
    builder, a = from_cache(tmp_path, "one", "a")
    two, b = parsed(tmp_path, "two", "b")
    builder.merge(two)
    assert len(builder.tarball_codes) == len(a) + len(b)
    return builder, a, b


def test_subset_of_a_mixed_builder(tmp_path):
    builder, a, b = mixed(tmp_path)
    sources = [page.source for page in builder.pages]
    assert every_tarball(builder.subset({sources[1]})) == b
    assert every_tarball(builder.subset({sources[0]})) == a
    assert every_tarball(builder.subset(set(sources))) == a + b


def test_rollback_into_each_page(tmp_path):
    builder, a, b = mixed(tmp_path)
    builder.rollback((len(a) + 2, len(builder.pages)))
    assert every_tarball(builder) == a + b[:2]
    builder.rollback((3, len(builder.pages)))
    assert every_tarball(builder) == a[:3]


def test_fast_export_of_a_mixed_catalog_equals_the_slow_one(tmp_path):
    builder, a, b = mixed(tmp_path)
    catalog = builder.build()
    assert list(catalog.tarballs) == a + b
    ids = np.arange(len(catalog))[::-1]
    assert render_fast(catalog, ids, "tsv") == "".join(render_lines(catalog.specs(ids), "tsv"))


ODD_HASHES = ["", "short", "x" * 33, "ééé", "nul\x00inside"]


@pytest.mark.parametrize("odd", [None, *ODD_HASHES])
@pytest.mark.parametrize("first", ["parsed", "cached"])
def test_hashes_in_any_mix_come_back_as_read(tmp_path, odd, first):
    make = {"parsed": parsed, "cached": from_cache}
    one, _ = make[first](tmp_path, "one", "a")
    folder, _ = write(tmp_path, "two", "b")
    page = folder / "specs.md"
    if odd is not None:  # one hash of the second page is not a Spack hash
        page.write_text(page.read_text().replace(h(2, "b"), odd.replace("\x00", "\\u0000")))
    two = load([folder], cache=False, build=False).builder
    expected = list(one.hashes) + list(two.hashes)
    assert (odd in expected) if odd is not None else len(set(map(len, expected))) == 1
    merged = CatalogBuilder()
    merged.merge(one)
    merged.merge(two)
    hashes = merged.build().hashes
    assert list(hashes) == expected
    assert (hashes.raw == Hashes.of(expected).raw).all()
    merged.rollback((len(one), 1))  # and growing again after a build
    merged.merge(two)
    assert list(merged.build().hashes) == expected
