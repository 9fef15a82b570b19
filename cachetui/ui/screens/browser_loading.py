"""The browser's loading: the whole corpus at once, or a big checkout's tags one at a time as
the scope or a search needs them, with progress, cache saves and the hash index warmed after the
first paint. The ``LoadSession`` does the work off the UI thread; this mixin of ``BrowserScreen``
shows it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Input

from ...catalog import Catalog
from ...lazy import tags_needed
from ...loader import LoadResult, made_to_last
from ...view import ViewModel, ViewResult
from ..widgets.loading_panel import LoadingPanel
from ..widgets.package_tree import PackageTree
from ..widgets.spec_table import SpecTable

if TYPE_CHECKING:
    from .browser import BrowserScreen

    _Base = BrowserScreen
else:
    _Base = object


class BrowserLoading(_Base):
    # -- loading -----------------------------------------------------------------------------

    def show_progress(self) -> None:
        """Show the progress bar, if something is still loading."""
        if self.session.loading:
            self.query_one(LoadingPanel).display = True
            self.update_progress()

    def update_progress(self) -> None:
        # Polled by a UI timer: the loading thread never waits for the UI to take its figures.
        self.query_one(LoadingPanel).show_progress(self.session.progress())

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_corpus(self) -> None:
        result = self.session.load_all()
        with made_to_last():
            view = ViewModel(result.catalog, self.host, self.session.options.installed)
            view.column_widths()
            # The first rows too, for the state as it is now: one trip to the UI thread.
            key = self.state.key
            first = view.compute(*key)
        self.app.call_from_thread(self._loaded, result, view, key, first)

    def _set_catalog(self, catalog: Catalog, view: ViewModel) -> None:
        self.catalog = catalog
        self.view = view
        self.state.grow(len(catalog))
        self.query_one(SpecTable).set_catalog(catalog, view.column_widths(), view.runs_mark)
        self.judge_runs(view)  # after the paint: detecting the host takes ~0.1 s
        self.warm_closures(view)  # after the paint too: ~0.45 s at 100k specs

    @work(thread=True, group="runs", exit_on_error=False)
    def judge_runs(self, view: ViewModel) -> None:
        view.runs_codes()
        self.app.call_from_thread(self._runs_judged, view)

    def _runs_judged(self, view: ViewModel) -> None:
        if view is self.view:  # not a catalog that a newer load replaced
            self.query_one(SpecTable).refresh()
            if self.query_one(SpecTable).has_focus:
                self._show_spec(self.query_one(SpecTable).current_spec)

    def _loaded(self, result: LoadResult, view: ViewModel, key: tuple, first: ViewResult) -> None:
        self.session.finished()
        self._wake()
        self.result = result
        self.query_one(LoadingPanel).display = False
        self._set_catalog(result.catalog, view)
        self.query_one(PackageTree).populate(self.catalog)
        if key == self.state.key:
            self.apply_view(first, None, key)
        else:  # the user typed a filter or moved while it loaded
            self.refresh_view()
        if not isinstance(self.focused, Input):  # never pull focus away from someone typing
            self.query_one(SpecTable).focus()
        self.set_timer(self.delays.warm, self.warm_indexes)  # after the first paint
        self.set_timer(self.delays.cache_save, self.save_index_cache)
        self._announce_problems(result)
        self.look_for_spack()  # started with no PATH: offer the user's Spack mirrors

    def _announce_problems(self, result: LoadResult) -> None:
        errors, warnings = len(result.errors), len(result.warnings)
        if errors or warnings:
            self.notify(
                f"{errors} file(s) skipped, {warnings} loaded with warnings. Press r for the report.",
                title="Load problems", severity="error" if errors else "warning", markup=False,
            )  # fmt: skip

    # -- lazy tags: a big site checkout, one tag at a time -----------------------------------

    def start_lazy(self, groups: list) -> None:
        self.result = self.session.start_lazy(groups)
        self.query_one(PackageTree).populate(self.catalog, pending=self.session.pending())
        if not self.print_format:  # a picker stays in its prompt
            self.query_one(PackageTree).focus()
        self.update_status()

    def request_tags(self, labels: list[str], why: str) -> None:
        """Load these not-yet-loaded tags in the background (queued, never twice)."""
        if self.session.request_tags(labels, why):
            self.set_timer(self.delays.progress_after, self.show_progress)
            self.load_tags()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_tags(self) -> None:
        def loaded(batch: LoadResult, combined: LoadResult, catalog: Catalog) -> None:
            with made_to_last():
                view = ViewModel(catalog, self.host, self.session.options.installed)
                view.column_widths()
            self.app.call_from_thread(self._tag_loaded, batch, combined, catalog, view)

        self.session.load_tags(loaded)
        self.app.call_from_thread(self._tags_done)

    def _tag_loaded(self, batch: LoadResult, combined: LoadResult, catalog: Catalog,
                    view: ViewModel) -> None:  # fmt: skip
        self._set_catalog(catalog, view)
        self.result = combined
        tree = self.query_one(PackageTree)
        tree.populate(catalog, pending=self.session.pending(), keep=self.state.scope)
        self.set_timer(self.delays.cache_save, self.save_index_cache)
        self._announce_problems(batch)
        self.refresh_view(keep_spec=self.query_one(SpecTable).current_spec)
        self.tags_arrived()
        self.show_scope_summary()  # its counts grew (shown unless the table has the focus)

    def _tags_done(self) -> None:
        self.query_one(LoadingPanel).display = False
        self._wake()
        self.set_timer(self.delays.warm, self.warm_indexes)  # after the first paint

    @work(thread=True, group="cache", exit_on_error=False)
    def save_index_cache(self) -> None:
        """Write one on-disk index cache a moment after the first paint (writing holds the GIL
        for a while: it would delay that paint), off the UI thread."""
        self.session.save_next()

    @work(thread=True, exclusive=True, group="warm", exit_on_error=False)
    def warm_indexes(self) -> None:
        """Build the sorted hash index and the package summaries now, so the first hash
        lookup and the first package shown are instant."""
        self.catalog.by_hash_prefix("0")
        self.catalog.packages  # noqa: B018 - built on first use

    def _wake(self) -> None:
        if self._idle is not None:
            self._idle.set()

    async def every_tag_loaded(self) -> None:
        """Return once nothing is loading: the jump prompts wait here for the tags they asked
        for, so they search every tag, not just those loaded so far."""
        while self.session.loading:
            if self._idle is None or self._idle.is_set():
                self._idle = asyncio.Event()
            await self._idle.wait()

    def load_needed_tags(self) -> None:
        """Ask for the tags the current scope or search needs (after a pause; tests call it
        to end the pause at once)."""
        if self._lazy_timer is not None:
            self._lazy_timer.stop()
            self._lazy_timer = None
        scope_tag = self.state.scope.tag
        needed = tags_needed(self.state.query_text, scope_tag, self.session.pending_tags())
        if not needed:
            return
        if scope_tag is not None:
            self.request_tags(needed, "")
        else:
            self.notify(f"Loading {len(needed)} more tag(s) for this search.", markup=False)
            self.request_tags(needed, f"; this search needs {len(needed)} more tag(s)")
