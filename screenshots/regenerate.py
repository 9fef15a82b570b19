"""Regenerate screenshots/*.svg headlessly from the bundled seeds.

    python screenshots/regenerate.py

Each picture is the app driven by the keys a user would press, at a common terminal size.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from cachetui.host import Host  # noqa: E402
from cachetui.ui.app import CacheApp  # noqa: E402

CORPUS = "tests/data/corpus-real"  # real pages of several tags, for the diff

SHOTS = {
    # name: (terminal size, keys pressed after loading[, the paths loaded: the seeds unless given])
    "main": ((120, 36), ()),
    "detail": (
        (120, 36),
        (
            "shift+tab",
            "shift+tab",
            "down",
            "down",
            "down",
            "enter",
            "down",
            "down",
            "tab",
            "tab",
            "j",
            "j",
            "enter",
        ),
    ),
    "filter": ((120, 36), ("slash", *"mpi4py os=ubuntu24.04 %gcc@13", "enter")),
    "help": ((100, 40), ("question_mark",)),
    "narrow-80x24": ((80, 24), ()),
    "diff": (
        (120, 36),
        ("d", *"2025-03-23", "enter", *"07-13", "enter"),
        CORPUS,
    ),
}


SHOWN_HOST = Host("linux", "ubuntu22.04", "zen3")


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(name: str, size: tuple[int, int], keys: tuple[str, ...], path: str) -> Path:
    # "Runs here" as on an Ubuntu 22.04 zen3 login node, not whatever machine draws the pictures.
    app = CacheApp([path], host=SHOWN_HOST)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        app.clear_notifications()  # load warnings of the real pages are not the picture's
        await pilot.pause()
        path = HERE / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
        return path


def main() -> None:
    os.chdir(ROOT)  # relative source paths keep the pictures machine-independent
    for name, (size, keys, *path) in SHOTS.items():
        print(asyncio.run(shoot(name, size, keys, *(path or ["seeds"]))).relative_to(ROOT))


if __name__ == "__main__":
    main()
