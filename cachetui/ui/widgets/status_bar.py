"""One line under the table: where the cursor is (row/rows), "N of M specs", the scope, the
sort, the selection and what the last query had to say."""

from __future__ import annotations

from typing import Any, Optional

from rich.text import Text
from textual.widgets import Static

from ...text import visible


class StatusBar(Static):
    def __init__(self, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self._fields: Optional[dict[str, Any]] = None  # the last show(): redrawn as the row moves
        self.row = 0  # the cursor's row, from 1 (0: no rows)
        self.wider = ""  # how many more match outside the scope, and the key that shows them

    def say(self, message: str) -> None:
        """A line of its own, with no counts: nothing is loaded yet to count."""
        self._fields = None
        self.update(Text(visible(message), "italic"), layout=False)

    def show(self, shown: int, total: int, scope: str, sort: str = "", selected: int = 0,
             note: str = "", error: Optional[str] = None, runs: str = "") -> None:  # fmt: skip
        self._fields = dict(shown=shown, total=total, scope=scope, sort=sort, selected=selected,
                            note=note, error=error, runs=runs)  # fmt: skip
        self._render_fields()

    def set_position(self, row: int) -> None:
        """The cursor is on ``row`` (from 1; 0 when the table is empty)."""
        if row != self.row:
            self.row = row
            self._render_fields()

    def set_wider(self, text: str) -> None:
        if text != self.wider:
            self.wider = text
            self._render_fields()

    def _render_fields(self) -> None:
        fields = self._fields
        if fields is None:
            return
        shown = fields["shown"]
        text = Text()
        text.append(f"{min(self.row, shown):,}/{shown:,}", "bold")
        text.append(f"  {shown:,} of {fields['total']:,} specs", "bold")
        text.append(f"  ·  {visible(fields['scope'])}")
        if self.wider:
            text.append(f"  ·  {visible(self.wider)}", "bold")
        if fields["runs"]:
            text.append(f"  ·  {visible(fields['runs'])}", "bold")
        if fields["sort"]:
            text.append(f"  ·  sorted by {fields['sort']}")
        if fields["selected"]:
            text.append(f"  ·  {fields['selected']:,} selected", "bold")
        if fields["error"]:
            text.append("  ·  bad query (see under the filter)", "bold red")
        elif fields["note"]:
            text.append(f"  ·  {visible(fields['note'])}", "italic")
        self.update(text, layout=False)  # one line of fixed size: no layout pass needed
