"""The browser's copy, export and ``--print`` actions; mixed into ``BrowserScreen``.

Every copy says what it copied (shortened), since OSC 52 gives no acknowledgement.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional

import numpy as np

from ...export import BY_NAME, install_line, render, write_file
from ...faults import guard_handlers, guarded
from ...text import visible
from ..widgets.spec_table import SpecTable
from .export import ExportChoice, ExportScreen

if TYPE_CHECKING:
    from .browser import BrowserScreen

    _Base = BrowserScreen
else:
    _Base = object

CLIPBOARD_WARN_BYTES = 4096  # some terminals silently drop OSC 52 copies larger than 3-6 KB
PREVIEW_CHARS = 60  # of the copied text in the notice: about one line of a narrow toast
_FULL_HASH = re.compile(r"(?<=/)([a-z2-7]{7})[a-z2-7]{25}\b")


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The copied text as a notice shows it: hashes cut to 7 characters, the first line only,
    at most ``limit`` characters."""
    lines = text.strip("\n").splitlines() or [""]
    short = _FULL_HASH.sub(r"\1", lines[0])
    if len(short) > limit:
        short = short[: limit - 1] + "…"
    elif len(lines) > 1:
        short += f" … ({len(lines):,} lines)"
    return short


@guard_handlers
class BrowserCopy(_Base):
    export_format = "install"  # the export dialog remembers the last format chosen

    def chosen_specs(self) -> list:
        return self.view.specs(self.query_one(SpecTable).chosen_ids())

    def _current(self):
        spec_id = self.query_one(SpecTable).current_spec
        return None if spec_id is None else self.catalog.spec(spec_id)

    def _to_clipboard(self, text: str, message: str) -> None:
        self.app.copy_to_clipboard(text)
        size = len(text.encode("utf-8"))
        if size > CLIPBOARD_WARN_BYTES:
            message += (
                f" That is over {CLIPBOARD_WARN_BYTES // 1024} KB: some terminals drop large"
                " copies without a word. Press e to save to a file instead."
            )
            self.notify(message, severity="warning", timeout=10, markup=False)
        else:
            self.notify(message, markup=False)

    def action_copy(self, fmt: Optional[str] = None) -> None:
        """``y``: one ``spack install`` line for the selection (or the row); with ``fmt``
        (the export dialog), the whole export in that format."""
        specs = self.chosen_specs()
        if not specs:
            self.notify("Nothing to copy: the table is empty.", severity="warning")
            return
        if fmt is None:
            text = install_line(specs)
            size = len(text.encode("utf-8"))
            self._to_clipboard(
                text, f"Copied: {preview(text)}  ({len(specs):,} spec(s), {size:,} bytes)"
            )
            return
        text = render(specs, fmt)
        size = len(text.encode("utf-8"))
        self._to_clipboard(
            text,
            f"Copied {len(specs):,} spec(s) as {fmt} ({size:,} bytes) to the clipboard:"
            f" {preview(text)}",
        )

    def action_copy_hash(self) -> None:
        spec = self._current()
        if spec is None or not spec.hash:
            self.notify("No hash to copy: no row, or its page gives no hash.", severity="warning")
            return
        self._to_clipboard(spec.hash, f"Copied the hash of {visible(spec.package)}: {spec.hash}")

    def action_copy_spec(self) -> None:
        spec = self._current()
        if spec is None:
            self.notify("Nothing to copy: the table is empty.", severity="warning")
            return
        text = visible(spec.spec_string)
        self._to_clipboard(text, f"Copied the spec: {preview(text)}")

    # -- export ------------------------------------------------------------------------------

    def action_export(self) -> None:
        ids = self.query_one(SpecTable).chosen_ids()
        view = self.view

        def write(choice: ExportChoice) -> None:  # in the dialog's worker thread
            write_file(choice.path, view.specs(ids), choice.fmt, overwrite=choice.overwrite)

        def chosen(choice: Optional[ExportChoice]) -> None:
            if choice is None:
                return
            self.export_format = choice.fmt
            if choice.destination == "clipboard":
                self.action_copy(choice.fmt)
            else:  # written by the dialog, which stays open (with the reason) when it fails
                self.notify(f"Saved {len(ids):,} spec(s) as {choice.fmt} to {choice.path}",
                            markup=False)  # fmt: skip

        self.app.push_screen(ExportScreen(len(ids), self.export_format, write), chosen)

    # -- --print ------------------------------------------------------------------------------

    @guarded
    def accept_print(self) -> None:
        """Leave, printing the selection, or the current row of the query as typed (enter can
        come before the table caught up with the last keystroke: then the row is computed)."""
        ids = self.query_one(SpecTable).chosen_ids()
        if not self.state.selected_count and self.shown_key != self.state.key:
            result = self.view.compute(*self.state.key)
            ids = result.ids[:1] if result.error is None else np.zeros(0, dtype=np.int64)
        specs = self.view.specs(ids)
        fmt = BY_NAME[self.print_format or "hashes"]
        self.app.exit(result="".join(fmt.writer(specs)) if specs else None)
