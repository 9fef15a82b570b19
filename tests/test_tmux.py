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
        term.wait_for(f"{expected} of 86 specs  ·  develop / py-mpi4py / 4.0.1")
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
