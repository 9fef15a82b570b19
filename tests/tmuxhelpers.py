"""Drive cachetui in a real terminal: tmux send-keys in, capture-pane out."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pytest

requires_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Tmux:
    def __init__(self, command: list[str], width: int = 80, height: int = 24, cwd: str | None = None,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.socket = f"cachetui-test-{uuid.uuid4().hex[:8]}"
        self.session = "t"
        shell = " ".join(shlex.quote(part) for part in command)
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        # The pane is made, set up and sized first, and only then is the program started in it
        # (respawn-pane): a program started with the session could read the size tmux gives a
        # window before -x/-y apply, and miss the resize while it starts up.
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", self.session, "-x", str(width),
                  "-y", str(height), "cat")  # fmt: skip
        self.tmux("set-option", "-g", "set-clipboard", "on")
        self.tmux("resize-window", "-t", self.session, "-x", str(width), "-y", str(height))
        self.tmux("respawn-pane", "-k", "-t", self.session,
                  f"cd {shlex.quote(cwd or os.getcwd())} && env -u COLUMNS -u LINES TERM=xterm-256color {exports} {shell}")  # fmt: skip

    def tmux(self, *args: str) -> str:
        # os.environ, not the process's C environment: a library in the test process may have
        # set COLUMNS=80 and LINES=24 there (seen under pytest), and a program started with
        # them draws at that size whatever its pane's size.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                             env=env)  # fmt: skip
        return out.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key)
            time.sleep(0.05)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, timeout: float = 15.0) -> str:
        """The screen once ``text`` is on it and the frame is complete (two captures agree:
        tmux may be caught halfway through drawing a frame)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                time.sleep(0.15)
                again = self.screen()
                if again == screen:
                    return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on screen after {timeout}s:\n{screen}")
            time.sleep(0.1)

    def wait_gone(self, text: str, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text not in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} still on screen after {timeout}s:\n{screen}")
            time.sleep(0.1)

    def wait_exit(self, timeout: float = 10.0) -> None:
        """Wait for the program to end (its session closes with it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "-L", self.socket, "has-session", "-t", self.session],
                                   capture_output=True)  # fmt: skip
            if alive.returncode != 0:
                return
            time.sleep(0.1)
        raise AssertionError(f"still running after {timeout}s:\n{self.screen()}")

    def buffer(self) -> str:
        return self.tmux("show-buffer")

    def close(self) -> None:
        self.tmux("kill-server")


def cachetui_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "cachetui", *args]
