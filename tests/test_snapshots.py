"""SVG snapshots of the main screens (pytest-textual-snapshot). Update with --snapshot-update."""

from __future__ import annotations

import pytest
from apphelpers import settle
from conftest import ROOT

from cachetui.ui.app import CacheApp


@pytest.fixture(autouse=True)
def relative_paths(monkeypatch):
    # Paths are shown in the detail panel: relative ones keep the pictures machine-independent.
    monkeypatch.chdir(ROOT)


async def loaded(pilot) -> None:
    await settle(pilot)


def test_main_screen_80x24(snap_compare):
    assert snap_compare(CacheApp(["seeds"]), terminal_size=(80, 24), run_before=loaded)


def test_main_screen_160x48(snap_compare):
    assert snap_compare(CacheApp(["seeds"]), terminal_size=(160, 48), run_before=loaded)


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
