"""The help screen: every key from the action table, and the query syntax."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..actions import help_rows

QUERY_HELP = (
    (
        "word",
        "package names containing it; if none, any column containing it; else the closest names",
    ),
    ("/abc12", "hash prefix, any length"),
    ("@1.0  @=1.0  @1:2", "version as Spack means it: 1.0 and 1.0.x; exactly 1.0; a range"),
    (
        "%gcc  %gcc@13",
        "compiler, optionally with a version (gcc@13.2.0 and gcc@=13.2.0 both match)",
    ),
    ("os=  target=  platform=", "exact value; a trailing * makes it a prefix: os=ubuntu*"),
    ("stack=  tag=  package=", "exact value, or prefix with *: stack=e4s*"),
    ("+mpi  ~mpi", "boolean variant on or off"),
    ("build_system=cmake", "any other key=value: a variant"),
    ("!token", "negate a token: !stack=e4s"),
)

CLIPBOARD_HELP = (
    "Copying uses OSC 52: it reaches your own machine's clipboard over SSH when the terminal allows "
    "it. Inside tmux, add `set -g set-clipboard on` to ~/.tmux.conf."
)


def help_text() -> Text:
    text = Text()
    for title, actions in help_rows():
        if not actions:
            continue
        text.append(f"{title}\n", "bold underline")
        for action in actions:
            text.append(f"  {action.key_text:<16}", "bold cyan")
            text.append(f"{action.help}\n")
        text.append("\n")
    text.append("Query syntax (tokens are ANDed, in any order)\n", "bold underline")
    for token, meaning in QUERY_HELP:
        text.append(f"  {token:<26}", "bold cyan")
        text.append(f"{meaning}\n")
    text.append("\nClipboard\n", "bold underline")
    text.append(f"  {CLIPBOARD_HELP}\n")
    return text


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", show=True)]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 110; height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "cachetui help — esc to close"
            yield Static(help_text(), id="help-text")
