"""The CLI's output fits the terminal: `list`'s table on a terminal, `--quiet`."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios

import pytest
from conftest import ROOT, SEEDS, page_text, run_cli, spec_entry

from cachetui.export import TABLE_CUT_MIDDLE, fit_widths
from cachetui.view import COLUMNS


def _as_terminal(monkeypatch, columns: int) -> None:
    """stdout (pytest's capture) says it is a terminal of ``columns`` columns."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("COLUMNS", str(columns))  # shutil.get_terminal_size reads it first


def test_list_fits_a_terminal_and_cuts_with_an_ellipsis(monkeypatch, capsys):
    _as_terminal(monkeypatch, 76)
    code, out, _ = run_cli(capsys, "list", str(SEEDS), "-n", "20")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 21
    assert max(len(line) for line in lines) <= 76
    assert any("…" in line for line in lines)
    assert lines[1].split()[0] == "255hkvj"  # the hash is never cut (7 characters)


def test_list_on_a_narrow_terminal_keeps_the_ends_that_tell_rows_apart(monkeypatch, capsys):
    """Cut at the end, gcc@=11.4.0 and gcc@=13.2.0 both read "gcc@=1…", ubuntu22.04 and
    ubuntu24.04 "ubuntu2…": compiler, os, target, version and tag lose their middle instead,
    as in the browser."""
    _as_terminal(monkeypatch, 80)
    code, out, _ = run_cli(capsys, "list", str(SEEDS), "-n", "5")
    header, *rows = out.splitlines()
    starts = [header.index(title) for title in ("COMPILER", "OS", "TARGET", "STACKS")]
    compilers = [row[starts[0] : starts[1]].strip() for row in rows]
    oss = [row[starts[1] : starts[2]].strip() for row in rows]
    assert any("…" in cell for cell in compilers + oss)  # 80 columns: they are cut
    assert [c[-6:] for c in compilers] == ["=7.5.0", "11.4.0", "13.2.0", "11.4.0", "10.5.0"]
    assert [o[-5:] for o in oss] == ["18.04", "22.04", "24.04", "22.04", "ntos7"]
    assert {c.key for c in COLUMNS if c.cut_middle} == TABLE_CUT_MIDDLE  # as the browser


def test_list_is_whole_when_piped(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")  # no terminal: the width does not matter
    code, out, _ = run_cli(capsys, "list", str(SEEDS), "-n", "20")
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) > 60
    assert "ml-linux-x86_64-rocm,root" in out


def test_a_wide_terminal_changes_nothing(monkeypatch, capsys):
    code, piped, _ = run_cli(capsys, "list", str(SEEDS), "-n", "20")
    _as_terminal(monkeypatch, 300)
    code, wide, _ = run_cli(capsys, "list", str(SEEDS), "-n", "20")
    assert wide == piped


def test_the_widest_columns_give_way_first():
    assert fit_widths([7, 20, 10, 30], 80) == [7, 20, 10, 30]  # fits: untouched
    assert fit_widths([7, 20, 10, 30], 57) == [7, 20, 10, 20]  # only the widest
    assert fit_widths([7, 20, 10, 30], 47) == [7, 15, 10, 15]  # then the two widest evenly
    assert fit_widths([7, 20, 10, 30], 10) == [7, 7, 7, 7]  # never below 7: wider than asked
    assert fit_widths([3, 40], 20) == [3, 17]  # a narrow column keeps its own width


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_list_in_a_real_terminal(tmp_path):
    """Through a pty of 72 columns, as a person runs it."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 72, 0, 0))
    env = {**os.environ, "CACHETUI_CACHE_DIR": str(tmp_path)}
    env.pop("COLUMNS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "cachetui", "list", str(SEEDS), "-n", "5"],
        stdout=child, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
    )  # fmt: skip
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        assert ready, "no output from cachetui list in 60 s"
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(timeout=60) == 0
    os.close(main)
    lines = b"".join(chunks).decode().replace("\r\n", "\n").splitlines()
    assert len(lines) == 6
    assert max(len(line) for line in lines) <= 72
    assert any("…" in line for line in lines)


# -- --quiet ------------------------------------------------------------------------------


@pytest.fixture
def with_a_bad_file(write_page, tmp_path):
    write_page("good/pkg.md", page_text(specs=[spec_entry(hash="h" * 32), spec_entry()]))
    write_page("good/broken.md", "---\nlayout: cache\ntitle: [\n---\n")
    return str(tmp_path / "good")


def test_quiet_keeps_the_problems_and_drops_the_counts(with_a_bad_file, capsys):
    code, _, err = run_cli(capsys, "list", with_a_bad_file)
    assert "broken.md" in err and "file(s) skipped" in err
    code, out, quiet = run_cli(capsys, "list", with_a_bad_file, "--quiet")
    assert code == 0 and out.count("\n") == 3
    assert "broken.md" in quiet and "file(s) skipped" not in quiet
    assert len(quiet.splitlines()) == 1


def test_quiet_drops_the_query_notes(capsys):
    code, _, err = run_cli(capsys, "list", str(SEEDS), "-q", "mpi4pi")  # a typo: a note says so
    assert code == 0 and err
    code, out, err = run_cli(capsys, "list", str(SEEDS), "-q", "mpi4pi", "--quiet")
    assert code == 0 and out and err == ""


def test_stats_quiet_prints_only_the_problems(with_a_bad_file, capsys):
    code, out, err = run_cli(capsys, "stats", with_a_bad_file, "--quiet")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1 and "broken.md" in lines[0] and "error" in lines[0]
    code, out, err = run_cli(capsys, "stats", str(SEEDS), "--quiet")
    assert (code, out, err) == (0, "", "")


def test_the_browser_takes_no_quiet(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli(capsys, "--quiet")
    assert exit_info.value.code == 2
