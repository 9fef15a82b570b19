"""The browser's views of issue #17: diff two tags, compare selected specs, closest binary."""

from __future__ import annotations

from apphelpers import messages, settle
from conftest import CORPUS, page_text, spec_entry
from textual.widgets import DataTable, Input, OptionList, Static

from cachetui.diff import diff, tag_side
from cachetui.diffpackages import package_changes, package_specs
from cachetui.loader import load
from cachetui.ui.app import CacheApp
from cachetui.ui.screens.browser import BrowserScreen
from cachetui.ui.screens.closest_view import ClosestScreen
from cachetui.ui.screens.compare_view import CompareScreen
from cachetui.ui.screens.diff_view import DiffScreen, DiffSpecsScreen
from cachetui.ui.screens.tag_pick import TagPickScreen
from cachetui.ui.timing import Delays
from cachetui.ui.widgets.spec_table import SpecTable

BEFORE, AFTER = "develop-2025-03-23", "develop-2025-07-13"


def option_texts(options: OptionList) -> list[str]:
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def static_text(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


# -- the per-package diff (core) ---------------------------------------------------------------


def test_package_changes_of_real_tags():
    catalog = load([str(CORPUS)]).catalog
    d = diff(tag_side(catalog, BEFORE), tag_side(catalog, AFTER))
    rows = {r.name: r for r in package_changes(d)}
    assert {n: r.mark for n, r in rows.items()} == {
        "bc": "~", "cmake": "+", "perl-data-dumper": "-", "r-rcpp": "-",
    }  # fmt: skip
    assert (rows["bc"].changed, rows["cmake"].added, rows["r-rcpp"].removed) == (2, 33, 2)
    assert rows["bc"].describe() == "2 changed"
    bc = package_specs(d, "bc")
    assert sorted(old.hash[:7] for old, *_ in bc.changed) == ["silxz2v", "xsgfazh"]
    assert not bc.added and not bc.removed
    assert len(package_specs(d, "cmake").added) == 33


def test_versions_only_change_is_listed():
    catalog = load([str(CORPUS)]).catalog
    d = diff(tag_side(catalog, "develop-2024-11-10"), tag_side(catalog, "develop-2024-12-15"))
    (row,) = package_changes(d)
    assert (row.name, row.mark) == ("direnv", "~")
    assert row.describe() == "1 added, 2 removed; versions +2.35.0 -2.34.0"


# -- the diff view -----------------------------------------------------------------------------


async def pick(pilot, text: str) -> None:
    assert isinstance(pilot.app.screen, TagPickScreen)
    await pilot.press(*text, "enter")
    await settle(pilot)


async def test_diff_view_picks_two_tags_filters_and_opens_a_package():
    app = CacheApp([str(CORPUS)])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pick(pilot, "2025-03-23")
        await pick(pilot, "07-13")
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        summary = static_text(screen, "#diff-summary")
        assert f"before    tag {BEFORE} (15 specs, 3 packages)" in summary
        assert "specs     15 -> 35: 0 unchanged, 2 changed, 33 added, 13 removed" in summary
        options = screen.query_one("#diff-packages", OptionList)
        texts = option_texts(options)
        assert [t[:2] for t in texts] == ["~ ", "+ ", "- ", "- "]
        assert texts[0].split() == ["~", "bc", "2", "changed"]
        await pilot.press("-")  # typing narrows: a mark keeps those packages
        await settle(pilot)
        assert [t.split()[1] for t in option_texts(options)] == ["perl-data-dumper", "r-rcpp"]
        await pilot.press("backspace", *"bc", "enter")
        await settle(pilot)
        specs = app.screen
        assert isinstance(specs, DiffSpecsScreen)
        text = static_text(specs, "#diff-specs")
        assert "~ bc@1.07.1 /silxz2v -> /q6v22ff  ubuntu22.04 neoverse_v2 gcc@11.4.0" in text
        assert "same variants (a rebuild)" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)


async def test_diff_picker_cancel_and_arrows():
    app = CacheApp([str(CORPUS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press(*"develop-2024", "down", "enter")  # arrows move while typing
        await settle(pilot)
        assert isinstance(app.screen, TagPickScreen)
        assert "develop-2024-01-14" not in option_texts(app.screen.query_one(OptionList))[0]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)


async def test_diff_of_lazy_tags_loads_them_first(tmp_path, monkeypatch):
    import cachetui.discovery as discovery

    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    for tag, hashes in (("t1", "ab"), ("t2", "ac")):
        for n, char in enumerate(hashes):
            path = tmp_path / "_cache" / tag / f"pkg{n}" / "specs.md"
            path.parent.mkdir(parents=True)
            path.write_text(page_text(f"pkg{n}", tag=tag, specs=[spec_entry(hash=char * 32)]))
    held = Delays(tag_load_pause=3600, search_load_pause=3600)
    app = CacheApp([str(tmp_path)], delays=held)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        browser = app.screen
        assert browser.session.pending_tags() == ["t1", "t2"]
        await pilot.press("d")
        await settle(pilot)
        assert "not loaded yet" in option_texts(app.screen.query_one(OptionList))[0]
        await pick(pilot, "t1")
        await pick(pilot, "t2")
        await settle(pilot)
        assert any("for the diff" in m for m in messages(app))
        assert isinstance(app.screen, DiffScreen)
        assert browser.session.pending_tags() == []
        texts = option_texts(app.screen.query_one("#diff-packages", OptionList))
        assert [t.split()[:2] for t in texts] == [["~", "pkg1"]]


# -- compare -----------------------------------------------------------------------------------


def two_specs(write_page, tmp_path) -> str:
    write_page("t/p.md", page_text("p", "t", [
        spec_entry(hash="a" * 32, variants=["+mpi", "build_system=cmake"]),
        spec_entry(hash="b" * 32, variants=["~mpi", "build_system=cmake"], os="rhel8"),
    ]))  # fmt: skip
    return str(tmp_path)


async def test_compare_shows_every_field_and_marks_the_differences(write_page, tmp_path):
    app = CacheApp([two_specs(write_page, tmp_path)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Compare selected" not in str(app.screen.check_action("compare", ()))
        assert app.screen.check_action("compare", ()) is False  # not offered: nothing selected
        await pilot.press("equals_sign")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        await pilot.press("space", "space", "equals_sign")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        table = screen.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        by_field = {r[1]: r for r in rows}
        assert by_field["os"] == ["*", "os", "ubuntu22.04", "rhel8"]
        assert by_field["variant mpi"] == ["*", "variant mpi", "+mpi", "~mpi"]
        assert by_field["version"] == [" ", "version", "1.0", "1.0"]
        assert [str(c.label) for c in table.columns.values()][2:] == ["aaaaaaa", "bbbbbbb"]
        await pilot.press("d")  # only the differing rows
        await settle(pilot)
        assert [str(table.get_row_at(i)[1]) for i in range(table.row_count)] == [
            "os", "variant mpi",
        ]  # fmt: skip
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)


# -- closest -----------------------------------------------------------------------------------


async def test_closest_ranks_and_jumps_to_the_spec(write_page, tmp_path):
    app = CacheApp([two_specs(write_page, tmp_path)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClosestScreen)
        assert screen.query_one(Input).value == "p"  # the current row's package
        await pilot.press(*" ~mpi os=rhel8", "enter")
        await settle(pilot)
        head = static_text(screen, "#closest-head")
        assert head.startswith("2 binaries of p (2 specs), 1 exact")
        texts = option_texts(screen.query_one(OptionList))
        assert texts[0].startswith(" 1. p@1.0 /bbbbbbb") and "exact" in texts[0]
        assert "os ubuntu22.04 (asked rhel8) ✗" in texts[1]
        assert "~mpi (have +mpi) ✗" in texts[1]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
        table = app.screen.query_one(SpecTable)
        assert app.screen.catalog.spec(table.current_spec).hash == "b" * 32


async def test_closest_says_what_blocks_and_bad_syntax(write_page, tmp_path):
    app = CacheApp([two_specs(write_page, tmp_path)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        await pilot.press(" ", "@", "@", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ClosestScreen)
        assert static_text(screen, "#closest-head") != "Ranking…"
        await pilot.press(*["backspace"] * 3, *" os=centos7", "enter")
        await settle(pilot)
        head = static_text(screen, "#closest-head")
        assert "no exact match" in head and "✗ " in head
        assert "centos7" in head
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, BrowserScreen)
