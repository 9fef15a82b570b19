"""One line under the table: "N of M specs", the scope, the sort, the selection and what the
last query had to say."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.widgets import Static

from ...text import visible


class StatusBar(Static):
    def say(self, message: str) -> None:
        """A line of its own, with no counts: nothing is loaded yet to count."""
        self.update(Text(visible(message), "italic"), layout=False)

    def show(self, shown: int, total: int, scope: str, sort: str = "", selected: int = 0,
             note: str = "", error: Optional[str] = None, runs: str = "") -> None:  # fmt: skip
        text = Text()
        text.append(f"{shown:,} of {total:,} specs", "bold")
        text.append(f"  ·  {visible(scope)}")
        if runs:
            text.append(f"  ·  {visible(runs)}", "bold")
        if sort:
            text.append(f"  ·  sorted by {sort}")
        if selected:
            text.append(f"  ·  {selected:,} selected", "bold")
        if error:
            text.append("  ·  bad query (see under the filter)", "bold red")
        elif note:
            text.append(f"  ·  {visible(note)}", "italic")
        self.update(text, layout=False)  # one line of fixed size: no layout pass needed
