"""Facet counts of the current result (like visidata's frequency table); enter adds the value
to the filter as a query token."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...faults import guard_handlers
from ...text import visible
from ..actions import bindings

FACET_TITLES = {"os": "os", "target": "target", "compiler": "compiler", "stack": "stack",
                "version": "version", "platform": "platform",
                "closure": "closure (link/run dependencies loaded)"}  # fmt: skip
BAR = 20


def token_for(facet: str, value: str) -> str:
    """The query token that selects ``value`` of ``facet``."""
    quoted = f'"{value}"' if any(c.isspace() for c in value) or '"' in value else value
    return {
        "os": f"os={quoted}",
        "target": f"target={quoted}",
        "platform": f"platform={quoted}",
        "stack": f"stack={quoted}",
        "compiler": f"compiler={quoted}",
        "version": f"@={quoted}",
        "closure": f"closure={quoted}",
    }[facet]


def facet_options(
    facets: dict[str, list[tuple[str, int]]], per_facet: int = 50
) -> tuple[list[Option], list[str]]:
    """The option rows, and the filter token of each selectable one (by option id)."""
    options: list[Option] = []
    tokens: list[str] = []
    for facet, title in FACET_TITLES.items():
        counts = facets.get(facet, [])
        options.append(
            Option(Text(f"{title} ({len(counts)} values)", "bold underline"), disabled=True)
        )
        top = counts[0][1] if counts else 1
        width = min(32, max((len(visible(v)) for v, _ in counts[:per_facet]), default=0))
        for value, count in counts[:per_facet]:
            label = Text(f"  {visible(value)[:width]:<{width}} ")
            label.append("█" * max(1, round(BAR * count / top)), "cyan")
            label.append(f" {count:,}")
            options.append(Option(label, id=str(len(tokens))))
            tokens.append(token_for(facet, value))
    return options, tokens


@guard_handlers
class FacetScreen(ModalScreen[Optional[str]]):
    BINDINGS = bindings("facets")
    DEFAULT_CSS = """
    FacetScreen { align: center middle; }
    FacetScreen > OptionList { width: 80%; max-width: 90; height: 85%; border: round $accent; }
    """

    def __init__(self, facets: dict[str, list[tuple[str, int]]], shown: int) -> None:
        super().__init__()
        self.facets = facets
        self.shown = shown

    def compose(self) -> ComposeResult:
        rows, self.tokens = facet_options(self.facets)
        options = OptionList(*rows)
        options.border_title = (
            f"Facets of {self.shown:,} specs — enter adds to the filter, esc closes"
        )
        yield options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or -1)
        self.dismiss(self.tokens[index] if 0 <= index < len(self.tokens) else None)
