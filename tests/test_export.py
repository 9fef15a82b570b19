"""Selection and export: the clipboard (OSC 52), files, and the --print picker."""

from __future__ import annotations

import json
import os

import pytest
import yaml
from apphelpers import messages, settle
from conftest import ROOT, SEEDS, page_text, spec_entry
from tmuxhelpers import Tmux, cachetui_command, requires_tmux

from cachetui.ui.app import CacheApp
from cachetui.ui.screens.export import ExportScreen
from cachetui.ui.widgets.spec_table import SpecTable

H1 = "255hkvjjlmt7je7ljqabxkt4rcdwlcbh"
H2 = "2eh3w574zywras4nh5hjssuciqdwkwuq"
EXPECTED = {
    "hashes": f"/{H1}\n/{H2}\n",
    "install": f"spack install /{H1}\nspack install /{H2}\n",
    "specs": (
        "py-msgpack@1.0.3%gcc@=7.5.0 build_system=python_pip arch=linux-ubuntu18.04-x86_64_v3\n"
        "py-msgpack@1.0.3%gcc@=11.4.0 build_system=python_pip arch=linux-ubuntu22.04-x86_64_v3\n"
    ),
}


def status(app) -> str:
    return str(app.query_one("#status").render())


async def select_first_two(pilot):
    await settle(pilot)
    await pilot.press("space", "space")


@pytest.mark.parametrize("fmt", ["hashes", "install", "specs"])
async def test_clipboard_formats_exact(fmt):
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_two(pilot)
        app.browser.action_copy(fmt)
        await pilot.pause()
        assert app.clipboard == EXPECTED[fmt]
        assert any(f"Copied 2 spec(s) as {fmt} ({len(EXPECTED[fmt])} bytes)" in m
                   for m in messages(app))  # fmt: skip


async def test_structured_formats_carry_every_field():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_two(pilot)
        app.browser.action_copy("json")
        records = json.loads(app.clipboard)
        assert [r["hash"] for r in records] == [H1, H2]
        assert records[0] == {
            "hash": H1, "package": "py-msgpack", "tag": "develop", "version": "1.0.3",
            "versions": ["1.0.3"], "compiler": "gcc@=7.5.0", "os": "ubuntu18.04",
            "platform": "linux", "target": "x86_64_v3", "variants": ["build_system=python_pip"],
            "stacks": ["developer-tools", "root"], "size": None, "tarball": None,
            "source": str(SEEDS / "000_03e1940b4f8d0fcd.txt"), "dependencies": [],
            "runs_here": "no",  # built for ubuntu18.04; the tests' host is ubuntu22.04
            "installed": None,
            "closure": "unknown",  # a site page lists no dependencies
            "mirrors": None,  # where a hash lives: ``list --format json`` fills it
        }  # fmt: skip
        app.browser.action_copy("yaml")
        assert yaml.safe_load(app.clipboard) == records
        app.browser.action_copy("tsv")
        header, first, second = app.clipboard.splitlines()
        assert header.split("\t") == ["hash", "package", "tag", "version", "versions", "compiler", "os",
                                      "platform", "target", "variants", "stacks", "size", "tarball", "source"]  # fmt: skip
        assert first.split("\t")[:3] == [H1, "py-msgpack", "develop"]
        assert first.split("\t")[10] == "developer-tools,root"


async def test_nothing_selected_exports_the_current_row():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "y")
        assert app.clipboard == f"spack install /{H2}"  # one line, no newline: pasted, it waits


async def test_selection_survives_filter_and_scope_and_is_counted():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await select_first_two(pilot)
        table = app.query_one(SpecTable)
        assert app.browser.state.selected_count == 2 and "2 selected" in status(app)
        assert table.render_line(1).text[1] == "●"
        await pilot.press("slash", *"mpi4py", "enter")
        await settle(pilot)
        await pilot.press("space")
        assert "3 selected" in status(app)
        await pilot.press("escape")  # clear the filter
        await settle(pilot)
        assert app.browser.state.selected_count == 3
        await pilot.press("y")
        assert app.clipboard.startswith("spack install /") and app.clipboard.count(" /") == 3
        await pilot.press("slash", *"multidict", "enter")
        await settle(pilot)
        await pilot.press("asterisk")
        assert app.browser.state.selected_count == 3 + 61 and "64 selected" in status(app)
        await pilot.press("u")
        assert app.browser.state.selected_count == 0 and "selected" not in status(app)


async def test_large_copy_warns_and_offers_a_file():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("asterisk", "y")
        assert len(app.clipboard.split()) == 2 + 285 and "\n" not in app.clipboard
        (warning,) = messages(app, "warning")
        assert "over 4 KB" in warning and "save to a file" in warning


async def test_export_dialog_saves_and_never_overwrites_without_asking(tmp_path):
    app = CacheApp([str(SEEDS)])
    target = tmp_path / "out.txt"
    async with app.run_test(size=(100, 36)) as pilot:
        await select_first_two(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-path").value = str(target)
        await pilot.click("#export-formats")  # focus the formats
        await pilot.press("down", "enter")  # hashes
        await pilot.click("#export-save")
        await settle(pilot)
        assert target.read_text() == EXPECTED["hashes"]
        # again, with a third spec selected: the file exists now
        await pilot.press("space", "e")
        app.screen.query_one("#export-path").value = str(target)
        await pilot.click("#export-save")
        await pilot.pause()
        assert "exists" in str(app.screen.query_one("#export-message").render())
        assert isinstance(app.screen, ExportScreen)
        assert target.read_text() == EXPECTED["hashes"]
        app.screen.query_one("#export-save").press()  # confirmed (a press, not a double click)
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
        third = "/43rqkoze7zogvzkelbx7andfjr6e4btk\n"
        assert target.read_text() == EXPECTED["hashes"] + third  # and the format was remembered


def export_message(app) -> str:
    return str(app.screen.query_one("#export-message").render())


@pytest.mark.parametrize("problem", ["missing folder", "not a folder", "no permission"])
async def test_failed_export_keeps_the_dialog_with_the_error(tmp_path, problem):
    if problem == "no permission":
        if os.geteuid() == 0:
            pytest.skip("root writes anywhere")
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        bad, reason = locked / "out.txt", "Permission denied"
    elif problem == "not a folder":
        (tmp_path / "file").write_text("")
        bad, reason = tmp_path / "file" / "out.txt", "Not a directory"
    else:
        bad, reason = tmp_path / "missing" / "out.txt", "No such file or directory"
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 36)) as pilot:
        await select_first_two(pilot)
        await pilot.press("e")
        await pilot.click("#export-formats")
        await pilot.press("down", "enter")  # hashes
        app.screen.query_one("#export-path").value = str(bad)
        await pilot.click("#export-save")
        await settle(pilot)
        # still open, the reason in it, the format and the path as they were
        assert isinstance(app.screen, ExportScreen)
        assert f"Could not write {bad}: {reason}" in export_message(app)
        assert app.screen.fmt == "hashes"
        assert app.screen.query_one("#export-path").value == str(bad)
        good = tmp_path / "out.txt"
        app.screen.query_one("#export-path").value = str(good)
        await pilot.pause()  # the longer message moved the buttons: a press, not a click
        app.screen.query_one("#export-save").press()
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen), export_message(app)
        assert good.read_text() == EXPECTED["hashes"]
        assert any(f"Saved 2 spec(s) as hashes to {good}" in m for m in messages(app))


async def test_the_chosen_format_shows_without_colour():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        buttons = {b.name: str(b.render()) for b in app.screen.query("RadioButton")}
        assert buttons["install"].startswith("(•)")
        assert all(text.startswith("( )") for name, text in buttons.items() if name != "install")
        await pilot.click("#export-formats")
        await pilot.press("down", "enter")
        buttons = {b.name: str(b.render()) for b in app.screen.query("RadioButton")}
        assert buttons["hashes"].startswith("(•)") and buttons["install"].startswith("( )")


async def test_default_export_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        path = app.screen.query_one("#export-path").value
        assert os.path.basename(path).startswith("cachetui-export-") and path.endswith(".sh")
        await pilot.click("#export-path")
        await pilot.press("enter")  # submit from the path box: save
        await settle(pilot)
        assert os.listdir(tmp_path) == [os.path.basename(path)]


async def test_hostile_values_never_reach_the_clipboard_raw(write_page, tmp_path):
    evil = spec_entry(hash="e" * 32, os="\x1b]52;c;ZXZpbA==\x07", variants=["x=\x1b[2J\r"])
    write_page("evil.md", page_text("evil\x1b[31m", specs=[evil]))
    app = CacheApp([str(tmp_path)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for fmt in ("specs", "json", "yaml", "tsv", "install", "hashes"):
            app.browser.action_copy(fmt)
            assert not any(ord(c) < 32 and c not in "\n\t" for c in app.clipboard), fmt
            assert "\x9b" not in app.clipboard
        app.browser.action_copy("specs")
        assert "\\x1b]52;c;ZXZpbA==\\x07" in app.clipboard


async def test_print_mode_enter_returns_the_selection():
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "space", "space")  # tab: from the prompt to the list
        await pilot.press("enter")
    assert app.return_value == EXPECTED["hashes"]


async def test_print_mode_quit_returns_nothing():
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "q")
    assert app.return_value is None


@requires_tmux
def test_clipboard_through_tmux_osc52():
    term = Tmux(cachetui_command(), 100, 30, cwd=str(ROOT))
    try:
        term.wait_for("285 of 285 specs")
        term.keys("Space", "Space", "y")
        term.wait_for("Copied: spack install")  # the toast wraps the rest
        assert term.buffer() == f"spack install /{H1} /{H2}"
    finally:
        term.close()


@requires_tmux
def test_print_pipeline_stdout_carries_only_the_selection(tmp_path):
    out = tmp_path / "stdout.txt"
    command = " ".join(cachetui_command("--print", "--format", "hashes"))
    term = Tmux(["sh", "-c", f"{command} > {out}; echo $? > {out}.rc"], 100, 30, cwd=str(ROOT))
    try:
        term.wait_for("285/285")
        term.keys("Tab", "Space", "Space", "Enter")
        term.wait_exit()
    finally:
        term.close()
    assert out.read_text() == EXPECTED["hashes"]
    assert (tmp_path / "stdout.txt.rc").read_text().strip() == "0"


@pytest.mark.parametrize("key", ["escape", "ctrl+c"])
async def test_print_mode_esc_and_ctrl_c_cancel_with_130(key):
    from cachetui.ui.screens.help import HelpScreen

    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "question_mark")  # in the list, keys are commands
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")  # a dialog: esc closes it, and only it
        assert app.screen is app.browser and app.is_running
        await pilot.press("slash", *"mpi")  # typing in the filter, as in fzf's prompt
        await settle(pilot)
        await pilot.press(key)
    assert app.return_value is None and app.return_code == 130


def test_print_mode_cancel_exits_130(monkeypatch):
    from cachetui import cli

    class Cancelled:
        return_code = 130

        def __init__(self, *args, **kwargs) -> None:
            pass

        def run(self):
            return None

        def save_unsaved_caches(self) -> None:
            pass

    monkeypatch.setattr("cachetui.ui.app.CacheApp", Cancelled)
    assert cli.main(["--print", str(SEEDS)]) == 130
