"""The browser in a real terminal, 80x24, inside tmux, as a user would drive it."""

from __future__ import annotations

import re

from conftest import ROOT, SEEDS
from tmuxhelpers import Tmux, cachetui_command, requires_tmux

from cachetui.loader import load

pytestmark = requires_tmux


def test_new_user_walk_in_80x24():
    term = Tmux(cachetui_command(), 80, 24, cwd=str(ROOT))
    try:
        screen = term.wait_for("285 of 285 specs")
        for name in ("py-ml-dtypes", "py-mpi4py", "py-msgpack", "py-multidict"):
            assert name in screen
        # to the tree, down to py-mpi4py, open it, down to 4.0.1
        term.keys("BTab", "BTab", "Down", "Down", "Down")
        term.wait_for("91 of 91 specs")
        term.keys("Enter", "Down", "Down")
        term.wait_for("86 of 86 specs")
        # filter to ubuntu24.04 and go to the results
        term.keys("/")
        term.type("ubuntu24.04")
        expected = sum(
            1 for s in load([SEEDS]).catalog.specs()
            if s.package == "py-mpi4py" and s.version == "4.0.1" and s.os == "ubuntu24.04"
        )  # fmt: skip
        assert 0 < expected < 86
        screen = term.wait_for(f"{expected} of 86 specs")
        assert "develop / py-mpi4py / 4.0.1" in screen
        term.keys("Enter")
        screen = term.wait_for("spack install /")
        full_hash = re.search(r"hash\s+([a-z2-7]{32})", screen).group(1)
        assert f"spack install /{full_hash}" in screen
        assert "ubuntu24.04" in screen
        # every key is in the help screen
        term.keys("?")
        screen = term.wait_for("cachetui help")
        assert "Quit cachetui" in screen
        term.keys("Escape")  # a lone ESC: the terminal's escape delay passes before the next key
        term.wait_gone("cachetui help")
        term.keys("q")
        term.wait_exit()
    finally:
        term.close()


def test_cut_values_end_in_an_ellipsis_and_the_row_shows_in_80x24():
    term = Tmux(cachetui_command(), 80, 24, cwd=str(ROOT))
    try:
        screen = term.wait_for("1/285  285 of 285 specs")
        assert "neoverse_v1" in screen  # the target whole, not "neoverse_"
        assert "ub…22.04" in screen and "ub…18.04" in screen  # cut, and still told apart
        assert "›" in screen  # more columns to the right
        term.keys("j", "j", "j")
        term.wait_for("4/285  285 of 285 specs")
        for _ in range(8):
            term.keys("l")
        screen = term.wait_for("‹")
        header = next(line for line in screen.splitlines() if " hash " in line)
        assert "package" in header and "variants" in header  # pinned, and scrolled right
        term.keys("q")
        term.wait_exit()
    finally:
        term.close()
