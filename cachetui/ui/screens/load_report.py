"""The load report: every file that was skipped or repaired, with the reason."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ...loader import LoadResult
from ...text import visible
from ..actions import bindings


def report_text(result: LoadResult) -> Text:
    text = Text()
    text.append(
        f"{result.pages:,} pages read from {result.files_read:,} files; {len(result.catalog):,} specs.\n",
        "bold",
    )
    for note in result.cache_notes:  # e.g. a site index: a snapshot, and when it was built
        text.append(f"{visible(note)}\n", "dim")
    errors, warnings = result.errors, result.warnings
    text.append(f"{len(errors)} file(s) skipped, {len(warnings)} loaded with warnings.\n\n")
    for problem in errors + warnings:
        style = "bold red" if problem.level == "error" else "yellow"
        text.append(f"{problem.level:<8}", style)
        where = f"{problem.path}:{problem.line}" if problem.line else problem.path
        text.append(visible(where), "bold")
        text.append(f"\n        {visible(problem.reason)}\n")
        for detail in problem.details[1:]:
            text.append(f"        {visible(detail)}\n", "dim")
    if not result.problems:
        text.append("No problems: every file loaded cleanly.\n")
    return text


class LoadReportScreen(ModalScreen[None]):
    BINDINGS = bindings("report")
    DEFAULT_CSS = """
    LoadReportScreen { align: center middle; }
    LoadReportScreen > VerticalScroll { width: 90%; height: 90%; border: round $warning;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, result: LoadResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Load report — esc to close"
            yield Static(report_text(self.result), id="report-text")
