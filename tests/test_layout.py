"""The screen's layout under Pilot: columns fitted to the window, the column cursor and its
sort keys, pinned columns, where-am-I marks, the tree's width and short windows."""

from __future__ import annotations

import pytest
from apphelpers import settle, table_lines
from conftest import CORPUS, SEEDS, page_text, spec_entry

import cachetui.discovery as discovery
from cachetui.ui.app import CacheApp
from cachetui.ui.timing import Delays
from cachetui.ui.widgets.detail_panel import DetailPanel
from cachetui.ui.widgets.filter_box import FilterBox
from cachetui.ui.widgets.package_tree import PackageTree, shorten
from cachetui.ui.widgets.spec_table import SpecTable
from cachetui.ui.widgets.status_bar import StatusBar
from cachetui.view import COLUMNS, cell_text, fit_columns

HELD = Delays(search_load_pause=3600, tag_load_pause=3600)


def status_text(app) -> str:
    return str(app.query_one(StatusBar).render())


def tree_lines(tree) -> list[str]:
    return [tree.render_line(y).text for y in range(tree.scrollable_content_region.height)]


def cells(table, line: str) -> dict[str, str]:
    """The text of each column on one rendered line of the table."""
    out, x = {}, 2  # after the selection mark
    for column, width in table.columns_shown:
        out[column.key] = line[x : x + width]
        x += width + 1
    return out


def assert_never_cut_silently(app, table) -> None:
    """Every cell on screen is its whole value, or its start and end around a "…"."""
    for row, line in enumerate(table_lines(table)[1:]):
        if int(table.scroll_y) + row >= table.row_count:
            break
        spec_id = int(table.ids[int(table.scroll_y) + row])
        for key, text in cells(table, line).items():
            if key in ("hash", "runs"):
                continue
            whole = cell_text(app.catalog.column(key).cell(spec_id))
            shown = text.rstrip()
            if shown != whole:
                head, _, tail = shown.partition("…")
                assert "…" in shown and whole.startswith(head) and whole.endswith(tail), (
                    key,
                    shown,
                )


# -- fitting the columns ---------------------------------------------------------------------


def test_fit_gives_room_by_priority_and_shows_a_run_of_columns():
    natural = {c.key: c.max_width for c in COLUMNS} | {"version": 6, "os": 11, "target": 11}
    shown = fit_columns(natural, 60)
    keys = [c.key for c, _ in shown]
    assert keys[:3] == ["hash", "runs", "package"]  # pinned, always first
    assert keys == [c.key for c in COLUMNS][: len(keys)]  # a run of columns: none skipped
    assert sum(w + 1 for _, w in shown) <= 60
    # Scrolled right by two columns: the pinned ones stay, version and os are gone.
    keys = [c.key for c, _ in fit_columns(natural, 60, first=2)]
    assert keys[:4] == ["hash", "runs", "package", "target"]


def test_target_gets_room_before_os():
    natural = {c.key: c.max_width for c in COLUMNS} | {"package": 10, "version": 6}
    natural |= {"os": 11, "target": 11}
    widths = dict((c.key, w) for c, w in fit_columns(natural, 2 + 8 + 4 + 11 + 7 + 12 + 8))
    assert widths["target"] == 11 and widths["os"] < 11  # os is cut (with …), not target


def test_a_cell_is_cut_at_its_end_or_in_its_middle():
    from cachetui.ui.widgets.spec_table import fitted

    assert fitted("ubuntu22.04", 8) == "ubuntu2…"
    assert fitted("ubuntu22.04", 8, middle=True) == "ub…22.04"
    assert fitted("zen3", 8, middle=True) == "zen3    "


def test_a_name_is_cut_in_its_middle_keeping_its_end_and_count():
    from rich.text import Text

    label = Text.assemble("develop-2025-03-23", (" 1,234", "dim"))
    short = shorten(label, 0, len("develop-2025-03-23"), 16)
    assert short.plain == "dev…-03-23 1,234"
    assert shorten(label, 0, 18, 40) is label  # room enough: untouched
    assert shorten(label, 0, 18, 8).plain == "develop…"  # too little for a name: its end goes


async def test_80x24_shows_targets_whole_and_cuts_only_with_an_ellipsis():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert any("neoverse_v1" in line for line in table_lines(table))
        # Values that differ at their end keep it: ubuntu18.04 and ubuntu22.04 stay apart.
        shown = {cells(table, line)["os"].strip() for line in table_lines(table)[1:]}
        assert len(shown) == len({app.catalog.column("os").cell(int(i)) for i in table.ids[:10]})
        # Every line ends inside the table: nothing cut by the window's edge.
        for line in table_lines(table):
            assert len(line.rstrip()) <= table.scrollable_content_region.width
        assert_never_cut_silently(app, table)


async def test_column_widths_follow_the_rows_shown():
    app = CacheApp([str(CORPUS)])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        await pilot.press("slash", *"bc os=ubuntu22.04", "enter")
        await settle(pilot)
        widths = dict((c.key, w) for c, w in table.columns_shown)
        shown = {cell_text(app.catalog.column("version").cell(int(i))) for i in table.ids}
        assert widths["version"] == max(len("version"), *map(len, shown))
        assert widths["os"] == len("ubuntu22.04")
        assert_never_cut_silently(app, table)


# -- the column cursor, sorting, pinned columns ----------------------------------------------


async def test_brackets_sort_by_the_current_column_and_the_arrow_shows_when_narrow():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        await pilot.press("l", "l", "l")  # package -> version -> os -> target
        assert table.column == "target"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.browser.state.sort.column == "target" and app.browser.state.sort.descending
        targets = [app.catalog.column("target").cell(int(i)) for i in table.ids]
        assert targets == sorted(targets, reverse=True)
        assert "▼" in cells(table, table_lines(table)[0])["target"]
        await pilot.press("h", "h", "h", "h")  # the run column: three cells wide
        assert table.column == "runs"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert app.browser.state.sort.column == "runs"
        assert cells(table, table_lines(table)[0])["runs"].endswith("▲")
        assert "sorted by runs" in status_text(app)


async def test_hash_and_package_stay_while_the_columns_scroll_right():
    app = CacheApp([str(CORPUS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        header = table_lines(table)[0]
        assert "variants" not in header and header.rstrip().endswith("›")
        for _ in range(12):
            await pilot.press("l")
        header = table_lines(table)[0]
        assert header.split()[:3] == ["hash", "run", "package"]
        assert "variants" in header and "‹" in header and not header.rstrip().endswith("›")
        spec = app.catalog.spec(table.current_spec)
        assert spec.hash[:7] in table_lines(table)[1] and spec.package in table_lines(table)[1]
        assert_never_cut_silently(app, table)
        await pilot.press("home")  # rows, not columns: the columns stay where they are
        assert "variants" in table_lines(table)[0]


# -- where am I --------------------------------------------------------------------------


async def test_status_says_row_of_rows_and_panes_have_titles():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert status_text(app).startswith("1/285")
        await pilot.press("j", "j")
        assert status_text(app).startswith("3/285")
        await pilot.press("G")
        assert status_text(app).startswith("285/285")
        assert app.query_one(PackageTree).border_title == "packages"
        assert app.query_one(SpecTable).border_title == "specs 285"
        assert app.query_one(DetailPanel).border_title == "detail"
        await pilot.press("slash", *"py-mpi4py", "enter")
        await settle(pilot)
        assert (
            status_text(app).startswith("1/91")
            and app.query_one(SpecTable).border_title == "specs 91"
        )


async def test_tab_goes_tree_filter_table_detail():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one(PackageTree).focus()
        await pilot.pause()
        order = []
        for _ in range(4):
            order.append(type(app.focused))
            await pilot.press("tab")
        assert order == [PackageTree, FilterBox, SpecTable, DetailPanel]
        assert type(app.focused) is PackageTree


# -- the tree and the window -------------------------------------------------------------


@pytest.fixture
def lazy_site(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    for tag in ("develop", "develop-2025-03-23", "develop-2025-03-30", "v0.22.1"):
        for p in range(2):
            path = tmp_path / "_cache" / tag / f"pkg{p}" / "specs.md"
            path.parent.mkdir(parents=True)
            digits = f"{tag}{p}".replace("-", "").replace(".", "")
            path.write_text(
                page_text(f"pkg{p}", tag=tag, specs=[spec_entry(hash=digits.ljust(32, "a")[:32])])
            )
    return tmp_path


async def test_tree_is_wide_at_200_columns_and_names_stay_apart_at_80(lazy_site):
    app = CacheApp([str(lazy_site)], delays=HELD)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        tree = app.query_one(PackageTree)
        lines = tree_lines(tree)
        assert sum("2 packages, not loaded" in line for line in lines) == 4
        assert any("develop-2025-03-30 2 packages, not loaded" in line for line in lines)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert tree.size.width <= 24
        lines = [line.strip() for line in tree_lines(tree)[1:5]]
        assert len(set(lines)) == 4  # four tags, four different lines
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert tree.size.width > 40


async def test_a_lazy_checkout_starts_with_its_tags_and_says_what_to_do(lazy_site):
    app = CacheApp([str(lazy_site)], delays=HELD)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        text = "\n".join(table_lines(table))
        assert "No tag is loaded yet" in text and "press /" in text
        assert "0 of 0" not in status_text(app)
        assert len(app.query_one(PackageTree).root.children) == 4


async def test_a_short_window_gives_the_table_the_lines():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        detail = app.query_one(DetailPanel)
        table = app.query_one(SpecTable)
        assert not detail.display
        assert table.scrollable_content_region.height >= 8
        await pilot.press("f3")  # asked for: shown, and kept over a resize
        await settle(pilot)
        assert detail.display
        await pilot.resize_terminal(60, 14)
        await settle(pilot)
        assert detail.display
        await pilot.press("f3")
        await pilot.resize_terminal(100, 40)
        await settle(pilot)
        assert not detail.display


async def test_a_tall_window_keeps_the_detail_panel():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(100, 40)
        await settle(pilot)
        assert app.query_one(DetailPanel).display


# -- matches outside the scope -----------------------------------------------------------


async def test_a_filter_in_a_scope_says_how_many_match_elsewhere():
    app = CacheApp([str(CORPUS)])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        everywhere = len(app.browser.view.compute(app.browser.state.scope, "tag=legacy", None).ids)
        assert everywhere > 0
        app.browser.goto_package("develop-2025-07-13", "bc")
        await settle(pilot)
        await pilot.press("slash", *"tag=legacy")
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert table.row_count == 0
        hint = f"{everywhere:,} more in all tags: press a"
        assert hint in status_text(app)
        assert app.query_one(SpecTable).border_title == f"specs 0 · {hint}"  # never cut off
        assert hint in "\n".join(table_lines(table))
        await pilot.press("enter", "a")
        await settle(pilot)
        assert table.row_count == everywhere
        assert "more in all tags" not in status_text(app)


async def test_the_count_elsewhere_is_dropped_by_the_next_keystroke():
    app = CacheApp([str(CORPUS)])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.browser.goto_package("develop-2025-07-13", "bc")
        await settle(pilot)
        await pilot.press("slash", *"tag=legac")
        await settle(pilot)
        assert "more in all tags" not in status_text(app)  # "legac" matches no tag
        await pilot.press("y")
        await settle(pilot)
        assert "more in all tags" in status_text(app)
        await pilot.press("backspace")
        assert "more in all tags" not in status_text(app)  # gone at once, not once recounted
