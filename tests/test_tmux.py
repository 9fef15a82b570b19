"""The browser in a real terminal, 80x24, inside tmux, as a user would drive it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

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


def _synthetic_checkout(root: Path, specs: int, tags: int) -> Path:
    """A site checkout made by the benchmark's generator (``bench/synth.py``)."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from synth import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    generate(str(root), specs, seed=1, tags=tags)
    return root


def test_where_a_hash_comes_from_on_a_100k_checkout_in_80x24(tmp_path):
    """Issue #15's walk: a lazily loaded checkout of 100k specs in many tags; `#` a hash of a tag
    not loaded yet; every tag that has it is listed, in the jump list and in the detail panel;
    one `spack install` line for two selected specs reaches the terminal's clipboard."""
    checkout = _synthetic_checkout(tmp_path / "site", 100_000, 10)
    cache = checkout / "_cache"
    # The same binary in three tags, as consecutive develop snapshots have it: one package page
    # of a tag copied into two others, each copy naming its own tag.
    source_tag = sorted(p.name for p in cache.iterdir() if p.name.startswith("develop-"))[-1]
    page = sorted((cache / source_tag).glob("*/specs.md"))[0]
    for tag in ("develop", "develop-2023-01-08"):
        copy = cache / tag / "zz-copied" / "specs.md"
        copy.parent.mkdir()
        copy.write_text(page.read_text().replace(f"[package, {source_tag}]", f"[package, {tag}]"))
    full_hash = load([str(page)]).catalog.spec(0).hash
    assert full_hash and len(load([str(checkout)]).catalog.by_hash(full_hash)) == 3

    term = Tmux(cachetui_command(str(checkout)), 80, 24, cwd=str(ROOT))
    try:
        term.wait_for("none loaded yet", timeout=60)  # lazy: the tag list, nothing parsed
        term.keys("#")
        term.type(full_hash[:8])
        # `#` loads every tag first, then lists each copy with its tag
        term.wait_for(full_hash[:7], timeout=120)
        for tag in ("develop", "develop-2023-01-08", source_tag):
            term.wait_for(f"  {tag}  ", timeout=120)
        term.keys("Enter")
        term.wait_for(f"spack install /{full_hash}", timeout=30)
        term.keys("Enter", "End")  # into the detail panel, to its end
        # the detail's "where this hash lives (3)" list: one line per copy, its tag and stacks
        # (at 80x24 the panel shows the last copies; k scrolls up to the first)
        for tag in (source_tag, "develop-2023-01-08"):
            term.wait_for(f"▕   {tag}  ")
        term.keys("k", "k", "k", "k")
        term.wait_for("▕   develop  ")
        term.keys("BTab")  # back to the table
        term.keys("space", "space", "y")
        term.wait_for("Copied: spack install")
        copied = term.buffer()
        assert re.fullmatch(rf"spack install /{full_hash} /[a-z2-7]{{32}}", copied), copied
        term.keys("q")
        term.wait_exit()
    finally:
        term.close()
