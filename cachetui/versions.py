"""Spack's version order and version constraints (``@1.2``, ``@=1.2``, ``@1.2:1.4``, lists,
git refs), for matching the concrete versions found in build caches. UI-free.

A version is split the way Spack splits it: runs of digits and runs of letters, with ``.``,
``-`` and ``_`` as equivalent separators; a trailing ``alpha``/``beta``/``rc`` (with an
optional number) is a pre-release and sorts before the release. Every part becomes a small
tuple whose first item says its kind, so whole versions compare as plain Python tuples:

- a word: ``(0, word)``, below every number;
- a number: ``(1, length, digits)`` with leading zeros stripped, so ``0001 == 1`` and a
  5,000-digit number compares without ``int()`` (CPython refuses long digit strings);
- an infinity word (``stable`` < ``nightly`` < ``trunk`` < ``head`` < ``master`` < ``main`` <
  ``develop``): ``(2, rank)``, above every number.

Spack reads ``@1.2`` as the range ``1.2:1.2``, and a range's upper end as "up to the next
version after it": ``1.2:1.4`` is ``[1.2, 1.5)``, so it holds 1.4.x and ``@1.2`` holds 1.2.x
but not 1.20. Versions in a cache are concrete, so a version *satisfies* a constraint when
it lies in it; Spack's "intersects" never applies here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Tuple, Union

#: Spack's infinity versions, lowest first: each is above every number.
INFINITY_WORDS = ("stable", "nightly", "trunk", "head", "master", "main", "develop")
_INFINITY_RANK = {word: rank for rank, word in enumerate(INFINITY_WORDS)}

ALPHA, BETA, RC, FINAL = 0, 1, 2, 3
# "final" is in Spack's table too: ``1.2final`` is the release 1.2.
_PRERELEASE = {"alpha": ALPHA, "beta": BETA, "rc": RC, "final": FINAL}

_SEGMENT = re.compile(r"(?:([0-9]+)|([a-zA-Z]+))[_.-]*")
_VALID = re.compile(r"[A-Za-z0-9_.-][=A-Za-z0-9_.-]*\Z")
_COMMIT = re.compile(r"[0-9a-f]{40}\Z")

Part = Tuple[Union[int, str], ...]
#: ``(release parts, pre-release)``; the pre-release is ``(FINAL,)`` for a release.
Key = Tuple[Tuple[Part, ...], Tuple[object, ...]]


class VersionError(ValueError):
    """A version constraint that cannot be understood; the message is one line."""


def _number(digits: str) -> tuple[int, str]:
    stripped = digits.lstrip("0")
    return len(stripped), stripped


def _word(word: str) -> Part:
    rank = _INFINITY_RANK.get(word)
    return (0, word) if rank is None else (2, rank)


def _key(text: str) -> Key:
    """The order key of one standard (not git) version; never raises: junk is skipped."""
    segments = _SEGMENT.findall(text)
    pre: tuple[object, ...] = (FINAL,)
    # <version>(alpha|beta|rc)<number>, then <version>(alpha|beta|rc), as Spack tests them
    if len(segments) >= 3 and segments[-2][1] in _PRERELEASE and segments[-1][0]:
        pre = (_PRERELEASE[segments[-2][1]], _number(segments[-1][0]))
        segments = segments[:-2]
    elif len(segments) >= 2 and segments[-1][1] in _PRERELEASE:
        pre = (_PRERELEASE[segments[-1][1]],)
        segments = segments[:-1]
    release = tuple((1, *_number(num)) if num else _word(word) for num, word in segments)
    return release, pre


def _is_git(text: str) -> bool:
    return text.startswith("git.") or bool(_COMMIT.match(text)) or "=" in text[1:]


@dataclass(frozen=True)
class _Range:
    """``lo <= v < hi``; None is unbounded. ``hi`` is already the version after the upper end."""

    lo: Optional[Key]
    hi: Optional[Key]

    def holds(self, key: Key) -> bool:
        return (self.lo is None or self.lo <= key) and (self.hi is None or key < self.hi)

    def within(self, other: _Range) -> bool:
        """Every version of self is in other (Spack's range satisfies range)."""
        lo_ok = other.lo is None or (self.lo is not None and other.lo <= self.lo)
        hi_ok = other.hi is None or (self.hi is not None and self.hi <= other.hi)
        return lo_ok and hi_ok


@dataclass(frozen=True)
class _Exact:
    key: Key


@dataclass(frozen=True)
class _GitRef:
    """``git.<ref>=<version>`` (assigned) or ``git.<ref>=<range>``/``git.<ref>`` (constrained)."""

    ref: str
    version: Union[_Exact, _Range]


_Item = Union[_Exact, _Range, _GitRef]
_UNBOUNDED = _Range(None, None)


def _incremented(digits: str) -> str:
    """Digit string plus one, without ``int()`` (digits may be thousands long)."""
    body = digits.rstrip("9")
    nines = len(digits) - len(body)
    if not body:
        return "1" + "0" * nines
    return body[:-1] + chr(ord(body[-1]) + 1) + "0" * nines


def _next_word(word: str) -> str:
    # Spack's successor over A-Za-z ('Z' is followed by 'a', 'z' by appending 'A'),
    # skipping the infinity words, which are not plain words.
    while True:
        if not word or word[-1] == "z":
            word += "A"
        else:
            word = word[:-1] + ("a" if word[-1] == "Z" else chr(ord(word[-1]) + 1))
        if word not in _INFINITY_RANK:
            return word


def _next(key: Key) -> Key:
    """The version right after ``key`` in Spack's sense: the last part plus one."""
    release, pre = key
    if pre[0] != FINAL:
        if len(pre) > 1:
            number = pre[1]
            assert isinstance(number, tuple)
            bumped = _incremented(number[1])
            return release, (pre[0], (len(bumped), bumped))
        return release, (pre[0], (0, ""))
    if not release:
        return ((0, "A"),), pre
    last = release[-1]
    if last[0] == 1:
        bumped = _incremented(str(last[2]))
        return release[:-1] + ((1, len(bumped), bumped),), pre
    if last[0] == 2:
        return release[:-1] + ((2, int(last[1]) + 1),), pre
    return release[:-1] + ((0, _next_word(str(last[1]))),), pre


@lru_cache(maxsize=65536)
def _concrete(text: str) -> tuple[int, Key, str, Union[_Exact, _Range]]:
    """A version from the data: ``(rank, key, ref, git constraint)``.

    rank 0: a standard version (ref ""); rank 1: a git ref assigned a version, sorting right
    after that version as in Spack; rank 2: a git ref only constrained to a range, which
    Spack sorts after everything since its version is unknown."""
    text = text.strip()
    if text.startswith("="):
        text = text[1:]
    if not _is_git(text):
        return 0, _key(text), "", _UNBOUNDED
    ref, _, assigned = (text[4:] if text.startswith("git.") else text).partition("=")
    if not assigned:
        return 2, ((), (FINAL,)), ref, _UNBOUNDED
    if ":" in assigned:
        try:
            return 2, ((), (FINAL,)), ref, _range(assigned)
        except VersionError:
            return 2, ((), (FINAL,)), ref, _UNBOUNDED
    key = _key(assigned)
    return 1, key, ref, _Exact(key)


def sort_key(text: str) -> tuple:
    """A total order over version strings, Spack's order; any string, never raises."""
    rank, key, ref, _ = _concrete(text)
    # assigned git refs sort right after the standard version they stand for
    return rank == 2, key, rank, ref


def version_equal(a: str, b: str) -> bool:
    """Spack's equality: ``10.0001 == 10.1`` and ``2.0 == 2_0``."""
    return sort_key(a) == sort_key(b)


def _checked(text: str) -> str:
    if not text or not _VALID.match(text):
        raise VersionError(f"'{text}' is not a version (letters, digits, '.', '-', '_')")
    return text


def _range(text: str) -> _Range:
    lo_text, colon, hi_text = text.partition(":")
    if ":" in hi_text:
        raise VersionError(f"'{text}': a range has one ':'")
    lo = _key(_checked(lo_text)) if lo_text else None
    hi = _next(_key(_checked(hi_text))) if hi_text else None
    # Spack refuses a range whose end is below its start; it lets lo == next(hi) through as
    # an empty range (so '4:3' matches nothing), which we refuse too: it can match nothing.
    if lo is not None and hi is not None and hi <= lo:
        raise VersionError(f"{lo_text}:{hi_text} is an empty range")
    return _Range(lo, hi)


def _git_item(text: str) -> _GitRef:
    ref, eq, assigned = (text[4:] if text.startswith("git.") else text).partition("=")
    if not ref:
        raise VersionError(f"'{text}': a git version needs a ref")
    if not eq:
        return _GitRef(ref, _UNBOUNDED)
    if "=" in assigned or not assigned:
        raise VersionError(f"'{text}': expected git.<ref>=<version>")
    if ":" in assigned:
        return _GitRef(ref, _range(assigned))
    return _GitRef(ref, _Exact(_key(_checked(assigned))))


def _item(text: str) -> _Item:
    if not text:
        raise VersionError("an empty version in a list")
    if text.startswith("="):
        body = text[1:]
        return _git_item(body) if _is_git(body) else _Exact(_key(_checked(body)))
    if _is_git(text):
        return _git_item(text)
    if ":" in text:
        return _range(text)
    key = _key(_checked(text))
    return _Range(key, _next(key))


def _satisfies(item: _Item, rank: int, key: Key, ref: str, git: Union[_Exact, _Range]) -> bool:
    if isinstance(item, _GitRef):
        if rank == 0 or ref != item.ref:
            return False
        wanted = item.version
        if isinstance(git, _Exact):
            return git == wanted if isinstance(wanted, _Exact) else wanted.holds(git.key)
        return isinstance(wanted, _Range) and git.within(wanted)
    if isinstance(item, _Exact):
        # a git ref is never equal to a standard version, as in Spack
        return rank == 0 and key == item.key
    if rank == 2:
        assert isinstance(git, _Range)
        return git.within(item)
    return item.holds(key)


@dataclass(frozen=True)
class VersionConstraint:
    """A parsed ``@...`` constraint: any of its items (a list is a union)."""

    text: str
    items: Tuple[_Item, ...]

    def satisfied_by(self, version: str) -> bool:
        """Whether the concrete version ``version`` (as found in a cache) lies in self."""
        rank, key, ref, git = _concrete(version)
        return any(_satisfies(item, rank, key, ref, git) for item in self.items)

    def __str__(self) -> str:
        return self.text


# A query's version component longer than this is refused (data versions of any length still
# sort and match: they never go through int()).
MAX_COMPONENT_DIGITS = 100
_LONG_COMPONENT = re.compile(rf"[0-9]{{{MAX_COMPONENT_DIGITS + 1},}}")


@lru_cache(maxsize=1024)
def parse_constraint(text: str) -> VersionConstraint:
    """Parse what follows ``@``: ``1.2``, ``=1.2``, ``1.2:1.4``, ``:2``, ``3:``,
    ``1.2,1.4:1.6``, ``git.<ref>=<version>``. Spaces are ignored, as in Spack.
    Raises ``VersionError`` with a one-line message."""
    body = text.replace(" ", "")
    if not body:
        raise VersionError("a version constraint needs a value")
    long = _LONG_COMPONENT.search(body)
    if long is not None:
        raise VersionError(
            f"a version component of {len(long.group())} characters"
            f" (at most {MAX_COMPONENT_DIGITS}) in '{body[:40]}…'"
        )
    items = tuple(_item(part) for part in body.split(","))
    return VersionConstraint(body, items)


def satisfies(version: str, constraint: str) -> bool:
    """Shorthand: whether concrete ``version`` satisfies the constraint text."""
    return parse_constraint(constraint).satisfied_by(version)
