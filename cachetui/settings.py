"""The user's settings: a TOML file in the user's config folder, and the theme chosen last in
the browser (a small state file). UI-free.

The config file is untrusted input. Each trouble (too big, not TOML, an unknown key, a value of
the wrong type) becomes one message naming the file and the reason; what is wrong is left at
its default and everything else still applies. Key remapping is checked against the action
table by the UI (``ui.actions.check_keymap``): here ``keys`` is only checked to be a table of
strings.

The theme the palette picks is not written into the config file: ``tomllib`` cannot write, and
rewriting the user's file would lose its comments. It goes to ``state.json`` in the user's state
folder instead (written atomically), and wins over the config's ``theme`` until that ``theme``
is edited.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from .model import Problem
from .untrusted import read_bytes, read_json

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from .host import Host

CONFIG_ENV = "CACHETUI_CONFIG"  # a config file elsewhere than the user's config folder
CONFIG_NAME = "config.toml"
STATE_NAME = "state.json"
# A real config is a few hundred bytes; a bigger file is a mistake (or a hostile one), and is not
# worth parsing.
MAX_CONFIG_BYTES = 64 * 1024
MAX_STATE_BYTES = 4 * 1024
MAX_KEYS_PER_BINDING = 8
MAX_KEY_LENGTH = 40
# What the file may set: the name, then what the value must be (for messages).
KNOWN = {
    "theme": "a theme name (text)",
    "host": "TARGET[,OS] as for --host (text)",
    "columns": "a list of column names",
    "keys": "a table of binding id = keys",
}


@dataclass(frozen=True)
class Settings:
    path: Path
    theme: Optional[str] = None  # the config's theme
    host: Optional[Host] = None  # the default for --host
    host_text: Optional[str] = None  # as written, for ``config show``
    columns: Optional[tuple[str, ...]] = None  # the spec table's columns, in this order
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys, as written
    problems: tuple[Problem, ...] = ()

    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]


def config_path() -> Path:
    """Where the config file is: ``$CACHETUI_CONFIG``, else the user's config folder
    (``$XDG_CONFIG_HOME/cachetui/config.toml`` on Linux, via platformdirs)."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("cachetui")) / CONFIG_NAME


def state_path() -> Path:
    """Where the remembered theme is: the user's state folder (``$XDG_STATE_HOME/cachetui``)."""
    from platformdirs import user_state_dir

    return Path(user_state_dir("cachetui")) / STATE_NAME


def _type_name(value: Any) -> str:
    return {str: "text", bool: "true/false", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)  # fmt: skip


def column_names() -> tuple[str, ...]:
    from .view import COLUMNS  # the browser's columns, defined once

    return tuple(column.key for column in COLUMNS)


def parse_settings(text: str, path: Path) -> Settings:
    """Settings from the TOML text of the file at ``path`` (which is only named in messages)."""
    where = str(path)
    problems: list[Problem] = []

    def bad(reason: str, line: Optional[int] = None) -> None:
        problems.append(Problem(where, reason, line=line, level="warning"))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # The message ends "(at line L, column C)"; keep it whole.
        bad(f"not valid TOML: {error}; every setting is at its default")
        return Settings(path, problems=tuple(problems))
    except RecursionError:
        bad("nested too deeply; every setting is at its default")
        return Settings(path, problems=tuple(problems))
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KNOWN:
            bad(f"unknown setting {key!r} ignored (settings: {', '.join(KNOWN)})")
            continue
        values[key] = value
    theme = values.get("theme")
    if theme is not None and not (isinstance(theme, str) and theme.strip()):
        bad(f"theme must be {KNOWN['theme']}, not {_type_name(theme)}; ignored")
        theme = None
    host, host_text = _host(values.get("host"), bad)
    return Settings(path, theme=theme, host=host, host_text=host_text,
                    columns=_columns(values.get("columns"), bad),
                    keys=_keys(values.get("keys"), bad), problems=tuple(problems))  # fmt: skip


def _host(value: Any, bad) -> tuple[Optional[Host], Optional[str]]:
    if value is None:
        return None, None
    if not isinstance(value, str):
        bad(f"host must be {KNOWN['host']}, not {_type_name(value)}; ignored")
        return None, None
    from .host import parse_host

    try:
        return parse_host(value), value
    except ValueError as error:
        bad(f"host: {error}; ignored")
        return None, None


def _columns(value: Any, bad) -> Optional[tuple[str, ...]]:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        bad(f"columns must be {KNOWN['columns']} (text), not {_type_name(value)}; ignored")
        return None
    known = column_names()
    unknown = [name for name in value if name not in known]
    if unknown:
        bad(
            f"unknown column(s) {', '.join(map(repr, unknown))} ignored (columns: {', '.join(known)})"
        )
    kept = tuple(dict.fromkeys(name for name in value if name in known))
    if len(kept) < len([name for name in value if name in known]):
        bad("a column is named twice in columns; shown once")
    if not kept:
        bad("columns names no known column; every column is shown")
        return None
    return kept


def _keys(value: Any, bad) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        bad(f"keys must be {KNOWN['keys']}, not {_type_name(value)}; ignored")
        return {}
    keys = {}
    for binding_id, keys_text in _dotted(value):
        if not isinstance(keys_text, str):
            bad(f"keys.{binding_id}: the keys must be text such as \"ctrl+f\" or \"j,down\", "
                f"not {_type_name(keys_text)}; ignored")  # fmt: skip
            continue
        names = [name.strip() for name in keys_text.split(",")]
        if (
            not all(names)
            or len(names) > MAX_KEYS_PER_BINDING
            or any(len(name) > MAX_KEY_LENGTH for name in names)
        ):
            bad(f"keys.{binding_id}: {keys_text[:60]!r} is not a list of up to "
                f"{MAX_KEYS_PER_BINDING} key names separated by commas; ignored")  # fmt: skip
            continue
        keys[binding_id] = ",".join(names)
    return keys


def _dotted(table: dict, prefix: str = "", depth: int = 0) -> list[tuple[str, Any]]:
    """The entries of ``[keys]`` by binding id: TOML reads an unquoted ``browser.facets = "F"``
    as a table ``browser`` holding ``facets``, which means the same here."""
    entries: list[tuple[str, Any]] = []
    for name, value in table.items():
        if isinstance(value, dict) and depth < 2:  # binding ids have one dot
            entries += _dotted(value, f"{prefix}{name}.", depth + 1)
        else:
            entries.append((f"{prefix}{name}", value))
    return entries


def load_settings(path: Optional[Path] = None) -> Settings:
    """The settings from the config file; defaults (with a message) when it is bad, and quietly
    when there is none."""
    path = path or config_path()
    problems: list[Problem] = []
    data = read_bytes(str(path), MAX_CONFIG_BYTES, problems)
    if data is None:
        problems = [Problem(p.path, f"{p.reason}; every setting is at its default", level="warning")
                    for p in problems]  # fmt: skip
        return Settings(path, problems=tuple(problems))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"is not UTF-8 text (byte {error.start}); every setting is at its default"
        return Settings(path, problems=(Problem(str(path), reason, level="warning"),))
    return parse_settings(text, path)


# -- the remembered theme -------------------------------------------------------------------


def remembered_theme(settings: Settings) -> Optional[str]:
    """The theme chosen last in the browser, unless the config's ``theme`` was edited since."""
    problems: list[Problem] = []
    found, data = read_json(str(state_path()), MAX_STATE_BYTES, problems)
    if not found or not isinstance(data, dict):
        return settings.theme
    theme = data.get("theme")
    if not isinstance(theme, str) or data.get("config_theme") != settings.theme:
        return settings.theme
    return theme


def remember_theme(theme: str, settings: Settings) -> Optional[str]:
    """Write the chosen theme to the state file, atomically (a temporary file renamed into
    place). The reason it could not be written, or None."""
    path = state_path()
    record = {"theme": theme, "config_theme": settings.theme}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(record, stream)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as error:
        return f"{path}: {error.strerror or error}"
    return None
