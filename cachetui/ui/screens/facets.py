"""Facet counts of the current result (like visidata's frequency table); enter adds the value
to the filter as a query token.

It answers "what is in this stack?" (filter ``stack=e4s``, then the package and version
sections), "which tags have it?", and says plainly how much is shown: "top 20 of 1,839
values".
"""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...faults import guard_handlers
from ...summaries import TOP, PackageVersions, top
from ...text import visible
from ..actions import bindings

# The sections, in order: what is in the result first, then where and how it was built.
FACET_TITLES = {"package": "package", "tag": "tag", "stack": "stack", "os": "os",
                "target": "target", "compiler": "compiler", "version": "version",
                "platform": "platform",
                "closure": "closure (link/run dependencies loaded)"}  # fmt: skip
BAR = 20
VERSIONS_SHOWN = 6  # versions named per package, newest first


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) or '"' in value else value


def token_for(facet: str, value: str) -> str:
    """The query token that selects ``value`` of ``facet``."""
    if facet == "version":
        return f"@={_quoted(value)}"
    return f"{facet}={_quoted(value)}"


def _title(title: str, distinct: int, shown: str) -> Option:
    plural = "value" if distinct == 1 else "values"
    said = f"{shown} {plural}" if shown.startswith("top") else f"{distinct:,} {plural}"
    return Option(Text(f"{title}: {said}, most specs first", "bold underline"), disabled=True)


def facet_options(facets: dict[str, list[tuple[str, int]]], per_facet: int = TOP,
                  packages: Optional[list[PackageVersions]] = None) -> tuple[list[Option], list[str]]:  # fmt: skip
    """The option rows, and the filter token of each selectable one (by option id)."""
    options: list[Option] = []
    tokens: list[str] = []

    def add(label: Text, token: str) -> None:
        options.append(Option(label, id=str(len(tokens))))
        tokens.append(token)

    for facet, title in FACET_TITLES.items():
        if facet not in facets:
            continue
        shown = top(facets[facet], per_facet)
        options.append(_title(title, shown.distinct, shown.said()))
        highest = shown.values[0][1] if shown.values else 1
        width = min(32, max((len(visible(v)) for v, _ in shown.values), default=0))
        for value, count in shown.values:
            name = visible(value)
            name = name if len(name) <= width else name[: width - 1] + "…"
            label = Text(f"  {name:<{width}} ")
            label.append("█" * max(1, round(BAR * count / highest)), "cyan")
            label.append(f" {count:,}")
            add(label, token_for(facet, value))
        if facet == "package" and packages:
            options.extend(_versions_section(packages, per_facet, add))
    return options, tokens


def _versions_section(packages: list[PackageVersions], per_facet: int, add) -> list[Option]:
    """Versions per package (newest first, Spack's order); enter filters to the package."""
    shown_top = top([(p.name, p.specs) for p in packages], per_facet)
    said = shown_top.said() if shown_top.distinct > per_facet else f"{shown_top.distinct:,}"
    noun = "package" if shown_top.distinct == 1 else "packages"
    heading = Option(Text(f"versions per package: {said} {noun}, newest first", "bold underline"),
                     disabled=True)  # fmt: skip
    rows: list[Option] = [heading]
    shown = packages[:per_facet]
    width = min(28, max((len(visible(p.name)) for p in shown), default=0))
    for package in shown:
        name = visible(package.name)
        name = name if len(name) <= width else name[: width - 1] + "…"
        label = Text(f"  {name:<{width}} ")
        label.append(", ".join(visible(v) for v in package.versions[:VERSIONS_SHOWN]))
        if len(package.versions) > VERSIONS_SHOWN:
            label.append(f" … ({len(package.versions):,} versions)", "dim")
        rows.append(Option(label, id=f"v{package.name}"))
    return rows


@guard_handlers
class FacetScreen(ModalScreen[Optional[str]]):
    BINDINGS = bindings("facets")
    DEFAULT_CSS = """
    FacetScreen { align: center middle; }
    FacetScreen > OptionList { width: 90%; max-width: 100; height: 85%; border: round $accent; }
    """

    def __init__(self, facets: dict[str, list[tuple[str, int]]], shown: int,
                 packages: Optional[list[PackageVersions]] = None) -> None:  # fmt: skip
        super().__init__()
        self.facets = facets
        self.shown = shown
        self.packages = packages

    def compose(self) -> ComposeResult:
        rows, self.tokens = facet_options(self.facets, packages=self.packages)
        options = OptionList(*rows)
        options.border_title = (
            f"Facets of {self.shown:,} specs — enter adds to the filter, esc closes"
        )
        yield options

    def action_move(self, rows: int) -> None:
        options = self.query_one(OptionList)
        for _ in range(abs(rows)):
            options.action_cursor_down() if rows > 0 else options.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("v"):  # a package of the versions section
            self.dismiss(token_for("package", option_id[1:]))
            return
        index = int(option_id) if option_id.isdigit() else -1
        self.dismiss(self.tokens[index] if 0 <= index < len(self.tokens) else None)
