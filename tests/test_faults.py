"""An unexpected error inside the app is logged and shown; the app keeps running."""

from __future__ import annotations

import pytest
from apphelpers import messages, settle
from conftest import SEEDS

import cachetui.session as session_module
import cachetui.ui.screens.browser_copy as actions_module
from cachetui.faults import log_dir
from cachetui.ui.app import CacheApp
from cachetui.ui.widgets.spec_table import SpecTable
from cachetui.view import ViewModel


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state"


def errors(app) -> list[str]:
    return messages(app, "error")


async def test_error_in_an_action_is_logged_and_the_app_keeps_running(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("render broke")

    monkeypatch.setattr(actions_module, "install_line", broken)  # what y copies
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await pilot.pause()
        (message,) = errors(app)
        assert "RuntimeError: render broke" in message and "keeps running" in message
        log = log_dir() / "cachetui.log"
        assert str(log) in message
        assert "render broke" in log.read_text() and "Traceback" in log.read_text()
        await pilot.press("j")  # still alive and responsive
        assert app.is_running and app.query_one(SpecTable).cursor_row == 1


async def test_error_in_a_worker_is_reported(monkeypatch):
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)

        def broken(self, *args, **kwargs):
            raise ValueError("view broke")

        monkeypatch.setattr(ViewModel, "compute", broken)
        await pilot.press("slash", "x")
        await settle(pilot)
        assert any("view broke" in m for m in errors(app))
        assert app.is_running


async def test_error_while_loading_is_reported(monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("no memory")

    monkeypatch.setattr(session_module, "load", broken)
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("no memory" in m for m in errors(app))
        assert app.is_running
