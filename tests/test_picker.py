"""The --print picker as fzf users expect it, the copy keys, and n / N through the matches of the
last jump (a package in several tags, a hash prefix, a pasted list of hashes)."""

from __future__ import annotations

import pytest
from apphelpers import messages, settle, table_lines
from conftest import ROOT, SEEDS, page_text, spec_entry
from textual import events
from textual.command import CommandList
from tmuxhelpers import Tmux, cachetui_command, requires_tmux

from cachetui.loader import load
from cachetui.ui.app import CacheApp
from cachetui.ui.widgets.filter_box import FilterBox
from cachetui.ui.widgets.picker_line import PickerLine
from cachetui.ui.widgets.spec_table import SpecTable

H1 = "255hkvjjlmt7je7ljqabxkt4rcdwlcbh"
H2 = "2eh3w574zywras4nh5hjssuciqdwkwuq"
MPI4PY_FIRST = "2feova4prghd2gkebr23if6bojkyydpt"  # the first py-mpi4py spec in load order


def picker_line(app) -> str:
    return str(app.query_one(PickerLine).render())


def current_hash(app) -> str:
    return app.catalog.spec(app.query_one(SpecTable).current_spec).hash


async def palette_hits(pilot, minimum: int = 1) -> int:
    """Wait (by frames, not a timer) until the palette lists ``minimum`` hits."""
    for _ in range(200):
        await pilot.pause()
        found = pilot.app.screen.query(CommandList)
        if found and found.first().option_count >= minimum:
            return found.first().option_count
    raise AssertionError("the palette found nothing")


# -- the picker -----------------------------------------------------------------------------


async def test_picker_opens_in_its_prompt_where_letters_only_filter():
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, FilterBox)
        assert "285/285" in picker_line(app)
        # q, p, y, e, f ... are commands in the list; in the prompt they are letters
        await pilot.press(*"py-msgpack")
        await settle(pilot)
        assert app.is_running and app.screen is app.browser
        assert app.query_one(FilterBox).value == "py-msgpack"
        assert "67/285" in picker_line(app)
        assert app.clipboard == ""


async def test_picker_enter_in_the_prompt_prints_the_first_row_at_once():
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # typed and accepted at once, as fzf users do: before the table caught up
        await pilot.press(*"mpi4py", "enter")
    assert app.return_value == f"/{MPI4PY_FIRST}\n" and not app.return_code


@pytest.mark.parametrize("into_list", ["tab", "ctrl+j", "ctrl+k"])
async def test_picker_keys_are_commands_only_in_the_list(into_list):
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space")  # in the prompt: a space in the query, nothing selected
        assert app.browser.state.selected_count == 0
        await pilot.press("backspace", into_list)
        assert isinstance(app.focused, SpecTable)
        await pilot.press("space", "space")
        table = app.query_one(SpecTable)
        lines = table_lines(table)
        # the marks are characters, seen without colour: "●" selected, ">" the cursor (as fzf)
        assert lines[1].startswith(" ●") and lines[2].startswith(" ●")
        assert lines[3].startswith("> ")
        assert "285/285 (2 selected)" in picker_line(app)
        await pilot.press("enter")
    assert app.return_value == f"/{H1}\n/{H2}\n"


async def test_picker_cursor_row_shows_without_colour(monkeypatch):
    """With NO_COLOR the cursor's background is grey at best: a ">" points at the row that
    enter prints, as fzf's pointer, in the prompt and in the list, on a selected row too."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        pointed = [y for y, line in enumerate(table_lines(table)) if line.startswith(">")]
        assert pointed == [1]  # in the prompt: the first row, which enter would print
        await pilot.press("ctrl+j", "ctrl+j", "space", "ctrl+k")  # select row 2, back on it
        lines = table_lines(table)
        assert [y for y, line in enumerate(lines) if line.startswith(">")] == [2]
        assert lines[2].startswith(">●") and lines[1].startswith("  ") and lines[3].startswith("  ")


async def test_picker_ctrl_j_and_ctrl_k_move_in_the_list():
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+j", "ctrl+j", "ctrl+j", "ctrl+k")
        assert app.query_one(SpecTable).cursor_row == 1
        await pilot.press("enter")
    assert app.return_value == f"/{H2}\n"


@requires_tmux
def test_picker_in_a_terminal_filter_then_enter(tmp_path):
    out = tmp_path / "stdout.txt"
    command = " ".join(cachetui_command("--print", "--format", "hashes"))
    term = Tmux(["sh", "-c", f"{command} > {out}; echo $? > {out}.rc"], 80, 24, cwd=str(ROOT))
    try:
        term.wait_for("285/285")
        term.type("mpi4py")  # letters straight into the prompt
        term.wait_for("91/285")
        term.keys("Enter")
        term.wait_exit()
    finally:
        term.close()
    assert out.read_text() == f"/{MPI4PY_FIRST}\n"
    assert (tmp_path / "stdout.txt.rc").read_text().strip() == "0"


# -- copying --------------------------------------------------------------------------------


async def test_y_copies_one_install_line_and_says_what():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", "space", "y")
        assert app.clipboard == f"spack install /{H1} /{H2}"
        assert messages(app)[-1].startswith("Copied: spack install /255hkvj /2eh3w57  (2 spec(s)")


async def test_copy_the_rows_hash_and_spec_string_alone():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("space", "Y")  # a selection does not change what Y copies: the row
        assert app.clipboard == H2
        assert messages(app)[-1] == f"Copied the hash of py-msgpack: {H2}"
        await pilot.press("ctrl+y")
        spec = app.catalog.spec(app.query_one(SpecTable).current_spec)
        assert app.clipboard == spec.spec_string and "\n" not in app.clipboard
        assert messages(app)[-1].startswith("Copied the spec: py-msgpack@1.0.3%gcc")


# -- n / N ----------------------------------------------------------------------------------


@pytest.fixture
def three_tags(write_page):
    for tag in ("develop", "v0.22", "v0.23"):
        specs = [spec_entry(hash=(tag[1] * 7 + tag[-1] * 25)[:32])]
        write_page(f"{tag}-zlib.md", page_text("zlib", tag=tag, specs=specs))
        write_page(f"{tag}-bzip2.md", page_text("bzip2", tag=tag, specs=[spec_entry()]))
    return write_page


async def test_n_walks_the_tags_of_the_last_package_jump(three_tags, tmp_path):
    app = CacheApp([str(tmp_path)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        assert "No jump to repeat yet" in messages(app, "warning")[-1]
        await pilot.press("p", *"zlib")
        assert await palette_hits(pilot, 3) == 3
        await pilot.press("enter")
        await settle(pilot)
        first = app.browser.state.scope.tag
        seen = [first]
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
            seen.append(app.browser.state.scope.tag)
        assert sorted(seen[:3]) == ["develop", "v0.22", "v0.23"] and seen[3] == first
        assert app.browser.state.scope.package == "zlib"
        await pilot.press("N")
        await settle(pilot)
        assert app.browser.state.scope.tag == seen[2]
        assert "match 3 of 3 (n: next, N: previous)" in messages(app)[-1]


async def test_n_walks_the_specs_of_a_hash_prefix():
    expected = sorted(s.hash for s in load([SEEDS]).catalog.specs() if s.hash.startswith("4"))
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("number_sign", "4")
        await palette_hits(pilot, len(expected))
        await pilot.press("enter")
        await settle(pilot)
        seen = [current_hash(app)]
        for _ in range(len(expected) - 1):
            await pilot.press("n")
            await settle(pilot)
            seen.append(current_hash(app))
        assert sorted(seen) == expected


def paste(app, text: str) -> None:
    app.focused.post_message(events.Paste(text))


async def test_pasted_hashes_in_the_jump_prompt_go_to_the_first_then_n_the_rest():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("number_sign")
        await pilot.pause()
        # as ``spack find -l`` prints them: a hash, then the spec
        paste(
            app,
            f"{H2[:7]} py-msgpack@1.0.3\n{MPI4PY_FIRST[:7]} py-mpi4py@4.0.1\n{H1[:7]} py-msgpack\n",
        )
        await palette_hits(pilot, 4)
        await pilot.press("enter")  # the first hit: every pasted hash
        await settle(pilot)
        seen = [current_hash(app)]
        for _ in range(3):
            await pilot.press("n")
            await settle(pilot)
            seen.append(current_hash(app))
        assert seen == [H2, MPI4PY_FIRST, H1, H2]


async def test_pasted_hashes_in_the_filter_show_them_all():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        paste(app, f"spack install /{H1} /{MPI4PY_FIRST}\n")  # a line that y copied
        await settle(pilot)
        assert app.query_one(FilterBox).value == f"/{H1},{MPI4PY_FIRST}"
        table = app.query_one(SpecTable)
        assert sorted(app.catalog.spec(int(i)).hash for i in table.ids) == sorted(
            [H1, MPI4PY_FIRST]
        )
        app.query_one(FilterBox).value = ""
        paste(app, f"{H1[:7]}\n{H2[:7]}\n4bluh7l\n")
        await settle(pilot)
        assert table.row_count == 3


async def test_picker_hints_cut_with_an_ellipsis_on_a_narrow_terminal():
    """At 80 columns the hints under the prompt do not fit: they end in "…", not mid-phrase."""
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        line = app.query_one(PickerLine).render_line(0).text.rstrip()
        assert "285/285" in line and line.endswith("…"), line
        await pilot.press("tab")  # the list's hints
        await settle(pilot)
        line = app.query_one(PickerLine).render_line(0).text.rstrip()
        assert "space selects" in line and line.endswith("…"), line


async def test_picker_detail_follows_the_row_enter_prints_from_the_prompt():
    """In the prompt the detail panel shows the spec enter would print (not a summary of the
    empty catalog from before loading), and follows the filter as it narrows."""
    app = CacheApp([str(SEEDS)], print_format="hashes")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, FilterBox)
        detail = str(app.query_one("#detail-body").render())
        assert f"spack install /{H1}" in detail and "0 tags" not in detail
        await pilot.press(*"mpi4py")
        await settle(pilot)
        assert f"spack install /{MPI4PY_FIRST}" in str(app.query_one("#detail-body").render())
