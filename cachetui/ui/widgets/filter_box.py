"""The filter box: a query typed here filters the spec table as you type. With ``--print`` it is
the picker's prompt, as in fzf: enter prints, tab or ctrl+j / ctrl+k go to the list."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual import events
from textual.widgets import Input, Static

from ...faults import guard_handlers
from ...search import pasted_hashes
from ...text import visible
from ..actions import bindings

PLACEHOLDER = "/ filter: name  /hash  @version  %compiler  os=  target=  stack=  +variant  !not"


def placeholder_for(width: int) -> str:
    """The hint in ``width`` cells: whole tokens, then "…" when some are left out (never a
    token cut short: "target" without its "=" reads as a word to search)."""
    if len(PLACEHOLDER) <= width:
        return PLACEHOLDER
    first, *rest = PLACEHOLDER.split("  ")
    shown = first
    for part in rest:
        if len(shown) + len(part) + 5 > width:  # the two-space gap, and then "  …"
            break
        shown += "  " + part
    return shown + "  …"


@guard_handlers
class FilterBox(Input):
    BINDINGS = bindings("filter")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=PLACEHOLDER, id=id)

    def on_resize(self) -> None:
        # One cell stays for the text cursor, drawn after the placeholder's first character.
        self.placeholder = placeholder_for(self.content_region.width - 1)

    def action_clear_or_leave(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.screen.action_focus_table()  # type: ignore[attr-defined]

    async def action_submit(self) -> None:
        if getattr(self.screen, "print_format", None):  # the picker's prompt: enter prints
            self.screen.accept_print()  # type: ignore[attr-defined]
        else:
            self.screen.action_focus_table()  # type: ignore[attr-defined]

    def action_to_list(self) -> None:
        self.screen.action_focus_table()  # type: ignore[attr-defined]

    def _on_paste(self, event: events.Paste) -> None:
        # Several hashes pasted (lines of ``spack find -l``, a ``spack install /a /b`` line):
        # one query that shows them all. Anything else: the stock paste (its first line).
        found = pasted_hashes(event.text)
        if len(found) > 1:
            event.prevent_default()  # not Input's own paste too (Textual runs each class's)
            event.stop()
            self.insert_text_at_cursor("/" + ",".join(found))


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
