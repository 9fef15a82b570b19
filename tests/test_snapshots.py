"""SVG snapshots of every screen and state (pytest-textual-snapshot). Update with --snapshot-update."""

from __future__ import annotations

import pytest
from apphelpers import settle
from conftest import ROOT, page_text, spec_entry

from cachetui.session import Progress
from cachetui.ui.app import CacheApp
from cachetui.ui.timing import Delays
from cachetui.ui.widgets.loading_panel import LoadingPanel


@pytest.fixture(autouse=True)
def relative_paths(monkeypatch):
    # Paths are shown in the detail panel: relative ones keep the pictures machine-independent.
    monkeypatch.chdir(ROOT)


async def loaded(pilot) -> None:
    await settle(pilot)


async def loaded_quiet(pilot) -> None:
    await settle(pilot)
    pilot.app.clear_notifications()  # the real pages' load warnings: not the layout's
    await pilot.pause()


def test_main_screen_80x24(snap_compare):
    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=loaded)


def test_main_screen_160x48(snap_compare):
    assert snap_compare(CacheApp(["seeds"]), terminal_size=(160, 48), run_before=loaded)


def test_main_screen_120x40(snap_compare):
    corpus = "tests/data/corpus-real"
    assert snap_compare(CacheApp([corpus]), terminal_size=(120, 40), run_before=loaded_quiet)


def test_main_screen_200x50(snap_compare):
    # Wide: the tree shows whole tag names, the table every column but the longest variants.
    corpus = "tests/data/corpus-real"
    assert snap_compare(CacheApp([corpus]), terminal_size=(200, 50), run_before=loaded_quiet)


def test_main_screen_60x15(snap_compare):
    # Short: the detail panel folds away and the table gets the lines.
    corpus = "tests/data/corpus-real"
    assert snap_compare(CacheApp([corpus]), terminal_size=(60, 15), run_before=loaded_quiet)


def test_columns_scrolled_right_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, *"llllllll", "right_square_bracket")

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_lazy_tags_not_loaded_200x50(snap_compare, tmp_path, monkeypatch):
    import cachetui.discovery as discovery

    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    for tag in ("develop", "develop-2025-03-23", "develop-2025-03-30", "v0.22.1"):
        path = tmp_path / "_cache" / tag / "pkg" / "specs.md"
        path.parent.mkdir(parents=True)
        path.write_text(page_text("pkg", tag=tag, specs=[spec_entry(hash=tag[:8].ljust(32, "a"))]))
    monkeypatch.chdir(tmp_path)
    held = Delays(tag_load_pause=3600, search_load_pause=3600)
    assert snap_compare(CacheApp(["."], delays=held), terminal_size=(200, 50), run_before=loaded)


def test_package_scope_and_summary_80x24(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("shift+tab", "shift+tab", "down", "down", "down", "enter")
        await settle(pilot)

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_filter_160x48(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("slash", *"mpi4py os=ubuntu24.04", "enter", "j")
        await settle(pilot)

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(160, 48), run_before=run_before)


def test_help_80x24(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


async def pressed(pilot, *keys: str) -> None:
    await settle(pilot)
    await pilot.press(*keys)
    await settle(pilot)


def test_export_dialog_80x24(snap_compare, monkeypatch):
    import cachetui.ui.screens.export as export_screen

    monkeypatch.setattr(export_screen, "default_path", lambda fmt, directory=".": f"out.{fmt}")

    async def run_before(pilot):
        await pressed(pilot, "space", "space", "e")

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_facets_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "slash", *"mpi4py", "enter", "f")

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_load_report_80x24(snap_compare, tmp_path, monkeypatch):
    (tmp_path / "good.md").write_text(page_text("good"))
    (tmp_path / "bad.md").write_text("---\nlayout: cache\nspec_details: {}\n---\n")
    monkeypatch.chdir(tmp_path)

    async def run_before(pilot):
        await pressed(pilot, "r")

    assert snap_compare(CacheApp(["."]), terminal_size=(80, 24), run_before=run_before)


def test_command_palette_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "ctrl+p", *"sort")
        await pilot.pause()

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_lazy_tags_not_loaded_80x24(snap_compare, tmp_path, monkeypatch):
    import cachetui.discovery as discovery

    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    for tag in ("develop", "v0.22.1"):
        for p in range(2):
            path = tmp_path / "_cache" / tag / f"pkg{p}" / "specs.md"
            path.parent.mkdir(parents=True)
            path.write_text(
                page_text(f"pkg{p}", tag=tag, specs=[spec_entry(hash=f"{tag}{p}".ljust(32, "a"))])
            )
    monkeypatch.chdir(tmp_path)
    held = Delays(tag_load_pause=3600, search_load_pause=3600)
    assert snap_compare(CacheApp(["."], delays=held), terminal_size=(80, 24), run_before=loaded)


def test_progress_bar_80x24(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        panel = pilot.app.query_one(LoadingPanel)
        panel.display = True  # as while a load runs: a load is never held for a picture
        panel.show_progress(Progress(120, 480, "Loading pages: 120 of 480 files"))
        await pilot.pause()

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_nothing_loaded_80x24(snap_compare):
    assert snap_compare(CacheApp(["no-such-folder"]), terminal_size=(80, 24), run_before=loaded)


def test_query_error_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "slash", *"os=rhel8 bogus=1")

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_dependencies_of_an_index_spec_100x40(snap_compare):
    index = "tests/data/formats/spack_test-data_v2_layout_unsigned_index.db-v8.json"

    async def run_before(pilot):
        await pressed(pilot, "slash", *"libdwarf target=m1", "enter", "enter", "end")

    assert snap_compare(CacheApp([index]), terminal_size=(100, 40), run_before=run_before)


def test_diff_view_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "d", *"2025-03-23", "enter")
        await pressed(pilot, *"07-13", "enter")
        pilot.app.clear_notifications()  # the real pages' load warnings: not this view's
        await pilot.pause()

    corpus = "tests/data/corpus-real"
    assert snap_compare(CacheApp([corpus]), terminal_size=(80, 24), run_before=run_before)


def test_diff_package_specs_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "d", *"2025-03-23", "enter")
        await pressed(pilot, *"07-13", "enter")
        await pressed(pilot, *"bc", "enter")
        pilot.app.clear_notifications()  # the real pages' load warnings: not this view's
        await pilot.pause()

    corpus = "tests/data/corpus-real"
    assert snap_compare(CacheApp([corpus]), terminal_size=(80, 24), run_before=run_before)


def test_compare_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "slash", *"bc", "enter", "space", "space", "space", "equals_sign")

        pilot.app.clear_notifications()  # the real pages' load warnings: not this view's
        await pilot.pause()

    corpus = "tests/data/corpus-real"
    assert snap_compare(CacheApp([corpus]), terminal_size=(80, 24), run_before=run_before)


def test_closest_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "c", "ctrl+u", *"bc@1.07 %gcc@13 os=rhel8 target=zen3", "enter")
        pilot.app.clear_notifications()  # the real pages' load warnings: not this view's
        await pilot.pause()

    corpus = "tests/data/corpus-real"
    assert snap_compare(CacheApp([corpus]), terminal_size=(80, 24), run_before=run_before)


DB8 = "tests/data/formats/spack_test-data_v2_layout_unsigned_index.db-v8.json"


def test_dependency_tree_80x24(snap_compare):
    """Spack's own test index: libdwarf's closure and its dependency tree, gcc-runtime open."""

    async def run_before(pilot):
        await pressed(pilot, "slash", *"libdwarf target=m1", "enter", "f2", "enter")
        tree = pilot.app.screen.query_one("#detail-deps")
        tree.focus()
        await pressed(pilot, "down", "down", "space")

    assert snap_compare(CacheApp([DB8]), terminal_size=(80, 24), run_before=run_before)


def test_why_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "slash", *"gcc-runtime", "enter", "w")

    assert snap_compare(CacheApp([DB8]), terminal_size=(80, 24), run_before=run_before)


def test_picker_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, *"mpi4py")  # straight into the prompt
        await pressed(pilot, "tab", "space", "space")  # to the list; two rows marked ●

    app = CacheApp(["seeds"], print_format="hashes")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_picker_no_color_80x24(snap_compare, monkeypatch):
    """Without colour the picker still shows which row enter prints: ">" (as fzf), and "●"."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot):
        await pressed(pilot, *"mpi4py", "tab", "space", "down")  # row 1 selected, cursor on 3

    app = CacheApp(["seeds"], print_format="hashes")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_export_error_no_color_80x24(snap_compare, monkeypatch):
    """A failed save: the dialog stays, the error in it; the chosen format is (•) without colour."""
    import cachetui.ui.screens.export as export_screen

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(export_screen, "default_path", lambda fmt, directory=".": f"out.{fmt}")

    async def run_before(pilot):
        await pressed(pilot, "space", "space", "e")
        path = pilot.app.screen.query_one("#export-path")
        path.value = "no-such-folder/out.sh"
        path.focus()
        # enter in the path saves, as the button does; a pressed button stays lit for 0.2 s,
        # which a snapshot could catch or not
        await pressed(pilot, "enter")
        await settle(pilot)

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)


def test_tag_summary_80x24(snap_compare):
    async def run_before(pilot):
        await pressed(pilot, "shift+tab", "shift+tab", "down")  # the tree, on the tag

    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=run_before)
