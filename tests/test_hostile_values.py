"""Hostile values (issue #14): one bad value costs one file, never the load; and the smaller
defects of the issue (the table's cell widths, the index cache, files skipped without a word,
lazy tags, exports onto a FIFO, phantom tags, numeric titles).

Interfaces the fixes provide (the tests below are written against them):

- A value YAML would read as a date stays text (``title: 2024-02-01`` is package
  "2024-02-01"); a numeric ``title`` is the package name as written.
- ``cachetui stats`` says "index cache not written: <reason>" (never "created") when the
  index cache could not be written.
- A walked file named ``*.md`` that is binary, and a page with CR-only line endings, are
  reported (a Problem naming the file), not skipped without a word.
- After a lazy tag group is loaded, its specs are found under the group's label
  (``catalog.ids_for(tag=group.label)``), and ``tags_needed("tag=X", ...)`` names the group
  holding pages of tag X, whatever its folder is called.
- The export dialog refuses a path that exists but is not a regular file, with a message
  containing "not a regular file".
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from apphelpers import settle
from conftest import SEEDS, page_text, spec_entry
from hostile import (
    OTHER_HASH,
    assert_costs_at_most_that_file,
    b32,
    child_load,
    forge_index_cache,
    index_cache_files,
    index_cache_folder,
    index_document,
    index_record,
    problems_of,
    write_big_folder,
    write_good_page,
)

import cachetui.discovery as discovery
from cachetui.cli import main
from cachetui.lazy import LazyCorpus, tags_needed
from cachetui.loader import load, tag_groups
from cachetui.query import run_query
from cachetui.view import Scope, Sort, ViewModel

BIG = "9" * 5000  # over Python's 4,300-digit limit for int() of a string


def bad_page_beside_a_good_one(folder: Path, text: str) -> Path:
    write_good_page(folder)
    bad = folder / "bad.md"
    bad.write_text(text, encoding="utf-8")
    return bad


# -- one bad value on a page ------------------------------------------------------------------


def size_page(size_json: str) -> str:
    return page_text("bad", specs=[spec_entry(hash=OTHER_HASH)]).replace('"size": "-"', f'"size": {size_json}')  # fmt: skip


PAGE_CASES = [
    pytest.param(size_page('"\u00b2"'), id="size-superscript-two"),
    pytest.param(size_page(f'"{BIG}"'), id="size-5000-digit-text"),
    pytest.param(size_page(BIG), id="size-5000-digit-number"),
    pytest.param(size_page(str(2**70)), id="size-over-int64"),
    pytest.param(page_text("bad", specs=[spec_entry(hash=OTHER_HASH)]).replace('"num_specs": 1', f'"num_specs": {BIG}'),
                 id="meta-5000-digit-number"),
    pytest.param(page_text("bad", specs=[spec_entry(hash=OTHER_HASH)]).replace('"versions": ["1.0"]', f'"versions": [{BIG}]'),
                 id="spec-details-5000-digit-number"),
    pytest.param(page_text("bad", specs=[spec_entry(hash=OTHER_HASH)]).replace('title: "bad"', "title: 2001-13-45"),
                 id="title-not-a-date"),
    pytest.param(page_text("bad", specs=[spec_entry(hash=OTHER_HASH)]).replace('meta: {"num_specs": 1}', "meta: {when: 2024-02-30}"),
                 id="meta-not-a-date"),
]  # fmt: skip


@pytest.mark.parametrize("text", PAGE_CASES)
def test_one_bad_value_on_a_page_costs_at_most_that_page(tmp_path, text):
    bad = bad_page_beside_a_good_one(tmp_path / "pages", text)
    result = load([tmp_path / "pages"], cache=False)
    assert_costs_at_most_that_file(result, bad)


def test_a_size_that_is_not_a_byte_count_keeps_the_spec(tmp_path):
    bad = bad_page_beside_a_good_one(tmp_path / "pages", size_page('"\u00b2"'))
    result = load([tmp_path / "pages"], cache=False)
    (problem,) = problems_of(result, bad)
    assert problem.level == "warning" and "not a byte count" in problem.reason
    assert [s.size for s in result.catalog.specs() if s.package == "bad"] == [None]


# -- dates and numbers stay text --------------------------------------------------------------


def test_a_title_that_looks_like_a_date_stays_text(tmp_path):
    bad_page_beside_a_good_one(tmp_path / "pages", page_text().replace('title: "pkg"', "title: 2024-02-01"))  # fmt: skip
    result = load([tmp_path / "pages"], cache=False)
    assert sorted(s.package for s in result.catalog.specs()) == ["2024-02-01", "good"]


def test_a_numeric_title_is_the_package_name(tmp_path):
    bad_page_beside_a_good_one(tmp_path / "pages", page_text().replace('title: "pkg"', "title: 2048"))  # fmt: skip
    result = load([tmp_path / "pages"], cache=False)
    assert sorted(s.package for s in result.catalog.specs()) == ["2048", "good"]


def test_a_date_in_meta_stays_text_through_the_index_cache(tmp_path):
    folder = write_big_folder(tmp_path / "big")
    page = folder / "big.md"
    page.write_text(page.read_text().replace('meta: {"num_specs": 5000}', "meta: {num_specs: 5000, when: 2024-02-29}"))  # fmt: skip
    first = load([folder])
    first.pending.save()
    assert index_cache_files(), "the index cache was written"
    again = load([folder])
    (package,) = again.catalog.packages.values()
    assert package.meta["when"] == "2024-02-29"
    assert "nothing parsed" in again.cache_notes[0]


# -- one bad value in a Spack index or spec file ----------------------------------------------


def dependency_index(dependencies: object) -> dict:
    return index_document(
        (OTHER_HASH, index_record("app", OTHER_HASH, dependencies=dependencies)),
        (b32(7), index_record("dep", b32(7))),
    )


INDEX_CASES = [
    pytest.param(json.dumps(dependency_index([{"name": "dep", "hash": b32(7), "parameters": {"deptypes": 5, "virtuals": []}}])),
                 id="deptypes-number"),
    pytest.param(json.dumps(dependency_index([{"name": "dep", "hash": b32(7), "parameters": {"deptypes": ["link"], "virtuals": 7}}])),
                 id="virtuals-number"),
    pytest.param(json.dumps(dependency_index({"dep": {"hash": b32(7), "type": 3}})),
                 id="type-number"),
    pytest.param(json.dumps(index_document((OTHER_HASH, index_record("app", OTHER_HASH)))).replace('"1.0"', BIG),
                 id="5000-digit-number"),
]  # fmt: skip


@pytest.mark.parametrize("text", INDEX_CASES)
def test_one_bad_value_in_an_index_costs_at_most_that_file(tmp_path, text):
    write_good_page(tmp_path / "pages")
    bad = tmp_path / "mirror" / "index.json"
    bad.parent.mkdir()
    bad.write_text(text)
    result = load([tmp_path / "pages", bad], cache=False)
    assert_costs_at_most_that_file(result, bad)


def test_one_bad_value_in_a_spec_file_costs_at_most_that_file(tmp_path):
    write_good_page(tmp_path / "pages")
    bad = tmp_path / "app.spec.json"
    node = index_record("app", OTHER_HASH, dependencies=[{"name": "dep", "hash": b32(7), "parameters": {"deptypes": 5}}])["spec"]  # fmt: skip
    bad.write_text(json.dumps({"spec": {"_meta": {"version": 5}, "nodes": [node]}}))
    result = load([tmp_path / "pages", bad], cache=False)
    assert_costs_at_most_that_file(result, bad)


# -- a version of 5,000 digits ----------------------------------------------------------------


@pytest.fixture
def huge_version(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    specs = [spec_entry(hash=b32(1), versions=[BIG]), spec_entry(hash=b32(2), versions=["1.5"])]
    (folder / "p.md").write_text(page_text("pkg", specs=specs))
    return folder


@pytest.mark.parametrize("query", ["@1:2", "@:2", "@1:", "version=1:2"])
def test_a_huge_version_in_the_data_leaves_range_queries_working(huge_version, query):
    catalog = load([huge_version], cache=False).catalog
    ids, _notes = run_query(catalog, query)
    assert b32(2) in [catalog.spec(i).hash for i in ids]


def test_a_huge_version_in_the_data_sorts(huge_version):
    catalog = load([huge_version], cache=False).catalog
    ids = ViewModel(catalog).compute(Scope(), "", Sort("version")).ids
    assert [catalog.spec(i).hash for i in ids] == [b32(2), b32(1)]


@pytest.mark.parametrize(
    "query", [f"@{BIG}:", f"@:{BIG}", f"%gcc@1:{BIG}"], ids=["low", "high", "compiler"]
)
def test_a_huge_version_in_a_query_is_a_clean_query_error(huge_version, query, capsys):
    assert main(["list", str(huge_version), "--query", query, "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "bad query" in err and "Traceback" not in err


# -- files that hang --------------------------------------------------------------------------


def test_a_legacy_spec_file_that_is_a_fifo_does_not_hang(tmp_path):
    folder = tmp_path / "zlib"
    folder.mkdir()
    (folder / "index.md").write_text(
        '---\ntitle: "zlib"\nlayout: cache\ncategory: package\nmeta: {}\nspec_files:\n'
        ' - "zlib@1.2.11%gcc@9.3.0 arch=linux-ubuntu20.04-x86_64": spec-0.json\n---\n'
    )
    os.mkfifo(folder / "spec-0.json")
    outcome = child_load([folder], seconds=8, cache=False)
    assert outcome.status == "ok", outcome
    assert outcome.packages() == ["zlib"]
    assert [p["reason"] for p in outcome.problems_for(folder / "spec-0.json")] == ["a FIFO, not a file; skipped"]  # fmt: skip


# -- the list table ---------------------------------------------------------------------------


def test_one_long_value_does_not_widen_every_row(tmp_path, capsys):
    folder = tmp_path / "pages"
    write_good_page(folder)
    long = page_text("long", specs=[spec_entry(hash=OTHER_HASH, os="x" * 10_000)])
    (folder / "long.md").write_text(long)
    assert main(["list", str(folder), "--no-cache"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    short = [line for line in lines if "xxxxxxxx" not in line]
    assert len(short) == 2 and all(len(line) < 300 for line in short), [len(x) for x in short]


# -- the index cache --------------------------------------------------------------------------


@pytest.fixture
def cached_big_folder(tmp_path):
    """A folder big enough for an index cache, loaded once so its cache file exists."""
    folder = write_big_folder(tmp_path / "big")
    load([folder]).pending.save()
    (cache,) = index_cache_files()
    return folder, cache


def test_an_unchanged_folder_is_read_from_the_index_cache(cached_big_folder):
    folder, _cache = cached_big_folder
    again = load([folder])
    assert len(again.catalog) == 5000 and "nothing parsed" in again.cache_notes[0]


def stale_temporary_file() -> Path:
    stale = index_cache_folder() / ".tmp-killedwriter.cols"
    stale.write_bytes(b"PK\x03\x04 half a cache")
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    return stale


def test_cache_info_does_not_count_a_temporary_file(cached_big_folder, capsys):
    stale_temporary_file()
    assert main(["cache", "info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["index_files"] == 1


def test_a_stale_temporary_file_is_removed_by_the_next_write(cached_big_folder):
    folder, _cache = cached_big_folder
    stale = stale_temporary_file()
    (folder / "big.md").touch()  # changed: the cache is written again
    load([folder]).pending.save()
    assert not stale.exists()


def test_an_index_cache_file_that_is_a_fifo_does_not_hang(cached_big_folder):
    folder, cache = cached_big_folder
    cache.unlink()
    os.mkfifo(cache)
    outcome = child_load([folder], seconds=8)
    assert outcome.status == "ok", outcome
    assert len(outcome.specs) == 5000


def forged(cached_big_folder, mutate) -> Path:
    folder, cache = cached_big_folder
    forge_index_cache(cache, mutate)
    return folder


def test_the_forging_helper_keeps_a_cache_readable(cached_big_folder):
    """Control: a forgery that changes nothing is read as a hit (so the tests below forge
    caches that the reader accepts today)."""
    folder = forged(cached_big_folder, lambda doc: None)
    again = load([folder])
    assert "nothing parsed" in again.cache_notes[0] and len(again.catalog) == 5000


def set_page_field(index: int, value: object):
    def mutate(doc: dict) -> None:
        doc["pages"][0][index] = value

    return mutate


def test_a_forged_cache_with_a_null_tag_is_not_trusted(cached_big_folder, capsys):
    folder = forged(cached_big_folder, set_page_field(1, None))
    assert main(["stats", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tags"] == {"develop": 5000}


def test_a_forged_cache_with_an_integer_package_is_not_trusted(cached_big_folder, capsys):
    folder = forged(cached_big_folder, set_page_field(0, 12345))
    assert main(["find", "big", str(folder)]) == 0
    assert "big" in capsys.readouterr().out


def test_a_forged_cache_with_a_string_specs_by_stack_is_not_trusted(cached_big_folder, capsys):
    folder = forged(cached_big_folder, set_page_field(6, "e4s"))
    assert main(["stats", str(folder)]) == 0
    assert "specs       5000" in capsys.readouterr().out


def test_stats_does_not_claim_a_cache_it_could_not_write(tmp_path, capsys):
    folder = write_big_folder(tmp_path / "big")
    index_cache_folder().parent.mkdir(parents=True, exist_ok=True)
    index_cache_folder().write_text("a file where the cache folder belongs")
    assert main(["stats", str(folder)]) == 0
    captured = capsys.readouterr()
    assert "created" not in captured.out
    assert "not written" in captured.out + captured.err


# -- files skipped without a word -------------------------------------------------------------


def test_a_binary_page_file_in_a_folder_walk_is_reported(tmp_path):
    folder = tmp_path / "pages"
    write_good_page(folder)
    (folder / "broken.md").write_bytes(bytes(range(256)) * 4)
    result = load([folder], cache=False)
    (problem,) = problems_of(result, folder / "broken.md")
    assert problem.level == "error" and "binary" in problem.reason


def test_a_tarball_in_a_folder_walk_stays_quiet(tmp_path):
    folder = tmp_path / "pages"
    write_good_page(folder)
    (folder / "x.tar.gz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)))
    result = load([folder], cache=False)
    assert result.problems == [] and len(result.catalog) == 1


def test_a_page_with_cr_only_line_endings_is_read_or_reported(tmp_path):
    folder = tmp_path / "pages"
    write_good_page(folder)
    page = folder / "mac.md"
    page.write_bytes(
        page_text("mac", specs=[spec_entry(hash=OTHER_HASH)]).replace("\n", "\r").encode()
    )
    result = load([folder], cache=False)
    loaded = [s.package for s in result.catalog.specs() if s.package == "mac"]
    assert loaded == ["mac"] or problems_of(result, page)


# -- phantom tags -----------------------------------------------------------------------------


def test_a_page_with_no_specs_makes_no_tag(tmp_path, capsys):
    folder = tmp_path / "pages"
    write_good_page(folder)
    (folder / "zlib.md").write_text('---\ntitle: "zlib"\nlayout: cache\ncategory: package\nmeta: {}\nspec_files: []\n---\n')  # fmt: skip
    assert main(["stats", str(folder), "--json", "--no-cache"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tags"] == {"develop": 1}
    assert [p["reason"] for p in data["problems"]] == ["the page lists no specs"]


# -- lazy tags whose folder is not named after their pages' tag -------------------------------


@pytest.fixture
def renamed_tag_site(tmp_path, monkeypatch):
    """Two tag folders; ``develop/`` holds pages whose ``categories`` say ``develop-2025``."""
    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    root = tmp_path / "site" / "_cache"
    for folder, tag, base in (("develop", "develop-2025", 0), ("v0.22.1", "v0.22.1", 100)):
        for p in range(2):
            path = root / folder / f"pkg{p}" / "specs.md"
            path.parent.mkdir(parents=True)
            specs = [spec_entry(hash=b32(base + 10 * p + n)) for n in range(3)]
            path.write_text(page_text(f"pkg{p}", tag=tag, specs=specs))
    return tmp_path / "site"


def load_groups(corpus: LazyCorpus, labels: list[str]):
    paths = [path for label in labels for path in corpus.groups[label].paths]
    return corpus.add(labels, load(paths, build=False, cache=False))


def test_a_tag_query_loads_the_group_holding_that_tag(renamed_tag_site):
    corpus = LazyCorpus(tag_groups(str(renamed_tag_site)))
    pending = [group.label for group in corpus.pending()]
    needed = tags_needed("tag=develop-2025", None, pending)
    catalog = load_groups(corpus, needed) if needed else corpus.builder.build()
    ids, _notes = run_query(catalog, "tag=develop-2025")
    assert len(ids) == 6


def test_a_loaded_group_has_its_specs_under_its_label(renamed_tag_site):
    corpus = LazyCorpus(tag_groups(str(renamed_tag_site)))
    for group in list(corpus.groups.values()):
        catalog = load_groups(corpus, [group.label])
        assert len(catalog.ids_for(tag=group.label)) == 6, group.label


# -- an export onto a FIFO --------------------------------------------------------------------


async def test_an_export_onto_a_fifo_is_refused(tmp_path):
    from textual.widgets import Label

    from cachetui.ui.app import CacheApp
    from cachetui.ui.screens.export import ExportScreen

    fifo = tmp_path / "out.txt"
    os.mkfifo(fifo)
    app = CacheApp([str(SEEDS)])
    reader = None
    said = ""
    try:
        async with app.run_test(size=(100, 36)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            app.screen.query_one("#export-path").value = str(fifo)
            await pilot.click("#export-save")
            await pilot.pause()
            if isinstance(app.screen, ExportScreen) and "exists" in str(
                app.screen.query_one("#export-message", Label).render()
            ):
                await pilot.pause(0.5)  # two quick clicks are a double click
                await pilot.click("#export-save")  # confirm, as a user would
            for _ in range(10):  # bounded: no waiting on a worker that may be blocked
                await pilot.pause()
            if isinstance(app.screen, ExportScreen):
                said = str(app.screen.query_one("#export-message", Label).render())
            said += " ".join(n.message for n in app._notifications)
            # A writer blocked on the FIFO is released by a reader; kept open until the app
            # has ended, so a writer that opens late never blocks either.
            reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            await settle(pilot)
    finally:
        if reader is not None:
            os.close(reader)
    assert "not a regular file" in said
