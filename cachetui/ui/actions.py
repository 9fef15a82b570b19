"""Every user action, defined once: its keys, binding id, footer label, tooltip and help line.

Widgets and modal screens build their ``BINDINGS`` from here, the help screen lists this table
and the command palette offers its entries, so the help can never drift from the keys. Every
binding has an id (``<scope>.<action>``), so keys can be remapped by id with
``App.set_keymap``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional

from textual.binding import Binding
from textual.keys import Keys, _character_to_key, key_to_character

SCOPES = {
    "app": "Anywhere",
    "browser": "Anywhere",  # the browser screen's own actions: listed with the app's
    "table": "Spec table",
    "tree": "Package tree",
    "filter": "Filter box",
    "detail": "Detail panel",
    "deps": "Dependency tree (detail panel)",
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
    "why": "Why is this here",
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
        return keys_text(self.keys)

    def keys_in_force(self, keymap: Mapping[str, str]) -> str:
        """How the keys read in the help, with a keymap (binding id -> keys) applied."""
        remapped = keymap.get(self.id)
        return keys_text(remapped) if remapped else self.key_text

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
    Action("goto_hash", "number_sign", "Hash", "Go to a spec by hash fragment: a prefix, or one typo away; paste several hashes, then n / N walk them", display="#", scope="browser"),
    Action("facets", "f", "Facets", "Counts per os, target, compiler, stack, version and platform of the result; enter adds a filter token", scope="browser"),
    Action("copy", "y", "Copy", "Copy one spack install line for the selection (or the row): spack install /a /b /c (OSC 52)", scope="browser"),
    Action("copy_hash", "Y", "Copy hash", "Copy the row's hash alone", footer=False, scope="browser", display="Y"),
    Action("copy_spec", "ctrl+y", "Copy spec", "Copy the row's spec string alone", footer=False, scope="browser"),
    Action("next_match", "n", "Next match", "The next match of the last # or p jump (a pasted list of hashes: the next hash)", footer=False, scope="browser"),
    Action("previous_match", "N", "Previous match", "The previous match of the last # or p jump", footer=False, scope="browser", display="N"),
    Action("download_size", "z", "Download size", "Download size of the selection (or the row) with its link/run closures, less what is installed", footer=False, scope="browser"),
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

    Action("cursor_down", "down,j,ctrl+j", "Down", "Next row", "table", footer=False, palette=False, display="↓ j ctrl+j"),
    Action("cursor_up", "up,k,ctrl+k", "Up", "Previous row", "table", footer=False, palette=False, display="↑ k ctrl+k"),
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
    Action("submit", "enter", "To table", "Go to the results; with --print: print the selection (or the first row) and exit", "filter", footer=False, palette=False),
    Action("to_list", "down,ctrl+j,ctrl+k", "To list", "Go to the results (in the --print picker, keys act as commands only there)", "filter", footer=False, palette=False, display="↓ ctrl+j ctrl+k"),

    Action("cursor_down", "down,j", "Down", "Next node", "tree", footer=False, palette=False, display="↓ j"),
    Action("cursor_up", "up,k", "Up", "Previous node", "tree", footer=False, palette=False, display="↑ k"),
    Action("select_cursor", "enter", "Open", "Open or close the node; the table follows the cursor", "tree", footer=False, palette=False),
    Action("toggle_node", "space", "Toggle", "Open or close the node", "tree", footer=False, palette=False),
    Action("screen.close_node", "left,h", "Close", "Close the node; on a closed one: go to its parent", "tree", footer=False, palette=False, display="← h"),
    Action("screen.open_node", "right,l", "Open", "Open the node; on an open one: go to its first child", "tree", footer=False, palette=False, display="→ l"),

    Action("screen.focus_table", "escape", "To table", "Go to the spec table", "detail", footer=False, palette=False, display="esc"),
    Action("select_cursor", "enter", "Go to", "Go to the dependency (or dependent) under the cursor, when it is loaded", "deps", footer=False, palette=False),
    Action("toggle_node", "space", "Open", "Open or close the node: a dependency's own dependencies are read when it is opened (↻ marks a cycle, ✗ a missing one)", "deps", footer=False, palette=False),
    Action("why", "w", "Why", "Why is this here: the paths from the roots (specs nothing loaded depends on) down to the spec under the cursor, shortest first", scope="browser", footer=False),
    Action("open_spack", "m", "Your mirrors", "Open every binary mirror of your Spack configuration instead of the bundled seeds (offered when cachetui starts with no PATH)", scope="browser"),
    Action("scroll_down", "j", "Down", "Scroll down", "detail", footer=False, palette=False, display="↓ j"),
    Action("scroll_up", "k", "Up", "Scroll up", "detail", footer=False, palette=False, display="↑ k"),

    Action("dismiss(None)", "escape", "Cancel", "Close the dialog without exporting", "export", palette=False, display="esc"),
    Action("dismiss(None)", "escape,q,f", "Close", "Close the facet view (enter adds the value to the filter)", "facets", palette=False, display="esc q f"),
    Action("move(1)", "j", "Down", "Next value", "facets", footer=False, palette=False, display="↓ j", name="cursor_down"),
    Action("move(-1)", "k", "Up", "Previous value", "facets", footer=False, palette=False, display="↑ k", name="cursor_up"),
    Action("dismiss", "escape,q,question_mark,f1", "Close", "Close the help", "help", palette=False, display="esc q ? F1"),
    Action("scroll_lines(1)", "j", "Down", "Scroll down", "help", footer=False, palette=False, display="↓ j", name="scroll_down"),
    Action("scroll_lines(-1)", "k", "Up", "Scroll up", "help", footer=False, palette=False, display="↑ k", name="scroll_up"),
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
    Action("dismiss(None)", "escape,q,w", "Close", "Close the paths (enter on a path: go to its root)", "why", palette=False, display="esc q w"),
    Action("cancel_print", "escape,ctrl+c", "Cancel", "With --print: leave without printing (exit status 130, as fzf)", footer=False, palette=False, display="esc ctrl+c", priority=True),
)
# fmt: on


def keys_text(keys: str) -> str:
    """Textual key names as a person types them: ``question_mark,f1`` reads ``? f1``."""
    return " ".join(_readable(key) for key in keys.split(","))


def _readable(key: str) -> str:
    names = {"slash": "/", "space": "space", "escape": "esc", "tab": "tab"}
    if key in names:
        return names[key]
    character = key_to_character(key)
    return character if character and character.isprintable() else key


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for one scope, straight from the table above."""
    return [a.binding() for a in ACTIONS if a.scope == scope]


def help_rows() -> list[tuple[str, list[Action]]]:
    """Sections of the help: one per title, the actions in table order."""
    titles = list(dict.fromkeys(SCOPES.values()))
    return [(title, [a for a in ACTIONS if SCOPES[a.scope] == title]) for title in titles]


# -- keymaps from the config file ------------------------------------------------------------

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
# The key names Textual sends, without their modifiers (``ctrl+x`` -> ``x``), and the names of
# the printable ASCII characters (``slash``, ``question_mark``).
KEY_NAMES = frozenset(k.value.split("+")[-1] for k in Keys if not k.value.startswith("<")) | {
    _character_to_key(chr(code)) for code in range(33, 127)
}


def _key_name(key: str) -> Optional[str]:
    """The key as Textual names it (``?`` -> ``question_mark``), or None for a name no terminal
    key produces."""
    if len(key) == 1:
        return _character_to_key(key) if key.isprintable() and not key.isspace() else None
    *modifiers, base = key.split("+")
    if any(m not in MODIFIERS for m in modifiers) or not base:
        return None
    if len(base) == 1:
        base = _character_to_key(base) if base.isprintable() and not base.isspace() else ""
    elif base not in KEY_NAMES and key_to_character(base) is None:
        return None
    return "+".join([*modifiers, base]) if base else None


def check_keymap(keys: Mapping[str, str], where: str) -> tuple[dict[str, str], list[str]]:
    """The usable part of a keymap from the config file at ``where`` (binding id -> Textual
    keys), and a message for each entry left out: an unknown binding id, a key name no
    terminal sends, or a key that would then do two things in one place (both keep their
    defaults)."""
    by_id = {action.id: action for action in ACTIONS}
    keymap: dict[str, str] = {}
    messages: list[str] = []
    for binding_id, text in keys.items():
        if binding_id not in by_id:
            close = difflib.get_close_matches(binding_id, list(by_id), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            messages.append(f"{where}: keys: unknown binding id {binding_id!r} ignored "
                            f"({hint}cachetui config show lists them)")  # fmt: skip
            continue
        names = [_key_name(key) for key in text.split(",")]
        if None in names:
            bad = [key for key, name in zip(text.split(","), names) if name is None]
            messages.append(f"{where}: keys.{binding_id}: no key is called "
                            f"{', '.join(map(repr, bad))}; ignored")  # fmt: skip
            continue
        keymap[binding_id] = ",".join(dict.fromkeys(names))  # type: ignore[arg-type]
    while True:
        clash = _first_clash(keymap)
        if clash is None:
            return keymap, messages
        key, ids = clash
        places = dict.fromkeys(SCOPES[by_id[i].scope] for i in ids)
        kept = [i for i in ids if i in keymap]
        messages.append(f"{where}: keys: {keys_text(key)!r} would be bound twice in "
                        f"{' and '.join(map(repr, places))} ({' and '.join(ids)}); "
                        f"{' and '.join(kept)} {'keeps its default' if len(kept) == 1 else 'keep their defaults'}")  # fmt: skip
        for binding_id in ids:
            keymap.pop(binding_id, None)


# The browser's panes: a key of theirs shadows an "Anywhere" key while the pane has focus.
PANES = frozenset({"table", "tree", "detail"})


def _meet(one: Action, other: Action) -> bool:
    """Whether a key of both would be ambiguous: one help section, or an "Anywhere" action and a
    browser pane's (the focused pane would take the key)."""
    sections = {SCOPES[one.scope], SCOPES[other.scope]}
    return len(sections) == 1 or (
        SCOPES["app"] in sections and bool({one.scope, other.scope} & PANES)
    )


def _first_clash(keymap: Mapping[str, str]) -> Optional[tuple[str, list[str]]]:
    """A key that two actions would share where they meet, one of them remapped."""
    users: dict[str, list[Action]] = {}
    for action in ACTIONS:
        for key in keymap.get(action.id, action.keys).split(","):
            users.setdefault(key, []).append(action)
    for key, actions in users.items():
        for i, one in enumerate(actions):
            for other in actions[i + 1 :]:
                remapped = one.id in keymap or other.id in keymap
                # Keys shared by design (cancel_print's priority esc) are not a remapping's fault.
                shared = set(one.keys.split(",")) & set(other.keys.split(","))
                if remapped and key not in shared and _meet(one, other):
                    return key, [one.id, other.id]
    return None


def binding_table(keymap: Mapping[str, str]) -> dict[str, tuple[str, str, str]]:
    """Every binding id: its help section, its default keys and the keys in force."""
    return {a.id: (SCOPES[a.scope], a.key_text, a.keys_in_force(keymap)) for a in ACTIONS}
