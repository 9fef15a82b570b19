"""Spec entries of a page's ``spec_details``, checked and turned into spec rows. UI-free.

The hot path of a load (a million entries for a big corpus): ``fast_rows`` takes an entry whose
every field has the expected type at full speed; anything else goes through ``_spec_row``,
which repairs what has a plain meaning and says what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Optional

from .rows import SpecRow, make_row

HASH_RE = re.compile(r"[a-z2-7]{32}")
_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_SIZE = 2**63 - 1  # the builder keeps sizes as int64
MAX_ISSUES_KEPT = 20


class _SkipSpec(Exception):
    pass


@dataclass
class PageData:
    title: str
    tag: str
    era: str  # "A", "B" or "legacy"
    meta: dict[str, Any]
    specs: list[SpecRow]
    warnings: list[str] = field(default_factory=list)
    issue_count: int = 0
    # Problems of other files the page led to (a sibling spec file that is a FIFO): (path, why)
    elsewhere: list[tuple[str, str]] = field(default_factory=list)
    # The fast path's meta, as its JSON text (``meta`` then holds only the counts it gives).
    meta_text: Optional[str] = None

    def warn(self, message: str) -> None:
        self.issue_count += 1
        if len(self.warnings) < MAX_ISSUES_KEPT:
            self.warnings.append(message)


def type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def _as_text(entry: dict, key: str, number: int, page: PageData, required: bool = True) -> str:
    value = entry.get(key)
    if type(value) is str:
        return value
    if value is None:
        if required:
            page.warn(f"spec {number}: {key} is {'null' if key in entry else 'missing'}")
        return ""
    if isinstance(value, (int, float)):
        page.warn(f"spec {number}: {key} is a number ({value!r}), read as text")
        return str(value)
    raise _SkipSpec(f"spec {number}: {key} is {type_name(value)}, not text")


def _all_text(items: tuple) -> bool:
    return all(type(item) is str for item in items)


def _as_list(entry: dict, key: str, number: int, page: PageData) -> tuple[str, ...]:
    value = entry.get(key)
    if type(value) is list:
        try:
            clean = _checked(tuple(value))
        except TypeError:  # unhashable items (mappings, lists)
            clean = None
        if clean is not None:
            return clean
        items = []
        for item in value:
            if isinstance(item, str):
                items.append(item)
            elif isinstance(item, (int, float)) or item is None:
                page.warn(f"spec {number}: {key} has a {type_name(item)} item, read as text")
                items.append("" if item is None else str(item))
            else:
                raise _SkipSpec(f"spec {number}: {key} has {type_name(item)} item")
        return tuple(items)
    if value is None:
        if key not in entry:
            page.warn(f"spec {number}: {key} is missing")
        return ()
    if isinstance(value, (str, int, float)):
        page.warn(f"spec {number}: {key} is {type_name(value)}, not a list; read as one item")
        return (str(value),)
    raise _SkipSpec(f"spec {number}: {key} is {type_name(value)}, not a list")


def _as_size(entry: dict, number: int, page: PageData) -> Optional[int]:
    value = entry.get("size", "-")
    if value == "-" or value is None:
        return None
    if type(value) is int and 0 <= value <= MAX_SIZE:
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):  # ASCII digits: not '²'
        size = int(value.strip())
        if size <= MAX_SIZE:
            return size
    page.warn(f"spec {number}: size {str(value)[:40]!r} is not a byte count; shown as unknown")
    return None


def _spec_row(entry: Any, number: int, page: PageData) -> Optional[SpecRow]:
    if type(entry) is not dict:
        page.warn(f"spec {number}: is {type_name(entry)}, not a mapping; skipped")
        return None
    try:
        hash_ = _as_text(entry, "hash", number, page, required=False)
        if "hash" not in entry:
            page.warn(f"spec {number}: hash is missing")
        elif hash_ and not HASH_RE.fullmatch(hash_):
            page.warn(f"spec {number}: hash {hash_[:40]!r} is not a 32-character Spack hash")
        tarball = entry.get("tarball")
        if tarball is not None and type(tarball) is not str:
            page.warn(f"spec {number}: tarball is {type_name(tarball)}, not text; dropped")
            tarball = None
        return make_row(
            hash_,
            _as_list(entry, "versions", number, page),
            _as_text(entry, "compiler", number, page),
            _as_text(entry, "os", number, page),
            _as_text(entry, "platform", number, page),
            _as_text(entry, "target", number, page),
            _as_list(entry, "variants", number, page),
            stacks=_as_list(entry, "stacks", number, page),
            size=_as_size(entry, number, page),
            tarball=tarball,
        )
    except _SkipSpec as skip:
        page.warn(f"{skip}; skipped")
        return None


_ROW_FIELDS = itemgetter(
    "hash", "compiler", "os", "platform", "target", "versions", "variants", "stacks"
)
# Validated item tuples, shared by every spec that has the same ones (the builder interns them
# anyway; this saves re-checking each item of each spec).
_checked_items: dict[tuple, tuple] = {}


def _checked(items: tuple) -> Optional[tuple]:
    """``items`` (one shared copy) if all are text; None if some are not (the slow path says
    which). Raises TypeError for unhashable items."""
    known = _checked_items.get(items)
    if known is None:
        if not _all_text(items):
            return None
        if len(_checked_items) > 200_000:
            _checked_items.clear()
        known = _checked_items.setdefault(items, items)
    return known


def fast_rows(details: list, page: PageData) -> list[SpecRow]:
    """The common case, every field of the expected type, at full speed; anything else goes
    through ``_spec_row``, which explains what is wrong."""
    rows: list[SpecRow] = []
    append = rows.append
    hash_ok = HASH_RE.fullmatch
    known = _checked_items.get
    for number, entry in enumerate(details, start=1):
        try:
            h, c, o, p, t, vs, va, st = _ROW_FIELDS(entry)
            size, tarball = entry.get("size", "-"), entry.get("tarball")
            if (
                type(h) is str and type(c) is str and type(o) is str and type(p) is str
                and type(t) is str and type(vs) is list and type(va) is list
                and type(st) is list and (size == "-" or size is None)
                and (tarball is None or type(tarball) is str) and hash_ok(h)
            ):  # fmt: skip
                vs, va, st = tuple(vs), tuple(va), tuple(st)
                vs = known(vs) or _checked(vs)
                va = known(va) or _checked(va)
                st = known(st) or _checked(st)
                if vs is not None and va is not None and st is not None:
                    # rows.make_row's order, as a tuple display: the cheapest build per spec
                    append((h, vs, c, o, p, t, va, st, None, tarball))
                    continue
        except (KeyError, TypeError, AttributeError):
            pass
        row = _spec_row(entry, number, page)
        if row is not None:
            append(row)
    return rows
