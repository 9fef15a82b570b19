"""The picker's line under the prompt (``--print``), as fzf draws it: ``12/285 (2)`` rows shown of
rows in scope, the selection, and the keys that matter (enter, tab, esc)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


def picker_text(shown: int, total: int, selected: int, in_prompt: bool) -> Text:
    text = Text()
    text.append(f"  {shown:,}/{total:,}", "bold")
    if selected:
        text.append(f" ({selected:,} selected)", "bold")
    if in_prompt:
        keys = "  type to filter · enter prints · tab or ctrl+j: to the list · esc cancels"
    else:
        keys = "  space selects (●) · enter prints · / back to the prompt · esc cancels"
    text.append(keys, "dim")
    return text


class PickerLine(Static):
    # One line: hints that do not fit end in "…" rather than stopping mid-phrase.
    DEFAULT_CSS = """
    PickerLine { height: 1; width: 1fr; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, shown: int, total: int, selected: int, in_prompt: bool) -> None:
        self.update(picker_text(shown, total, selected, in_prompt), layout=False)
