"""The export dialog: choose a format, then copy to the clipboard or save to a file.

A save that fails (a missing folder, no permission) keeps the dialog open, with the reason in
it, the format and the path as they were: the user fixes the path and saves again.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Optional

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from ...export import BY_NAME, DIALOG_FORMATS, NotARegularFile, check_export_path
from ...faults import guard_handlers
from ...text import visible
from ..actions import bindings


def default_path(fmt: str, directory: str = ".") -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return os.path.join(directory, f"cachetui-export-{stamp}.{BY_NAME[fmt].extension}")


class FormatButton(RadioButton):
    """A format choice that shows whether it is chosen without colour: ``(•)`` or ``( )``
    (the stock button is ``▐●▌`` either way, told apart only by its colour)."""

    @property
    def _button(self) -> Content:
        return Content.styled(
            "(•)" if self.value else "( )", self.get_visual_style("toggle--button")
        )


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
    ExportScreen #export-message { color: $warning; height: auto; width: 100%; }
    ExportScreen #export-message.error { color: $text-error; text-style: bold; }
    ExportScreen Horizontal { height: auto; }
    ExportScreen Button { margin-right: 1; }
    """

    def __init__(self, count: int, fmt: str = "install",
                 write: Optional[Callable[[ExportChoice], None]] = None) -> None:  # fmt: skip
        super().__init__()
        self.count = count
        self.write = write  # writes the file (raises OSError); None: the caller writes
        self.saving = False
        self.fmt = fmt
        self.path_edited = False
        self.confirm_path: Optional[str] = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"Export {self.count:,} spec(s)"
            with RadioSet(id="export-formats"):
                for fmt in DIALOG_FORMATS:
                    yield FormatButton(f"{fmt.name:<12} {fmt.description}", value=fmt.name == self.fmt,
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

    def say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#export-message", Label)
        message.update(Text(text))  # Text: a path holding "[b]" is shown as typed
        message.set_class(error, "error")

    def save(self) -> None:
        if self.saving:
            return
        path = os.path.expanduser(self.query_one("#export-path", Input).value.strip())
        if not path:
            self.say("Give a file name.")
            return
        if os.path.isdir(path):
            self.say("That is a folder: give a file name.")
            return
        try:
            check_export_path(path)
        except NotARegularFile:
            self.say("That is not a regular file (a FIFO or a device): give a file name.")
            return
        if os.path.exists(path) and self.confirm_path != path:
            self.confirm_path = path
            self.say("That file exists. Press Save again to overwrite it.")
            return
        choice = ExportChoice("file", self.fmt, path, overwrite=self.confirm_path == path)
        if self.write is None:
            self.dismiss(choice)
            return
        self.saving = True
        self.say(f"Saving to {visible(path)}…")
        self.write_in_background(choice)

    @work(thread=True, group="export", exit_on_error=False)
    def write_in_background(self, choice: ExportChoice) -> None:
        assert self.write is not None
        try:
            self.write(choice)
        except Exception as error:  # noqa: BLE001 - any failure keeps the dialog, with why
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            self.app.call_from_thread(self.failed, choice, reason)
            return
        self.app.call_from_thread(self.dismiss, choice)

    def failed(self, choice: ExportChoice, reason: str) -> None:
        self.saving = False
        self.confirm_path = None
        self.say(f"Could not write {visible(choice.path)}: {visible(reason)}. Fix the path and save"
                 " again, or esc.", error=True)  # fmt: skip
