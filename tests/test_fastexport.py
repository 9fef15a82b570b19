"""The fast line exports (one text per distinct value) equal the per-Spec path byte for byte."""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np
import pytest
from conftest import SEEDS, page_text, spec_entry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cachetui import fastexport, indexcache
from cachetui.export import render_lines
from cachetui.fastexport import FAST_FORMATS, fast_parts, render_fast
from cachetui.hashcol import TemplateTable
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


# Each field's odd cases: markup, escapes, bidi and line separators, empty and missing values.
ODD_TEXTS = ["[bold]x[/]", "a\x1b[31mb", "\u202eevil", "l\u2028s\x85c", "é", "t\tab", ""]


def warm_load(path):
    """With the index cache on, a load after a saved one reads the templates from the cache."""
    load([path], build=False).pending.save()
    return load([path]).catalog


def odd_fields_corpus(tmp_path):
    specs = []
    for i, text in enumerate(ODD_TEXTS * 2):
        specs.append(spec_entry(
            hash="" if i % 4 == 0 else f"{i:02d}" + "a" * 30,
            versions=[[], [text], [text, "2.0"], ["1.0"]][i % 4],
            compiler=["", "none", "gcc@=" + text, text, "gcc@11"][i % 5],
            variants=[[], ["+a", "~b"], ["k=" + text], ["+" + text, "k=v", "j=w"]][i % 4],
            os=text, platform=ODD_TEXTS[i % 3], target=ODD_TEXTS[(i + 1) % len(ODD_TEXTS)],
            stacks=[[], [text], [text, "root"]][i % 3], size=str(i) if i % 2 else "-",
            tarball=f"https://x/{text}/" + f"{i:02d}" + "a" * 30,
        ))  # fmt: skip
    pages = [("[red]pkg[/]", "t[i]g", specs[:7]), ("p\x1bq", "develop", specs[7:])]
    for n, (title, tag, some) in enumerate(pages):
        page = tmp_path / f"page{n}" / "specs.md"
        page.parent.mkdir()
        page.write_text(page_text(title, tag=tag, specs=some))
    legacy = tmp_path / "legacy" / "index.md"  # a page of spec strings: no hash, no tarball
    legacy.parent.mkdir()
    legacy.write_text(
        '---\ntitle: "old[b]"\nlayout: cache\ncategory: package\nmeta: {}\nspec_files: \n'
        ' - "old@1.0%gcc@9 +x build_system=cmake arch=linux-centos7-x86_64": spec-0.json\n'
        ' - "old@2.0": spec-1.json\n---\n'
    )
    return warm_load(tmp_path)


@pytest.mark.parametrize("fmt", FAST_FORMATS)
def test_fast_equals_slow_on_odd_fields(tmp_path, fmt):
    catalog = odd_fields_corpus(tmp_path)
    assert len(catalog) == 2 * len(ODD_TEXTS) + 2
    assert "" in [catalog.spec(i).hash for i in range(len(catalog))]
    ids = np.arange(len(catalog))
    for some in (ids, ids[::-1], ids[3:4], ids[::5], ids[-1:]):
        assert render_fast(catalog, some, fmt) == slow(catalog, some, fmt)


def ascii_tarballs_corpus(tmp_path):
    specs = [
        spec_entry(hash=f"{i:02d}" + "b" * 30, versions=[f"1.{i}"],
                   tarball=[f"https://x/v{i}/{i:02d}" + "b" * 30 + ".spack", "https://x/plain",
                            None, ""][i % 4])
        for i in range(12)
    ]  # fmt: skip
    page = tmp_path / "ascii" / "specs.md"
    page.parent.mkdir()
    page.write_text(page_text("ascii", specs=[{k: v for k, v in e.items() if v is not None}
                                              for e in specs]))  # fmt: skip
    return warm_load(tmp_path)


@pytest.mark.parametrize("fmt", FAST_FORMATS)
@pytest.mark.parametrize("make", [ascii_tarballs_corpus, odd_fields_corpus])
def test_templates_read_from_the_cache(tmp_path, monkeypatch, fmt, make):
    monkeypatch.setattr(indexcache, "CACHE_MIN_BYTES", 0)
    catalog = make(tmp_path)
    assert isinstance(catalog.tarballs.templates, TemplateTable)
    ids = np.arange(len(catalog))
    assert render_fast(catalog, ids, fmt) == slow(catalog, ids, fmt)
    few = ids[[-1, 0, 5]]  # fewer rows than values: only the values they use are formatted
    assert len(catalog.tarballs.templates) > len(few)
    assert len(catalog.column("versions").values) > len(few)
    assert render_fast(catalog, few, fmt) == slow(catalog, few, fmt)


def test_fast_parts_come_in_chunks(monkeypatch):
    catalog = load([SEEDS]).catalog
    monkeypatch.setattr(fastexport, "CHUNK", 7)
    ids = np.arange(len(catalog))
    parts = list(fast_parts(catalog, ids, "specs"))
    assert len(parts) == -(-len(catalog) // 7)
    assert "".join(parts) == slow(catalog, ids, "specs")
    assert fast_parts(catalog, ids, "yaml") is None


FIELD = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)
entries = st.fixed_dictionaries(
    {
        "hash": st.one_of(st.just(""), st.text(st.sampled_from("abc234"), min_size=32, max_size=32)),
        "compiler": st.one_of(st.just("none"), FIELD, FIELD.map(lambda s: "gcc@=" + s)),
        "os": FIELD, "platform": FIELD, "target": FIELD,
        "versions": st.lists(FIELD, max_size=2),
        "variants": st.lists(st.one_of(FIELD, FIELD.map(lambda s: "+" + s)), max_size=3),
        "stacks": st.lists(FIELD, max_size=2),
        "size": st.one_of(st.just("-"), st.integers(0, 10**12).map(str)),
    },
    optional={"tarball": FIELD},
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(FIELD, st.lists(entries, min_size=1, max_size=5)), min_size=1, max_size=3)
)
def test_fast_equals_slow_on_generated_pages(pages):
    with tempfile.TemporaryDirectory() as directory:
        for n, (title, specs) in enumerate(pages):
            page = os.path.join(directory, f"p{n}", "specs.md")
            os.mkdir(os.path.dirname(page))
            with open(page, "w", encoding="utf-8") as handle:
                handle.write(page_text(json.dumps(title)[1:-1], specs=specs))
        catalog = load([directory]).catalog
    ids = np.arange(len(catalog))
    for fmt in FAST_FORMATS:
        assert render_fast(catalog, ids, fmt) == slow(catalog, ids, fmt)
        assert render_fast(catalog, ids[::-2], fmt) == slow(catalog, ids[::-2], fmt)
