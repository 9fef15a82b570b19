"""Judge "runs here" against another machine: a compute node of another kind, typed as
``TARGET[,OS]`` (``zen4,rhel8``), the same spelling as ``--host``."""

from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from ...host import Host, parse_host
from ..actions import bindings


class HostScreen(ModalScreen[Optional[Host]]):
    BINDINGS = bindings("host")
    DEFAULT_CSS = """
    HostScreen { align: center middle; }
    HostScreen > Vertical { width: 64; height: auto; border: round $accent; background: $surface;
        padding: 0 1; }
    HostScreen #host-error { color: $error; width: 100%; }
    HostScreen Label { width: 100%; }
    """

    def __init__(self, current: Host) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Runs on which machine? — enter to set, esc to cancel"
            yield Label(f"Now: {self.current}.\nType TARGET[,OS]: zen4,rhel8 or neoverse_v2.")
            yield Input(value=f"{self.current.target},{self.current.os or ''}".rstrip(","),
                        placeholder="zen4,rhel8", id="host-input")  # fmt: skip
            yield Label("", id="host-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            host = parse_host(event.value.strip())
        except ValueError as error:
            # Stay open with the reason, so the user can correct a typo.
            self.query_one("#host-error", Label).update(str(error))
            return
        self.dismiss(host)
