"""The browser's jumps: go to a package (``p``), to a hash (``#``), and ``n``/``N`` through
the other matches of the last one; mixed into ``BrowserScreen``.

A jump remembers every match its prompt offered (the tags a package is in, the specs a hash
fragment or a pasted list of hashes found), so ``n`` and ``N`` walk them as in vim or less.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...faults import guard_handlers, guarded
from ...text import visible
from ...view import Scope
from ..commands import HashProvider, PackageProvider, PastePalette, Trail
from ..widgets.filter_box import FilterBox
from ..widgets.package_tree import PackageTree
from ..widgets.spec_table import SpecTable

if TYPE_CHECKING:
    from .browser import BrowserScreen

    _Base = BrowserScreen
else:
    _Base = object


@guard_handlers
class BrowserJumps(_Base):
    trail: Optional[Trail] = None  # the last jump's matches (n / N)

    def load_every_tag(self, what: str) -> None:
        """A lazy checkout: load the tags not loaded yet, so ``what`` searches every tag."""
        pending = self.session.pending_tags()
        if pending:
            self.notify(f"Loading {len(pending)} more tag(s) so the {what} searches every tag.",
                        markup=False)  # fmt: skip
            self.request_tags(pending, f"; the {what} searches every tag")

    def action_goto_package(self) -> None:
        self.load_every_tag("package search")
        self.app.push_screen(PastePalette(providers=[PackageProvider],
                                          placeholder="Go to package…"))  # fmt: skip

    def action_goto_hash(self) -> None:
        self.load_every_tag("hash search")
        self.app.push_screen(
            PastePalette(providers=[HashProvider], placeholder="Go to hash: a fragment, or paste a list…")
        )  # fmt: skip

    @guarded
    def follow(self, trail: Trail) -> None:
        """Go to the chosen match of a jump, and remember the others for n / N."""
        self.trail = trail
        self._go(trail, announce=len(trail.targets) > 1)

    def _go(self, trail: Trail, announce: bool) -> None:
        target = trail.targets[trail.index]
        if isinstance(target, tuple):
            self.goto_package(*target)
        else:
            self.goto_spec(target)
        if announce:
            self.notify(f"{visible(trail.query)}: match {trail.index + 1} of {len(trail.targets)}"
                        " (n: next, N: previous)", markup=False)  # fmt: skip

    def action_next_match(self) -> None:
        self._walk(1)

    def action_previous_match(self) -> None:
        self._walk(-1)

    def _walk(self, delta: int) -> None:
        if self.trail is None:
            self.notify("No jump to repeat yet: # goes to a hash, p to a package.",
                        severity="warning", markup=False)  # fmt: skip
            return
        if len(self.trail.targets) == 1:
            self.notify(f"{visible(self.trail.query)}: the only match.", markup=False)
            return
        self.trail = self.trail.step(delta)
        self._go(self.trail, announce=True)

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
