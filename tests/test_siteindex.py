"""The shared site index: built once, opened read-only by every user, a snapshot."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
from conftest import page_text, run_cli, spec_entry, write_small_site

import cachetui.discovery as discovery
import cachetui.indexcache as indexcache
from cachetui.loader import load
from cachetui.session import LoadSession
from cachetui.siteindex import MANIFEST

TAGS = ["develop", "v0.22.1", "v0.23.0"]


@pytest.fixture(autouse=True)
def no_index_yet(monkeypatch):
    """``--index`` sets the variable for the process: undone after each test."""
    monkeypatch.setenv("CACHETUI_INDEX", "")


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    monkeypatch.setattr(indexcache, "CACHE_MIN_BYTES", 0)
    return write_small_site(tmp_path / "site", TAGS)


@pytest.fixture
def index(site, tmp_path, capsys):
    out = tmp_path / "index"
    code, stdout, _err = run_cli(capsys, "index", "build", str(site), "--out", str(out))
    assert code == 0 and "18 specs, 4 index file(s)" in stdout
    return out


def every_file(folder: Path) -> dict[str, tuple]:
    """Each file under ``folder``: its size, mtime and a digest of its bytes."""
    return {
        str(p): (p.stat().st_size, p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).digest())
        for p in sorted(folder.rglob("*"))
    }


def specs_of(result) -> list[tuple]:
    return sorted((s.tag, s.package, s.hash) for s in result.catalog.specs())


def test_an_index_serves_the_whole_load_and_each_tag(site, index, monkeypatch):
    plain = load([str(site)], cache=False)
    monkeypatch.setenv("CACHETUI_INDEX", str(index))
    whole = load([str(site)])
    assert specs_of(whole) == specs_of(plain)
    assert "a snapshot" in whole.cache_notes[0] and str(index) in whole.cache_notes[0]
    assert len(whole.pending) == 0 and (whole.pages, whole.files_read) == (6, 6)
    session = LoadSession([str(site)])
    groups = session.tag_groups()
    assert groups is not None and [g.label for g in groups] == TAGS
    for group in groups:
        part = load(group.paths)
        assert "a snapshot" in part.cache_notes[0] and len(part.catalog) == 6
    # Paths the index does not hold load as always.
    other = load([str(site / "_cache" / "develop" / "pkg0")])
    assert "snapshot" not in " ".join(other.cache_notes) and len(other.catalog) == 3


def test_opening_an_index_never_writes_in_it(site, index, capsys, monkeypatch):
    before = every_file(index)
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):  # the index folder is on a read-only mount
        if str(path).startswith(str(index)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    index.chmod(0o555)
    try:
        code, out, _err = run_cli(capsys, "stats", "--index", str(index))
        assert code == 0 and "a snapshot" in out and "specs       18" in out
        code, out, _err = run_cli(capsys, "list", "--index", str(index), "-f", "hashes")
        assert code == 0 and len(out.split()) == 18
        os.environ["CACHETUI_INDEX"] = str(index)
        for group in LoadSession([str(site)]).tag_groups() or []:
            load(group.paths).pending.save()
    finally:
        index.chmod(0o755)
    assert every_file(index) == before


def test_an_index_is_a_snapshot(site, index, capsys):
    page = site / "_cache" / "develop" / "pkg0" / "specs.md"
    page.write_text(page_text("pkg0", tag="develop", specs=[spec_entry(hash="z" * 32)]))
    code, out, _err = run_cli(capsys, "list", "--index", str(index), "-f", "hashes")
    assert code == 0 and "z" * 32 not in out and len(out.split()) == 18
    os.environ["CACHETUI_INDEX"] = ""  # without the index: the pages as they are
    code, out, _err = run_cli(capsys, "list", str(site), "-f", "hashes")
    assert "z" * 32 in out and len(out.split()) == 16
    code, out, _err = run_cli(capsys, "stats", "--index", str(index))
    assert "pages changed since are not shown until it is built again" in out


def test_the_environment_variable_opens_the_index_with_no_path(index, capsys, monkeypatch):
    monkeypatch.setenv("CACHETUI_INDEX", str(index))
    code, out, _err = run_cli(capsys, "list", "-f", "hashes")
    assert code == 0 and len(out.split()) == 18


def test_a_damaged_index_file_falls_back_to_the_pages(site, index, monkeypatch):
    for path in index.glob("*.cols"):
        path.write_bytes(path.read_bytes()[:100])
    monkeypatch.setenv("CACHETUI_INDEX", str(index))
    result = load([str(site)])
    assert "snapshot" not in result.cache_notes[0] and len(result.catalog) == 18


def test_not_an_index_is_a_usage_error(tmp_path, capsys):
    code, _out, err = run_cli(capsys, "list", "--index", str(tmp_path))
    assert code == 2 and "no site index in" in err
    (tmp_path / MANIFEST).write_text('{"inputs": 5}')
    code, _out, err = run_cli(capsys, "stats", "--index", str(tmp_path))
    assert code == 2 and "a damaged manifest" in err


def test_a_rebuild_replaces_the_index_and_drops_what_is_gone(site, index, capsys):
    (index / "0123.cols").write_bytes(b"left by an older build")
    code, _out, _err = run_cli(capsys, "index", "build", str(site), "--out", str(index))
    assert code == 0 and not (index / "0123.cols").exists()
    assert all(oct(p.stat().st_mode)[-3:] == "644" for p in index.iterdir())


def test_tags_merged_from_the_index_stay_mapped_and_give_the_same_specs(site, index, monkeypatch):
    for page in site.rglob("specs.md"):  # era A pages: each spec has a tarball URL
        tarball = ', "tarball": "https://x/h.spack"}'
        page.write_text(
            page.read_text().replace('"versions": ["1.0"]}', '"versions": ["1.0"]' + tarball)
        )
    plain = load([str(site)], cache=False)
    assert {s.tarball for s in plain.catalog.specs()} == {"https://x/h.spack"}
    monkeypatch.setenv("CACHETUI_INDEX", "")
    from cachetui.siteindex import build

    build([str(site)], index, 64 * 1024 * 1024, None)
    monkeypatch.setenv("CACHETUI_INDEX", str(index))
    expected = sorted((s.hash, s.tarball, s.tag) for s in plain.catalog.specs())
    cases = ((TAGS[:1], TAGS[1:2], "TemplateChain"), ([], TAGS, "TemplateTable"))
    for first, then, kind in cases:  # tags one by one: merged, mapped; all at once: the whole
        session = LoadSession([str(site)])
        session.start_lazy(session.tag_groups())
        catalogs: list = []
        for batch in (first, then):
            session.request_tags(batch, "")
            session.load_tags(
                lambda _batch, _combined, catalog, seen=catalogs: seen.append(catalog)
            )
        catalog = catalogs[-1]
        assert type(catalog.tarballs.templates).__name__ == kind
        assert "a snapshot" in session.lazy.combined(catalog).cache_notes[0]
        loaded = set(then) | set(first)
        assert sorted((s.hash, s.tarball, s.tag) for s in catalog.specs()) == [
            spec for spec in expected if spec[2] in loaded
        ]
        assert session.pending_tags() == [t for t in TAGS if t not in loaded]


def test_the_browser_load_report_says_the_index_is_a_snapshot(site, index, monkeypatch):
    from cachetui.ui.screens.load_report import report_text

    monkeypatch.setenv("CACHETUI_INDEX", str(index))
    text = report_text(load([str(site)])).plain
    assert "site index" in text and "a snapshot, pages changed since are not shown" in text


def test_several_tags_with_the_legacy_group_are_served_each_from_its_file(site, tmp_path):
    for name in ("oldpkg1", "oldpkg2"):  # package folders right under _cache: the legacy group
        page = site / "_cache" / name / "specs.md"
        page.parent.mkdir()
        page.write_text(
            page_text(name, tag="develop", specs=[spec_entry(hash=name.ljust(32, "q"))])
        )
    index = tmp_path / "index2"
    from cachetui.siteindex import build

    build([str(site)], index, 64 * 1024 * 1024, None)
    os.environ["CACHETUI_INDEX"] = str(index)
    session = LoadSession([str(site)])
    groups = session.tag_groups()
    assert groups is not None and len(groups) == 4
    legacy = next(g for g in groups if len(g.paths) == 2)
    session.start_lazy(groups)
    session.request_tags([TAGS[0], legacy.label], "")  # not every tag: no whole-site file
    catalogs: list = []
    session.load_tags(lambda _batch, _combined, catalog: catalogs.append(catalog))
    assert len(catalogs[-1]) == 8 and session.unsaved() == 1
    assert all("a snapshot" in note for note in session.lazy.combined(catalogs[-1]).cache_notes)
    session.save_all()
    user_cache = Path(os.environ["CACHETUI_CACHE_DIR"]) / "index"
    assert not user_cache.exists() or not list(user_cache.iterdir())  # nothing parsed or saved
