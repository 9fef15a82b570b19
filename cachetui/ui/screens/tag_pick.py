"""Pick one tag from a list, typing to narrow it: the diff asks for its two tags with this."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ...faults import guard_handlers
from ...text import visible
from ..actions import bindings


@guard_handlers
class TagPickScreen(ModalScreen[Optional[str]]):
    """``tags`` are (tag, note) pairs, shown in order; dismisses with the tag chosen, or None."""

    BINDINGS = bindings("tagpick")
    AUTO_FOCUS = "#tag-filter"
    DEFAULT_CSS = """
    TagPickScreen { align: center middle; }
    TagPickScreen > Vertical { width: 70; max-width: 95%; height: 80%; border: round $accent;
        background: $surface; }
    TagPickScreen Input { border: none; height: 1; padding: 0 1; background: $boost; }
    TagPickScreen OptionList { height: 1fr; border: none; }
    """

    def __init__(self, title: str, tags: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.tags = tags
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"{self.title_text} — type to narrow, enter picks, esc cancels"
            yield Input(placeholder="part of a tag name", id="tag-filter")
            yield OptionList(id="tag-list")

    def on_mount(self) -> None:
        self.narrow("")

    @on(Input.Changed, "#tag-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.narrow(event.value)

    def narrow(self, text: str) -> None:
        words = text.lower().split()
        options = self.query_one(OptionList)
        options.clear_options()
        self.shown = [tag for tag, note in self.tags if all(w in tag.lower() for w in words)]
        notes = dict(self.tags)
        options.add_options(
            Option(Text.assemble(visible(tag), (f"  {notes[tag]}", "dim")), id=str(n))
            for n, tag in enumerate(self.shown)
        )
        if self.shown:
            options.highlighted = 0

    @on(Input.Submitted, "#tag-filter")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.shown:
            self.dismiss(self.shown[options.highlighted])

    def on_key(self, event) -> None:
        # Up and down move in the list while the filter keeps the focus.
        options = self.query_one(OptionList)
        if event.key in ("down", "up") and self.query_one(Input).has_focus and self.shown:
            event.stop()
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()

    @on(OptionList.OptionSelected, "#tag-list")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[int(event.option.id or 0)])
