"""Hostile values: markup stays text, escape sequences never reach a terminal raw."""

from __future__ import annotations

import json
import subprocess
import sys

from apphelpers import messages, settle, table_lines
from conftest import ROOT, page_text, spec_entry
from tmuxhelpers import Tmux, cachetui_command, requires_tmux

from cachetui.ui.app import CacheApp
from cachetui.ui.screens.load_report import LoadReportScreen
from cachetui.ui.widgets.package_tree import PackageTree
from cachetui.ui.widgets.spec_table import SpecTable

OSC52 = "\x1b]52;c;ZXZpbA==\x07"  # would set the clipboard to "evil"
CSI_CLEAR = "\x1b[2J"
MARKUP = "[@click=app.quit]"


def hostile_page(write_page, name="hostile.md"):
    evil = spec_entry(
        hash="e" * 32,
        os=OSC52,
        target="[b]bold[/b]",
        variants=[MARKUP, "x=" + CSI_CLEAR, "bell=\x07", "cr=\rover"],
        stacks=["[link=https://example.invalid]click[/link]", "\u202eevil"],
    )
    return write_page(name, page_text("[red]pkg" + "\x1b[31m", specs=[evil]))


def raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c not in "\n") or 0x7F <= ord(c) < 0xA0]


async def test_markup_and_escapes_shown_literally_in_every_view(write_page, tmp_path):
    hostile_page(write_page)
    write_page("[b]bad[/b].md", "---\nlayout: cache\nspec_details: 1\n---\n")
    app = CacheApp([str(tmp_path)])
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        lines = "\n".join(table_lines(table))
        # os is cut at 14, in its middle: both ends show, escaped
        assert "[b]bold[/b]" in lines and MARKUP in lines and "\\x1b…pbA==\\x07" in lines
        assert raw_controls(lines) == []
        detail = str(app.query_one("#detail-body").render())
        for literal in (
            MARKUP,
            "\\x1b[2J",
            "\\x07",
            "\\x0d",
            "\\u202e",
            "[link=https://example.invalid]",
        ):
            assert literal in detail
        assert raw_controls(detail) == []
        tree = app.query_one(PackageTree)
        labels = [str(n.label) for n in tree.root.children[0].children]
        assert labels == ["[red]pkg\\x1b[31m 1"]
        notes = " ".join(messages(app))
        assert "1 file(s) skipped" in notes
        await pilot.press("r")
        assert isinstance(app.screen, LoadReportScreen)
        report = str(app.screen.query_one("#report-text").render())
        assert "[b]bad[/b].md" in report
        await pilot.press("escape")
        await pilot.click(SpecTable, offset=(20, 1))
        assert app.is_running  # the [@click=app.quit] value did not run


async def test_exported_text_is_escaped(write_page, tmp_path):
    hostile_page(write_page)
    app = CacheApp([str(tmp_path)])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for fmt in ("install", "specs", "json", "yaml", "tsv", "hashes"):
            app.browser.action_copy(fmt)
            assert raw_controls(app.clipboard.replace("\t", "")) == [], fmt


def test_cli_output_is_escaped(write_page, tmp_path):
    hostile_page(write_page)
    for args in (
        ["list"],
        ["list", "-f", "json"],
        ["list", "-f", "specs"],
        ["stats"],
        ["find", "pkg"],
    ):
        out = subprocess.run([sys.executable, "-m", "cachetui", *args, str(tmp_path)],
                             capture_output=True, text=True, cwd=ROOT)  # fmt: skip
        assert out.returncode == 0, (args, out.stderr)
        assert raw_controls(out.stdout.replace("\t", "")) == [], args
        assert raw_controls(out.stderr) == [], args
    out = subprocess.run([sys.executable, "-m", "cachetui", "list", "-f", "json", str(tmp_path)],
                         capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    assert json.loads(out.stdout)[0]["os"] == "\\x1b]52;c;ZXZpbA==\\x07"


@requires_tmux
def test_hostile_page_in_a_real_terminal(write_page, tmp_path):
    hostile_page(write_page)
    term = Tmux(cachetui_command(str(tmp_path)), 160, 40, cwd=str(ROOT))
    try:
        screen = term.wait_for("1 of 1 specs")
        assert term.buffer() == "", "an OSC 52 in the data reached the terminal"
        assert "\\x1b]52;c;ZXZpbA==\\x07" in screen and "[b]bold[/b]" in screen
        term.keys("y")
        term.wait_for("Copied: spack install /eeeeeee")
        assert term.buffer() == "spack install /" + "e" * 32
        term.keys("F3")  # hide the detail, keep the table: still readable
        term.keys("q")
        term.wait_exit()
    finally:
        term.close()
