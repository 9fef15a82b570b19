"""Every user action, defined once: its keys, binding id, footer label, tooltip and help line.

Widgets and modal screens build their ``BINDINGS`` from here, the help screen lists this table
and the command palette offers its entries, so the help can never drift from the keys. Every
binding has an id (``<scope>.<action>``), so keys can be remapped by id with
``App.set_keymap``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from textual.binding import Binding

SCOPES = {
    "app": "Anywhere",
    "browser": "Anywhere",  # the browser screen's own actions: listed with the app's
    "table": "Spec table",
    "tree": "Package tree",
    "filter": "Filter box",
    "detail": "Detail panel",
    "export": "Export dialog",
    "facets": "Facet view",
    "help": "Help",
    "report": "Load report",
    "host": "Machine dialog",
    "tagpick": "Tag picker",
    "diff": "Diff view",
    "diffspecs": "Diff: a package's specs",
    "compare": "Compare view",
    "closest": "Closest binary",
}


@dataclass(frozen=True)
class Action:
    action: str  # Textual action string, run on the widget of ``scope``
    keys: str  # Textual key names, comma-separated
    label: str  # footer text
    help: str  # help screen line
    scope: str = "app"
    footer: bool = True
    display: Optional[str] = None  # how the keys read in the help screen
    palette: bool = True  # offered in the command palette
    name: Optional[str] = None  # the binding id's name, when the action's own is ambiguous
    priority: bool = False  # before the focused widget's own binding of the same key

    @property
    def key_text(self) -> str:
        if self.display:
            return self.display
        names = {"slash": "/", "question_mark": "?", "space": "space", "escape": "esc"}
        return " ".join(names.get(k, k) for k in self.keys.split(","))

    @property
    def id(self) -> str:
        """The binding id: stable, for remapping keys from a config file."""
        name = self.name or self.action.split("(")[0].split(".")[-1]
        return f"{self.scope}.{name}"

    def binding(self) -> Binding:
        return Binding(self.keys, self.action, self.label, show=self.footer,
                       key_display=self.key_text if self.display else None,
                       tooltip=self.help, id=self.id, priority=self.priority)  # fmt: skip


# fmt: off
ACTIONS: tuple[Action, ...] = (
    Action("app.quit", "q", "Quit", "Quit cachetui", scope="browser"),
    Action("help", "question_mark,f1", "Help", "Show this help: every key and the query syntax", display="? F1", scope="browser"),
    Action("focus_filter", "slash", "Filter", "Filter the table: type a query, results follow as you type", scope="browser"),
    Action("goto_package", "p", "Package", "Go to a package: part of its name, typos forgiven", scope="browser"),
    Action("goto_hash", "number_sign", "Hash", "Go to a spec by hash fragment: a prefix, or one typo away", display="#", scope="browser"),
    Action("facets", "f", "Facets", "Counts per os, target, compiler, stack, version and platform of the result; enter adds a filter token", scope="browser"),
    Action("copy", "y", "Copy", "Copy the selection (or the row) as spack install lines to the clipboard (OSC 52)", scope="browser"),
    Action("export", "e", "Export", "Export the selection: choose a format, copy it or save it to a file", scope="browser"),
    Action("command_palette", "ctrl+p", "Palette", "Command palette: every action by name, and themes", footer=False, palette=False),
    Action("focus_next", "tab", "Next pane", "Move to the next pane (tree, filter, table, detail)", footer=False, palette=False),
    Action("focus_previous", "shift+tab", "Previous pane", "Move to the previous pane", footer=False, palette=False),
    Action("clear_scope", "a", "All", "Scope the table to every loaded spec again", footer=False, scope="browser"),
    Action("load_report", "r", "Problems", "Show the load report: every bad file and the reason", footer=False, scope="browser"),
    Action("toggle_runs_here", "H", "Runs here", "Show only the specs that run on the host (or the machine set with --host); again: all", footer=False, scope="browser", display="H"),
    Action("set_host", "ctrl+o", "Machine", "Judge \"runs here\" against another machine: TARGET[,OS], e.g. zen4,rhel8", footer=False, scope="browser"),
    Action("toggle_tree", "f2", "Tree pane", "Show or hide the package tree", footer=False, scope="browser"),
    Action("toggle_detail", "f3", "Detail pane", "Show or hide the detail panel", footer=False, scope="browser"),

    Action("cursor_down", "down,j", "Down", "Next row", "table", footer=False, palette=False, display="↓ j"),
    Action("cursor_up", "up,k", "Up", "Previous row", "table", footer=False, palette=False, display="↑ k"),
    Action("page_down", "pagedown,ctrl+d", "Page down", "One page down", "table", footer=False, palette=False, display="PgDn ctrl+d"),
    Action("page_up", "pageup,ctrl+u", "Page up", "One page up", "table", footer=False, palette=False, display="PgUp ctrl+u"),
    Action("first_row", "g,home", "Top", "First row", "table", footer=False, display="g Home"),
    Action("last_row", "G,end", "Bottom", "Last row", "table", footer=False, display="G End"),
    Action("move_column(-1)", "left,h", "Left", "Previous column (the sort keys act on it; hash and package stay while the others scroll)", "table", footer=False, palette=False, display="← h", name="scroll_left"),
    Action("move_column(1)", "right,l", "Right", "Next column (› in the header: more columns to the right)", "table", footer=False, palette=False, display="→ l", name="scroll_right"),
    Action("open_row", "enter", "Detail", "Go to the row's detail (the panel follows the cursor); with --print: print the selection and exit", "table", footer=False, palette=False),
    Action("toggle_select", "space", "Select", "Select or unselect the row (a ● marks it), then go down", "table"),
    Action("select_all", "asterisk", "Select all", "Select every row of the current filter and scope", "table", footer=False, display="*"),
    Action("clear_selection", "u", "Unselect", "Clear the selection", "table", footer=False),
    Action("sort_column(False)", "left_square_bracket", "Sort ▲", "Sort by the current column, ascending (as visidata)", "table", footer=False, display="[", name="sort_ascending"),
    Action("sort_column(True)", "right_square_bracket", "Sort ▼", "Sort by the current column, descending (as visidata)", "table", footer=False, display="]", name="sort_descending"),
    Action("sort_next", "s", "Sort", "Sort by the next column: hash, package, version, ... (the column cursor follows)", "table"),
    Action("sort_reverse", "S", "Reverse", "Reverse the sort; once more: back to load order", "table", footer=False, display="S"),
    Action("screen.clear_filter", "escape", "Clear filter", "Clear the filter", "table", footer=False, palette=False, display="esc"),

    Action("clear_or_leave", "escape", "Clear", "Clear the filter; on an empty box, leave it", "filter", footer=False, palette=False, display="esc"),
    Action("submit", "enter,down", "To table", "Go to the results", "filter", footer=False, palette=False, display="enter ↓"),

    Action("cursor_down", "down,j", "Down", "Next node", "tree", footer=False, palette=False, display="↓ j"),
    Action("cursor_up", "up,k", "Up", "Previous node", "tree", footer=False, palette=False, display="↑ k"),
    Action("select_cursor", "enter", "Open", "Open or close the node; the table follows the cursor", "tree", footer=False, palette=False),
    Action("toggle_node", "space", "Toggle", "Open or close the node", "tree", footer=False, palette=False),

    Action("screen.focus_table", "escape", "To table", "Go to the spec table", "detail", footer=False, palette=False, display="esc"),

    Action("dismiss(None)", "escape", "Cancel", "Close the dialog without exporting", "export", palette=False, display="esc"),
    Action("dismiss(None)", "escape,q,f", "Close", "Close the facet view (enter adds the value to the filter)", "facets", palette=False, display="esc q f"),
    Action("dismiss", "escape,q,question_mark,f1", "Close", "Close the help", "help", palette=False, display="esc q ? F1"),
    Action("dismiss", "escape,q,r", "Close", "Close the load report", "report", palette=False, display="esc q r"),
    Action("dismiss(None)", "escape", "Cancel", "Close without changing the machine", "host", palette=False, display="esc"),
    Action("diff_tags", "d", "Diff two tags…", "Diff two tags: pick the tag before, then the one after; the summary and the changed packages", footer=False, scope="browser"),
    Action("compare", "equals_sign", "Compare selected", "Compare the selected specs (two or more, space selects) side by side: every field, differences marked *", footer=False, scope="browser", display="="),
    Action("closest", "c", "Closest binary…", "Closest binary: type a spec as for spack install; the cached binaries ranked, each difference ✓ or ✗", footer=False, scope="browser"),
    Action("dismiss(None)", "escape", "Cancel", "Close without choosing a tag", "tagpick", palette=False, display="esc"),
    Action("dismiss(None)", "escape", "Close", "Close the diff (type to narrow the packages: a name, or + - ~; ↑ ↓ move, enter shows the specs)", "diff", palette=False, display="esc"),
    Action("dismiss(None)", "escape,q", "Close", "Close the package's specs", "diffspecs", palette=False, display="esc q"),
    Action("toggle_differences", "d", "Differences", "Show only the fields that differ; again: every field", "compare", palette=False),
    Action("dismiss(None)", "escape,q,equals_sign", "Close", "Close the comparison", "compare", palette=False, display="esc q ="),
    Action("close", "escape", "Close", "Close without jumping (enter ranks the spec typed; on a binary: go to it)", "closest", palette=False, display="esc"),
    Action("cancel_print", "escape,ctrl+c", "Cancel", "With --print: leave without printing (exit status 130, as fzf)", footer=False, palette=False, display="esc ctrl+c", priority=True),
)
# fmt: on


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for one scope, straight from the table above."""
    return [a.binding() for a in ACTIONS if a.scope == scope]


def help_rows() -> list[tuple[str, list[Action]]]:
    """Sections of the help: one per title, the actions in table order."""
    titles = list(dict.fromkeys(SCOPES.values()))
    return [(title, [a for a in ACTIONS if SCOPES[a.scope] == title]) for title in titles]
