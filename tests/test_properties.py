"""Property tests: random pages, valid and mutated, never break the loader."""

from __future__ import annotations

import json
import os
import string
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cachetui import rows
from cachetui.export import render
from cachetui.loader import load
from cachetui.model import Problem
from cachetui.pages import PageError, parse_page
from cachetui.text import is_clean

B32 = string.ascii_lowercase + "234567"
# A blank title is named after the page's folder (with a warning): not a round trip.
SAFE = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=20
).filter(str.strip)
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)

hashes = st.text(st.sampled_from(B32), min_size=32, max_size=32)
entries = st.fixed_dictionaries(
    {
        "hash": hashes,
        "compiler": st.one_of(st.just("none"), SAFE.map(lambda s: "gcc@=" + s)),
        "os": SAFE,
        "platform": SAFE,
        "target": SAFE,
        "versions": st.lists(SAFE, min_size=1, max_size=3),
        "variants": st.lists(SAFE, max_size=4),
        "stacks": st.lists(SAFE, max_size=4),
        "size": st.just("-"),
    },
    optional={"tarball": SAFE},
)


def page_of(title: str, tag: str, specs: list[dict]) -> str:
    return (
        f"---\ntitle: {json.dumps(title)}\nlayout: cache\ncategories: [package, {tag}]\n"
        f"meta: {json.dumps({'num_specs': len(specs)})}\nspec_details: {json.dumps(specs)}\n---\n"
    )


def write_and_load(data: bytes):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "page.md")
        with open(path, "wb") as handle:
            handle.write(data)
        return load([path])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=SAFE,
    tag=st.sampled_from(["develop", "v0.22.1", "develop-2025-07-13"]),
    specs=st.lists(entries, min_size=1, max_size=8),
)
def test_every_valid_spec_comes_back_with_the_same_fields(title, tag, specs):
    page = parse_page(page_of(title, tag, specs), "x/page.md")
    assert page.title == title and page.tag == tag
    assert len(page.specs) == len(specs)
    for row, spec in zip(page.specs, specs):
        assert row[rows.HASH] == spec["hash"]
        assert list(row[rows.VERSIONS]) == spec["versions"]
        assert row[rows.COMPILER] == spec["compiler"]
        assert (row[rows.OS], row[rows.PLATFORM], row[rows.TARGET]) == (
            spec["os"], spec["platform"], spec["target"],
        )  # fmt: skip
        assert list(row[rows.VARIANTS]) == spec["variants"]
        assert list(row[rows.STACKS]) == spec["stacks"]
        assert row[rows.TARBALL] == spec.get("tarball")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(entries, min_size=1, max_size=6))
def test_json_export_parses_back_to_the_same_specs(specs):
    result = write_and_load(page_of("pkg", "develop", specs).encode())
    loaded = list(result.catalog.specs())
    records = json.loads(render(loaded, "json"))
    assert records == [s.to_dict() for s in loaded]
    assert [r["hash"] for r in records] == [s["hash"] for s in specs]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=st.lists(entries, min_size=1, max_size=4),
    cuts=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 40), ANY_TEXT), max_size=4),
)
def test_mutated_pages_load_or_report_never_raise(specs, cuts):
    text = page_of("pkg", "develop", specs)
    for at, drop, insert in cuts:  # splice random text in, cut random text out
        at = at % (len(text) + 1)
        text = text[:at] + insert + text[at + drop :]
    try:
        parse_page(text, "x/page.md")
    except PageError as error:
        assert error.reason and "Traceback" not in error.reason
    result = write_and_load(text.encode("utf-8", errors="surrogatepass"))
    assert all(isinstance(p, Problem) and p.reason for p in result.problems)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=600))
def test_random_bytes_never_raise(data):
    result = write_and_load(b"---\nlayout: cache\n" + data)
    assert all(isinstance(p, Problem) for p in result.problems)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=ANY_TEXT)
def test_exports_never_carry_control_characters(value):
    spec = {"hash": "a" * 32, "compiler": "none", "os": value, "platform": "linux", "target": value,
            "versions": [value or "1"], "variants": [value], "stacks": [value], "size": "-"}  # fmt: skip
    result = write_and_load(
        page_of(value or "p", "develop", [spec]).encode("utf-8", errors="surrogatepass")
    )
    specs = list(result.catalog.specs())
    for fmt in ("json", "jsonl", "yaml", "tsv", "specs", "install", "hashes", "table"):
        out = render(specs, fmt)
        assert is_clean(out.replace("\n", "").replace("\t", "")), fmt
