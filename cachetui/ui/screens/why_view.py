"""Why is this here (nix-tree's ``w``): the paths from the roots of the loaded caches (specs
nothing loaded depends on) down to one spec, shortest first, found in a worker
(``deptree.why_paths``, bounded). ``enter`` on a path goes to its root."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...catalog import Catalog
from ...closurecheck import describe
from ...deptree import WhyResult, edge_deptypes, why_paths
from ...faults import guard_handlers
from ...text import visible
from ..actions import bindings


def path_text(catalog: Catalog, number: int, path: tuple[int, ...]) -> Text:
    """One path, a spec a line, root first: each line says how the one above needs it."""
    text = Text()
    text.append(f"{number:>2}. ", "dim")
    text.append(visible(describe(catalog, path[0])), "bold")
    text.append(f"  {visible(catalog.column('tag').cell(path[0]))}", "dim")
    for depth, (parent, child) in enumerate(zip(path, path[1:]), start=1):
        types = ",".join(edge_deptypes(catalog, parent, child)) or "no deptypes"
        text.append("\n    " + "  " * depth + "→ ")
        text.append(visible(describe(catalog, child)), "bold" if child == path[-1] else "")
        text.append(f"  {visible(types)}", "dim")
    return text


def heading(catalog: Catalog, result: WhyResult) -> Text:
    name = visible(describe(catalog, result.spec_id))
    if result.is_root and result.unlisted == len(catalog):
        # Site pages list no dependencies: "nothing depends on it" would be a guess.
        return Text(f"What needs {name} cannot be told: the loaded caches list no dependencies"
                    " (site pages do not; a Spack index or spec file does).", "yellow")  # fmt: skip
    if result.is_root and result.unlisted:
        return Text(f"No spec whose dependencies were read depends on {name}: a root as far as"
                    f" they tell ({result.unlisted:,} loaded spec(s) from site pages list none).")  # fmt: skip
    if result.is_root:
        return Text(f"Nothing loaded depends on {name}: it is a root (installed for itself).")
    if result.cycle:
        return Text(f"Only a dependency cycle reaches {name} (a broken index): the paths from"
                    " its members.", "yellow")  # fmt: skip
    shown = "" if result.complete else f" (the first {len(result.paths)})"
    return Text(f"{result.roots} root(s) need {name}: the shortest path from each{shown},"
                " shortest first.")  # fmt: skip


@guard_handlers
class WhyScreen(ModalScreen[Optional[int]]):
    BINDINGS = bindings("why")
    DEFAULT_CSS = """
    WhyScreen { align: center middle; }
    WhyScreen > #why-box { width: 90%; max-width: 100; height: 85%; border: round $accent;
        background: $surface; }
    WhyScreen #why-heading { padding: 0 1; }
    WhyScreen #why-paths { height: 1fr; border: none; }
    """

    def __init__(self, catalog: Catalog, spec_id: int) -> None:
        super().__init__()
        self.catalog = catalog
        self.spec_id = spec_id
        self.result: Optional[WhyResult] = None

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical

        with Vertical(id="why-box") as box:
            box.border_title = "Why is this here — enter goes to a root, esc closes"
            yield Static(Text("Finding the paths…", "dim"), id="why-heading")
            yield OptionList(id="why-paths")

    def on_mount(self) -> None:
        self.find_paths()

    @work(thread=True, exclusive=True, group="why", exit_on_error=False)
    def find_paths(self) -> None:
        worker = get_current_worker()
        result = why_paths(self.catalog, self.spec_id)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._found, result)

    def _found(self, result: WhyResult) -> None:
        self.result = result
        self.query_one("#why-heading", Static).update(heading(self.catalog, result))
        paths = self.query_one("#why-paths", OptionList)
        if not result.is_root:
            paths.add_options(
                Option(path_text(self.catalog, number, path), id=str(number - 1))
                for number, path in enumerate(result.paths, start=1)
            )
        paths.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.result is not None and event.option.id is not None:
            self.dismiss(self.result.paths[int(event.option.id)][0])
