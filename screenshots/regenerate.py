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

from cachetui.ui.app import CacheApp  # noqa: E402

SHOTS = {
    # name: (terminal size, keys pressed after loading)
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
}


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(name: str, size: tuple[int, int], keys: tuple[str, ...]) -> Path:
    app = CacheApp(["seeds"])
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        path = HERE / f"{name}.svg"
        app.save_screenshot(filename=path.name, path=str(HERE))
        return path


def main() -> None:
    os.chdir(ROOT)  # relative source paths keep the pictures machine-independent
    for name, (size, keys) in SHOTS.items():
        print(asyncio.run(shoot(name, size, keys)).relative_to(ROOT))


if __name__ == "__main__":
    main()
