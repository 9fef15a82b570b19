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

from .entries import PageData, fast_rows, type_name
from .errors import NotAPage, PageError, UnsafeYaml
from .frontmatter import decode_value, front_matter_lines, split_fields
from .rows import TARBALL, SpecRow, make_row
from .spackdb import spec_file_hash
from .specstring import parse_spec_string
from .untrusted import file_kind

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
        fields = split_fields(front_matter_lines(text))
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
    fields = split_fields(lines)
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
