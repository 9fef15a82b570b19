"""A virtual table of specs on Textual's Line API.

Only the rows on screen are ever rendered: the table holds a numpy array of spec ids and turns
row ``y`` into a line of segments on demand, so a million rows cost the same to paint, scroll or
jump through as a hundred (the stock DataTable builds every row up front: ~12 s for 100k).

Columns are fitted to the width (``view.fit_columns``): no cell is ever cut without a "…".
Sideways, the table moves by whole columns, never by cells: a column cursor (h l, ← →) picks
the column the sort keys act on, and the columns after the pinned ones (hash, package) scroll
to keep it on screen.
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
from ...text import cut_middle
from ...view import COLUMNS, GAP, Column, Sort, cell_text, fit_columns
from ..actions import bindings
from ..state import BrowsingState

# The marker column, laid out as fzf's: the cursor's pointer ">", then the selection mark "●".
# The cursor row must show without colour too (NO_COLOR, a monochrome terminal, a screen reader
# or a copy of the screen), so its background alone is not enough.
MARK_WIDTH = 2


def row_mark(cursor: bool, selected: bool) -> str:
    return (">" if cursor else " ") + ("●" if selected else " ")


ARROWS = {False: "▲", True: "▼"}


def fitted(text: str, width: int, middle: bool = False) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with a "…" (at the end, or with
    ``middle`` in the middle: a third of what is kept from the start, the rest from the end)."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if width <= 0:
        return ""
    if middle and width >= 4 and len(text) == cell_len(text):
        return cut_middle(text, width)
    return set_cell_size(text, width - 1) + "…"


def header_title(title: str, width: int, arrow: str) -> str:
    """A column title with its sort arrow, which stays whole however narrow the column."""
    if not arrow:
        return fitted(title, width)
    if cell_len(title) + 2 <= width:
        return fitted(f"{title} {arrow}", width)
    return fitted(title, width - 1) + arrow


@guard_handlers
class SpecTable(ScrollView, can_focus=True):
    """Rows of specs: short hash, package, version, compiler, os, target, stacks, variants, tag."""

    BINDINGS = bindings("table")
    COMPONENT_CLASSES = {
        "spec-table--header",
        "spec-table--cursor",
        "spec-table--selected",
        "spec-table--sorted",
        "spec-table--column",
    }
    DEFAULT_CSS = """
    SpecTable { background: $surface; }
    SpecTable > .spec-table--header { text-style: bold; background: $panel; color: $text; }
    SpecTable > .spec-table--cursor { background: $block-cursor-blurred-background; }
    SpecTable:focus > .spec-table--cursor { background: $block-cursor-background;
        color: $block-cursor-foreground; text-style: bold; }
    SpecTable > .spec-table--selected { color: $text-accent; text-style: bold; }
    SpecTable > .spec-table--sorted { text-style: bold underline; }
    SpecTable:focus > .spec-table--column { text-style: bold reverse; }
    SpecTable { overflow-x: hidden; }
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
        # Each column's natural width for the rows shown (the view computes it with them).
        self.widths: dict[str, int] = {c.key: c.max_width for c in COLUMNS}
        self.columns: tuple[Column, ...] = COLUMNS  # those that may show, in order (the config's)
        self.column = "package"  # the column cursor: what the sort keys act on
        self.first_column = 0  # the first unpinned column on screen
        self._layout: Optional[tuple[tuple, list[tuple[Column, int]]]] = None
        self.empty_text = ""  # lines shown under the header while there are no rows: what to do
        self._cells: dict[tuple[str, int], str] = {}
        self._runs_mark: Optional[Callable[[int], str]] = None
        state.observe(self._state_changed)

    def _state_changed(self, what: str) -> None:
        if what in ("selection", "sort"):
            if what == "sort" and self.sort is not None:
                self.column = self.sort.column
                self._column_on_screen()
            self.refresh()

    @property
    def sort(self) -> Optional[Sort]:
        return self.state.sort

    # -- data --------------------------------------------------------------------------------

    def set_catalog(self, catalog: Catalog, widths: dict[str, int],
                    runs_mark: Optional[Callable[[int], str]] = None) -> None:  # fmt: skip
        self.catalog = catalog
        if not len(self.ids):
            self.widths = widths
        self._runs_mark = runs_mark  # spec id -> ✓ ✗ ? (runs on the host)
        self._cells.clear()

    def set_columns(self, keys: Sequence[str]) -> None:
        """Show these columns, in this order (unknown keys are left out)."""
        by_key = {column.key: column for column in COLUMNS}
        self.columns = tuple(by_key[key] for key in keys if key in by_key) or COLUMNS
        if self.sort is not None and self.sort.column not in keys:
            self.state.set_sort(None)
        if self.column not in {c.key for c in self.columns}:
            self.column = self.columns[0].key
        self.first_column = 0
        self._layout = None
        self.refresh()

    @property
    def unpinned(self) -> list[str]:
        return [c.key for c in self.columns if not c.pinned]

    def show(self, ids: np.ndarray, keep_spec: Optional[int] = None,
             widths: Optional[dict[str, int]] = None) -> None:  # fmt: skip
        """Replace the rows (``widths``: their columns' natural widths). The cursor stays on
        ``keep_spec`` when it is still there."""
        self.ids = ids
        if widths:
            self.widths = widths
        # No width: sideways the table moves by columns (``first_column``), not by cells.
        self.virtual_size = Size(0, len(ids) + 1)
        row = 0
        if keep_spec is not None and len(ids):
            found = np.flatnonzero(ids == keep_spec)
            row = int(found[0]) if len(found) else 0
        self.cursor_row = row
        self.refresh()

    def say_empty(self, text: str) -> None:
        """What the table says while it has no rows (lines of what to do)."""
        if text != self.empty_text:
            self.empty_text = text
            if not len(self.ids):
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
    def columns_shown(self) -> list[tuple[Column, int]]:
        """The columns on screen and their widths (fitted once per width and view)."""
        width = self.scrollable_content_region.width - MARK_WIDTH
        key = (width, self.first_column, tuple(self.widths.items()), self.columns)
        if self._layout is None or self._layout[0] != key:
            fitted_columns = fit_columns(self.widths, width, self.first_column, self.columns)
            self._layout = (key, fitted_columns)
        return self._layout[1]

    def hidden_right(self) -> bool:
        """Whether columns are off the right edge (scroll right to see them)."""
        shown = self.columns_shown
        return bool(shown) and shown[-1][0].key != self.columns[-1].key

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

    def _line(self, texts: list[str], base: Style) -> list[Segment]:
        segments = []
        for (column, width), text in zip(self.columns_shown, texts):
            segments.append(Segment(fitted(text, width, column.cut_middle), base))
            segments.append(Segment(" " * GAP, base))
        return segments

    def _header(self, base: Style, width: int) -> Strip:
        header = base + self.get_component_rich_style("spec-table--header")
        current = header + self.get_component_rich_style("spec-table--column")
        sort = self.sort
        segments = [Segment(" " * MARK_WIDTH, header)]
        after_pins = self.first_column > 0  # "‹": columns scrolled off to the left
        pinned = [c.key for c in self.columns if c.pinned]
        last_pinned = pinned[-1] if pinned else None
        for column, cells in self.columns_shown:
            arrow = ARROWS[sort.descending] if sort and sort.column == column.key else ""
            style = current if column.key == self.column else header
            segments.append(Segment(header_title(column.title, cells, arrow), style))
            gap = " " * GAP
            if after_pins and column.key == last_pinned:
                gap, after_pins = "‹", False
            segments.append(Segment(gap, header))
        strip = Strip(segments).crop_extend(0, width, header)
        if self.hidden_right():  # "›": more columns to the right
            strip = strip.crop(0, width - 1).extend_cell_length(width - 1, header)
            strip = Strip([*strip, Segment("›", header)])
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_y = int(self.scroll_y)
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(base, width)
        row = scroll_y + y - 1
        if self.catalog is None or row >= len(self.ids):
            lines = self.empty_text.splitlines() if not len(self.ids) else []
            if 1 <= y <= len(lines):
                text = " " * MARK_WIDTH + fitted(lines[y - 1], width - MARK_WIDTH)
                return Strip([Segment(text, base + Style(italic=True))], width)
            return Strip.blank(width, base)
        spec_id = int(self.ids[row])
        style = base
        selected = self.state.selected
        is_selected = spec_id < len(selected) and bool(selected[spec_id])
        if is_selected:
            style += self.get_component_rich_style("spec-table--selected")
        if row == self.cursor_row:
            style += self.get_component_rich_style("spec-table--cursor")
        mark = Segment(row_mark(row == self.cursor_row, is_selected), style)
        texts = [self._cell(c.key, spec_id) for c, _ in self.columns_shown]
        return Strip([mark, *self._line(texts, style)]).crop_extend(0, width, style)

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

    # -- columns -----------------------------------------------------------------------------

    def action_move_column(self, step: int) -> None:
        """Move the column cursor; the unpinned columns scroll to keep it on screen."""
        keys = [c.key for c in self.columns]
        index = max(0, min(len(keys) - 1, keys.index(self.column) + step))
        self.column = keys[index]
        self._column_on_screen()
        self.refresh()

    def _column_on_screen(self) -> None:
        unpinned = self.unpinned
        if self.column not in unpinned:
            if self.column == self.columns[0].key:
                self.first_column = 0
            return
        index = unpinned.index(self.column)
        if index < self.first_column:
            self.first_column = index
        while self.first_column < index and self.column not in {
            c.key for c, _ in self.columns_shown
        }:
            self.first_column += 1

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

    def action_sort_column(self, descending: bool) -> None:
        """Sort by the column under the column cursor (visidata's [ and ])."""
        self.state.set_sort(Sort(self.column, descending))

    def action_sort_next(self) -> None:
        keys = [c.key for c in self.columns]
        index = keys.index(self.sort.column) + 1 if self.sort else 0
        self.state.set_sort(Sort(keys[index % len(keys)]))

    def action_sort_reverse(self) -> None:
        if self.sort is None:
            self.state.set_sort(Sort(self.column, descending=True))
        elif not self.sort.descending:
            self.state.set_sort(Sort(self.sort.column, descending=True))
        else:
            self.state.set_sort(None)

    def column_at(self, x: int) -> Optional[str]:
        """The column under cell ``x`` of a line."""
        offset = MARK_WIDTH
        for column, width in self.columns_shown:
            if offset <= x < offset + width + GAP:
                return column.key
            offset += width + GAP
        return None

    def sort_by_header(self, x: int) -> None:
        key = self.column_at(x)
        if key is not None:
            same = self.sort is not None and self.sort.column == key
            descending = same and not self.sort.descending  # type: ignore[union-attr]
            self.state.set_sort(Sort(key, descending))

    # -- mouse -------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self.sort_by_header(offset.x)
            return
        row = int(self.scroll_y) + offset.y - 1
        if 0 <= row < len(self.ids):
            if row == self.cursor_row and event.chain == 2:
                self.action_open_row()
            self.cursor_row = row
