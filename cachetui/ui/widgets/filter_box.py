"""The filter box: a query typed here filters the spec table as you type."""

from __future__ import annotations

from textual.widgets import Input

from ...faults import guard_handlers
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
