"""The cachetui browser: package tree, spec table, detail panel, filter and status line.

The app owns the state (scope, query, sort) and runs every slow step in an exclusive worker
thread: loading, and turning state into rows. A new keystroke cancels a stale computation, so
typing never waits for the table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Optional

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from ..catalog import Catalog, empty_catalog
from ..export import render, render_lines
from ..faults import guard_handlers, guarded, log_exception
from ..lazy import LazyCorpus, tags_needed
from ..loader import (
    DEFAULT_MAX_BYTES,
    BackgroundLoad,
    LoadResult,
    TagGroup,
    checkout_groups,
    load,
    made_to_last,
)
from ..view import Scope, Sort, ViewModel, ViewResult
from .actions import ACTIONS, bindings
from .commands import HashProvider, PackageProvider
from .screens.export import ExportChoice, ExportScreen
from .screens.facets import FacetScreen
from .screens.help import HelpScreen
from .screens.load_report import LoadReportScreen
from .widgets.detail_panel import DetailPanel, package_text, summary_text
from .widgets.filter_box import FilterBox
from .widgets.package_tree import PackageTree
from .widgets.spec_table import SpecTable
from .widgets.status_bar import StatusBar

PROGRESS_AFTER = 0.5  # seconds of loading before the progress bar shows
PROGRESS_EVERY = 0.2  # seconds between progress repaints (each one takes the GIL from parsing)
CLIPBOARD_WARN_BYTES = 4096  # some terminals silently drop OSC 52 copies larger than 3-6 KB
NARROW = 100  # below this many columns the tree pane gets narrower
WARM_DELAY = 1.0  # seconds after a load before the hash index is built
CACHE_SAVE_DELAY = 2.0  # seconds after a load before its index cache is written
SEARCH_LOAD_PAUSE = 0.6  # lazy tags: seconds of no typing before a search loads more tags
TAG_LOAD_PAUSE = 0.25  # lazy tags: seconds the tree cursor rests on a tag before it loads


@guard_handlers
class CacheApp(App[Optional[str]]):
    CSS_PATH = "app.tcss"
    TITLE = "cachetui"
    BINDINGS = bindings("app")

    def __init__(self, paths: Sequence[str], theme: Optional[str] = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, print_format: Optional[str] = None,
                 tag: Optional[str] = None, timeout: float = 30.0, use_cache: bool = True,
                 lazy: bool = True, preload: Optional[BackgroundLoad] = None,
                 groups: Optional[list[TagGroup]] = None) -> None:  # fmt: skip
        super().__init__()
        # What the CLI already started or found: the load of ``paths`` under way, or the tag
        # groups of a big checkout (else the app looks for them itself).
        self.preload = preload
        self.groups = groups
        self.print_format = print_format  # --print: enter prints the selection and exits
        self.index_tag = tag
        self.use_cache = use_cache
        self.lazy_tags = lazy
        self.timeout = timeout
        self._load_status = ""
        self.export_format = "install"
        self.paths = list(paths)
        self.max_bytes = max_bytes
        self.requested_theme = theme
        self.result: Optional[LoadResult] = None
        self.catalog: Catalog = empty_catalog()
        self.view: ViewModel = ViewModel(self.catalog)
        self.scope = Scope()
        self.query_text = ""
        self.sort: Optional[Sort] = None
        self.last_view: Optional[ViewResult] = None
        self.views_applied = 0  # counts results shown, good or not (tests and benchmark wait on it)
        self._load_progress = (0, 0)
        self._load_what = "Loading pages"
        self._load_why = ""
        self._loading = True
        self.lazy: Optional[LazyCorpus] = None
        self._lazy_timer: Optional[Timer] = None
        self._tag_queue: list[str] = []
        self._queue_lock = threading.Lock()
        self._unsaved: list[LoadResult] = []  # loads whose index cache is not written yet

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield PackageTree(id="tree")
            with Vertical(id="right"):
                yield FilterBox(id="filter")
                with Vertical(id="loading"):
                    yield Label("Loading…", id="loading-label")
                    yield ProgressBar(id="loading-bar", show_eta=False)
                yield SpecTable(id="table")
                yield DetailPanel(id="detail")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        if self.requested_theme:
            if self.requested_theme in self.available_themes:
                self.theme = self.requested_theme
            else:
                names = ", ".join(sorted(self.available_themes))
                self.notify(f"No theme named {self.requested_theme!r}. Themes: {names}",
                            severity="warning", markup=False)  # fmt: skip
        self.query_one("#loading").display = False
        self.query_one(StatusBar).show(0, 0, "loading…")
        if self.print_format:
            self.sub_title = "--print"
            self.notify(f"space selects, enter prints the selection as {self.print_format} and exits,"
                        " q quits without printing", markup=False, timeout=8)  # fmt: skip
        self.set_timer(PROGRESS_AFTER, self._show_progress)
        self.set_interval(PROGRESS_EVERY, self._update_progress, name="progress")
        groups = self.groups
        if groups is None and self.preload is None and self.lazy_tags:
            groups = checkout_groups(self.paths)
        if groups:
            self.start_lazy(groups)
        else:
            self.load_corpus()

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width < NARROW, "narrow")

    # -- loading -----------------------------------------------------------------------------

    def _show_progress(self) -> None:
        if self._loading:
            self.query_one("#loading").display = True
            self._update_progress()

    def _update_progress(self) -> None:
        # Polled by a UI timer: the loading thread never waits for the UI to take its figures.
        if not self._loading:
            return
        done, total = self._load_progress
        self.query_one("#loading-bar", ProgressBar).update(total=total or None, progress=done)
        label = self._load_status or f"{self._load_what}: {done:,} of {total:,} files"
        # A fixed-size label: without a layout pass each update costs a fraction of a frame,
        # and the loading thread keeps the GIL for parsing.
        self.query_one("#loading-label", Label).update(Text(label), layout=False)

    def _load(self, paths: Sequence[str], build: bool = True) -> LoadResult:
        """``load`` with this app's options, reporting progress to ``_update_progress``."""

        def progress(done: int, total: int) -> None:
            self._load_progress = (done, total)

        def status(message: str) -> None:
            self._load_status = message

        return load(paths, progress=progress, max_bytes=self.max_bytes, tag=self.index_tag,
                    timeout=self.timeout, status=status, cache=self.use_cache,
                    build=build)  # fmt: skip

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_corpus(self) -> None:
        self._loading = True
        self._load_what = "Loading pages"
        result = self._take_preload()
        with made_to_last():
            if result is None:
                result = self._load(self.paths)
            view = ViewModel(result.catalog)
            view.column_widths()
            # The first rows too, for the state as it is now: one trip to the UI thread.
            state = (self.scope, self.query_text, self.sort)
            first = view.compute(*state)
        self.call_from_thread(self._loaded, result, view, state, first)

    def _take_preload(self) -> Optional[LoadResult]:
        """The result of the load the CLI started before the app, once it is done."""
        preload, self.preload = self.preload, None
        if preload is None:
            return None
        while not preload.done(wait=0.1):
            self._load_progress, self._load_status = preload.progress, preload.status
        return preload.result()

    def _set_catalog(self, catalog: Catalog, view: ViewModel) -> None:
        self.catalog = catalog
        self.view = view
        self.query_one(SpecTable).set_catalog(catalog, view.column_widths())

    def _loaded(self, result: LoadResult, view: ViewModel, state: tuple, first: ViewResult) -> None:
        self._loading = False
        self.result = result
        self.query_one("#loading").display = False
        self._set_catalog(result.catalog, view)
        self.query_one(PackageTree).populate(self.catalog)
        if state == (self.scope, self.query_text, self.sort):
            self._apply_view(first, self.sort, None)
        else:  # the user typed a filter or moved while it loaded
            self.refresh_view()
        if not isinstance(self.focused, Input):  # never pull focus away from someone typing
            self.query_one(SpecTable).focus()
        self.set_timer(WARM_DELAY, self.warm_indexes)  # after the first paint: it holds the GIL
        self._unsaved.append(result)
        self.set_timer(CACHE_SAVE_DELAY, self._save_caches)
        self._announce_problems(result)

    def _announce_problems(self, result: LoadResult) -> None:
        errors, warnings = len(result.errors), len(result.warnings)
        if errors or warnings:
            self.notify(
                f"{errors} file(s) skipped, {warnings} loaded with warnings. Press r for the report.",
                title="Load problems", severity="error" if errors else "warning", markup=False,
            )  # fmt: skip

    # -- lazy tags: a big site checkout, one tag at a time -----------------------------------

    def start_lazy(self, groups: list) -> None:
        self.lazy = LazyCorpus(groups)
        self.result = self.lazy.combined(self.catalog)
        self.query_one(PackageTree).populate(self.catalog, pending=self._pending_labels())
        self.query_one(PackageTree).focus()
        self._loading = False
        self.query_one(StatusBar).show(0, 0, f"{len(groups)} tags, none loaded yet: open a tag,"
                                       " or search, to load what is needed")  # fmt: skip

    def _pending_labels(self) -> list[tuple[str, int]]:
        return [(g.label, g.packages) for g in self.lazy.pending()] if self.lazy else []

    def request_tags(self, labels: Sequence[str], why: str) -> None:
        """Load these not-yet-loaded tags in the background (queued, never twice)."""
        if self.lazy is None:
            return
        pending = {g.label for g in self.lazy.pending()}
        with self._queue_lock:  # the loading thread may be deciding that it is done
            wanted = [t for t in labels if t in pending and t not in self._tag_queue]
            if not wanted:
                return
            self._tag_queue.extend(wanted)
            self._load_why = why
            start = not self._loading
            self._loading = True
        if start:
            self.set_timer(PROGRESS_AFTER, self._show_progress)
            self.load_tags()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_tags(self) -> None:
        assert self.lazy is not None
        while True:
            # Everything queued so far in one pass: one parse (or cache read) per tag folder,
            # one catalog rebuild, one repaint. Done only when the queue is empty under the
            # lock: a tag asked for meanwhile is never stranded.
            with self._queue_lock:
                if not self._tag_queue:
                    self._loading = False
                    break
                batch = list(self._tag_queue)
            paths = [path for label in batch for path in self.lazy.groups[label].paths]
            what = batch[0] if len(batch) == 1 else f"{len(batch)} tags"
            self._load_what = f"Loading {what}{self._load_why}"
            self._load_status = ""
            with made_to_last():
                result = self._load(paths, build=False)  # merged into the corpus instead
                catalog = self.lazy.add(batch, result)
                view = ViewModel(catalog)
                view.column_widths()
            with self._queue_lock:
                del self._tag_queue[: len(batch)]
            self.call_from_thread(self._tag_loaded, result, catalog, view)
        self.call_from_thread(self._tags_done)

    def _tag_loaded(self, result: LoadResult, catalog: Catalog, view: ViewModel) -> None:
        self._set_catalog(catalog, view)
        self.result = self.lazy.combined(catalog)
        tree = self.query_one(PackageTree)
        tree.populate(catalog, pending=self._pending_labels(), keep=self.scope)
        self._unsaved.append(result)
        self.set_timer(CACHE_SAVE_DELAY, self._save_caches)
        self._announce_problems(result)
        self.refresh_view(keep_spec=self.query_one(SpecTable).current_spec)

    def _tags_done(self) -> None:
        self.query_one("#loading").display = False
        self.set_timer(WARM_DELAY, self.warm_indexes)  # after the first paint: it holds the GIL

    def _save_caches(self) -> None:
        if self._unsaved:
            self.save_index_cache(self._unsaved.pop(0))

    @work(thread=True, group="cache", exit_on_error=False)
    def save_index_cache(self, result: LoadResult) -> None:
        """Write the on-disk index cache a moment after the first paint (writing holds the GIL
        for a while: it would delay that paint), off the UI thread."""
        result.pending.save()

    def save_unsaved_caches(self) -> None:
        """Write what a quick quit left unsaved (called after the browser has exited)."""
        while self._unsaved:
            self._unsaved.pop(0).pending.save()

    @work(thread=True, exclusive=True, group="warm", exit_on_error=False)
    def warm_indexes(self) -> None:
        """Build the sorted hash index and the package summaries now, so the first hash
        lookup and the first package shown are instant."""
        self.catalog.by_hash_prefix("0")
        self.catalog.packages  # noqa: B018 - built on first use

    # -- the view ----------------------------------------------------------------------------

    def refresh_view(self, keep_spec: Optional[int] = None) -> None:
        if (
            self.lazy is not None
            and self.lazy.pending()
            and (self.scope.tag or self.query_text.strip())
        ):
            # Wait for a pause: the cursor passing over tags, or "t", "ta", "tag" typed on the
            # way to "tag=develop", would each ask for tags the user does not want.
            if self._lazy_timer is not None:
                self._lazy_timer.stop()
            pause = TAG_LOAD_PAUSE if self.scope.tag else SEARCH_LOAD_PAUSE
            self._lazy_timer = self.set_timer(pause, self._load_needed_tags)
        self.compute_view(self.scope, self.query_text, self.sort, keep_spec)

    def _pending_tags(self) -> list[str]:
        return [g.label for g in self.lazy.pending()] if self.lazy else []

    def _load_needed_tags(self) -> None:
        self._lazy_timer = None
        needed = tags_needed(self.query_text, self.scope.tag, self._pending_tags())
        if not needed:
            return
        if self.scope.tag is not None:
            self.request_tags(needed, "")
        else:
            self.notify(f"Loading {len(needed)} more tag(s) for this search.", markup=False)
            self.request_tags(needed, f"; this search needs {len(needed)} more tag(s)")

    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def compute_view(self, scope: Scope, query_text: str, sort: Optional[Sort],
                     keep_spec: Optional[int]) -> None:  # fmt: skip
        result = self.view.compute(scope, query_text, sort)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._apply_view, result, sort, keep_spec)

    def _apply_view(
        self, result: ViewResult, sort: Optional[Sort], keep_spec: Optional[int]
    ) -> None:
        table = self.query_one(SpecTable)
        if result.error is None:
            self.last_view = result
            table.show(result.ids, sort, keep_spec)
        self._update_status(result)
        self.views_applied += 1

    def _update_status(self, result: Optional[ViewResult] = None) -> None:
        table = self.query_one(SpecTable)
        shown = result if result is not None and result.error is None else self.last_view
        sort = ""
        if self.sort:
            sort = self.sort.column + (" (descending)" if self.sort.descending else "")
        self.query_one(StatusBar).show(
            shown=len(shown.ids) if shown else 0,
            total=shown.scope_total if shown else 0,
            scope=self.scope.describe(),
            sort=sort,
            selected=table.selected_count,
            note="; ".join(result.notes) if result else "",
            error=result.error if result else None,
        )

    @on(Input.Changed, "#filter")
    @guarded
    def filter_changed(self, event: Input.Changed) -> None:
        if event.value == self.query_text:
            return
        self.query_text = event.value
        self.refresh_view()

    @on(PackageTree.ScopeChanged)
    @guarded
    def scope_changed(self, event: PackageTree.ScopeChanged) -> None:
        if event.scope == self.scope:
            return
        self.scope = event.scope
        self.refresh_view()
        self._show_scope_summary()

    @on(SpecTable.SortRequested)
    @guarded
    def sort_requested(self, event: SpecTable.SortRequested) -> None:
        self.sort = event.sort
        self.refresh_view(keep_spec=self.query_one(SpecTable).current_spec)

    @on(SpecTable.SelectionChanged)
    @guarded
    def selection_changed(self) -> None:
        self._update_status(self.last_view)

    @on(SpecTable.Highlighted)
    @guarded
    def spec_highlighted(self, event: SpecTable.Highlighted) -> None:
        if event.control.has_focus:
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
        if isinstance(event.widget, SpecTable):
            self._show_spec(event.widget.current_spec)
        elif isinstance(event.widget, PackageTree):
            self._show_scope_summary()

    def _detail(self) -> Optional[DetailPanel]:
        # Messages can still arrive while the app shuts down and its widgets are gone.
        found = self.query(DetailPanel)
        return found.first() if found else None

    def _show_spec(self, spec_id: Optional[int]) -> None:
        detail = self._detail()
        if detail is None:
            return
        if spec_id is None and not len(self.catalog):
            detail.show_text(Text("No specs were loaded. Press r to see why.", "bold red"))
        elif spec_id is None:
            detail.show_text(Text("No spec matches.", "dim"))
        else:
            spec = self.catalog.spec(spec_id)
            dependents = self.catalog.dependents(spec.hash) if spec.hash else []
            detail.show_spec(spec, [self.catalog.spec(i) for i in dependents[:200]])

    def _show_scope_summary(self) -> None:
        scope, catalog = self.scope, self.catalog
        detail = self._detail()
        if detail is None:
            return
        ids = self.view.scope_mask(scope).nonzero()[0]
        facets = catalog.facets(ids)
        package = catalog.packages.get((scope.tag or "", scope.package or ""))
        if package is not None and scope.version is None:
            detail.show_text(package_text(package, facets))
            return
        title = scope.version or scope.package or scope.tag or "all tags"
        subtitle = (
            "version" if scope.version else ("tag" if scope.tag else f"{len(catalog.tags)} tags")
        )
        detail.show_text(
            summary_text(title, subtitle, {}, len(ids), facets["stack"], facets=facets)
        )

    # -- faults ------------------------------------------------------------------------------

    def report_fault(self, error: BaseException, where: str = "") -> None:
        """An unexpected error: log it, say so, keep running."""
        log = log_exception(error, where)
        where_log = f" Details in {log}." if log else ""
        self.notify(f"Something went wrong ({type(error).__name__}: {error}).{where_log}"
                    " cachetui keeps running.", title="Unexpected error", severity="error",
                    timeout=15, markup=False)  # fmt: skip

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.report_fault(event.worker.error, event.worker.name)
            if event.worker.group == "load":
                with self._queue_lock:
                    self._loading = False
                    self._tag_queue.clear()
                self.query_one("#loading").display = False

    # -- actions -----------------------------------------------------------------------------

    # -- export ------------------------------------------------------------------------------

    def chosen_specs(self) -> list:
        return list(self.catalog.specs(self.query_one(SpecTable).chosen_ids()))

    def action_copy(self, fmt: Optional[str] = None) -> None:
        specs = self.chosen_specs()
        if not specs:
            self.notify("Nothing to copy: the table is empty.", severity="warning")
            return
        fmt = fmt or "install"
        text = render(specs, fmt)
        self.copy_to_clipboard(text)
        size = len(text.encode("utf-8"))
        message = f"Copied {len(specs):,} spec(s) as {fmt} ({size:,} bytes) to the clipboard."
        if size > CLIPBOARD_WARN_BYTES:
            message += (
                f" That is over {CLIPBOARD_WARN_BYTES // 1024} KB: some terminals drop large"
                " copies without a word. Press e to save to a file instead."
            )
            self.notify(message, severity="warning", timeout=10, markup=False)
        else:
            self.notify(message, markup=False)

    def action_export(self) -> None:
        count = len(self.query_one(SpecTable).chosen_ids())

        def chosen(choice: Optional[ExportChoice]) -> None:
            if choice is None:
                return
            self.export_format = choice.fmt
            if choice.destination == "clipboard":
                self.action_copy(choice.fmt)
            else:
                self.write_export(choice, self.chosen_specs())

        self.push_screen(ExportScreen(count, self.export_format), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def write_export(self, choice: ExportChoice, specs: list) -> None:
        try:
            with open(choice.path, "w" if choice.overwrite else "x", encoding="utf-8") as handle:
                if choice.fmt in ("json", "yaml"):
                    handle.write(render(specs, choice.fmt))
                else:
                    handle.writelines(render_lines(specs, choice.fmt))
        except OSError as error:
            reason = error.strerror or str(error)
            self.call_from_thread(self.notify, f"Could not write {choice.path}: {reason}",
                                  title="Export failed", severity="error", markup=False)  # fmt: skip
            return
        self.call_from_thread(self.notify, f"Saved {len(specs):,} spec(s) as {choice.fmt} to {choice.path}",
                              markup=False)  # fmt: skip

    @guarded
    def accept_print(self) -> None:
        specs = self.chosen_specs()
        self.exit(result=render(specs, self.print_format or "hashes") if specs else None)

    def action_goto_package(self) -> None:
        self.push_screen(CommandPalette(providers=[PackageProvider], placeholder="Go to package…"))

    def action_goto_hash(self) -> None:
        self.push_screen(
            CommandPalette(providers=[HashProvider], placeholder="Go to hash: a fragment…")
        )

    def action_facets(self) -> None:
        if self.last_view is None:
            return
        facets = self.catalog.facets(self.last_view.ids)

        def add_token(token: Optional[str]) -> None:
            if token:
                box = self.query_one(FilterBox)
                box.value = f"{box.value.rstrip()} {token}".strip()

        self.push_screen(FacetScreen(facets, len(self.last_view.ids)), add_token)

    @guarded
    def goto_package(self, tag: str, name: str) -> None:
        """Scope the tree and table to a package of a tag (the go-to-package prompt)."""
        self._jump(Scope(tag=tag, package=name), keep_spec=None)

    @guarded
    def goto_spec(self, spec_id: int) -> None:
        """Show one spec: scope to its package version, cursor on it, detail open."""
        spec = self.catalog.spec(spec_id)
        self._jump(Scope(spec.tag, spec.package, spec.version), keep_spec=spec_id)

    def _jump(self, scope: Scope, keep_spec: Optional[int]) -> None:
        self.scope = scope  # set first: the tree's ScopeChanged for it is then a no-op
        self.query_one(FilterBox).value = ""
        self.query_text = ""
        self.query_one(PackageTree).select_scope(scope)
        table = self.query_one(SpecTable)
        table.focus()
        self.refresh_view(keep_spec=keep_spec)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_load_report(self) -> None:
        if self.result is not None:
            self.push_screen(LoadReportScreen(self.result))

    def action_focus_filter(self) -> None:
        self.query_one(FilterBox).focus()

    def action_focus_table(self) -> None:
        self.query_one(SpecTable).focus()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBox).value = ""

    def action_clear_scope(self) -> None:
        tree = self.query_one(PackageTree)
        tree.move_cursor(tree.root)
        self.scope = Scope()
        self.refresh_view()

    def action_toggle_tree(self) -> None:
        tree = self.query_one(PackageTree)
        tree.display = not tree.display

    def action_toggle_detail(self) -> None:
        detail = self.query_one(DetailPanel)
        detail.display = not detail.display

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen = set()
        for action in ACTIONS:
            if not action.palette or action.action in seen:
                continue
            seen.add(action.action)
            target = "" if action.scope == "app" else {"table": "#table", "tree": "#tree",
                                                         "detail": "#detail", "filter": "#filter"}[action.scope]  # fmt: skip
            yield SystemCommand(f"{action.label} ({action.key_text})", action.help,
                                self._palette_callback(action.action, target))  # fmt: skip

    def _palette_callback(self, action: str, target: str):
        async def run() -> None:
            if target:
                await self.query_one(target).run_action(action)
            else:
                await self.run_action(action)

        return run
