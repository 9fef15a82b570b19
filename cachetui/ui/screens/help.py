"""The help screen: every key from the action table, and the query syntax from
``querysyntax.SYNTAX``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from ...querysyntax import SYNTAX
from ..actions import bindings, help_rows
from ..widgets.hanging import HangingText

CLIPBOARD_HELP = (
    "Copying uses OSC 52: it reaches your own machine's clipboard over SSH when the terminal allows "
    "it. Inside tmux, add `set -g set-clipboard on` to ~/.tmux.conf."
)


def _row(text: Text, label: str, width: int, meaning: str) -> None:
    """``label`` in a column ``width`` wide, then ``meaning``; a label too long for its column
    gets a line of its own, the meaning under the column (never run together: "unknownruns")."""
    text.append(f"  {label:<{width}}", "bold cyan")
    if len(label) >= width:
        text.append("\n" + " " * (width + 2))
    text.append(f"{meaning}\n")


def help_text(keymap: Mapping[str, str] = MappingProxyType({})) -> Text:
    """The help; ``keymap`` (binding id -> keys, the config's remapping) shows the keys in force."""
    text = Text()
    for title, actions in help_rows():
        if not actions:
            continue
        text.append(f"{title}\n", "bold underline")
        for action in actions:
            _row(text, action.keys_in_force(keymap), 16, action.help)
        text.append("\n")
    text.append("Query syntax (tokens are ANDed, in any order)\n", "bold underline")
    for token, meaning in SYNTAX:
        _row(text, token, 26, meaning)
    text.append("\nClipboard\n", "bold underline")
    text.append(f"  {CLIPBOARD_HELP}\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings("help")
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 110; height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "cachetui help — esc to close"
            # Textual keeps the keymap without a public getter; the palette reads it the same way.
            yield HangingText(help_text(self.app._keymap), id="help-text")  # wraps under text

    def action_scroll_lines(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)
