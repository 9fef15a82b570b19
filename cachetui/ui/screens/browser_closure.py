"""The browser's closures and dependency graph (issue #18): the closure verdict of every spec
(for ``closure=`` and the facet view), computed once per catalog in a worker after the first
paint; the detail panel's closure section and dependency tree; "why is this here" (``w``); and
the offer to open the user's Spack mirrors when the browser starts on the bundled seeds.
Mixed into ``BrowserScreen``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from textual import work
from textual.worker import get_current_worker

from ...cancel import Cancelled
from ...catalog import Catalog
from ...closure import closure_of, known_specs
from ...view import ViewModel
from ..widgets.closure_section import closure_text, pending_text
from ..widgets.dependency_tree import DependencyTree
from ..widgets.spec_table import SpecTable

if TYPE_CHECKING:
    from ...cli_spack import SpackInputs
    from ...model import Spec
    from ..widgets.detail_panel import DetailPanel
    from .browser import BrowserScreen

    _Base = BrowserScreen
else:
    _Base = object

MAX_DEPENDENTS = 200  # dependents listed under "needed by"


class BrowserClosure(_Base):
    spack_offer: Optional[SpackInputs] = None  # the user's mirrors, offered by ``m``
    _known: Optional[tuple[Catalog, Any]] = None  # known_specs of the catalog shown

    def check_action(self, action: str, parameters: tuple[object, ...]) -> Optional[bool]:
        if action == "open_spack":
            return self.spack_offer is not None
        if action == "why":
            return len(self.catalog) > 0
        return super().check_action(action, parameters)

    # -- every spec's verdict, for the query and the facets -----------------------------------

    def warm_closures(self, view: ViewModel) -> None:
        """Compute the closure verdicts of ``view``'s catalog a moment after the first paint
        (~0.45 s at 100k specs; a query for ``closure=`` before then computes them itself)."""
        self.set_timer(self.delays.warm, lambda: self.compute_closures(view))

    @work(thread=True, exclusive=True, group="closures", exit_on_error=False)
    def compute_closures(self, view: ViewModel) -> None:
        worker = get_current_worker()
        if view is not self.view:
            return  # a newer catalog (a lazy tag arrived) replaced it before it started
        try:  # a newer catalog's computation cancels this one (``exclusive``)
            view.closure_codes(cancelled=lambda: worker.is_cancelled or view is not self.view)
        except Cancelled:
            return
        if not worker.is_cancelled:  # and the index of dependents the detail panel reads
            view.catalog.dependents("")

    @work(thread=True, exclusive=True, group="facets", exit_on_error=False)
    def facets_after_closures(self, view: ViewModel) -> None:
        """Open the facet view once the closure verdicts it counts are known."""
        worker = get_current_worker()
        try:
            view.closure_codes(cancelled=lambda: worker.is_cancelled or view is not self.view)
        except Cancelled:
            return
        if view is self.view:
            self.app.call_from_thread(self.action_facets)

    # -- the detail panel -------------------------------------------------------------------

    def show_links(self, detail: DetailPanel, spec_id: int, spec: Spec) -> None:
        """The closure section (filled in by a worker) and the dependency tree of a spec."""
        dependents = self.catalog.dependents(spec.hash) if spec.hash else []
        shown = [self.catalog.spec(i) for i in dependents[:MAX_DEPENDENTS]]
        detail.show_dependencies(self.catalog, spec_id, shown, len(dependents))
        detail.show_closure(pending_text())
        self.compute_closure(self.catalog, spec_id)

    def _known_specs(self, catalog: Catalog):
        if self._known is None or self._known[0] is not catalog:
            self._known = (catalog, known_specs(catalog))
        return self._known[1]

    @work(thread=True, exclusive=True, group="closure", exit_on_error=False)
    def compute_closure(self, catalog: Catalog, spec_id: int) -> None:
        worker = get_current_worker()
        closure = closure_of(catalog, spec_id, self._known_specs(catalog))
        text = closure_text(catalog, closure)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._closure_computed, catalog, spec_id, text)

    def _closure_computed(self, catalog: Catalog, spec_id: int, text) -> None:
        detail = self._detail()
        if detail is not None and catalog is self.catalog and self.detail_spec == spec_id:
            detail.show_closure(text)

    # -- why is this here --------------------------------------------------------------------

    def why_target(self) -> Optional[int]:
        """The spec ``w`` asks about: the dependency tree's cursor when it has the focus, else
        the table's."""
        tree = self.query_one(DependencyTree)
        if tree.has_focus:
            found = tree.current_spec()
            if found is not None:
                return found
        return self.query_one(SpecTable).current_spec

    def action_why(self) -> None:
        from .why_view import WhyScreen

        spec_id = self.why_target()
        if spec_id is None:
            self.notify("No spec under the cursor.", severity="warning")
            return

        def chosen(target: Optional[int]) -> None:
            if target is not None:
                self.goto_spec(target)

        self.app.push_screen(WhyScreen(self.catalog, spec_id), chosen)

    # -- the user's Spack, offered on the seeds ---------------------------------------------

    def look_for_spack(self) -> None:
        """When the app was started with no PATH: is there a Spack with binary mirrors?"""
        if getattr(self.app, "offer_spack", False) and self.spack_offer is None:
            self.find_spack()

    @work(thread=True, exclusive=True, group="spack", exit_on_error=False)
    def find_spack(self) -> None:
        from ...cli_spack import spack_offer

        found = spack_offer()  # reads YAML and the install database: not on the UI thread
        if found is not None:
            self.app.call_from_thread(self._spack_found, found)

    def _spack_found(self, found: SpackInputs) -> None:
        self.spack_offer = found
        self.refresh_bindings()
        names = ", ".join(found.tags[path] for path in found.paths)
        self.notify(f"Your Spack has {len(found.paths)} binary mirror(s): {names}. Press m to"
                    " open them instead of the bundled seeds.", title="Your Spack",
                    timeout=20, markup=False)  # fmt: skip

    def action_open_spack(self) -> None:
        if self.spack_offer is not None:
            self.app.open_spack(self.spack_offer)  # type: ignore[attr-defined]
