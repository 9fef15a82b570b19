"""The fast path for canonical pages gives exactly what the full path gives, or steps aside."""

from __future__ import annotations

import json
import shutil
import string

import pytest
from conftest import CORPUS, DATA, SEEDS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cachetui.fastpage as fastpage
import cachetui.indexcache as indexcache
from cachetui.fastpage import canonical_page
from cachetui.jsontext import DECODER
from cachetui.loader import load
from cachetui.model import meta_disagreements
from cachetui.pages import PageError, parse_page


def catalog_facts(result) -> dict:
    """Everything a load gives, as plain values."""
    catalog = result.catalog
    return {
        "specs": [spec.to_dict() for spec in catalog.specs()],
        "pages": [
            (
                p.package,
                p.tag,
                p.source,
                p.era,
                p.start,
                p.count,
                list(p.specs_by_stack.items()),
                p.meta,
            )
            for p in catalog.pages
        ],  # fmt: skip
        "problems": [(p.path, p.reason, p.line, p.level, p.details) for p in result.problems],
        "counts": (result.files_read, result.pages, result.not_pages),
    }


def load_both(monkeypatch, paths) -> tuple[dict, dict, int]:
    """The facts of a load with the fast path and without it, and how many pages took it."""
    taken = []

    def counted(text: str):
        page = canonical_page(text)
        taken.append(page is not None)
        return page

    monkeypatch.setattr(fastpage, "canonical_page", counted)
    fast = catalog_facts(load(paths, cache=False))
    monkeypatch.setattr(fastpage, "canonical_page", lambda text: None)
    slow = catalog_facts(load(paths, cache=False))
    return fast, slow, sum(taken)


@pytest.mark.parametrize("paths", [[SEEDS], [CORPUS], [DATA]], ids=["seeds", "corpus-real", "data"])
def test_fast_and_full_paths_load_the_same_catalog(monkeypatch, paths):
    fast, slow, taken = load_both(monkeypatch, paths)
    assert fast == slow
    assert taken >= 4  # the seeds' four pages and the real era A and B pages are canonical


def test_a_warm_load_after_the_fast_path_gives_the_metas_of_the_full_path(monkeypatch, tmp_path):
    monkeypatch.setattr(indexcache, "CACHE_MIN_BYTES", 0)
    pages = tmp_path / "seeds"
    shutil.copytree(SEEDS, pages)
    load([pages]).pending.save()  # the fast path: metas kept as the pages' text
    warm = load([pages])
    assert warm.cache_notes[0].startswith("index cache: 4 files unchanged")
    monkeypatch.setattr(fastpage, "canonical_page", lambda text: None)
    full = load([pages], cache=False)
    assert [p.meta for p in warm.catalog.pages] == [p.meta for p in full.catalog.pages]
    assert all(p.meta.get("num_specs") for p in full.catalog.pages)


def test_the_bad_corpus_loads_the_same_either_way(monkeypatch, tmp_path):
    """Pages that are nearly canonical: each steps aside (the full path says what is wrong, or
    reads what the fast path does not take), but for a value with an escape, which is data."""
    good = json.loads(
        '{"hash": "abcdefghijklmnopqrstuvwxyz234567", "compiler": "gcc@=11.4.0", "os": "rhel8",'
        ' "platform": "linux", "target": "x86_64", "versions": ["1.0"], "variants": ["+mpi"],'
        ' "stacks": ["e4s", "root"], "size": "-"}'
    )
    variants = {
        "hash-upper": dict(good, hash="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "hash-short": dict(good, hash="abc"),
        "size-number": dict(good, size=12345),
        "extra-key": dict(good, extra=1),
        "missing-os": {k: v for k, v in good.items() if k != "os"},
        "os-number": dict(good, os=8),
        "variants-text": dict(good, variants="+mpi"),
        "tarball-list": dict(good, tarball=["x"]),
        "control": dict(good, target="x86\x1b[31m"),
    }
    for name, entry in variants.items():
        page = tmp_path / name / "specs.md"
        page.parent.mkdir()
        meta = {"num_specs": 1, "num_specs_by_stack": {"e4s": 1, "root": 1}}
        page.write_text(
            f'---\ntitle: "{name}"\nlayout: cache\ncategories: [package, {name}]\n'
            f"meta: {json.dumps(meta)}\nspec_details: {json.dumps([entry])}\n---\n"
        )
    fast, slow, taken = load_both(monkeypatch, [tmp_path])
    assert fast == slow
    assert taken == 1  # "control": an escaped control character is a value like any other
    warned = {p[0].split("/")[-2] for p in slow["problems"]}
    assert warned == set(variants) - {"size-number", "extra-key", "control"}


# -- generated pages --------------------------------------------------------------------------

B32 = string.ascii_lowercase + "234567"
# Text with what JSON escapes, quotes, control characters, non-ASCII and surrogate pairs.
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=8) | st.sampled_from(
    ["", " ", '"', "\\", "\x1b[31m", "é", "\U0001f600", "-", "package", "true", "1.0", "a b"]
)  # fmt: skip
NUMBER = st.integers(-(2**70), 2**70) | st.sampled_from([10**150, -(2**63), 2**63 - 1, 2**63])
SCALAR = (
    NUMBER | TEXT | st.booleans() | st.none() | st.floats(allow_nan=False, allow_infinity=False)
)
ANY = SCALAR | st.lists(SCALAR, max_size=2) | st.dictionaries(TEXT, SCALAR, max_size=2)
TAGS = ["develop", "v0.22.1", "develop-2025-07-13", "_x.y"]
ODD_TAGS = ["package", "1x", "a b", "é", "true", ""]
ODD_HASHES = ["", "short", "A" * 32, "a" * 33, "é" * 32, "a" * 31 + "1"]


@st.composite
def canonical_like(draw) -> str:
    """A page as the site writes it, with values of every kind of text, and now and then up to
    three things wrong (a value of another type, a key missing or added, an odd hash or tag)."""
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        entry = {
            "hash": draw(st.text(st.sampled_from(B32), min_size=32, max_size=32)),
            "compiler": draw(TEXT), "os": draw(TEXT), "platform": draw(TEXT), "target": draw(TEXT),
            "versions": draw(st.lists(TEXT, max_size=3)),
            "variants": draw(st.lists(TEXT, max_size=3)),
            "stacks": draw(st.lists(TEXT, max_size=3)),
        }  # fmt: skip
        for key, choices in (("size", ["-", None]), ("tarball", [None, "https://x/y.spack"])):
            if draw(st.booleans()):
                entry[key] = draw(st.sampled_from(choices) | TEXT)
        entries.append(entry)
    by_stack: dict = {}
    for entry in entries:
        for stack in entry["stacks"]:
            by_stack[stack] = by_stack.get(stack, 0) + 1
    meta = {"num_specs": len(entries), "num_specs_by_stack": by_stack, "stacks": sorted(by_stack)}
    title, tag = draw(TEXT.filter(str.strip) | st.just("pkg")), draw(st.sampled_from(TAGS))
    for _ in range(draw(st.integers(0, 3))):  # things wrong
        what = draw(st.sampled_from(["entry", "meta", "hash", "tag", "title"]))
        if what == "entry" and entries:
            entry = draw(st.sampled_from(entries))
            key = draw(st.sampled_from([*entry, "size", "tarball", "extra"]))
            if draw(st.booleans()):
                entry.pop(key, None)
            else:
                entry[key] = draw(ANY)
        elif what == "meta":
            key = draw(st.sampled_from([*meta, "versions", "other"]))
            if draw(st.booleans()):
                meta.pop(key, None)
            else:
                meta[key] = draw(ANY | NUMBER)
        elif what == "hash" and entries:
            draw(st.sampled_from(entries))["hash"] = draw(st.sampled_from(ODD_HASHES))
        elif what == "tag":
            tag = draw(st.sampled_from(ODD_TAGS))
        elif what == "title":
            title = draw(st.sampled_from(["", " ", '"', "\\", 'a"b', "x\\y"]) | SCALAR)
    return make_page(title, tag, meta, entries, draw(st.booleans()))


def make_page(title, tag: str, meta, entries: list, ascii_only: bool = True) -> str:
    return (
        f"---\ntitle: {json.dumps(title, ensure_ascii=ascii_only)}\nlayout: cache\n"
        f"categories: [package, {tag}]\n"
        f"meta: {json.dumps(meta, ensure_ascii=ascii_only)}\n"
        f"spec_details: {json.dumps(entries, ensure_ascii=ascii_only)}\n---\n"
    )


ENTRY = {"hash": "a" * 32, "compiler": "gcc@=13", "os": "rhel8", "platform": "linux",
         "target": "zen3", "versions": ["1"], "variants": [], "stacks": ["root"]}  # fmt: skip
# Where the two paths could part: each the fast path must leave to the full one, or read alike.
EDGES = {
    # a count the full path keeps as text
    "huge-count": make_page("pkg", "develop", {"num_specs": 10**150}, [ENTRY]),
    "count-over-int64": make_page("pkg", "develop", {"num_specs": 2**63}, [ENTRY]),
    "count-true": make_page("pkg", "develop", {"num_specs": True}, [ENTRY]),
    "huge-stack-count": make_page(
        "pkg", "develop", {"num_specs_by_stack": {"root": 10**150}}, [ENTRY]
    ),
    "no-tag": make_page("pkg", "package", {}, [ENTRY]),
    "title-quote": make_page('a"b', "develop", {}, [ENTRY]),
    "title-backslash": make_page("x\\y", "develop", {}, [ENTRY]),
    "title-blank": make_page(" ", "develop", {}, [ENTRY]),
    "meta-deep": make_page("pkg", "develop", {"deep": [[[[1]]]]}, [ENTRY]),
    "extra-key": make_page("pkg", "develop", {}, [dict(ENTRY, extra=1)]),
    "size-number": make_page("pkg", "develop", {}, [dict(ENTRY, size=5)]),
    "hash-digit-1": make_page("pkg", "develop", {}, [dict(ENTRY, hash="a" * 31 + "1")]),
    "tarball-empty": make_page("pkg", "develop", {}, [dict(ENTRY, tarball="")]),  # era B
    "escaped-controls": make_page("pkg", "develop", {}, [dict(ENTRY, os="\x1b[2J\u202e")]),
    "surrogate-pair": make_page(
        "pkg", "develop", {}, [dict(ENTRY, os="\U0001f600")], ascii_only=True
    ),
    "no-specs": make_page("pkg", "develop", {}, []),
}


def same_as_full_path(text: str) -> bool:
    """Whether the fast path took ``text``; when it did, it gave what the full path gives."""
    fast = canonical_page(text)
    if fast is None:
        return False
    full = parse_page(text, "x/specs.md")
    assert (fast.title, fast.tag, fast.era, fast.specs) == (
        full.title,
        full.tag,
        full.era,
        full.specs,
    )
    assert full.warnings == [] and fast.warnings == [] and not full.elsewhere
    assert DECODER.decode(fast.meta_text) == full.meta  # the meta, as it will be decoded
    by_stack: dict[str, int] = {}
    for row in full.specs:
        for stack in row[7]:
            by_stack[stack] = by_stack.get(stack, 0) + 1
    count = len(full.specs)
    assert meta_disagreements(fast.meta, count, by_stack) == meta_disagreements(
        full.meta, count, by_stack
    )
    return True


SEED_PAGE = (SEEDS / sorted(p.name for p in SEEDS.iterdir())[0]).read_text()


@pytest.mark.parametrize("name", EDGES)
def test_edge_pages_read_the_same_either_way(name):
    same_as_full_path(EDGES[name])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=canonical_like())
@example(text=SEED_PAGE)
def test_generated_pages_read_the_same_either_way(text):
    same_as_full_path(text)


def test_generated_pages_often_take_the_fast_path():
    """The generator is not so hostile that the fast path is never compared."""
    taken = []

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(text=canonical_like())
    def run(text):
        taken.append(same_as_full_path(text))

    run()
    assert sum(taken) >= 5


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cuts=st.lists(
        st.tuples(st.integers(0, 20000), st.integers(0, 8), TEXT | st.sampled_from(["\n", "\r", "---"])),
        min_size=1, max_size=3,
    )
)  # fmt: skip
def test_mutated_seed_pages_read_the_same_either_way(cuts):
    text = SEED_PAGE
    for at, drop, insert in cuts:  # splice random text in, cut random text out
        at = at % (len(text) + 1)
        text = text[:at] + insert + text[at + drop :]
    try:
        same_as_full_path(text)
    except PageError:  # the full path refuses what the fast path took: a failure above
        raise AssertionError("the fast path took a page the full path refuses") from None
