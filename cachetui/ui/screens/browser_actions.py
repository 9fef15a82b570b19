"""The browser's actions: copy and export, jumps, the modal screens, panes. Bound by the
"browser" scope of the action table; mixed into ``BrowserScreen``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np
from textual import work
from textual.command import CommandPalette

from ...export import BY_NAME, render, write_file
from ...faults import guard_handlers, guarded
from ...host import Host
from ...view import Scope, ViewModel
from ..commands import HashProvider, PackageProvider
from ..widgets.detail_panel import DetailPanel
from ..widgets.filter_box import FilterBox
from ..widgets.package_tree import PackageTree
from ..widgets.spec_table import SpecTable
from .export import ExportChoice, ExportScreen
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
CLIPBOARD_WARN_BYTES = 4096  # some terminals silently drop OSC 52 copies larger than 3-6 KB


@guard_handlers
class BrowserActions(_Base):
    export_format = "install"  # the export dialog remembers the last format chosen
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
        if action == "closest":
            return len(self.catalog) > 0
        return True

    # -- copy and export ---------------------------------------------------------------------

    def chosen_specs(self) -> list:
        return self.view.specs(self.query_one(SpecTable).chosen_ids())

    def action_copy(self, fmt: Optional[str] = None) -> None:
        specs = self.chosen_specs()
        if not specs:
            self.notify("Nothing to copy: the table is empty.", severity="warning")
            return
        fmt = fmt or "install"
        text = render(specs, fmt)
        self.app.copy_to_clipboard(text)
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

        self.app.push_screen(ExportScreen(count, self.export_format), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def write_export(self, choice: ExportChoice, specs: list) -> None:
        try:
            write_file(choice.path, specs, choice.fmt, overwrite=choice.overwrite)
        except OSError as error:
            reason = error.strerror or str(error)
            self.app.call_from_thread(self.notify, f"Could not write {choice.path}: {reason}",
                                      title="Export failed", severity="error", markup=False)  # fmt: skip
            return
        self.app.call_from_thread(self.notify, f"Saved {len(specs):,} spec(s) as {choice.fmt} to"
                                  f" {choice.path}", markup=False)  # fmt: skip

    @guarded
    def accept_print(self) -> None:
        specs = self.chosen_specs()
        fmt = BY_NAME[self.print_format or "hashes"]
        self.app.exit(result="".join(fmt.writer(specs)) if specs else None)

    # -- jumps -------------------------------------------------------------------------------

    def load_every_tag(self, what: str) -> None:
        """A lazy checkout: load the tags not loaded yet, so ``what`` searches every tag."""
        pending = self.session.pending_tags()
        if pending:
            self.notify(f"Loading {len(pending)} more tag(s) so the {what} searches every tag.",
                        markup=False)  # fmt: skip
            self.request_tags(pending, f"; the {what} searches every tag")

    def action_goto_package(self) -> None:
        self.load_every_tag("package search")
        self.app.push_screen(
            CommandPalette(providers=[PackageProvider], placeholder="Go to package…")
        )

    def action_goto_hash(self) -> None:
        self.load_every_tag("hash search")
        self.app.push_screen(
            CommandPalette(providers=[HashProvider], placeholder="Go to hash: a fragment…")
        )

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
        # Quiet: one refresh below, and the tree's ScopeChanged for this scope is a no-op.
        self.state.set_scope(scope, quiet=True)
        self.state.set_query("", quiet=True)
        self.query_one(FilterBox).value = ""
        self.query_one(PackageTree).select_scope(scope)
        self.query_one(SpecTable).focus()
        self.refresh_view(keep_spec=keep_spec)

    # -- modal screens -----------------------------------------------------------------------

    def action_facets(self) -> None:
        if self.last_view is None:
            return
        facets = self.catalog.facets(self.last_view.ids)

        def add_token(token: Optional[str]) -> None:
            if token:
                box = self.query_one(FilterBox)
                box.value = f"{box.value.rstrip()} {token}".strip()

        self.app.push_screen(FacetScreen(facets, len(self.last_view.ids)), add_token)

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

    def action_toggle_tree(self) -> None:
        tree = self.query_one(PackageTree)
        tree.display = not tree.display

    def action_toggle_detail(self) -> None:
        detail = self.query_one(DetailPanel)
        self.detail_wanted = not detail.display  # kept over resizes
        detail.display = self.detail_wanted
