"""The browsing screen: package tree, filter, spec table, detail panel and status line.

Every slow step runs in an exclusive worker thread: loading (through the ``LoadSession``) and
turning the ``BrowsingState`` into rows. A newer request cancels a stale computation (the
view model checks the worker's cancel state), so typing never waits for the table.
"""

from __future__ import annotations

import asyncio
from typing import Optional

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState, get_current_worker

from ...cancel import Cancelled
from ...catalog import Catalog, empty_catalog
from ...faults import guard_handlers, guarded
from ...host import Host
from ...loader import LoadResult
from ...session import LoadSession
from ...view import Scope, ViewModel, ViewResult
from ..actions import bindings
from ..state import BrowsingState
from ..timing import Delays
from ..widgets.detail_panel import DetailPanel
from ..widgets.filter_box import FilterBox, QueryErrorLine
from ..widgets.loading_panel import LoadingPanel
from ..widgets.package_tree import PackageTree
from ..widgets.picker_line import PickerLine
from ..widgets.spec_table import SpecTable
from ..widgets.status_bar import StatusBar
from .browser_actions import BrowserActions
from .browser_closure import BrowserClosure
from .browser_copy import BrowserCopy
from .browser_jumps import BrowserJumps
from .browser_loading import BrowserLoading
from .browser_sizes import BrowserSizes
from .scope_summary import scope_summary

NARROW = 100  # below this many columns the window counts as narrow
SHORT = 20  # below this many lines the detail panel folds away (F3 brings it back)
SUMMARY = -1  # the detail panel shows a scope's summary, not a spec


@guard_handlers
class BrowserScreen(BrowserLoading, BrowserClosure, BrowserActions, BrowserCopy, BrowserJumps,
                    BrowserSizes, Screen[None]):  # fmt: skip
    BINDINGS = bindings("browser")  # the actions themselves are in BrowserActions

    def __init__(self, session: LoadSession, delays: Optional[Delays] = None,
                 print_format: Optional[str] = None, host: Optional[Host] = None) -> None:  # fmt: skip
        super().__init__()
        self.host = host  # the machine "runs here" judges against (None: this one)
        self.session = session
        self.delays = delays or Delays()
        self.print_format = print_format  # --print: enter prints the selection and exits
        self.state = BrowsingState()
        self.result: Optional[LoadResult] = None
        self.catalog: Catalog = empty_catalog()
        self.view: ViewModel = ViewModel(self.catalog, host)
        self.last_view: Optional[ViewResult] = None
        self.shown_key: Optional[tuple] = None  # the state the table's rows were computed for
        # The spec the detail panel shows (None: "no spec matches"), or SUMMARY: a scope's.
        self.detail_spec: Optional[int] = SUMMARY
        self.views_applied = 0  # counts results shown, good or not (tests and benchmark wait on it)
        self._lazy_timer: Optional[Timer] = None
        self._idle: Optional[asyncio.Event] = None  # set when a load ends (see every_tag_loaded)
        self.detail_wanted: Optional[bool] = None  # F3's choice; None: by the window's height
        self.state.observe(self._state_changed)

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield PackageTree(id="tree")
            with Vertical(id="right"):
                yield FilterBox(id="filter")
                if self.print_format:  # the picker's "N/M" line under its prompt, as fzf
                    yield PickerLine(id="picker")
                yield QueryErrorLine(id="query-error")
                yield LoadingPanel(id="loading")
                yield SpecTable(self.state, id="table")
                yield DetailPanel(id="detail")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(PackageTree).border_title = "packages"
        self.query_one(SpecTable).border_title = "specs"
        self.query_one(DetailPanel).border_title = "detail"
        self.fit_layout(self.app.size.width, self.app.size.height)
        self.query_one(LoadingPanel).display = False
        self.query_one(StatusBar).say("loading…")
        if self.print_format:  # a picker opens in its prompt: typed letters filter at once
            self.query_one(FilterBox).focus()
        self.set_interval(self.delays.progress_every, self.update_progress, name="progress")
        groups = self.session.tag_groups()
        if groups:
            self.start_lazy(groups)
        else:
            self.session.begin()
            self.set_timer(self.delays.progress_after, self.show_progress)
            self.load_corpus()

    def on_resize(self, event: events.Resize) -> None:
        # The event's size: the screen's own is still the old one while this runs.
        self.fit_layout(event.size.width, event.size.height)

    def fit_layout(self, width: int, height: int) -> None:
        """The tree as wide as its names within a share of the window; on a short window the
        table gets the lines and the detail panel folds away, unless F3 asked for it."""
        self.set_class(width < NARROW, "narrow")
        self.query_one(PackageTree).fit_width(width)
        detail = self.query_one(DetailPanel)
        wanted = self.detail_wanted
        detail.display = wanted if wanted is not None else height >= SHORT

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.app.report_fault(event.worker.error, event.worker.name)  # type: ignore[attr-defined]
            if event.worker.group == "load":
                self.session.failed()
                self.query_one(LoadingPanel).display = False
                self._wake()

    # -- the view ----------------------------------------------------------------------------

    def _state_changed(self, what: str) -> None:
        if what in ("scope", "query", "runs"):
            self.refresh_view()
        elif what == "sort":
            self.refresh_view(keep_spec=self.query_one(SpecTable).current_spec)
        elif what == "selection":
            self.update_status(self.last_view)
        if what == "scope":
            self.show_scope_summary()

    def refresh_view(self, keep_spec: Optional[int] = None) -> None:
        scope, query_text = self.state.scope, self.state.query_text
        self.workers.cancel_group(self, "wider")  # its count is for the query before
        self.show_wider("")
        if self.session.pending() and (scope.tag or query_text.strip()):
            # Wait for a pause: the cursor passing over tags, or "t", "ta", "tag" typed on the
            # way to "tag=develop", would each ask for tags the user does not want.
            if self._lazy_timer is not None:
                self._lazy_timer.stop()
            delays = self.delays
            pause = delays.tag_load_pause if scope.tag else delays.search_load_pause
            self._lazy_timer = self.set_timer(pause, self.load_needed_tags)
        self.compute_view(*self.state.key, keep_spec)

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def compute_view(self, scope: Scope, query_text: str, sort, runs_only: bool,
                     keep_spec: Optional[int]) -> None:  # fmt: skip
        worker = get_current_worker()
        try:
            result = self.view.compute(scope, query_text, sort, runs_only,
                                       cancelled=lambda: worker.is_cancelled)  # fmt: skip
        except Cancelled:
            return  # a newer request superseded this one: its result is never shown
        if not worker.is_cancelled:
            key = (scope, query_text, sort, runs_only)
            self.app.call_from_thread(self.apply_view, result, keep_spec, key)

    def apply_view(self, result: ViewResult, keep_spec: Optional[int],
                   key: Optional[tuple] = None) -> None:  # fmt: skip
        if result.error is None:
            self.last_view = result
            self.shown_key = key
            table = self.query_one(SpecTable)
            table.show(result.ids, keep_spec, result.widths)
            if self.detail_spec != SUMMARY and table.current_spec != self.detail_spec:
                self._show_spec(table.current_spec)  # never a spec the table no longer has
            state = self.state
            if state.query_text.strip() and state.scope != Scope():
                self.count_wider(*state.key, len(result.ids))
        self.update_status(result)
        self.show_wider("")
        self.query_one(QueryErrorLine).show_error(result.error)
        self.views_applied += 1

    def update_status(self, result: Optional[ViewResult] = None) -> None:
        shown = result if result is not None and result.error is None else self.last_view
        state = self.state
        table = self.query_one(SpecTable)
        if not len(self.catalog) and (self.session.loading or self.session.pending()):
            # Nothing loaded yet: "0 of 0 specs, nothing matches" would be wrong, not news.
            waiting = "loading…" if self.session.loading else (
                f"{len(self.session.pending())} tags, none loaded yet: open a tag, or search,"
                " to load what is needed")  # fmt: skip
            self.query_one(StatusBar).say(waiting)
            table.say_empty("" if self.session.loading else (
                "No tag is loaded yet.\nPick one in the tree on the left (↑ ↓),\n"
                "or press / and search: the tags it needs load."))  # fmt: skip
            return
        table.say_empty("No spec matches." if len(self.catalog) else "")
        sort = ""
        if state.sort:
            sort = state.sort.column + (" (descending)" if state.sort.descending else "")
        self.show_picker_count()
        self.query_one(StatusBar).show(
            shown=len(shown.ids) if shown else 0,
            total=shown.scope_total if shown else 0,
            scope=state.scope.describe(),
            sort=sort,
            selected=state.selected_count,
            runs=f"runs on {self.view.host}" if state.runs_only else "",
            note="; ".join(result.notes) if result else "",
            error=result.error if result else None,
        )

    def show_picker_count(self) -> None:
        """``--print``: rows shown of rows in scope, and the selection, under the prompt."""
        if not self.print_format:
            return
        shown = self.last_view
        self.query_one(PickerLine).show(
            len(shown.ids) if shown else 0, shown.scope_total if shown else 0,
            self.state.selected_count, isinstance(self.focused, Input),
        )  # fmt: skip

    @work(thread=True, exclusive=True, group="wider", exit_on_error=False)
    def count_wider(self, scope: Scope, query_text: str, sort, runs_only: bool,
                    in_scope: int) -> None:  # fmt: skip
        """How many more specs match the query outside the scope (a filter searches only
        the scope: say what it leaves out), off the UI thread; a newer keystroke cancels it."""
        worker = get_current_worker()
        try:
            everywhere = self.view.compute(Scope(), query_text, None, runs_only,
                                           cancelled=lambda: worker.is_cancelled)  # fmt: skip
        except Cancelled:
            return
        more = len(everywhere.ids) - in_scope
        if more > 0 and not worker.is_cancelled:
            where = "loaded tags" if self.session.pending() else "all tags"
            key = (scope, query_text, sort, runs_only)
            self.app.call_from_thread(self._show_wider, key, f"{more:,} more in {where}: press a")

    def _show_wider(self, key: tuple, text: str) -> None:
        if key == self.state.key:  # still the query and scope it counted for
            self.show_wider(text)

    def show_wider(self, text: str) -> None:
        """Say how many more match outside the scope: in the table's title (never cut off)
        and the status line, and in the empty table when none match here."""
        table = self.query_one(SpecTable)
        title = f"specs {table.row_count:,}"
        title = f"{title} · {text}" if text else title
        if str(table.border_title) != title:  # each setting repaints the whole table
            table.border_title = title
        self.query_one(StatusBar).set_wider(text)
        if not table.row_count and len(self.catalog):
            table.say_empty(f"No spec matches here.\n{text}" if text else "No spec matches.")

    @on(Input.Changed, "#filter")
    @guarded
    def filter_changed(self, event: Input.Changed) -> None:
        self.state.set_query(event.value)

    @on(PackageTree.ScopeChanged)
    @guarded
    def scope_changed(self, event: PackageTree.ScopeChanged) -> None:
        self.state.set_scope(event.scope)

    @on(SpecTable.Highlighted)
    @guarded
    def spec_highlighted(self, event: SpecTable.Highlighted) -> None:
        table = event.control
        self.query_one(StatusBar).set_position(table.cursor_row + 1 if table.row_count else 0)
        # A picker's prompt acts on the table's cursor row (enter prints it), so its detail
        # follows that row as fzf's preview does, typing or not.
        if table.has_focus or (self.print_format and not self.query_one(PackageTree).has_focus):
            self._show_spec(event.spec_id)

    @on(DetailPanel.JumpRequested)
    @guarded
    def jump_requested(self, event: DetailPanel.JumpRequested) -> None:
        found = self.catalog.by_hash(event.full_hash)
        if found:
            self.goto_spec(found[0])
        else:
            self.notify(f"/{event.full_hash[:7]} is not in the loaded caches (not in the build cache,"
                        " or in a mirror not opened).", severity="warning", markup=False)  # fmt: skip

    @on(SpecTable.Opened)
    @guarded
    def spec_opened(self, event: SpecTable.Opened) -> None:
        if self.print_format:
            self.accept_print()
            return
        self._show_spec(event.spec_id)
        self.query_one(DetailPanel).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.show_picker_count()  # its key hints follow the focus: prompt or list
        if isinstance(event.widget, SpecTable):
            self._show_spec(event.widget.current_spec)
        elif isinstance(event.widget, PackageTree):
            self.show_scope_summary()

    def _detail(self) -> Optional[DetailPanel]:
        # Messages can still arrive while the app shuts down and its widgets are gone.
        found = self.query(DetailPanel)
        return found.first() if found else None

    def _show_spec(self, spec_id: Optional[int]) -> None:
        detail = self._detail()
        if detail is None:
            return
        self.detail_spec = spec_id
        if spec_id is None and not len(self.catalog):
            detail.show_text(Text("No specs were loaded. Press r to see why.", "bold red"))
        elif spec_id is None:
            detail.show_text(Text("No spec matches.", "dim"))
        else:
            spec = self.catalog.spec(spec_id)
            detail.show_spec(spec, self.view.runs_verdict(spec_id))
            self.show_links(detail, spec_id, spec)
            self.show_spec_extras(spec_id)

    def show_scope_summary(self) -> None:
        self.compute_scope_summary(self.state.scope, self.catalog, self.view)

    @work(thread=True, exclusive=True, group="summary", exit_on_error=False)
    def compute_scope_summary(self, scope: Scope, catalog: Catalog, view: ViewModel) -> None:
        """Facet counts of the scope (slow for a big one), off the UI thread."""
        worker = get_current_worker()
        text = scope_summary(
            catalog, view, scope, tags=len(catalog.tags) + len(self.session.pending())
        )
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_summary, scope, text)

    def _show_summary(self, scope: Scope, text: Text) -> None:
        detail = self._detail()
        # Shown only while still current: the user may have moved on to a spec meanwhile.
        current = detail is not None and scope == self.state.scope
        if current and not self.query_one(SpecTable).has_focus:
            self.detail_spec = SUMMARY
            detail.show_text(text)  # type: ignore[union-attr]
