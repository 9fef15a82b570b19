"""Download sizes and where a hash lives, in the browser; mixed into ``BrowserScreen``.

The detail panel's section under a spec (``widgets.detail_extras``): where its hash lives is
known at once; its size and its closure's are read from spec manifests in a worker, after the
cursor has rested ``Delays.size_pause`` on the spec (scrolling past a hundred rows asks
nothing), and a newer spec cancels the older request. ``z`` sums what installing the selection
downloads, with progress on the status line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from textual import work
from textual.timer import Timer
from textual.worker import get_current_worker

from ...cancel import Cancelled
from ...catalog import Catalog
from ...faults import guard_handlers
from ...provenance import closure_download, closure_ids, download, request_of, size_of, where
from ...sizes import MAX_FETCHES, SizeReader, total_line
from ..widgets.detail_extras import Downloads, extras_text
from ..widgets.spec_table import SpecTable
from ..widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from .browser import BrowserScreen

    _Base = BrowserScreen
else:
    _Base = object


@guard_handlers
class BrowserSizes(_Base):
    _sizes: Optional[SizeReader] = None
    _size_timer: Optional[Timer] = None

    def size_reader(self) -> SizeReader:
        """One reader for the screen's life: each answer is asked once."""
        if self._sizes is None:
            options = self.session.options
            self._sizes = SizeReader(timeout=options.timeout, use_cache=options.use_cache)
        return self._sizes

    def _installed(self) -> Optional[frozenset]:
        return self.session.options.installed

    def show_spec_extras(self, spec_id: int) -> None:
        """Where the hash lives now; its downloads once the cursor rests on it."""
        if self._size_timer is not None:
            self._size_timer.stop()
            self._size_timer = None
        catalog = self.catalog
        request = request_of(catalog, spec_id)
        downloads = Downloads(request is not None, installed_known=self._installed() is not None)
        if request is not None:
            known = self.size_reader().known(request[0], request[3])
            downloads = Downloads(True, known, installed_known=downloads.installed_known)
        self._show_extras(spec_id, downloads, catalog)
        if request is not None:
            self._size_timer = self.set_timer(
                max(0.001, self.delays.size_pause), lambda: self.fetch_spec_sizes(spec_id, catalog)
            )

    def _show_extras(self, spec_id: int, downloads: Downloads, catalog: Catalog) -> None:
        detail = self._detail()
        if detail is None or self.detail_spec != spec_id or catalog is not self.catalog:
            return  # the cursor moved on, or another load replaced the catalog
        places = where(catalog, catalog.hashes[spec_id])
        detail.show_extras(extras_text(downloads, places))

    @work(thread=True, exclusive=True, group="sizes", exit_on_error=False)
    def fetch_spec_sizes(self, spec_id: int, catalog: Catalog) -> None:
        worker = get_current_worker()
        reader = self.size_reader()
        installed = self._installed()
        known = installed is not None
        spec = size_of(catalog, spec_id, reader)
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._show_extras, spec_id,
                                  Downloads(True, spec, installed_known=known), catalog)  # fmt: skip
        try:
            total = closure_download(catalog, spec_id, reader, installed,
                                     cancelled=lambda: worker.is_cancelled)  # fmt: skip
        except Cancelled:
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show_extras, spec_id,
                                      Downloads(True, spec, total, known), catalog)  # fmt: skip

    # -- the selection ---------------------------------------------------------------------------

    def action_download_size(self) -> None:
        ids = [int(i) for i in self.query_one(SpecTable).chosen_ids()]
        if not ids:
            self.notify("Nothing chosen: the table is empty.", severity="warning")
            return
        self.query_one(StatusBar).say(f"download size of {len(ids):,} spec(s): reading manifests…")
        self.sum_downloads(ids, self.catalog)

    @work(thread=True, exclusive=True, group="selection-size", exit_on_error=False)
    def sum_downloads(self, ids: list[int], catalog: Catalog) -> None:
        worker = get_current_worker()
        wanted: dict[int, None] = {}
        for spec_id in ids:
            if worker.is_cancelled or len(wanted) > MAX_FETCHES:
                break
            wanted.update(dict.fromkeys(closure_ids(catalog, spec_id)))
        status = self.query_one(StatusBar)

        def progress(done: int, total: int) -> None:
            if done % 10 == 0 or done == total:
                self.app.call_from_thread(status.say, f"download size: {done:,} of {total:,}"
                                          " spec manifests read…")  # fmt: skip

        try:
            total = download(catalog, list(wanted), self.size_reader(), self._installed(),
                             progress, lambda: worker.is_cancelled)  # fmt: skip
        except Cancelled:
            return
        if worker.is_cancelled:
            return
        less = ", less what is installed" if self._installed() is not None else ""
        message = (f"Installing {len(ids):,} spec(s) downloads {total_line(total)}"
                   f" (with their link/run closures{less}).")  # fmt: skip
        if total.failed:
            reasons = "; ".join(dict.fromkeys(f.error or "?" for f in total.failed))
            message += f" Unknown: {reasons[:300]}"
        self.app.call_from_thread(self.notify, message, title="Download size", markup=False,
                                  timeout=12)  # fmt: skip
        self.app.call_from_thread(self.update_status, self.last_view)


__all__ = ["BrowserSizes"]
