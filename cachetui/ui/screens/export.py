"""The export dialog: choose a format, then copy to the clipboard or save to a file."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Optional

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from ...export import BY_NAME, DIALOG_FORMATS, NotARegularFile, check_export_path
from ...faults import guard_handlers
from ..actions import bindings


def default_path(fmt: str, directory: str = ".") -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return os.path.join(directory, f"cachetui-export-{stamp}.{BY_NAME[fmt].extension}")


@dataclass(frozen=True)
class ExportChoice:
    destination: str  # "clipboard" or "file"
    fmt: str
    path: str = ""
    overwrite: bool = False


@guard_handlers
class ExportScreen(ModalScreen[Optional[ExportChoice]]):
    BINDINGS = bindings("export")
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 70; height: auto; max-height: 95%; border: round $accent;
        background: $surface; padding: 0 1; }
    ExportScreen RadioSet { width: 100%; }
    ExportScreen Input { margin: 1 0 0 0; }
    ExportScreen #export-message { color: $warning; height: auto; }
    ExportScreen Horizontal { height: auto; margin-top: 1; }
    ExportScreen Button { margin-right: 1; }
    """

    def __init__(self, count: int, fmt: str = "install") -> None:
        super().__init__()
        self.count = count
        self.fmt = fmt
        self.path_edited = False
        self.confirm_path: Optional[str] = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Export {self.count:,} spec(s)"
            with RadioSet(id="export-formats"):
                for fmt in DIALOG_FORMATS:
                    yield RadioButton(f"{fmt.name:<12} {fmt.description}", value=fmt.name == self.fmt,
                                      name=fmt.name)  # fmt: skip
            yield Input(default_path(self.fmt), id="export-path")
            yield Label("", id="export-message")
            with Horizontal():
                yield Button("Copy to clipboard", id="export-copy", variant="primary")
                yield Button("Save to file", id="export-save")
                yield Button("Cancel", id="export-cancel")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.fmt = event.pressed.name or self.fmt
        if not self.path_edited:
            path = self.query_one("#export-path", Input)
            path.value = default_path(self.fmt, os.path.dirname(path.value) or ".")

    def on_input_changed(self, event: Input.Changed) -> None:
        expected = os.path.basename(event.value).startswith("cachetui-export-")
        self.path_edited = self.path_edited or not expected
        self.confirm_path = None

    def on_input_submitted(self) -> None:
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-copy":
            self.dismiss(ExportChoice("clipboard", self.fmt))
        elif event.button.id == "export-save":
            self.save()
        else:
            self.dismiss(None)

    def save(self) -> None:
        path = os.path.expanduser(self.query_one("#export-path", Input).value.strip())
        message = self.query_one("#export-message", Label)
        if not path:
            message.update("Give a file name.")
            return
        if os.path.isdir(path):
            message.update("That is a folder: give a file name.")
            return
        try:
            check_export_path(path)
        except NotARegularFile:
            message.update("That is not a regular file (a FIFO or a device): give a file name.")
            return
        if os.path.exists(path) and self.confirm_path != path:
            self.confirm_path = path
            message.update("That file exists. Press Save again to overwrite it.")
            return
        self.dismiss(ExportChoice("file", self.fmt, path, overwrite=self.confirm_path == path))
