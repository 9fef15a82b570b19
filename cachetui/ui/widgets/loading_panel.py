"""The progress bar and its label, shown while specs load."""

from __future__ import annotations

from typing import Optional

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar

from ...session import Progress


class LoadingPanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("Loading…", id="loading-label")
        yield ProgressBar(id="loading-bar", show_eta=False)

    def show_progress(self, progress: Optional[Progress]) -> None:
        if progress is None:
            return
        bar = self.query_one("#loading-bar", ProgressBar)
        bar.update(total=progress.total or None, progress=progress.done)
        # A fixed-size label: without a layout pass each update costs a fraction of a frame,
        # and the loading thread keeps the GIL for parsing.
        self.query_one("#loading-label", Label).update(Text(progress.label), layout=False)
