"""The on-disk index cache: hits, partial invalidation, corruption, versions, concurrency."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest
from conftest import ROOT, page_text, spec_entry

import cachetui.indexcache as indexcache
from cachetui.cachefile import rewrite_document
from cachetui.cli import main
from cachetui.loader import DEFAULT_MAX_BYTES, load


@pytest.fixture(autouse=True)
def cache_small_inputs(monkeypatch):
    monkeypatch.setattr(indexcache, "CACHE_MIN_BYTES", 0)


def h(n: int) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    text = ""
    for _ in range(32):
        text += alphabet[n % 32]
        n //= 32
    return text


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "_cache"
    for t, tag in enumerate(["develop", "v0.22.1"]):
        for p in range(5):
            specs = [
                spec_entry(hash=h(1000 * t + 100 * p + i), versions=[f"1.{i}"]) for i in range(4)
            ]
            path = root / tag / f"pkg{p}" / "specs.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page_text(f"pkg{p}", tag=tag, specs=specs))
    (root / "develop" / "broken").mkdir(parents=True)
    (root / "develop" / "broken" / "specs.md").write_text(
        "---\nlayout: cache\nspec_details: 1\n---\n"
    )
    return root


def contents(result):
    return sorted((s.tag, s.package, s.hash, s.version) for s in result.catalog.specs())


def load_and_save(path, **options):
    result = load([path], **options)
    result.pending.save()
    return result


def test_warm_load_parses_nothing_and_gives_the_same_catalog(corpus):
    cold = load_and_save(corpus)
    assert cold.cache_notes == ["index cache created: parsed 11 files"]
    warm = load_and_save(corpus)
    assert warm.cache_notes == ["index cache: 11 files unchanged, nothing parsed"]
    assert contents(warm) == contents(cold) and len(warm.catalog) == 40
    assert [str(p) for p in warm.problems] == [str(p) for p in cold.problems]  # the bad file too
    assert (warm.files_read, warm.pages) == (cold.files_read, cold.pages)
    spec = warm.catalog.spec(warm.catalog.by_hash(h(0))[0])
    assert spec == cold.catalog.spec(cold.catalog.by_hash(h(0))[0])
    metas = {key: p.meta for key, p in warm.catalog.packages.items()}
    assert metas == {key: p.meta for key, p in cold.catalog.packages.items()}
    assert all(metas.values())  # each page's meta came back, decoded on first use


@pytest.mark.parametrize(
    "hashes",
    [[""], ["", h(1), ""], [h(1), "not\na hash", "ünïcode-hash"], ["\n"]],
    ids=["one-empty", "empties", "line-break", "only-a-break"],
)
def test_odd_hashes_come_back_from_the_cache_as_given(tmp_path, hashes):
    page = tmp_path / "odd" / "specs.md"
    page.parent.mkdir()
    page.write_text(page_text("odd", specs=[spec_entry(hash=x) for x in hashes]))
    cold = load_and_save(page.parent)
    warm = load([page.parent])
    assert warm.cache_notes == ["index cache: 1 files unchanged, nothing parsed"]
    assert [s.hash for s in warm.catalog.specs()] == hashes
    assert contents(warm) == contents(cold)


@pytest.mark.parametrize(
    "tarballs",
    [[None], ["https://x/a.spack", None, "https://x/b.spack"], ["", None], ["a\nb", None]],
    ids=["none", "mixed", "empty-text", "line-break"],
)
def test_tarballs_come_back_from_the_cache_as_given(tmp_path, tarballs):
    page = tmp_path / "odd" / "specs.md"
    page.parent.mkdir()
    specs = [spec_entry(hash=h(i)) for i in range(len(tarballs))]
    for spec, tarball in zip(specs, tarballs):
        if tarball is not None:
            spec["tarball"] = tarball
    page.write_text(page_text("odd", specs=specs))
    load_and_save(page.parent)
    warm = load([page.parent])
    assert warm.cache_notes == ["index cache: 1 files unchanged, nothing parsed"]
    assert [s.tarball for s in warm.catalog.specs()] == tarballs


def test_a_folder_without_specs_is_cached_too(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a page")
    load_and_save(tmp_path / "empty")
    assert len(load([tmp_path / "empty"]).catalog) == 0


def test_partial_invalidation(corpus):
    load_and_save(corpus)
    changed = corpus / "develop" / "pkg1" / "specs.md"
    changed.write_text(page_text("pkg1", specs=[spec_entry(hash=h(9999))]))
    added = corpus / "develop" / "pkg9" / "specs.md"
    added.parent.mkdir()
    added.write_text(page_text("pkg9", specs=[spec_entry(hash=h(8888))]))
    (corpus / "v0.22.1" / "pkg3" / "specs.md").unlink()
    warm = load_and_save(corpus)
    note = warm.cache_notes[0]
    assert "parsed 2" in note and "1 changed, 1 new" in note and "1 deleted" in note
    fresh = load([corpus], cache=False)
    assert contents(warm) == contents(fresh)
    packages = {(s.tag, s.package) for s in warm.catalog.specs()}
    assert ("develop", "pkg9") in packages and ("v0.22.1", "pkg3") not in packages
    assert len(warm.catalog.by_hash(h(9999))) == 1 and warm.catalog.by_hash(h(100)) == []
    again = load_and_save(corpus)
    assert "nothing parsed" in again.cache_notes[0] and contents(again) == contents(fresh)


def cache_path(corpus):
    return indexcache.cache_file(str(corpus), 64 * 1024 * 1024, None)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "unreadable"),
        (lambda p: p.write_bytes(b"garbage" * 100), "unreadable"),
        (lambda p: p.write_bytes(b""), "unreadable"),
    ],
    ids=["truncated", "garbage", "empty"],
)
def test_corrupt_cache_is_rebuilt(corpus, damage, reason):
    cold = load_and_save(corpus)
    damage(cache_path(corpus))
    rebuilt = load_and_save(corpus)
    assert rebuilt.cache_notes[0].startswith("index cache rebuilt (" + reason)
    assert contents(rebuilt) == contents(cold)
    assert "nothing parsed" in load([corpus]).cache_notes[0]


def rewrite_doc(path, change):
    rewrite_document(str(path), change)


def test_version_mismatch_is_rebuilt(corpus):
    cold = load_and_save(corpus)
    rewrite_doc(cache_path(corpus), lambda doc: doc.update(format=indexcache.FORMAT + 1))
    rebuilt = load_and_save(corpus)
    assert (
        rebuilt.cache_notes[0]
        == "index cache rebuilt (made by another cachetui version): parsed 11 files"
    )
    assert contents(rebuilt) == contents(cold)


def test_older_format_files_of_the_same_input_are_removed(corpus):
    stale = indexcache.cache_file(str(corpus), DEFAULT_MAX_BYTES, None, version=1)
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"an index cache of format 1")
    other = indexcache.cache_file(str(corpus / "develop"), DEFAULT_MAX_BYTES, None, 1)
    other.write_bytes(b"another input's cache")
    load_and_save(corpus)
    assert not stale.exists() and other.exists()
    assert indexcache.info()["index_files"] == 2


def test_inconsistent_cache_is_rebuilt(corpus):
    cold = load_and_save(corpus)
    rewrite_doc(cache_path(corpus), lambda doc: doc["tables"].update(os=[]))  # codes point nowhere
    rebuilt = load([corpus])
    assert "rebuilt (inconsistent" in rebuilt.cache_notes[0]
    assert contents(rebuilt) == contents(cold)


def test_no_cache_neither_reads_nor_writes(corpus):
    load([corpus], cache=False).pending.save()
    assert not cache_path(corpus).exists()
    load_and_save(corpus)
    cache_path(corpus).write_bytes(b"garbage")
    result = load([corpus], cache=False)
    assert result.cache_notes == [] and len(result.catalog) == 40
    assert cache_path(corpus).read_bytes() == b"garbage"


def test_concurrent_writers_never_corrupt(corpus):
    errors = []

    def write_many():
        try:
            for _ in range(10):
                load([corpus], cache=False)
                part = load([corpus])
                part.pending.save()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=write_many) for _ in range(3)]
    for thread in threads:
        thread.start()
    # and two processes at the same time
    code = (f"import cachetui.indexcache as c; c.CACHE_MIN_BYTES = 0\n"
            f"from cachetui.loader import load\n"
            f"for _ in range(5): load([{str(corpus)!r}]).pending.save()\n")  # fmt: skip
    processes = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT) for _ in range(2)]
    for thread in threads:
        thread.join()
    assert all(p.wait(timeout=120) == 0 for p in processes)
    assert errors == []
    assert [p for p in os.listdir(cache_path(corpus).parent) if p.startswith(".tmp-")] == []
    warm = load([corpus])
    assert "nothing parsed" in warm.cache_notes[0] and len(warm.catalog) == 40


def test_cache_info_and_clear(corpus, capsys):
    load_and_save(corpus)
    assert main(["cache", "info", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["index_files"] == 1 and data["index_bytes"] > 0
    assert main(["cache", "clear"]) == 0
    assert "removed 1 cache file(s)" in capsys.readouterr().out
    assert not cache_path(corpus).exists()
    main(["cache", "info"])
    assert "index caches    0 file(s)" in capsys.readouterr().out


def test_cli_uses_and_skips_the_cache(corpus, capsys):
    assert main(["stats", str(corpus), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["cache"] == ["index cache created: parsed 11 files"]
    main(["stats", str(corpus), "--json"])
    assert "nothing parsed" in json.loads(capsys.readouterr().out)["cache"][0]
    main(["stats", str(corpus), "--json", "--no-cache"])
    assert json.loads(capsys.readouterr().out)["cache"] == []


def test_cli_writes_the_cache_after_its_answer(corpus, capsys, monkeypatch):
    written_before_save = []
    real_save = indexcache.PendingWrites.save

    def save(pending):
        written_before_save.append(capsys.readouterr().out)
        real_save(pending)

    monkeypatch.setattr(indexcache.PendingWrites, "save", save)
    assert main(["list", str(corpus), "--format", "hashes"]) == 0
    assert written_before_save and h(0) in written_before_save[0]
    assert indexcache.info()["index_files"] == 1


def test_small_folders_given_together_share_one_cache(tmp_path, monkeypatch):
    """The legacy package folders of a site checkout: each far too small for a cache file of
    its own, hundreds of them."""
    big = tmp_path / "develop"
    for p in range(30):
        page = big / f"pkg{p}" / "specs.md"
        page.parent.mkdir(parents=True)
        page.write_text(page_text(f"pkg{p}", specs=[spec_entry(hash=h(100 + p))]))
    smalls = []
    for n in range(3):
        page = tmp_path / f"legacy{n}" / "specs.md"
        page.parent.mkdir()
        page.write_text(page_text(f"legacy{n}", specs=[spec_entry(hash=h(n))]))
        smalls.append(page.parent)
    one_page = (smalls[0] / "specs.md").stat().st_size
    monkeypatch.setattr(indexcache, "CACHE_MIN_BYTES", 2 * one_page)  # the three together pass
    inputs = [smalls[0], big, smalls[1], smalls[2]]
    cold = load_and_save_all(inputs)
    assert cold.cache_notes == [
        "index cache created: parsed 3 files",
        "index cache created: parsed 30 files",
    ]
    assert indexcache.info()["index_files"] == 2  # the big folder's, and one for the three
    warm = load(inputs)
    assert all("nothing parsed" in note for note in warm.cache_notes)
    order = [s.package for s in warm.catalog.specs()]
    assert order == [s.package for s in cold.catalog.specs()]
    assert order == [s.package for s in load(inputs, cache=False).catalog.specs()]
    assert order[:3] == ["legacy0", "legacy1", "legacy2"]  # where the first small one was
    assert order[3:] == [s.package for s in load([big], cache=False).catalog.specs()]
    (smalls[1] / "specs.md").write_text(page_text("legacy1", specs=[spec_entry(hash=h(7))]))
    changed = load(inputs)
    assert any("parsed 1 (1 changed" in note for note in changed.cache_notes)
    assert h(7) in {s.hash for s in changed.catalog.specs()}


def load_and_save_all(paths):
    result = load(paths)
    result.pending.save()
    return result
