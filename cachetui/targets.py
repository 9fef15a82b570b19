"""Target constraints (``target=zen2``, ``x86_64_v3:``, ``:zen3``, ``zen2,zen3``) the way Spack
reads them, over archspec's partial order of microarchitectures. UI-free.

Spack's ``target=lo:hi`` holds for a target ``t`` when ``lo <= t <= hi`` in archspec's order,
where ``a <= b`` means ``a`` is ``b`` or one of its ancestors (``b`` runs code built for ``a``).
A list is "any of" its items and each item is an exact name or a range. A bare name matches
that name only, as in Spack: ``target=zen2`` does not match ``zen3``.

Target names in the data are untrusted: a name archspec does not know is *unknown* (``None``),
never an exception, and never silently "no" when a range would need archspec to decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import archspec.cpu

# Target names in archspec's table are lowercase words with digits, ``_`` and ``.``
# (``armv8.2a``); anything else in a constraint is a typo or an injection attempt.
_NAME = re.compile(r"[A-Za-z0-9_.]+\Z")
# A per-constraint cache is bounded so a hostile corpus of a million distinct target names
# cannot grow it without limit; real caches hold a few hundred distinct targets.
_CACHE_LIMIT = 65536


class TargetError(ValueError):
    """A malformed target constraint, with a one-line message for the status line."""


def microarchitecture(name: str) -> Optional[archspec.cpu.Microarchitecture]:
    """archspec's microarchitecture called ``name``, or None when archspec does not know it."""
    if not name or name not in archspec.cpu.TARGETS:
        return None
    return archspec.cpu.TARGETS[name]


@lru_cache(maxsize=65536)
def descends(ancestor: str, name: str) -> Optional[bool]:
    """True when ``ancestor <= name`` in archspec's order (equal, or one of its ancestors):
    a ``name`` CPU runs code built for ``ancestor``. None when either name is unknown."""
    low, high = microarchitecture(ancestor), microarchitecture(name)
    if low is None or high is None:
        return None
    return low.name == high.name or any(a.name == low.name for a in high.ancestors)


@dataclass(frozen=True)
class TargetRange:
    """One item of a constraint: an exact name (``low == high``, ``exact``) or a range whose
    open end is None."""

    low: Optional[str]
    high: Optional[str]
    exact: bool = False

    def contains(self, name: str) -> Optional[bool]:
        if self.exact:
            # Spack compares exact names as strings: decidable even for unknown names.
            return name == self.low
        verdicts = []
        if self.low is not None:
            verdicts.append(descends(self.low, name))
        if self.high is not None:
            verdicts.append(descends(name, self.high))
        if False in verdicts:
            return False
        if None in verdicts:
            return None
        return True

    def __str__(self) -> str:
        if self.exact:
            return self.low or ""
        return f"{self.low or ''}:{self.high or ''}"


class TargetConstraint:
    """A parsed ``target=`` value; ``contains(name)`` is cached per distinct name."""

    def __init__(self, text: str, items: tuple[TargetRange, ...]) -> None:
        self.text = text
        self.items = items
        self._cache: dict[str, Optional[bool]] = {}

    def contains(self, name: str) -> Optional[bool]:
        """True when a ``name`` target satisfies the constraint, False when it does not, None
        when archspec cannot tell (``name`` is not in its table and only a range could match)."""
        try:
            return self._cache[name]
        except KeyError:
            pass
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        verdict: Optional[bool] = False
        for item in self.items:
            answer = item.contains(name)
            if answer:
                verdict = True
                break
            if answer is None:
                verdict = None
        self._cache[name] = verdict
        return verdict

    def __str__(self) -> str:
        return ",".join(str(item) for item in self.items)

    def __repr__(self) -> str:
        return f"TargetConstraint({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TargetConstraint) and self.items == other.items

    def __hash__(self) -> int:
        return hash(self.items)


def _known_bound(name: str, text: str) -> str:
    if not _NAME.match(name):
        raise TargetError(f"bad target name {name!r} in target={text}")
    if microarchitecture(name) is None:
        raise TargetError(f"unknown target {name!r} in a range (not in archspec's table)")
    return name


def _parse_item(item: str, text: str) -> TargetRange:
    if item.count(":") > 1:
        raise TargetError(f"more than one ':' in {item!r}")
    if ":" not in item:
        if not _NAME.match(item):
            raise TargetError(f"bad target name {item!r} in target={text}")
        return TargetRange(item, item, exact=True)
    low_text, _, high_text = (part.strip() for part in item.partition(":"))
    if not low_text and not high_text:
        raise TargetError("a range needs at least one end: 'x86_64_v3:' or ':zen3'")
    # A range is only meaningful in archspec's order, so both ends must be known to it.
    low = _known_bound(low_text, text) if low_text else None
    high = _known_bound(high_text, text) if high_text else None
    if low is not None and high is not None and not descends(low, high):
        raise TargetError(f"empty range {item}: {high} does not descend from {low}")
    return TargetRange(low, high)


@lru_cache(maxsize=1024)
def parse_target_constraint(text: str) -> TargetConstraint:
    """Parse a ``target=`` value: ``zen2``, ``x86_64_v3:``, ``:zen3``, ``haswell:zen3``, or a
    comma list of those. Raises TargetError for malformed input. Cached: a filter typed again
    reuses its per-name verdicts."""
    stripped = text.strip()
    if not stripped:
        raise TargetError("empty target constraint")
    items = []
    for raw in stripped.split(","):
        item = raw.strip()
        if not item:
            raise TargetError(f"empty item in target={stripped}")
        items.append(_parse_item(item, stripped))
    return TargetConstraint(stripped, tuple(items))
