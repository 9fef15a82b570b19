"""The command palette's entries for the action table: what can run now, with its keys in force.

An action runs on its target: the app, the browser screen or a widget class of it. An entry is
offered only when the target's ``check_action`` allows it, and it shows the keys bound now
(a keymap may have moved them), not the table's defaults.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import Callable, Optional

from textual.app import App, SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from .actions import ACTIONS
from .widgets.detail_panel import DetailPanel
from .widgets.filter_box import FilterBox
from .widgets.package_tree import PackageTree
from .widgets.spec_table import SpecTable

TARGETS: dict[str, type[Widget]] = {
    "table": SpecTable,
    "tree": PackageTree,
    "detail": DetailPanel,
    "filter": FilterBox,
}


def _target(app: App, screen: Screen, scope: str, browser: type[Screen]) -> Optional[DOMNode]:
    if scope == "app":
        return app
    if not isinstance(screen, browser):
        return None  # a modal screen: the browser's actions wait until it closes
    if scope == "browser":
        return screen
    found = screen.query(TARGETS[scope]) if scope in TARGETS else []
    return found.first() if found else None


def bound_keys(app: App, node: DOMNode, binding_id: str) -> str:
    """How the keys of this binding read now, with the app's keymap applied."""
    bindings = node._bindings.copy()  # Textual keeps no public per-node view of this
    if app._keymap:
        bindings.apply_keymap(app._keymap)
    keys = [
        app.get_key_display(binding)
        for binding_list in bindings.key_to_bindings.values()
        for binding in binding_list
        if binding.id == binding_id
    ]
    return " ".join(dict.fromkeys(keys))


def _runner(node: DOMNode, action: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        await node.run_action(action)

    return run


def action_commands(app: App, screen: Screen, browser: type[Screen]) -> Iterable[SystemCommand]:
    seen = set()
    for action in ACTIONS:
        if not action.palette or action.action in seen:
            continue
        node = _target(app, screen, action.scope, browser)
        name, _, _ = action.action.partition("(")
        if node is None or node.check_action(name, ()) is not True:
            continue
        seen.add(action.action)
        keys = bound_keys(app, node, action.id)
        title = f"{action.label} ({keys})" if keys else action.label
        yield SystemCommand(title, action.help, _runner(node, action.action))
