"""Two or more specs side by side: every field, the rows that differ marked with ``*`` and in
colour (so they read without colour too); ``d`` keeps only the differing rows."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import DataTable

from ...compare import DIFFERS, Comparison, labels
from ...faults import guard_handlers
from ...text import visible
from ..actions import bindings

DIFFERS_STYLE = "bold yellow"


def comparison_rows(comparison: Comparison, differences: bool) -> list[list[Text]]:
    """The table's rows: marker, field, a value per spec (``-``: the spec has no such field)."""
    rows = []
    for row in comparison.rows:
        if differences and not row.differs:
            continue
        style = DIFFERS_STYLE if row.differs else ""
        cells = [Text(DIFFERS if row.differs else " ", style), Text(visible(row.field), style)]
        cells += [Text("-" if v is None else visible(v), style) for v in row.values]
        rows.append(cells)
    return rows


@guard_handlers
class CompareScreen(ModalScreen[None]):
    BINDINGS = bindings("compare")
    DEFAULT_CSS = """
    CompareScreen { align: center middle; }
    CompareScreen > DataTable { width: 100%; height: 100%; border: round $accent; }
    """

    def __init__(self, comparison: Comparison) -> None:
        super().__init__()
        self.comparison = comparison
        self.differences = False

    def compose(self) -> ComposeResult:
        table: DataTable = DataTable(cursor_type="row", zebra_stripes=False)
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "field", *(visible(x) for x in labels(self.comparison.specs)))
        self.fill()
        table.focus()

    def fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for cells in comparison_rows(self.comparison, self.differences):
            table.add_row(*cells)
        count, total = len(self.comparison.differing), len(self.comparison.rows)
        shown = "only those" if self.differences else "d: only those"
        table.border_title = (
            f"{len(self.comparison.specs)} specs: {count} of {total} fields differ ({DIFFERS})"
            f" — {shown}, esc closes"
        )

    def action_toggle_differences(self) -> None:
        self.differences = not self.differences
        self.fill()
