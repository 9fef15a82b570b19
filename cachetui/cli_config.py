"""The ``config`` command: where the settings file is, and the settings in force.

Core: the action table (binding ids and their keys) is the UI's, so ``cli.py`` hands it in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Callable

from .cli_common import write
from .cli_spack import EXIT_OK
from .text import visible

# The settings module reads TOML and uses the YAML helpers: imported when used, so that
# `--help` stays light.
if TYPE_CHECKING:
    from .settings import Settings

# binding id -> (help section, default keys, keys in force), and the keymap's messages
BindingTable = Callable[["Settings"], "tuple[Mapping[str, tuple[str, str, str]], list[str]]"]


def config_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cachetui config",
        description="Where the settings file is (path), and the settings in force (show).",
    )
    parser.add_argument("action", choices=("path", "show"))
    parser.add_argument("--json", action="store_true", help="machine-readable output (show)")
    return parser


def settings_data(settings: Settings, table: BindingTable) -> dict:
    from .settings import column_names, remembered_theme, state_path

    bindings, messages = table(settings)
    return {
        "path": str(settings.path),
        "exists": settings.path.is_file(),
        "state": str(state_path()),
        "theme": remembered_theme(settings),
        "config_theme": settings.theme,
        "host": settings.host_text,
        "columns": list(settings.columns or column_names()),
        "keys": {
            binding_id: {"section": section, "default": default, "keys": keys}
            for binding_id, (section, default, keys) in bindings.items()
        },
        "problems": settings.messages() + messages,
    }


def cmd_config(args: argparse.Namespace, table: BindingTable) -> int:
    from .settings import config_path, load_settings

    if args.action == "path":
        write(f"{config_path()}\n")
        return EXIT_OK
    data = settings_data(load_settings(), table)
    if args.json:
        write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    found = "" if data["exists"] else " (none: every setting is at its default)"
    lines = [
        f"config     {data['path']}{found}",
        f"theme      {data['theme'] or 'textual-dark (the default)'}"
        + (" (chosen in the browser)" if data["theme"] != data["config_theme"] else ""),
        f"host       {data['host'] or 'this machine (the default)'}",
        f"columns    {', '.join(data['columns'])}",
        "keys       binding id, keys in force (default)",
    ]
    width = max(len(binding_id) for binding_id in data["keys"])
    for binding_id, entry in data["keys"].items():
        changed = f"  (default {entry['default']})" if entry["keys"] != entry["default"] else ""
        lines.append(f"  {binding_id:<{width}}  {entry['keys']}{changed}")
    write("\n".join(visible(line) for line in lines) + "\n")
    for message in data["problems"]:
        print(f"cachetui: {visible(message)}", file=sys.stderr)
    return EXIT_OK
