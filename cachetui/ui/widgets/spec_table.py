"""A virtual table of specs on Textual's Line API.

Only the rows on screen are ever rendered: the table holds a numpy array of spec ids and turns
row ``y`` into a line of segments on demand, so a million rows cost the same to paint, scroll or
jump through as a hundred (the stock DataTable builds every row up front: ~12 s for 100k).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable, Optional

import numpy as np
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...catalog import Catalog
from ...faults import guard_handlers
from ...view import COLUMNS, Column, Sort, cell_text
from ..actions import bindings
from ..state import BrowsingState

GAP = 1
MARK_WIDTH = 2  # the selection marker column


@guard_handlers
class SpecTable(ScrollView, can_focus=True):
    """Rows of specs: short hash, package, version, compiler, os, target, stacks, variants, tag."""

    BINDINGS = bindings("table")
    COMPONENT_CLASSES = {
        "spec-table--header",
        "spec-table--cursor",
        "spec-table--selected",
        "spec-table--sorted",
    }
    DEFAULT_CSS = """
    SpecTable { background: $surface; }
    SpecTable > .spec-table--header { text-style: bold; background: $panel; color: $text; }
    SpecTable > .spec-table--cursor { background: $block-cursor-blurred-background; }
    SpecTable:focus > .spec-table--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; text-style: bold; }
    SpecTable > .spec-table--selected { color: $text-accent; text-style: bold; }
    SpecTable > .spec-table--sorted { text-style: bold underline; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved onto a spec (or the table became empty: ``spec_id`` None)."""

        def __init__(self, table: SpecTable, spec_id: Optional[int]) -> None:
            super().__init__()
            self.table = table
            self.spec_id = spec_id

        @property
        def control(self) -> SpecTable:
            return self.table

    class Opened(Message):
        def __init__(self, spec_id: int) -> None:
            super().__init__()
            self.spec_id = spec_id

    def __init__(self, state: BrowsingState, *, id: Optional[str] = None) -> None:
        super().__init__(id=id)
        self.state = state  # the sort and the selection live there
        self.catalog: Optional[Catalog] = None
        self.ids: np.ndarray = np.zeros(0, dtype=np.int64)
        self.columns: tuple[Column, ...] = COLUMNS  # those shown, in order (the config's)
        self.widths: dict[str, int] = {c.key: c.max_width for c in COLUMNS}
        self._cells: dict[tuple[str, int], str] = {}
        self._runs_mark: Optional[Callable[[int], str]] = None
        state.observe(self._state_changed)

    def _state_changed(self, what: str) -> None:
        if what in ("selection", "sort"):
            self.refresh()

    @property
    def sort(self) -> Optional[Sort]:
        return self.state.sort

    # -- data --------------------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog, widths: dict[str, int],
                    runs_mark: Optional[Callable[[int], str]] = None) -> None:  # fmt: skip
        self.catalog = catalog
        self.widths = widths
        self._runs_mark = runs_mark  # spec id -> ✓ ✗ ? (runs on the host)
        self._cells.clear()

    def set_columns(self, keys: Sequence[str]) -> None:
        """Show these columns, in this order (unknown keys are left out)."""
        by_key = {column.key: column for column in COLUMNS}
        self.columns = tuple(by_key[key] for key in keys if key in by_key) or COLUMNS
        if self.sort is not None and self.sort.column not in keys:
            self.state.set_sort(None)
        self.virtual_size = Size(self.total_width, len(self.ids) + 1)
        self.refresh()

    def show(self, ids: np.ndarray, keep_spec: Optional[int] = None) -> None:
        """Replace the rows. The cursor stays on ``keep_spec`` when it is still there."""
        self.ids = ids
        self.virtual_size = Size(self.total_width, len(ids) + 1)
        row = 0
        if keep_spec is not None and len(ids):
            found = np.flatnonzero(ids == keep_spec)
            row = int(found[0]) if len(found) else 0
        self.cursor_row = row
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.ids)

    @property
    def current_spec(self) -> Optional[int]:
        if 0 <= self.cursor_row < len(self.ids):
            return int(self.ids[self.cursor_row])
        return None

    @property
    def total_width(self) -> int:
        return MARK_WIDTH + sum(self.widths[c.key] + GAP for c in self.columns)

    # -- rendering ---------------------------------------------------------------------------

    def _cell(self, column: str, spec_id: int) -> str:
        assert self.catalog is not None
        if column == "hash":
            return self.catalog.hashes[spec_id][:7] or "-"
        if column == "runs":
            return self._runs_mark(spec_id) if self._runs_mark else ""
        coded = self.catalog.column(column)
        code = coded.code(spec_id)
        key = (column, code)
        text = self._cells.get(key)
        if text is None:
            text = self._cells[key] = cell_text(coded.values[code])
        return text

    def _line(self, texts: list[str], base: Style, sorted_style: Optional[Style]) -> list[Segment]:
        segments = []
        for column, text in zip(self.columns, texts):
            width = self.widths[column.key]
            if cell_len(text) > width:
                text = set_cell_size(text, width - 1) + "…"
            style = (
                base + sorted_style
                if sorted_style and self.sort and self.sort.column == column.key
                else base
            )
            segments.append(Segment(set_cell_size(text, width), style))
            segments.append(Segment(" " * GAP, base))
        return segments

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("spec-table--header")
            titles = []
            for column in self.columns:
                title = column.title
                if self.sort and self.sort.column == column.key:
                    title += " ▼" if self.sort.descending else " ▲"
                titles.append(title)
            segments = [
                Segment(" " * MARK_WIDTH, base + header),
                *self._line(titles, base + header, None),
            ]
            return Strip(segments).crop_extend(scroll_x, scroll_x + width, base + header)
        row = scroll_y + y - 1
        if self.catalog is None or row >= len(self.ids):
            return Strip.blank(width, base)
        spec_id = int(self.ids[row])
        style = base
        selected = self.state.selected
        is_selected = spec_id < len(selected) and bool(selected[spec_id])
        if is_selected:
            style += self.get_component_rich_style("spec-table--selected")
        if row == self.cursor_row:
            style += self.get_component_rich_style("spec-table--cursor")
        mark = Segment("● " if is_selected else "  ", style)
        texts = [self._cell(c.key, spec_id) for c in self.columns]
        segments = [mark, *self._line(texts, style, None)]
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, style)

    # -- cursor ------------------------------------------------------------------------------

    @property
    def page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.ids) - 1)) if len(self.ids) else 0

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current_spec))

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        rows = self.page_rows
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows:
            self.scroll_to(y=self.cursor_row - rows + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_page_down(self) -> None:
        self.cursor_row += self.page_rows

    def action_page_up(self) -> None:
        self.cursor_row -= self.page_rows

    def action_first_row(self) -> None:
        self.cursor_row = 0

    def action_last_row(self) -> None:
        self.cursor_row = len(self.ids) - 1

    def action_scroll_columns(self, cells: int) -> None:
        self.scroll_to(x=self.scroll_x + cells, animate=False)

    def action_open_row(self) -> None:
        if self.current_spec is not None:
            self.post_message(self.Opened(self.current_spec))

    # -- selection ---------------------------------------------------------------------------

    def action_toggle_select(self) -> None:
        spec_id = self.current_spec
        if spec_id is not None:
            self.state.toggle(spec_id)
            self.cursor_row += 1

    def action_select_all(self) -> None:
        self.state.select(self.ids)

    def action_clear_selection(self) -> None:
        self.state.clear_selection()

    def chosen_ids(self) -> np.ndarray:
        """The selected specs in load order, or the current row when nothing is selected."""
        return self.state.chosen_ids(self.current_spec)

    # -- sorting -----------------------------------------------------------------------------

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.columns]
        index = keys.index(self.sort.column) + 1 if self.sort else 0
        self.state.set_sort(Sort(keys[index % len(keys)]))

    def action_sort_reverse(self) -> None:
        if self.sort is None:
            self.state.set_sort(Sort(self.columns[0].key, descending=True))
        elif not self.sort.descending:
            self.state.set_sort(Sort(self.sort.column, descending=True))
        else:
            self.state.set_sort(None)

    def sort_by_header(self, x: int) -> None:
        offset = MARK_WIDTH
        for column in self.columns:
            width = self.widths[column.key] + GAP
            if offset <= x < offset + width:
                same = self.sort is not None and self.sort.column == column.key
                descending = same and not self.sort.descending  # type: ignore[union-attr]
                self.state.set_sort(Sort(column.key, descending))
                return
            offset += width

    # -- mouse -------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self.sort_by_header(offset.x + int(self.scroll_x))
            return
        row = int(self.scroll_y) + offset.y - 1
        if 0 <= row < len(self.ids):
            if row == self.cursor_row and event.chain == 2:
                self.action_open_row()
            self.cursor_row = row
