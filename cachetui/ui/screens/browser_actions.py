"""The browser's actions: the modal screens and panes (copy and export are in
``browser_copy``, jumps in ``browser_jumps``). Bound by the "browser" scope of the action table;
mixed into ``BrowserScreen``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np

from ...faults import guard_handlers, guarded
from ...host import Host
from ...summaries import versions_per_package
from ...view import Scope, ViewModel
from ..widgets.detail_panel import DetailPanel
from ..widgets.filter_box import FilterBox
from ..widgets.package_tree import PackageTree
from ..widgets.spec_table import SpecTable
from .facets import FacetScreen
from .help import HelpScreen
from .host import HostScreen
from .load_report import LoadReportScreen

if TYPE_CHECKING:
    from ...compare import Compared
    from .browser import BrowserScreen

    _Base = BrowserScreen
else:
    _Base = object

MAX_COMPARE = 12  # specs side by side: more would not fit any terminal


@guard_handlers
class BrowserActions(_Base):
    diff_wanted: Optional[tuple[str, str]] = None  # a diff waiting for its tags to load

    def check_action(self, action: str, parameters: tuple[object, ...]) -> Optional[bool]:
        # What cannot run now is neither bound nor offered by the palette.
        if action == "facets":
            return self.last_view is not None
        if action == "load_report":
            return self.result is not None
        if action == "compare":
            return self.state.selected_count >= 2
        if action == "diff_tags":
            return len(self.catalog.tags) + len(self.session.pending()) >= 2
        if action in ("closest", "download_size"):
            return len(self.catalog) > 0
        return True

    # -- modal screens -----------------------------------------------------------------------

    def action_facets(self) -> None:
        if self.last_view is None:
            return
        if not self.view.closure_known():  # the first second after a load: wait for them
            self.facets_after_closures(self.view)
            return
        ids = self.last_view.ids
        facets = self.catalog.facets(ids)
        facets["closure"] = self.view.closure_counts(ids)
        # What is in the result, and where: the questions asked of a stack or a tag.
        facets["package"] = self.catalog.facet_counts("package", ids)
        facets["tag"] = self.catalog.facet_counts("tag", ids)
        packages = versions_per_package(self.catalog, ids)

        def add_token(token: Optional[str]) -> None:
            if token:
                box = self.query_one(FilterBox)
                box.value = f"{box.value.rstrip()} {token}".strip()

        self.app.push_screen(FacetScreen(facets, len(ids), packages), add_token)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_load_report(self) -> None:
        if self.result is not None:
            self.app.push_screen(LoadReportScreen(self.result))

    # -- diff, compare, closest (issue #17) ---------------------------------------------------

    def action_diff_tags(self) -> None:
        from .tag_pick import TagPickScreen  # the views load on first use: a faster start

        loaded = self.catalog.specs_per_tag()
        tags = [(tag, f"{count:,} specs") for tag, count in loaded.items()]
        tags += [
            (tag, f"{count:,} packages, not loaded yet") for tag, count in self.session.pending()
        ]
        tags.sort()

        def second(before: Optional[str]) -> None:
            if before is None:
                return
            others = [(tag, note) for tag, note in tags if tag != before]
            self.app.push_screen(
                TagPickScreen(f"Diff {before} -> which tag (after)?", others),
                lambda after: self.open_diff(before, after) if after else None,
            )

        self.app.push_screen(TagPickScreen("Diff: which tag before?", tags), second)

    @guarded
    def open_diff(self, before: str, after: str) -> None:
        """The diff view of two tags, once both are loaded (a lazy checkout loads them first)."""
        from .diff_view import DiffScreen

        pending = [t for t in (before, after) if t in self.session.pending_tags()]
        if not pending:
            self.diff_wanted = None
            self.app.push_screen(DiffScreen(self.catalog, before, after))
            return
        self.diff_wanted = (before, after)
        self.notify(f"Loading {' and '.join(pending)} for the diff.", markup=False)
        self.request_tags(pending, "; for the diff")

    def tags_arrived(self) -> None:
        """Called as lazy tags load: open the diff that waited for them."""
        if self.diff_wanted is not None:
            before, after = self.diff_wanted
            if not any(t in self.session.pending_tags() for t in (before, after)):
                self.open_diff(before, after)

    def action_compare(self) -> None:
        from ...compare import Compared, compare
        from .compare_view import CompareScreen

        ids = np.flatnonzero(self.state.selected)
        if not 2 <= len(ids) <= MAX_COMPARE:
            self.notify(f"Select two to {MAX_COMPARE} specs (space) to compare them.",
                        severity="warning", markup=False)  # fmt: skip
            return
        found: dict[str, Compared] = {}
        for spec in self.view.specs(ids):
            key = spec.hash or f"#{len(found)}"
            if key not in found:  # one binary listed in several tags: one column
                same = self.catalog.by_hash(spec.hash) if spec.hash else []
                copies = [self.catalog.spec(i) for i in same] or [spec]
                tags = tuple(sorted({c.tag for c in copies}))
                stacks = tuple(sorted({s for c in copies for s in c.stacks}))
                found[key] = Compared(spec, tags, stacks)
        if len(found) < 2:
            self.notify("The selected rows are one binary (the same hash in several tags).",
                        severity="warning", markup=False)  # fmt: skip
            return
        self.app.push_screen(CompareScreen(compare(list(found.values()))))

    def action_closest(self) -> None:
        from .closest_view import ClosestScreen

        current = self.query_one(SpecTable).current_spec
        text = self.catalog.spec(current).package if current is not None else ""

        def chosen(spec_id: Optional[int]) -> None:
            if spec_id is not None:
                self.goto_spec(spec_id)

        pending = len(self.session.pending())
        self.app.push_screen(ClosestScreen(self.catalog, text, pending), chosen)

    # -- panes -------------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.query_one(FilterBox).focus()

    def action_focus_table(self) -> None:
        self.query_one(SpecTable).focus()

    def action_clear_filter(self) -> None:
        self.query_one(FilterBox).value = ""

    def action_clear_scope(self) -> None:
        tree = self.query_one(PackageTree)
        tree.move_cursor(tree.root)
        self.state.set_scope(Scope(), quiet=True)
        self.refresh_view()

    def action_toggle_runs_here(self) -> None:
        self.state.set_runs_only(not self.state.runs_only)
        where = self.view.host
        if self.state.runs_only:
            self.notify(f"Showing only what runs on {where} (H again: everything).", markup=False)

    def action_set_host(self) -> None:
        def chosen(host: Optional[Host]) -> None:
            if host is not None:
                self.set_host(host)

        self.app.push_screen(HostScreen(self.view.host), chosen)

    @guarded
    def set_host(self, host: Host) -> None:
        """Judge "runs here" against ``host`` from now on."""
        self.host = host
        view = ViewModel(self.catalog, host)
        view.column_widths()
        self._set_catalog(self.catalog, view)
        self.refresh_view(keep_spec=self.query_one(SpecTable).current_spec)
        self.notify(f"Runs here now means: runs on {host}.", markup=False)

    def action_close_node(self) -> None:
        """The tree's ``h`` / left: close the node; on a closed one (or a leaf), its parent."""
        tree = self.query_one(PackageTree)
        node = tree.cursor_node
        if node is None:
            return
        if node.is_expanded and node.children:
            node.collapse()
        elif node.parent is not None:
            tree.move_cursor(node.parent)

    def action_open_node(self) -> None:
        """The tree's ``l`` / right: open the node; on an open one, its first child."""
        tree = self.query_one(PackageTree)
        node = tree.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()  # the tree builds the children (NodeExpanded)
        elif node.children:
            tree.move_cursor(node.children[0])

    def action_toggle_tree(self) -> None:
        tree = self.query_one(PackageTree)
        tree.display = not tree.display

    def action_toggle_detail(self) -> None:
        detail = self.query_one(DetailPanel)
        self.detail_wanted = not detail.display  # kept over resizes
        detail.display = self.detail_wanted
