"""Parse one build cache page: Jekyll front matter with ``meta`` and ``spec_details``.

Speed matters: a 1M-spec corpus is ~460 MB of pages. The values on the page are written one per
line and are JSON in every era, so each line goes to ``json.loads`` first (~500x faster than
``yaml.safe_load``). Only a value that is not JSON (``categories: [package, develop]``, legacy
block lists) goes to PyYAML's C safe loader, and a legacy block that is not even valid YAML goes
to a tolerant line reader. YAML is never loaded unsafely, and aliases are refused (a "billion
laughs" page would otherwise expand when walked).
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any, Optional

import yaml

from .entries import PageData, fast_rows, type_name
from .errors import NotAPage, PageError, UnsafeYaml
from .rows import TARBALL, SpecRow, make_row
from .spackdb import spec_file_hash
from .specstring import parse_spec_string
from .untrusted import file_kind

try:  # libyaml is there on every mainstream platform; the pure-Python loader is the fallback
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

MAX_INT_DIGITS = 100  # a longer integer stays text (int() refuses over 4,300 digits anyway)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _int_or_text(text: str) -> Any:
    """A JSON integer, or its text when it is absurdly long."""
    return int(text) if len(text) <= MAX_INT_DIGITS else text


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

_PLAIN = re.compile(r"[A-Za-z_][\w.\-]*")
_FLOW_WORDS = re.compile(r"\[([\w.\- ,]*)\]")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
MAX_DEPTH = 64
# One decoder for every value: json.loads(text, strict=False) builds a new one per call.
# Not strict: raw control characters inside strings are data too.
# Integers too long for int() (over 4,300 digits) stay text: a value, not a crash.
_JSON = json.JSONDecoder(strict=False, parse_int=_int_or_text)


# -- front matter -----------------------------------------------------------------------------


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
    first_cr = text.find("\r")
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


def _split_fields(lines: list[str]) -> Fields:
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
    if _PLAIN.fullmatch(stripped) and stripped.lower() not in _YAML_WORDS:
        return stripped
    words = _FLOW_WORDS.fullmatch(stripped)
    if words and all(_PLAIN.fullmatch(w.strip()) for w in words.group(1).split(",") if w.strip()):
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


# -- legacy pages -----------------------------------------------------------------------------

SPEC_FILE_LIMIT = 4 << 20  # a legacy spec file is a few kB; never read a huge one whole
_LEGACY_PAIR = re.compile(r"""\s*-\s*(["'])(?P<spec>.*)\1\s*:\s*(?P<file>\S+)\s*$""")
_LEGACY_ITEM = re.compile(r"""\s*-\s*(?:(["'])(?P<quoted>.*)\1|(?P<plain>\S.*?))\s*$""")


def _tolerant_block(text: str) -> list[Any]:
    """Read a legacy block list line by line, for pages that are not valid YAML (a quoted key
    that itself holds quotes, like ``fflags="-qzerosize"``)."""
    items: list[Any] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        pair = _LEGACY_PAIR.match(line)
        if pair:
            items.append({pair.group("spec"): pair.group("file")})
            continue
        item = _LEGACY_ITEM.match(line)
        if item:
            items.append(
                item.group("quoted") if item.group("quoted") is not None else item.group("plain")
            )
    return items


def _spec_file_hash(directory: str, name: str, listing: set[str], page: PageData) -> str:
    """The hash from a sibling ``spec-N.json``, when the mirror kept it ("" otherwise: the spec
    is still listed, installed by its spec string). Only a regular file is opened (stat first,
    then non-blocking); anything else is reported against its own path."""
    if not isinstance(name, str) or name not in listing:
        return ""
    path = os.path.join(directory, name)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            page.elsewhere.append((path, f"{file_kind(info.st_mode)}, not a file; skipped"))
            return ""
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return ""
            data = os.read(handle, SPEC_FILE_LIMIT)
        finally:
            os.close(handle)
        document = json.loads(data)
    except (OSError, ValueError, RecursionError):
        return ""
    try:
        return spec_file_hash(document)
    except PageError:
        return ""


def _legacy_rows(fields: dict, values: dict, path: str, page: PageData) -> list[SpecRow]:
    files = values.get("spec_files")
    names = values.get("spec_names")
    if not isinstance(files, list):
        raise PageError(f"spec_files is {type_name(files)}, not a list", fields["spec_files"][0])
    pairs: list[tuple[str, Any]] = []
    if isinstance(names, list):
        if len(names) != len(files):
            page.warn(f"spec_names has {len(names)} entries but spec_files has {len(files)}")
        pairs = [(str(n), f) for n, f in zip(names, files)]
    else:
        for number, item in enumerate(files, start=1):
            if isinstance(item, dict) and len(item) == 1:
                spec, file = next(iter(item.items()))
                pairs.append((str(spec), file))
            else:
                page.warn(f"spec {number}: not a 'spec string: spec file' pair; skipped")
    directory = os.path.dirname(path)
    try:
        listing = {n for n in os.listdir(directory) if n.startswith("spec")} if directory else set()
    except OSError:
        listing = set()
    rows: list[SpecRow] = []
    for number, (spec_text, file) in enumerate(pairs, start=1):
        parsed = parse_spec_string(spec_text)
        if parsed.leftover:
            page.warn(f"spec {number}: could not read {parsed.leftover[:40]!r} in the spec string")
        if parsed.name and page.title and parsed.name != page.title:
            page.warn(f"spec {number}: names package {parsed.name!r}, the page is {page.title!r}")
        rows.append(make_row(
            _spec_file_hash(directory, file, listing, page),
            (parsed.version,) if parsed.version else (),
            parsed.compiler or "none",
            parsed.os,
            parsed.platform,
            parsed.target,
            parsed.variants,
        ))  # fmt: skip
    return rows


# -- the page ---------------------------------------------------------------------------------


def _tag_of(values: dict, page_warn) -> str:
    categories = values.get("categories")
    if categories is None:
        return "legacy"
    if isinstance(categories, str):
        categories = categories.split()
    if not isinstance(categories, list):
        page_warn(f"categories is {type_name(categories)}, not a list; tag set to 'legacy'")
        return "legacy"
    tags = [str(c) for c in categories if c != "package"]
    if not tags:
        page_warn("categories names no tag; tag set to 'legacy'")
        return "legacy"
    return tags[-1]


def page_tag(text: str) -> Optional[str]:
    """The tag a page's specs get (from ``categories``), reading only its front matter's
    small fields; None when it is not a page or says nothing usable."""
    try:
        fields = _split_fields(front_matter_lines(text))
        values = {key: decode_value(key, fields[key][1], fields[key][0])
                  for key in ("categories", "category") if key in fields}  # fmt: skip
    except PageError:
        return None
    if "categories" not in values and "category" not in values:
        return None
    tag = _tag_of(values, lambda _message: None)
    return tag or None


def parse_page(text: str, path: str = "") -> PageData:
    """Parse one page's text. Raises ``NotAPage`` or ``PageError`` with a plain reason."""
    lines = front_matter_lines(text)
    fields = _split_fields(lines)
    if "layout" not in fields:
        raise NotAPage("front matter has no layout (not a build cache page)", 2)
    layout = decode_value("layout", fields["layout"][1], fields["layout"][0])
    if layout != "cache":
        raise NotAPage(f"layout is {str(layout)[:40]!r}, not 'cache'", fields["layout"][0])

    page = PageData(title="", tag="", era="B", meta={}, specs=[])
    for key in fields.duplicates:
        page.warn(f"{key} is given more than once; the last one is used")
    values: dict[str, Any] = {}
    for key in (
        "title",
        "categories",
        "category",
        "meta",
        "spec_details",
        "spec_files",
        "spec_names",
    ):
        if key not in fields:
            continue
        line, raw = fields[key]
        try:
            values[key] = decode_value(key, raw, line)
        except UnsafeYaml:
            raise
        except PageError as error:
            if key in ("spec_files", "spec_names") and "\n" in raw:
                values[key] = _tolerant_block(raw)
                page.warn(f"{key} is not valid YAML (line {error.line}); read line by line")
            elif key in ("title", "categories", "category", "meta"):
                page.warn(f"{key} (line {error.line}) {error.reason}; ignored")
            else:
                raise

    meta = values.get("meta")
    if meta is None:
        page.warn("meta is missing")
    elif not isinstance(meta, dict):
        page.warn(f"meta is {type_name(meta)}, not a mapping; ignored")
    else:
        page.meta = meta
    title = values.get("title")
    if isinstance(title, (int, float)) and not isinstance(title, bool):
        title = fields["title"][1].strip().strip("'\"")  # a number as written: 2048, 1.10
    if not isinstance(title, str) or not title.strip():
        title = os.path.basename(os.path.dirname(path)) or os.path.basename(path)
        page.warn(f"title is missing or not text; package named {title!r} after the path")
    page.title = title
    page.tag = _tag_of(values, page.warn)

    if "spec_details" in values:
        details = values["spec_details"]
        if not isinstance(details, list):
            raise PageError(
                f"spec_details is {type_name(details)}, not a list", fields["spec_details"][0]
            )
        page.specs = fast_rows(details, page)
        page.era = "A" if any(row[TARBALL] for row in page.specs) else "B"
    elif "spec_files" in values:
        page.era = "legacy"
        page.specs = _legacy_rows(fields, values, path, page)
    else:
        raise PageError("page has neither spec_details nor spec_files", None)
    return page
