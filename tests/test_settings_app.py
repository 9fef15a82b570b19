"""The settings in the browser: keys remapped by binding id, columns, the remembered theme, and
a bad config file shown as a notification."""

from __future__ import annotations

import json
from pathlib import Path

from apphelpers import messages, settle
from conftest import SEEDS

from cachetui.settings import load_settings, parse_settings, state_path
from cachetui.ui.app import CacheApp
from cachetui.ui.palette import action_commands
from cachetui.ui.screens.browser import BrowserScreen
from cachetui.ui.screens.facets import FacetScreen
from cachetui.ui.screens.help import HelpScreen
from cachetui.ui.widgets.spec_table import SpecTable


def app_with(tmp_path: Path, text: str) -> CacheApp:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return CacheApp([str(SEEDS)], settings=load_settings(path))


def footer_keys(app) -> dict[str, str]:
    """The footer as shown: description -> key."""
    from textual.widgets._footer import FooterKey

    return {key.description: key.key_display for key in app.screen.query(FooterKey)}


async def test_a_remapped_key_runs_its_action_and_the_old_one_does_not(tmp_path):
    app = app_with(tmp_path, '[keys]\n"browser.facets" = "F"\n"table.sort_next" = "o"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        await pilot.press("f")
        await settle(pilot)
        assert not isinstance(app.screen, FacetScreen)  # the old key does nothing now
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, FacetScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")
        assert table.sort is None
        await pilot.press("o")
        assert table.sort is not None and table.sort.column == "hash"
        assert footer_keys(app)["Facets"] == "F"
        assert footer_keys(app)["Sort"] == "o"
        assert messages(app, "warning") == []


async def test_help_and_palette_show_the_remapped_key(tmp_path):
    app = app_with(tmp_path, '[keys]\n"browser.facets" = "ctrl+f"\n"browser.help" = "?,f5"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [command.title for command in action_commands(app, app.screen, BrowserScreen)]
        assert "Facets (^f)" in titles  # Textual writes ctrl as ^
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        help_lines = str(app.screen.query_one("#help-text").render()).splitlines()
        facets = next(line for line in help_lines if "Counts per os" in line)
        assert facets.split()[0] == "ctrl+f"
        help_line = next(line for line in help_lines if "Show this help" in line)
        assert help_line.split()[:2] == ["?", "f5"]


async def test_a_bad_config_is_a_notification_and_the_rest_applies(tmp_path):
    app = app_with(
        tmp_path,
        'colour = "red"\ncolumns = ["package", "hash"]\n'
        '[keys]\n"browser.facet" = "F"\n"table.sort_next" = "j"\n"browser.copy" = "x"\n',
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        warnings = messages(app, "warning")
        path = str(tmp_path / "config.toml")
        assert len(warnings) == 3 and all(w.startswith(path) for w in warnings)
        assert "unknown setting 'colour'" in warnings[0]
        assert "unknown binding id 'browser.facet'" in warnings[1]
        assert "'j' would be bound twice" in warnings[2]
        table = app.query_one(SpecTable)
        assert table.render_line(0).text.split() == ["package", "hash"]  # the columns apply
        await pilot.press("j")
        assert table.cursor_row == 1  # j still moves down
        assert footer_keys(app)["Copy"] == "x"  # the good remapping applies


async def test_a_config_that_is_not_toml_leaves_the_browser_working(tmp_path):
    app = app_with(tmp_path, "theme = \n")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.query_one(SpecTable).row_count == 285
        [warning] = messages(app, "warning")
        assert "config.toml" in warning and "not valid TOML" in warning


async def test_the_theme_picked_is_remembered(tmp_path):
    settings = parse_settings('theme = "nord"\n', tmp_path / "config.toml")
    app = CacheApp([str(SEEDS)], settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        assert not state_path().exists()  # nothing written for the theme we start with
        app.theme = "gruvbox"  # what the palette's theme switcher does
        await settle(pilot)
    assert json.loads(state_path().read_text()) == {"theme": "gruvbox", "config_theme": "nord"}
    again = CacheApp([str(SEEDS)], settings=settings)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "gruvbox"
    override = CacheApp([str(SEEDS)], theme="dracula", settings=settings)
    async with override.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert override.theme == "dracula"  # --theme wins for one run


async def test_without_settings_nothing_is_remembered(tmp_path):
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.theme = "gruvbox"
        await settle(pilot)
    assert not state_path().exists()
