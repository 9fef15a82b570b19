"""The browser, driven from the keyboard with Pilot."""

from __future__ import annotations

import threading

import pytest
from apphelpers import messages, settle, table_lines
from conftest import SEEDS, page_text, spec_entry

from cachetui.loader import load
from cachetui.ui.actions import ACTIONS
from cachetui.ui.app import CacheApp
from cachetui.ui.screens.browser import BrowserScreen
from cachetui.ui.screens.help import HelpScreen
from cachetui.ui.screens.load_report import LoadReportScreen
from cachetui.ui.timing import Delays
from cachetui.ui.widgets.detail_panel import DetailPanel
from cachetui.ui.widgets.filter_box import FilterBox
from cachetui.ui.widgets.package_tree import PackageTree
from cachetui.ui.widgets.spec_table import SpecTable
from cachetui.ui.widgets.status_bar import StatusBar


def detail_text(app) -> str:
    return str(app.query_one("#detail-body").render())


def status_text(app) -> str:
    return str(app.query_one(StatusBar).render())


async def test_starts_on_the_seeds_with_four_packages():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert table.row_count == 285
        assert app.focused is table
        tree = app.query_one(PackageTree)
        (develop,) = tree.root.children
        assert develop.is_expanded
        labels = [str(node.label) for node in develop.children]
        assert labels == ["py-ml-dtypes 66", "py-mpi4py 91", "py-msgpack 67", "py-multidict 61"]
        assert "285 of 285 specs" in status_text(app)


async def test_table_navigation_and_detail_follow_the_cursor():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2
        spec = app.catalog.spec(table.current_spec)
        assert spec.hash in detail_text(app)
        assert f"spack install /{spec.hash}" in detail_text(app)
        await pilot.press("G")
        assert table.cursor_row == 284
        assert int(table.scroll_y) == 285 + 1 - table.scrollable_content_region.height
        last = table_lines(table)[-1]  # the cursor row: ">" points at it
        assert (
            last.startswith("> ") and last.split()[1] == app.catalog.hashes[table.current_spec][:7]
        )
        await pilot.press("g")
        assert table.cursor_row == 0 and table.scroll_y == 0
        await pilot.press("pagedown")
        assert table.cursor_row == table.page_rows
        await pilot.press("pageup")
        assert table.cursor_row == 0
        await pilot.press("enter")
        assert app.focused is app.query_one(DetailPanel)
        await pilot.press("escape")
        assert app.focused is table


async def test_tree_scopes_the_table_down_to_a_version():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        tree = app.query_one(PackageTree)
        await pilot.press("shift+tab", "shift+tab")  # table -> filter -> tree
        assert app.focused is tree
        await pilot.press("down", "down", "down")  # all tags, develop, py-ml-dtypes, py-mpi4py
        await settle(pilot)
        assert str(tree.cursor_node.label) == "py-mpi4py 91"
        assert table.row_count == 91
        assert "91 of 91 specs" in status_text(app)
        assert "develop / py-mpi4py" in status_text(app)
        assert "specs per stack" in detail_text(app)
        await pilot.press("enter")  # open: versions appear
        assert [str(n.label) for n in tree.cursor_node.children] == ["3.1.6 5", "4.0.1 86"]
        await pilot.press("down", "down")
        await settle(pilot)
        assert str(tree.cursor_node.label) == "4.0.1 86"
        assert table.row_count == 86
        assert {app.catalog.spec(i).version for i in table.ids} == {"4.0.1"}
        await pilot.press("a")
        await settle(pilot)
        assert table.row_count == 285


async def test_filter_as_you_type_and_layered_escape():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        await pilot.press("slash")
        assert app.focused is app.query_one(FilterBox)
        await pilot.press(*"ubuntu24.04")
        await settle(pilot)
        assert table.row_count == 113
        assert {app.catalog.spec(i).os for i in table.ids} == {"ubuntu24.04"}
        assert "113 of 285 specs" in status_text(app)
        await pilot.press("escape")  # clears
        await settle(pilot)
        assert app.query_one(FilterBox).value == "" and table.row_count == 285
        assert app.focused is app.query_one(FilterBox)
        await pilot.press("escape")  # leaves
        assert app.focused is table
        await pilot.press("slash", *"mpi4py", "enter")
        await settle(pilot)
        assert app.focused is table and table.row_count == 91
        await pilot.press("escape")  # in the table: clears the filter
        await settle(pilot)
        assert table.row_count == 285


async def test_bad_query_keeps_the_last_good_result():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        await pilot.press("slash", *"os=rhel8 ")
        await settle(pilot)
        assert table.row_count == 6
        app.query_one(FilterBox).value = "os=rhel8 bogus=1"  # as if pasted
        await settle(pilot)
        assert table.row_count == 6
        assert "bad query" in status_text(app)


async def test_query_error_is_shown_whole_under_the_filter():
    from cachetui.ui.widgets.filter_box import QueryErrorLine
    from cachetui.view import Scope

    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        whole = app.browser.view.compute(Scope(), "os=rhel8 bogus=1", None, False).error
        assert len(whole) > 60  # longer than the status line has room for at 80 columns
        line = app.query_one(QueryErrorLine)
        assert not line.display
        app.query_one(FilterBox).value = "os=rhel8 bogus=1"
        await settle(pilot)
        assert line.display and line.region.y == app.query_one(FilterBox).region.bottom
        assert " ".join(str(line.render()).split()) == " ".join(whole.split())
        assert line.region.height >= 2  # wrapped, not cut
        error_colour = app.current_theme.to_color_system().generate()["text-error"]
        assert line.styles.color.hex.lower() == error_colour.lower()
        app.query_one(FilterBox).value = "os=rhel8"
        await settle(pilot)
        assert not line.display


async def test_sorting_by_keyboard_and_back():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        original = list(table.ids)
        await pilot.press("s")  # by hash
        await settle(pilot)
        hashes = [app.catalog.hashes[i] for i in table.ids]
        assert hashes == sorted(hashes)
        await pilot.press("s")  # by "runs here": what runs first
        await settle(pilot)
        assert table.sort.column == "runs"
        await pilot.press("s")  # by package
        await settle(pilot)
        names = [app.catalog.spec(i).package for i in table.ids]
        assert names == sorted(names) and table.sort.column == "package"
        assert "sorted by package" in status_text(app)
        await pilot.press("S")
        await settle(pilot)
        names = [app.catalog.spec(i).package for i in table.ids]
        assert names == sorted(names, reverse=True)
        assert "package ▼" in table_lines(table)[0]
        await pilot.press("S")
        await settle(pilot)
        assert list(table.ids) == original and table.sort is None


async def test_version_sort_is_numeric(write_page, tmp_path):
    versions = ["1.9", "1.10", "1.2"]
    specs = [spec_entry(hash=c * 32, versions=[v]) for c, v in zip("abc", versions)]
    write_page("p.md", page_text("p", specs=specs))
    app = CacheApp([str(tmp_path)])
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        await pilot.press("s", "s", "s", "s")  # hash, runs here, package, version
        await settle(pilot)
        assert table.sort.column == "version"
        assert [app.catalog.spec(i).version for i in table.ids] == ["1.2", "1.9", "1.10"]


async def test_help_lists_every_key_from_the_action_table():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        words = " ".join(text.split())  # long lines wrap (under their description)
        for action in ACTIONS:
            assert action.key_text in text and " ".join(action.help.split()) in words
        assert "%gcc@13" in text and "set -g set-clipboard on" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("width", [80, 200])
async def test_help_never_runs_a_long_token_into_its_meaning(width):
    """Query tokens longer than their column ("runs=yes  runs=no  runs=unknown") get a line of
    their own: never "runs=unknownruns on this machine", at any width."""
    from cachetui.querysyntax import SYNTAX

    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(width, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        lines = str(app.screen.query_one("#help-text").render()).splitlines()
        for token, _meaning in SYNTAX:
            (line,) = [line for line in lines if line.strip().startswith(token)]
            rest = line.strip()[len(token) :]
            assert rest == "" or rest.startswith("  "), line


def test_footer_bindings_come_from_the_action_table():
    keys = {(b.key, b.action) for b in CacheApp.BINDINGS + BrowserScreen.BINDINGS}
    assert ("slash", "focus_filter") in keys and ("q", "app.quit") in keys
    table_keys = {b.action for b in SpecTable.BINDINGS}
    assert {"last_row", "first_row", "sort_next", "page_down"} <= table_keys
    every = CacheApp.BINDINGS + BrowserScreen.BINDINGS + SpecTable.BINDINGS
    assert all(b.id and b.tooltip for b in every)
    assert ("table.scroll_left", "left,h") in {(b.id, b.key) for b in SpecTable.BINDINGS}


async def test_command_palette_offers_the_actions():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Sort (s)" in titles and "Help (? F1)" in titles
        assert any("theme" in title.lower() for title in titles)
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Bottom (G End)"
        )
        await command.callback()
        await pilot.pause()
        assert app.query_one(SpecTable).cursor_row == 284


async def test_fits_80x24():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree, table = app.query_one(PackageTree), app.query_one(SpecTable)
        detail, status = app.query_one(DetailPanel), app.query_one(StatusBar)
        for widget in (tree, table, detail, status, app.query_one(FilterBox)):
            assert widget.region.width > 0 and widget.region.height > 0, widget
        assert tree.region.right <= table.region.x
        header = table_lines(table)[0]
        for title in ("hash", "package", "version", "os", "target"):
            assert title in header
        assert table.region.height >= 8 and detail.region.height >= 6


async def test_values_are_shown_literally(write_page, tmp_path):
    evil = spec_entry(
        hash="e" * 32,
        os="[b]bold[/b]",
        variants=["[@click=app.quit]", "x=\x1b]52;c;aGk=\x07"],
        stacks=["[red]red"],
    )
    write_page("evil.md", page_text("[link=http://x]pkg", specs=[evil]))
    app = CacheApp([str(tmp_path)])
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        row = table_lines(table)[1]
        assert "[link=http://x]pkg" in row and "[b]bold[/b]" in row
        assert "\x1b" not in "".join(table_lines(table))
        detail = detail_text(app)
        assert "[@click=app.quit]" in detail and "\\x1b]52;c;aGk=\\x07" in detail
        assert "\x1b" not in detail and "\x07" not in detail
        tree = app.query_one(PackageTree)
        labels = [str(n.label) for n in tree.root.children[0].children]
        assert labels == ["[link=http://x]pkg 1"]
        await pilot.click(SpecTable, offset=(10, 1))  # clicking the row must not run app.quit
        assert app.is_running


async def test_load_problems_notify_and_report(write_page, tmp_path):
    write_page("good.md", page_text("good"))
    write_page("bad.md", "---\nlayout: cache\nspec_details: {}\n---\n")
    app = CacheApp([str(tmp_path)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("1 file(s) skipped" in m for m in messages(app))
        await pilot.press("r")
        assert isinstance(app.screen, LoadReportScreen)
        text = str(app.screen.query_one("#report-text").render())
        assert "bad.md" in text and "spec_details is a mapping, not a list" in text


@pytest.mark.parametrize("started_by", ["app", "cli"])
async def test_slow_load_shows_progress(monkeypatch, started_by):
    """The app's own load, or the one the CLI starts before the app (``BackgroundLoad``)."""
    import cachetui.loader as loader_module
    from cachetui.loader import BackgroundLoad

    real_load = loader_module.load
    reported, release = threading.Event(), threading.Event()

    def slow_load(paths, progress=None, **options):
        progress(1, 4)
        reported.set()
        release.wait(timeout=30)  # held until the test has seen the bar
        return real_load(paths, progress=progress, **options)

    monkeypatch.setattr(loader_module, "load", slow_load)
    monkeypatch.setattr("cachetui.session.load", slow_load)
    preload = BackgroundLoad([SEEDS]) if started_by == "cli" else None
    delays = Delays(progress_after=3600, progress_every=3600)  # driven below, not by the clock
    app = CacheApp([str(SEEDS)], preload=preload, delays=delays)
    async with app.run_test(size=(100, 30)) as pilot:
        try:
            await pilot.pause()
            assert not app.query_one("#loading").display  # not before progress_after
            while not reported.is_set():
                await pilot.pause(0.01)
            if started_by == "cli":  # the session copies the preload's figures as it polls
                while not app.session.progress() or app.session.progress().done != 1:
                    await pilot.pause(0.01)
            app.browser.show_progress()
            await pilot.pause()
            assert app.query_one("#loading").display
            assert "1 of 4 files" in str(app.query_one("#loading-label").render())
        finally:
            release.set()
        await settle(pilot)
        assert not app.query_one("#loading").display
        assert app.query_one(SpecTable).row_count == 285 and not app.session.has_preload


async def test_filter_typed_while_loading_is_applied_to_the_loaded_rows(monkeypatch):
    import cachetui.session as session_module

    real_load = session_module.load
    started, release = threading.Event(), threading.Event()

    def slow_load(paths, **options):
        started.set()
        release.wait(timeout=30)  # held until the filter is typed
        return real_load(paths, **options)

    monkeypatch.setattr(session_module, "load", slow_load)
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        while not started.is_set():
            await pilot.pause(0.02)
        await pilot.press("slash", *"os=ubuntu24.04")
        release.set()
        await settle(pilot)
        table = app.query_one(SpecTable)
        expected = sum(1 for s in load([SEEDS]).catalog.specs() if s.os == "ubuntu24.04")
        assert 0 < expected < 285
        assert table.row_count == expected
        assert app.query_one(FilterBox).value == "os=ubuntu24.04"
        assert app.focused is app.query_one(FilterBox)  # the load did not take the focus away


async def test_theme_option():
    app = CacheApp([str(SEEDS)], theme="nord")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert app.theme == "nord"
    app = CacheApp([str(SEEDS)], theme="no-such-theme")
    async with app.run_test() as pilot:
        await settle(pilot)
        assert any("No theme named" in m for m in messages(app))


def test_no_color_is_respected(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert CacheApp([str(SEEDS)]).no_color


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_nothing_loaded_says_why(tmp_path, size):
    app = CacheApp([str(tmp_path / "missing")])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert "No specs were loaded" in detail_text(app)
        assert app.query_one(SpecTable).row_count == 0


async def test_go_to_package_prompt_is_typo_tolerant():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p", *"mpi4pi")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert app.browser.state.scope.package == "py-mpi4py" and table.row_count == 91
        assert str(app.query_one(PackageTree).cursor_node.label) == "py-mpi4py 91"
        assert app.focused is table


async def test_go_to_hash_opens_the_spec():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"multidict", "enter")  # a filter that hides the target
        await settle(pilot)
        await pilot.press("number_sign", *"255hxvjj")  # one typo
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        table = app.query_one(SpecTable)
        spec = app.catalog.spec(table.current_spec)
        assert spec.hash == "255hkvjjlmt7je7ljqabxkt4rcdwlcbh"
        assert app.query_one(FilterBox).value == ""
        assert (app.browser.state.scope.package, app.browser.state.scope.version) == (
            "py-msgpack",
            "1.0.3",
        )
        assert "spack install /255hkvjjlmt7je7ljqabxkt4rcdwlcbh" in detail_text(app)


async def test_facets_add_a_filter_token():
    from cachetui.ui.screens.facets import FacetScreen

    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"mpi4py", "enter")
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FacetScreen)
        facets = app.screen.facets
        assert sum(n for _, n in facets["os"]) == 91
        top_os = facets["os"][0][0]
        options = app.screen.query_one("OptionList")
        token = app.screen.tokens.index(f"os={top_os}")
        options.highlighted = options.get_option_index(str(token))  # the most common os
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(FilterBox).value == f"mpi4py os={top_os}"
        table = app.query_one(SpecTable)
        assert table.row_count == dict(facets["os"])[top_os]


async def test_narrow_layout_follows_each_resize_at_once():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        assert not app.browser.has_class("narrow")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.browser.has_class("narrow")
        await pilot.resize_terminal(200, 50)
        await pilot.pause()
        assert not app.browser.has_class("narrow")
        await pilot.press("question_mark")  # resized while the help covers the browser
        await pilot.resize_terminal(80, 24)
        await pilot.press("escape")
        await settle(pilot)
        assert app.browser.has_class("narrow")
        assert app.query_one(PackageTree).size.width < 30


async def test_detail_never_shows_a_spec_the_filter_removed():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert app.catalog.spec(table.current_spec).package == "py-msgpack"
        await pilot.press("slash", *"multidict")
        await settle(pilot)
        spec = app.catalog.spec(table.current_spec)
        assert spec.package == "py-multidict"
        assert spec.hash in detail_text(app) and "py-msgpack" not in detail_text(app)


async def test_narrow_tree_cuts_its_labels_without_a_sideways_scrollbar():
    """At 60 columns the tree's labels lose their middle ("py-…ypes 66"): a horizontal
    scrollbar there would scroll to nothing and hide the tree's last line."""
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        tree = app.query_one(PackageTree)
        assert tree.virtual_size.width > tree.scrollable_content_region.width  # labels are cut
        assert not tree.show_horizontal_scrollbar


@pytest.mark.parametrize("size", [(60, 15), (80, 24), (200, 50)])
async def test_filter_hint_keeps_whole_tokens_and_marks_a_cut(size):
    """The hint under "/" never ends in a token cut short ("os=  target"): whole tokens, then
    "…" when some did not fit; whole on a wide terminal."""
    from cachetui.ui.widgets.filter_box import PLACEHOLDER, FilterBox

    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        box = app.query_one(FilterBox)
        shown = box.placeholder
        assert len(shown) < box.content_region.width
        if shown != PLACEHOLDER:
            assert shown.endswith("  …")
            assert PLACEHOLDER.startswith(shown[: -len("  …")] + "  ")
        assert (shown == PLACEHOLDER) == (size[0] == 200)
