"""The filter box: a query typed here filters the spec table as you type."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.widgets import Input, Static

from ...faults import guard_handlers
from ...text import visible
from ..actions import bindings

PLACEHOLDER = "/ filter: name  /hash  @version  %compiler  os=  target=  stack=  +variant  !not"


@guard_handlers
class FilterBox(Input):
    BINDINGS = bindings("filter")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id)

    def action_clear_or_leave(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.screen.action_focus_table()  # type: ignore[attr-defined]

    async def action_submit(self) -> None:
        self.screen.action_focus_table()  # type: ignore[attr-defined]


class QueryErrorLine(Static):
    """Under the filter box: what is wrong with the query, whole (wrapped), in the error colour;
    hidden while the query is good."""

    DEFAULT_CSS = """
    QueryErrorLine {
        height: auto;
        padding: 0 1;
        color: $text-error;
        text-style: bold;
        display: none;
    }
    """

    def show_error(self, error: Optional[str]) -> None:
        if error:
            self.update(Text(visible(error)))
        self.display = bool(error)
