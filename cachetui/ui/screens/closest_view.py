"""The closest binary: type the spec you would give ``spack install``; the cached binaries of
that package, ranked, each difference with ✓ or ✗ and its reason, and the blocker when nothing
can match. Enter on a binary jumps to it in the table (dismisses with its spec id)."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from ...catalog import Catalog
from ...closest import Candidate, Closest, closest
from ...closestreport import difference_text, spec_line
from ...closestrequest import parse_request
from ...specsyntax import SpecSyntaxError
from ...text import visible
from ..actions import bindings

LIMIT = 50
MARK_STYLE = {True: "green", False: "bold red", None: "yellow"}


def candidate_label(catalog: Catalog, rank: int, candidate: Candidate) -> Text:
    verdict = ("exact", "bold green") if candidate.exact else (f"cost {candidate.cost}", "yellow")
    text = Text.assemble(f"{rank:>2}. ", (visible(spec_line(catalog, candidate)), "bold"), "  ",
                         verdict)  # fmt: skip
    if candidate.differences:
        text.append("\n    ")
        for n, d in enumerate(candidate.differences):
            text.append(", " if n else "")
            text.append(visible(difference_text(d)), MARK_STYLE[d.ok])
    return text


def headline(found: Closest, pending: int) -> Text:
    """What was found, the blockers and notes; ``pending`` tags are not loaded yet."""
    request = found.request
    if not found.binaries:
        text = Text(f"No binaries of {visible(request.name)}", "bold red")
    else:
        exact = f"{found.exact} exact" if found.exact else "no exact match: the closest first"
        text = Text(f"{found.binaries} binaries of {visible(request.name)} ({found.specs} specs),"
                    f" {exact}", "bold" if found.exact else "bold yellow")  # fmt: skip
    for blocker in found.blockers:
        text.append(f"\n✗ {visible(blocker)}", "bold red")
    if found.suggestions:
        text.append(f"\nclosest names: {visible(', '.join(found.suggestions))}")
    for note in found.notes:
        text.append(f"\nnote: {visible(note)}", "dim")
    if pending:
        text.append(f"\n{pending} tag(s) not loaded yet: open them for a full answer", "dim")
    return text


class ClosestScreen(ModalScreen[Optional[int]]):
    BINDINGS = bindings("closest")
    AUTO_FOCUS = "#closest-input"
    DEFAULT_CSS = """
    ClosestScreen { align: center middle; }
    ClosestScreen > Vertical { width: 100%; height: 100%; border: round $accent;
        background: $surface; }
    ClosestScreen #closest-input { border: none; height: 1; padding: 0 1; background: $boost; }
    ClosestScreen #closest-head { height: auto; max-height: 8; padding: 0 1; }
    ClosestScreen #closest-list { height: 1fr; border: none;
        border-top: hkey $panel-lighten-2; }
    """

    def __init__(self, catalog: Catalog, text: str = "", pending: int = 0) -> None:
        super().__init__()
        self.catalog = catalog
        self.text = text
        self.pending = pending
        self.found: Optional[Closest] = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Closest binary — type a spec as for spack install, enter ranks"
            yield Input(self.text, placeholder="hdf5@1.14 +mpi %gcc@13 target=zen3 os=rhel8",
                        id="closest-input", select_on_focus=False)  # fmt: skip
            yield Static(Text("Enter ranks the cached binaries of the package.", "dim"),
                         id="closest-head")  # fmt: skip
            yield OptionList(id="closest-list")

    @on(Input.Submitted, "#closest-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            request = parse_request(event.value)
        except SpecSyntaxError as error:
            self.query_one("#closest-head", Static).update(Text(visible(str(error)), "bold red"))
            return
        self.query_one("#closest-head", Static).update(Text("Ranking…", "dim"))
        self.rank(request)

    @work(thread=True, exclusive=True, group="closest", exit_on_error=False)
    def rank(self, request) -> None:
        worker = get_current_worker()
        found = closest(self.catalog, request, LIMIT)
        labels = [candidate_label(self.catalog, n, c) for n, c in enumerate(found.candidates, 1)]
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show, found, labels)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_fault(event.worker.error, event.worker.name)  # type: ignore[attr-defined]

    def show(self, found: Closest, labels: list[Text]) -> None:
        self.found = found
        self.query_one("#closest-head", Static).update(headline(found, self.pending))
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(label, id=str(n)) for n, label in enumerate(labels))
        shown = len(found.candidates)
        more = f" of {found.binaries}" if shown < found.binaries else ""
        options.border_title = f"{shown}{more} ranked — enter goes to the spec" if shown else ""
        if shown:
            options.highlighted = 0
            options.focus()

    @on(OptionList.OptionSelected, "#closest-list")
    def selected(self, event: OptionList.OptionSelected) -> None:
        if self.found is not None:
            self.dismiss(self.found.candidates[int(event.option.id or 0)].spec_id)

    def action_close(self) -> None:
        self.dismiss(None)
