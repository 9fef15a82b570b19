"""Build cache views (``v3/manifests/index/<view>/index.manifest.json``), listed and opened from
a folder and over http from 127.0.0.1; where each hash lives across mirrors and views; and
``--spack`` without Spack on the browser's entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hostile import HostileServer, send_bytes
from v3mirror import GCC_RUNTIME, LIBDWARF, LIBELF, LIBELF_OLD, make_mirror

from cachetui.cli import main
from cachetui.errors import IndexError_
from cachetui.loader import load
from cachetui.mirrorviews import list_views, view_index, view_of
from cachetui.provenance import mirrors_where, where

VIEWS = {"small": [LIBELF, GCC_RUNTIME], "dwarf": [LIBDWARF]}


@pytest.fixture
def mirror(tmp_path):
    return make_mirror(tmp_path / "www" / "mirror", views=VIEWS)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listing(*links: str) -> bytes:
    return ("<html><body>" + "".join(f'<a href="{link}">{link}</a>' for link in links)
            + "</body></html>").encode()  # fmt: skip


# -- listing and naming views ----------------------------------------------------------------


def test_views_of_a_folder(mirror, tmp_path):
    (mirror / "v3" / "manifests" / "index" / "empty").mkdir()  # no index manifest: no view
    (mirror / "v3" / "manifests" / "index" / "bad name").mkdir()
    assert list_views(str(mirror)) == ["dwarf", "small"]
    with pytest.raises(IndexError_, match="not a layout v3 mirror"):
        list_views(str(tmp_path))


def test_view_paths_stay_inside_the_mirror(mirror):
    assert view_index(str(mirror), "small").endswith(
        "/v3/manifests/index/small/index.manifest.json"
    )
    for bad in ("..", "../x", "a/b", "", ".hidden", "x\n"):
        with pytest.raises(IndexError_):
            view_index(str(mirror), bad)
    assert view_of(view_index("https://h/m", "small")) == ("https://h/m", "small")
    assert view_of("https://h/m/v3/manifests/index/index.manifest.json") is None


def test_views_over_http_from_a_directory_listing(mirror):
    folder = "/mirror/v3/manifests/index/"
    page = listing("../", "small/", "/mirror/v3/manifests/index/dwarf/", "index.manifest.json",
                   "/elsewhere/x/", "a%2Fb/", "..%2F/", "&lt;b&gt;/")  # fmt: skip
    with HostileServer(mirror.parent, {folder: send_bytes(page)}) as server:
        assert list_views(f"{server.url}/mirror") == ["dwarf", "small"]


def test_views_over_http_without_a_listing_say_how_to_name_one(mirror):
    with HostileServer(mirror.parent) as server, pytest.raises(IndexError_, match="--view"):
        list_views(f"{server.url}/mirror")


def test_views_command(mirror, capsys, tmp_path):
    assert run(capsys, "views", str(mirror)) == (0, "dwarf\nsmall\n", "")
    code, out, _ = run(capsys, "views", str(mirror), "--json")
    assert code == 0 and json.loads(out) == [{"mirror": str(mirror), "views": ["dwarf", "small"]}]
    plain = make_mirror(tmp_path / "plain")
    code, out, err = run(capsys, "views", str(plain), str(tmp_path / "nowhere"))
    assert code == 1 and "no build cache views" in err and "not a layout v3 mirror" in err


# -- opening views ----------------------------------------------------------------------------


def records(capsys, *argv: str) -> list[dict]:
    code, out, _ = run(capsys, "list", "--format", "json", *argv)
    assert code == 0
    return json.loads(out)


def test_a_view_is_a_stack_of_its_mirrors_tag(mirror, capsys):
    found = records(capsys, str(mirror), "--view", "small")
    assert sorted(r["hash"] for r in found) == sorted(VIEWS["small"])
    assert {(r["tag"], tuple(r["stacks"])) for r in found} == {("mirror", ("small",))}


def test_all_views(mirror, capsys):
    found = records(capsys, str(mirror), "--all-views")
    assert {r["hash"]: r["stacks"] for r in found} == {
        LIBELF: ["small"], GCC_RUNTIME: ["small"], LIBDWARF: ["dwarf"]}  # fmt: skip


def test_all_views_over_http(mirror, capsys):
    page = listing("small/", "dwarf/")
    with HostileServer(mirror.parent, {"/mirror/v3/manifests/index/": send_bytes(page)}) as server:
        found = records(capsys, f"{server.url}/mirror", "--all-views")
    assert {r["hash"]: (r["tag"], r["stacks"]) for r in found} == {
        LIBELF: ("mirror", ["small"]), GCC_RUNTIME: ("mirror", ["small"]),
        LIBDWARF: ("mirror", ["dwarf"])}  # fmt: skip


def test_a_missing_view_is_reported_and_the_others_load(mirror, capsys):
    code, out, err = run(capsys, "list", str(mirror), "--view", "nope", "--view", "dwarf",
                         "--view", "../etc", "-f", "hashes")  # fmt: skip
    assert code == 0 and out == f"/{LIBDWARF}\n"
    assert "not a view name" in err and "nope" in err


def test_a_mirror_without_views_is_read_whole_with_all_views(tmp_path, capsys):
    plain = make_mirror(tmp_path / "plain")
    code, out, err = run(capsys, "list", str(plain), "--all-views", "-f", "hashes")
    assert code == 0 and len(out.splitlines()) == 6 and "no build cache views" in err


def test_views_keep_the_spack_mirror_name(mirror, tmp_path, monkeypatch, capsys):
    root = tmp_path / "spack"
    (root / "etc" / "spack").mkdir(parents=True)
    (root / "etc" / "spack" / "mirrors.yaml").write_text(f"mirrors:\n  site: {mirror}\n")
    monkeypatch.setenv("SPACK_ROOT", str(root))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SPACK_SYSTEM_CONFIG_PATH", str(tmp_path / "no-system"))
    found = records(capsys, "--spack", "--view", "dwarf")
    assert [(r["tag"], r["stacks"]) for r in found] == [("site", ["dwarf"])]


# -- where a hash lives -------------------------------------------------------------------------


def test_where_lists_every_mirror_view_and_tag(mirror, tmp_path):
    other = make_mirror(tmp_path / "other")
    catalog = load([str(mirror), view_index(str(mirror), "small"), str(other)]).catalog
    places = where(catalog, LIBELF)
    assert [(p.tag, p.stacks, p.view) for p in places] == [
        ("mirror", (), None), ("mirror", ("small",), "small"), ("other", (), None)]  # fmt: skip
    assert mirrors_where(catalog, LIBELF) == [str(mirror), str(other)]
    assert where(catalog, "") == [] and where(catalog, "z" * 32) == []


def test_list_json_says_where_each_hash_lives(mirror, tmp_path, capsys):
    other = make_mirror(tmp_path / "other", sizes={})
    index = other / "v3" / "manifests" / "index" / "index.manifest.json"  # --view leaves a file be
    found = records(capsys, str(mirror), str(index), "--view", "dwarf")
    by_tag = {(r["tag"], r["hash"]): r["mirrors"] for r in found}
    places = by_tag[("other", LIBDWARF)]
    assert [(p["tag"], p["stacks"], p["view"], p["mirror"]) for p in places] == [
        ("mirror", ["dwarf"], "dwarf", str(mirror)), ("other", [], None, str(other))]  # fmt: skip
    assert [p["tag"] for p in by_tag[("other", LIBELF_OLD)]] == ["other"]


# -- --spack without Spack, on the browser's entry point -------------------------------------


def test_browser_with_spack_absent_says_so_and_exits_1(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPACK_")}
    env.update(PATH="", HOME=str(tmp_path / "home"), CACHETUI_CACHE_DIR=str(tmp_path / "c"),
               SPACK_SYSTEM_CONFIG_PATH=str(tmp_path / "no-system"))  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "cachetui", "--spack"], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert "no Spack found" in done.stderr and "SPACK_ROOT" in done.stderr
    assert "\x1b" not in done.stderr  # the browser never started


def test_browser_with_no_readable_mirror_exits_1(tmp_path, monkeypatch, capsys):
    root = tmp_path / "spack"
    (root / "etc" / "spack").mkdir(parents=True)
    (root / "etc" / "spack" / "mirrors.yaml").write_text("mirrors:\n  only: gs://bucket/x\n")
    monkeypatch.setenv("SPACK_ROOT", str(root))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SPACK_SYSTEM_CONFIG_PATH", str(tmp_path / "no-system"))
    monkeypatch.setattr("cachetui.ui.app.CacheApp.run", lambda self: pytest.fail("it started"))
    code, out, err = run(capsys, "--spack")
    assert (code, out) == (1, "") and "no binary mirror of your Spack configuration" in err


def test_places_for_many_specs_agree_with_where_one_at_a_time(mirror):
    from conftest import CORPUS, SEEDS

    from cachetui.provenance import place_of, places_for

    catalog = load([str(CORPUS), str(SEEDS), str(mirror), view_index(str(mirror), "small")]).catalog
    ids = list(range(len(catalog)))
    blank = [i for i in ids if not catalog.hashes[i]]
    assert blank  # legacy pages without spec files: specs with no hash
    for spec_id, places in zip(ids, places_for(catalog, ids)):
        expected = where(catalog, catalog.hashes[spec_id]) or [place_of(catalog, spec_id)]
        assert list(places) == expected, spec_id
