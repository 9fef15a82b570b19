"""The diff of two tags as a view: the one-screen summary, then the changed packages with
``+``/``-``/``~`` marks, narrowed by typing; enter shows the specs behind a package.

The diff is computed in a worker of this screen (two tags of 100k specs take ~0.2 s): closing
the screen cancels it.
"""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from ...catalog import Catalog
from ...diff import Diff, SpecRow, diff, tag_side
from ...diffpackages import (
    ADDED,
    CHANGED,
    REMOVED,
    PackageChange,
    PackageSpecs,
    package_changes,
    package_specs,
)
from ...diffreport import summary_lines
from ...faults import guard_handlers
from ...text import visible
from ..actions import bindings

MARK_STYLE = {ADDED: "bold green", REMOVED: "bold red", CHANGED: "bold yellow"}


def package_label(row: PackageChange, width: int) -> Text:
    return Text.assemble(
        (row.mark, MARK_STYLE[row.mark]), " ", (visible(row.name)[:width].ljust(width), "bold"),
        "  ", (visible(row.describe()), "dim"),
    )  # fmt: skip


def _spec(row: SpecRow) -> str:
    name = f"{row.package}@{row.version}" if row.version else row.package
    return f"{name} /{row.hash[:7] or '-'}"


def specs_text(found: PackageSpecs) -> Text:
    """The specs behind one package row: changed (old -> new hash, what differs), added and
    removed, each line with its mark."""
    text = Text()
    for old, new, change, os_, target, compiler in found.changed:
        what = ", ".join(
            [f"+{v}" for v in change.added] + [f"-{v}" for v in change.removed]
        ) or "same variants (a rebuild)"  # fmt: skip
        text.append(f"{CHANGED} ", MARK_STYLE[CHANGED])
        text.append(visible(f"{_spec(old)} -> /{new.hash[:7] or '-'}  {os_} {target} "
                            f"{compiler}  {what}") + "\n")  # fmt: skip
    for mark, rows in ((ADDED, found.added), (REMOVED, found.removed)):
        for row in rows:
            text.append(f"{mark} ", MARK_STYLE[mark])
            text.append(visible(f"{_spec(row)}  {' '.join(row.variants)}") + "\n")
    if not text:
        text.append("No spec of this package changed (only its versions).", "dim")
    text.rstrip()
    return text


@guard_handlers
class DiffSpecsScreen(ModalScreen[None]):
    """The specs behind one package of a diff."""

    BINDINGS = bindings("diffspecs")
    DEFAULT_CSS = """
    DiffSpecsScreen { align: center middle; }
    DiffSpecsScreen > VerticalScroll { width: 95%; height: 80%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def __init__(self, found: PackageSpecs) -> None:
        super().__init__()
        self.found = found

    def compose(self) -> ComposeResult:
        found = self.found
        with VerticalScroll() as box:
            box.border_title = (
                f"{visible(found.name)}: {len(found.changed)} changed, {len(found.added)} added,"
                f" {len(found.removed)} removed — esc closes"
            )
            yield Static(specs_text(found), id="diff-specs")


@guard_handlers
class DiffScreen(ModalScreen[None]):
    BINDINGS = bindings("diff")
    AUTO_FOCUS = "#diff-filter"  # typing narrows the packages at once
    DEFAULT_CSS = """
    DiffScreen { align: center middle; }
    DiffScreen > Vertical { width: 100%; height: 100%; border: round $accent;
        background: $surface; }
    DiffScreen #diff-summary-box { height: auto; max-height: 45%; padding: 0 1; }
    DiffScreen #diff-filter { border: none; height: 1; padding: 0 1; background: $boost; }
    DiffScreen #diff-packages { height: 1fr; border: none; border-top: hkey $panel-lighten-2; }
    """

    def __init__(self, catalog: Catalog, before: str, after: str) -> None:
        super().__init__()
        self.catalog = catalog
        self.before, self.after = before, after
        self.result: Optional[Diff] = None
        self.rows: list[PackageChange] = []
        self.shown: list[PackageChange] = []

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = (
                f"Diff {visible(self.before)} -> {visible(self.after)} — type to narrow,"
                " enter shows the specs, esc closes"
            )
            with VerticalScroll(id="diff-summary-box"):
                yield Static(Text("Comparing the two tags…", "dim"), id="diff-summary")
            yield Input(placeholder="narrow the packages: part of a name, or + - ~",
                        id="diff-filter")  # fmt: skip
            yield OptionList(id="diff-packages")

    def on_mount(self) -> None:
        self.compute(self.catalog, self.before, self.after)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def compute(self, catalog: Catalog, before: str, after: str) -> None:
        worker = get_current_worker()
        found = diff(tag_side(catalog, before), tag_side(catalog, after))
        rows = package_changes(found)
        lines = summary_lines(found)
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_diff, found, rows, lines)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.query_one("#diff-summary", Static).update(
                Text(f"Could not compare: {event.worker.error}", "bold red")
            )
            self.app.report_fault(event.worker.error, event.worker.name)  # type: ignore[attr-defined]

    def show_diff(self, found: Diff, rows: list[PackageChange], lines: list[str]) -> None:
        self.result, self.rows = found, rows
        summary = Text("\n".join(visible(line) for line in lines))
        if not found.differs:
            summary.append("\nThe two tags hold the same specs.", "bold")
        self.query_one("#diff-summary", Static).update(summary)
        self.narrow(self.query_one(Input).value)

    @on(Input.Changed, "#diff-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.narrow(event.value)

    def narrow(self, text: str) -> None:
        """Keep the packages whose name has every word of ``text``; a word ``+``, ``-`` or
        ``~`` keeps that mark."""
        words = text.lower().split()
        marks = {w for w in words if w in (ADDED, REMOVED, CHANGED)}
        names = [w for w in words if w not in marks]
        self.shown = [
            row for row in self.rows
            if (not marks or row.mark in marks) and all(w in row.name.lower() for w in names)
        ]  # fmt: skip
        width = min(32, max((len(visible(r.name)) for r in self.shown), default=0))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(package_label(row, width), id=str(n)) for n, row in enumerate(self.shown)
        )
        if self.shown:
            options.highlighted = 0
        shown = f"{len(self.shown)} of {len(self.rows)} changed packages"
        options.border_title = shown if self.result is not None else ""

    @on(Input.Submitted, "#diff-filter")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open_package()  # the highlighted package: up and down move it

    def on_key(self, event) -> None:
        # Up and down move in the list while the filter keeps the focus.
        if event.key in ("down", "up") and self.query_one(Input).has_focus and self.shown:
            event.stop()
            options = self.query_one(OptionList)
            options.action_cursor_down() if event.key == "down" else options.action_cursor_up()

    @on(OptionList.OptionSelected, "#diff-packages")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.open_package(self.shown[int(event.option.id or 0)].name)

    def action_open_package(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.shown:
            self.open_package(self.shown[options.highlighted].name)

    def open_package(self, name: str) -> None:
        if self.result is not None:
            self.app.push_screen(DiffSpecsScreen(package_specs(self.result, name)))
