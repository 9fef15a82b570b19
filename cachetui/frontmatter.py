"""A page's Jekyll front matter: its lines, its top-level fields, and each value decoded.

Each value goes to ``json.loads`` first (~500x faster than ``yaml.safe_load``); only a value
that is not JSON goes to PyYAML's C safe loader, never loaded unsafely, with aliases refused (a
"billion laughs" page would otherwise expand when walked) and nesting bounded.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

import yaml

from .errors import NotAPage, PageError, UnsafeYaml
from .jsontext import DECODER as _JSON
from .jsontext import MAX_INT_DIGITS

try:  # libyaml is there on every mainstream platform; the pure-Python loader is the fallback
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, with values kept as data: a date-like value stays the text it is
    (``2024-02-30`` would raise, ``2024-02-01`` would become a date no cache can store), an
    absurdly long integer stays text, ``!!binary`` stays its text."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def _scalar_text(self, node: Any) -> str:
        return str(self.construct_scalar(node))

    def _int(self, node: Any) -> Any:
        text = self._scalar_text(node)
        if len(text.replace("_", "")) > MAX_INT_DIGITS:
            return text
        try:
            return self.construct_yaml_int(node)
        except ValueError:
            return text


_SafeLoader.add_constructor(_TIMESTAMP, _SafeLoader._scalar_text)
_SafeLoader.add_constructor("tag:yaml.org,2002:binary", _SafeLoader._scalar_text)
_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader._int)

PLAIN = re.compile(r"[A-Za-z_][\w.\-]*")  # a word YAML reads as text
_FLOW_WORDS = re.compile(r"\[([\w.\- ,]*)\]")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
MAX_DEPTH = 64


def _closing_line(text: str, first_end: int) -> Optional[int]:
    """Where the closing ``---`` line starts (str.find: a MULTILINE regex is 20x slower here)."""
    if first_end == -1:
        return None
    pos = first_end
    while True:
        pos = text.find("\n---", pos)
        if pos == -1:
            return None
        line_end = text.find("\n", pos + 4)
        if not text[pos + 4 : len(text) if line_end == -1 else line_end].strip():
            return pos + 1
        pos += 4


def front_matter_lines(text: str) -> list[str]:
    """The lines between the opening ``---`` and the closing one."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first_end = text.find("\n")
    # Only the first line can tell (a scan of the whole page cost 4 ms per 100k specs).
    first_cr = text.find("\r", 0, len(text) if first_end == -1 else first_end)
    if first_cr != -1 and (first_end == -1 or first_cr < first_end - 1):
        # Lines that end in a lone CR (classic Mac): read as lines all the same.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        first_end = text.find("\n")
    first = text if first_end == -1 else text[:first_end]
    if first.rstrip() != "---":
        raise NotAPage("no front matter (the first line is not ---)", 1)
    end = _closing_line(text, first_end)
    if end is None:
        raise PageError("front matter is never closed (no second --- line)", text.count("\n") + 1)
    lines = text[first_end + 1 : end].split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


class Fields(dict):
    """Front-matter keys to (line, raw value); ``duplicates`` names keys given twice."""

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[str] = []

    def __setitem__(self, key: str, value: tuple[int, str]) -> None:
        if key in self and key not in self.duplicates:
            self.duplicates.append(key)
        super().__setitem__(key, value)


def split_fields(lines: list[str]) -> Fields:
    """Top-level ``key: value`` entries with the line number (1-based, in the file) where each
    starts; a value may continue on indented lines (legacy block lists)."""
    fields = Fields()
    key: Optional[str] = None
    start = 0
    chunk: list[str] = []
    for number, line in enumerate(lines, start=2):
        if line[:1] in (" ", "\t", "-") or not line.strip() or line.lstrip().startswith("#"):
            if key is not None:
                chunk.append(line)
            elif line.strip() and not line.lstrip().startswith("#"):
                raise PageError(
                    "front matter starts with an indented line, not a key: value", number
                )
            continue
        if key is not None:
            fields[key] = (start, "\n".join(chunk))
        name, colon, rest = line.partition(":")
        if not colon:
            raise PageError(f"expected 'key: value', found {line[:60]!r}", number)
        key, start, chunk = name.strip(), number, [rest]
    if key is not None:
        fields[key] = (start, "\n".join(chunk))
    return fields


def _check_yaml(text: str, line: int) -> None:
    """Refuse aliases and absurd nesting before constructing anything."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise UnsafeYaml("YAML aliases are not allowed in a page", line)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise UnsafeYaml(f"value is nested more than {MAX_DEPTH} levels deep", line)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as error:
        raise _yaml_error(error, line) from None


def _yaml_error(error: yaml.YAMLError, line: int) -> PageError:
    mark = getattr(error, "problem_mark", None)
    where = line + mark.line if mark is not None else line
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return PageError(f"not valid JSON or YAML: {problem}", where)


def decode_value(key: str, text: str, line: int) -> Any:
    """One front-matter value: JSON when it is JSON, else YAML (C safe loader)."""
    stripped = text.strip()
    json_error: Optional[tuple[str, int]] = None  # not the exception: it would hold this frame
    if stripped[:1] in ("{", "[", '"') and "\n" not in stripped:
        try:
            return _JSON.decode(stripped)
        except RecursionError:
            raise PageError(f"{key} is nested too deeply", line) from None
        except json.JSONDecodeError as error:
            json_error = (error.msg, error.colno)
    if PLAIN.fullmatch(stripped) and stripped.lower() not in _YAML_WORDS:
        return stripped
    words = _FLOW_WORDS.fullmatch(stripped)
    if words and all(PLAIN.fullmatch(w.strip()) for w in words.group(1).split(",") if w.strip()):
        return [w.strip() for w in words.group(1).split(",") if w.strip()]
    document = f"{key}:{text}"
    try:
        _check_yaml(document, line)
        loaded = yaml.load(document, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        raise _yaml_error(error, line) from None
    except PageError as error:
        if json_error is not None and not isinstance(error, UnsafeYaml):
            # It was meant as JSON: say what is wrong with the JSON, not with the YAML.
            raise PageError(
                f"{key} is not valid JSON ({json_error[0]} at column {json_error[1] + len(key) + 2})",
                line,
            ) from None
        raise
    except RecursionError:
        raise PageError(f"{key} is nested too deeply", line) from None
    except (ValueError, TypeError, OverflowError) as error:  # a value no constructor could make
        raise PageError(
            f"{key} holds a value that cannot be read: {str(error)[:80]}", line
        ) from None
    return plain(loaded.get(key)) if isinstance(loaded, dict) else None


def plain(value: Any) -> Any:
    """A YAML value as JSON could hold it: mapping keys as text, sets and pairs as lists, other
    scalars (bytes, dates given with an explicit tag) as text. Nesting is at most
    ``MAX_DEPTH`` (checked before construction)."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else str(value)
        )
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
