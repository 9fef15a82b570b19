"""What the user is browsing: scope, query text, sort and selection, in one place.

The browser screen and the spec table observe it; only the UI thread touches it (workers get
copies of scope, query and sort as arguments).
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from ..view import Scope, Sort

# What changed: "scope", "query", "sort", "runs" or "selection".
Observer = Callable[[str], None]


class BrowsingState:
    def __init__(self) -> None:
        self.scope = Scope()
        self.query_text = ""
        self.sort: Optional[Sort] = None
        self.runs_only = False  # only specs that run on the host
        # Selection by spec id: survives filter and scope changes.
        self.selected: np.ndarray = np.zeros(0, dtype=bool)
        self.selected_count = 0
        self._observers: list[Observer] = []

    def observe(self, observer: Observer) -> None:
        self._observers.append(observer)

    def _changed(self, what: str) -> None:
        for observer in list(self._observers):
            observer(what)

    @property
    def key(self) -> tuple[Scope, str, Optional[Sort], bool]:
        """What a computed view depends on: a result for another key is stale."""
        return (self.scope, self.query_text, self.sort, self.runs_only)

    def set_scope(self, scope: Scope, quiet: bool = False) -> bool:
        """False when nothing changed. ``quiet``: the caller refreshes itself (a jump)."""
        if scope == self.scope:
            return False
        self.scope = scope
        if not quiet:
            self._changed("scope")
        return True

    def set_query(self, text: str, quiet: bool = False) -> bool:
        if text == self.query_text:
            return False
        self.query_text = text
        if not quiet:
            self._changed("query")
        return True

    def set_runs_only(self, on: bool) -> None:
        self.runs_only = on
        self._changed("runs")

    def set_sort(self, sort: Optional[Sort]) -> None:
        self.sort = sort
        self._changed("sort")

    # -- selection ---------------------------------------------------------------------------

    def grow(self, specs: int) -> None:
        """The catalog now holds ``specs``: it only ever grows at the end (lazy tags), so a
        spec keeps its id and its mark."""
        kept = self.selected[:specs]
        self.selected = np.zeros(specs, dtype=bool)
        self.selected[: len(kept)] = kept
        self.selected_count = int(self.selected.sum())

    def _selection_changed(self) -> None:
        self.selected_count = int(self.selected.sum())
        self._changed("selection")

    def toggle(self, spec_id: int) -> None:
        self.selected[spec_id] = not self.selected[spec_id]
        self._selection_changed()

    def select(self, ids: np.ndarray) -> None:
        self.selected[ids] = True
        self._selection_changed()

    def clear_selection(self) -> None:
        self.selected[:] = False
        self._selection_changed()

    def chosen_ids(self, current: Optional[int]) -> np.ndarray:
        """The selected specs in load order, or the ``current`` row when nothing is selected."""
        if self.selected_count:
            return np.flatnonzero(self.selected)
        return np.array([] if current is None else [current], dtype=np.int64)
