"""The query language of the filter box and ``--query``. UI-free.

Tokens are ANDed, in any order::

    /abc12        hash prefix            @1.0 / @=1.0 / @1:2   version, Spack's meaning
    %gcc, %gcc@13 compiler               os= target= platform= stack= tag= package=  exact
    +mpi ~mpi     boolean variant        build_system=cmake    any other key: a variant
    key=val*      prefix match           !token                negation
    word          package names containing it; else any column containing it; else the
                  closest package names (rapidfuzz)

Each token is evaluated once per *distinct value* of its column and broadcast to the specs
through the column's codes, so a query over a million specs costs a few milliseconds.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from .catalog import Catalog
from .model import parse_compiler, version_satisfies
from .search import FUZZY_HASH_MIN, find_hashes

# key= aliases onto catalog columns
FIELD_KEYS = {
    "os": "os",
    "target": "target",
    "platform": "platform",
    "stack": "stacks",
    "stacks": "stacks",
    "tag": "tag",
    "package": "package",
    "name": "package",
    "version": "versions",
    "compiler": "compiler",
    "hash": "hash",
}
FREE_TEXT_COLUMNS = (
    "package",
    "versions",
    "compiler",
    "os",
    "platform",
    "target",
    "variants",
    "stacks",
    "tag",
)
_VARIANT_FLAG = re.compile(r"[+~][A-Za-z0-9_][A-Za-z0-9_.\-]*")
_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
FUZZY_LIMIT = 5
FUZZY_CUTOFF = 60


class QueryError(ValueError):
    """A token that cannot be understood; the message is one line for the status bar."""


@dataclass
class Token:
    kind: str  # hash, version, compiler, field, variant, flag, word
    text: str
    negated: bool = False
    key: str = ""
    value: str = ""


@dataclass
class Query:
    tokens: list[Token] = field(default_factory=list)
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.tokens)


@dataclass
class QueryResult:
    mask: np.ndarray
    notes: list[str] = field(default_factory=list)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote: split plainly rather than fail on every keystroke
        return text.split()


def parse_query(text: str) -> Query:
    tokens: list[Token] = []
    for raw in _split(text):
        negated = raw.startswith("!")
        body = raw[1:] if negated else raw
        if not body:
            raise QueryError(f"'{raw}': nothing after '!'")
        tokens.extend(_parse_token(raw, body, negated))
    return Query(tokens, text)


def _parse_token(raw: str, body: str, negated: bool) -> list[Token]:
    head = body[0]
    if head == "/":
        value = body[1:].lower()
        if not value:
            raise QueryError(f"'{raw}': a hash prefix needs characters after '/'")
        return [Token("hash", raw, negated, value=value)]
    if head == "@":
        if len(body) < 2 or body == "@=":
            raise QueryError(f"'{raw}': a version needs a value after '@'")
        return [Token("version", raw, negated, value=body[1:])]
    if head == "%":
        name, _, version = body[1:].partition("@")
        if not name:
            raise QueryError(f"'{raw}': a compiler needs a name after '%'")
        return [Token("compiler", raw, negated, key=name.lower(), value=version)]
    if head in "+~":
        flags = _VARIANT_FLAG.findall(body)
        if "".join(flags) != body:
            raise QueryError(f"'{raw}': not a variant (expected +name or ~name)")
        return [Token("flag", raw, negated, value=flag) for flag in flags]
    if "=" in body:
        key, _, value = body.partition("=")
        key = key.rstrip(":")
        value = value.lstrip("=")
        if not key or not _KEY.fullmatch(key):
            raise QueryError(f"'{raw}': expected key=value")
        if not value:
            raise QueryError(f"'{raw}': no value after '='")
        kind = "field" if key.lower() in FIELD_KEYS else "variant"
        return [Token(kind, raw, negated, key=key.lower() if kind == "field" else key, value=value)]
    return [Token("word", raw, negated, value=body.lower())]


def _matcher(value: str) -> Callable[[str], bool]:
    """Exact match, or prefix match for a trailing ``*``."""
    if value.endswith("*"):
        prefix = value[:-1]
        return lambda v: v.startswith(prefix)
    return lambda v: v == value


def _variant_values(catalog: Catalog) -> set[str]:
    return {v for combo in catalog.columns["variants"][1] for v in combo}


def _known_variant_keys(catalog: Catalog) -> set[str]:
    keys = set()
    for variant in _variant_values(catalog):
        if variant[:1] not in "+~":
            keys.add(variant.split("=", 1)[0].rstrip(":"))
    return keys


class Evaluator:
    """Evaluates queries against one catalog (caches what does not depend on the query)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._variant_keys: Optional[set[str]] = None
        self._lower_tables: dict[str, list[str]] = {}

    def variant_keys(self) -> set[str]:
        if self._variant_keys is None:
            self._variant_keys = _known_variant_keys(self.catalog)
        return self._variant_keys

    def _lower(self, column: str) -> list[str]:
        table = self._lower_tables.get(column)
        if table is None:
            values = self.catalog.columns[column][1]
            table = [(" ".join(v) if isinstance(v, tuple) else v).lower() for v in values]
            self._lower_tables[column] = table
        return table

    def _text_mask(self, column: str, word: str) -> np.ndarray:
        codes, _ = self.catalog.columns[column]
        lut = np.fromiter((word in v for v in self._lower(column)), dtype=bool)
        if not len(lut):
            return np.zeros(len(self.catalog), dtype=bool)
        return lut[codes]

    def validate(self, query: Query) -> None:
        """Raise ``QueryError`` for a key that names neither a field nor a loaded variant."""
        for token in query.tokens:
            if token.kind == "variant" and token.key not in self.variant_keys():
                raise QueryError(
                    f"unknown key '{token.key}' (keys: {', '.join(sorted(set(FIELD_KEYS)))},"
                    " or a variant name)"
                )

    def evaluate(self, query: Query, base: Optional[np.ndarray] = None) -> QueryResult:
        self.validate(query)
        catalog = self.catalog
        mask = np.ones(len(catalog), dtype=bool) if base is None else base.copy()
        notes: list[str] = []
        for token in query.tokens:
            token_mask = self._token_mask(token, notes)
            if token.negated:
                mask &= ~token_mask
            else:
                mask &= token_mask
        return QueryResult(mask, notes)

    def _token_mask(self, token: Token, notes: list[str]) -> np.ndarray:
        catalog = self.catalog
        kind, value = token.kind, token.value
        if kind == "hash":
            mask = np.zeros(len(catalog), dtype=bool)
            ids = catalog.by_hash_prefix(value)
            if not len(ids) and len(value) >= FUZZY_HASH_MIN and not token.negated:
                ids = [hit.spec_id for hit in find_hashes(catalog, value, limit=None)]
                if ids:
                    notes.append(f"no hash starts with '{value}': {len(ids)} one edit away")
            mask[ids] = True
            return mask
        if kind == "version":
            return catalog.mask_where(
                "versions", lambda vs: any(version_satisfies(v, value) for v in vs)
            )
        if kind == "compiler":
            return catalog.mask_where("compiler", lambda c: _compiler_matches(c, token.key, value))
        if kind == "flag":
            return catalog.mask_where("variants", lambda vs: value in vs)
        if kind == "variant":
            match = _matcher(value)
            key = token.key

            def variant_matches(variants: tuple[str, ...]) -> bool:
                for variant in variants:
                    name, eq, val = variant.partition("=")
                    if eq and name.rstrip(":") == key and match(val.lstrip("=")):
                        return True
                return False

            return catalog.mask_where("variants", variant_matches)
        if kind == "field":
            return self._field_mask(token.key, value)
        return self._word_mask(token, notes)

    def _field_mask(self, key: str, value: str) -> np.ndarray:
        catalog = self.catalog
        column = FIELD_KEYS[key]
        if column == "hash":
            return self._token_mask(Token("hash", value, value=value.rstrip("*").lower()), [])
        if column == "versions":
            return self._token_mask(Token("version", value, value=value), [])
        match = _matcher(value)
        if column == "compiler":
            return catalog.mask_where(
                "compiler", lambda c: match(c) or match(parse_compiler(c).normalized)
            )
        if column == "stacks":
            return catalog.mask_where("stacks", lambda stacks: any(match(s) for s in stacks))
        return catalog.mask_where(column, match)

    def _word_mask(self, token: Token, notes: list[str]) -> np.ndarray:
        word = token.value
        mask = self._text_mask("package", word)
        if mask.any():
            return mask
        mask = np.zeros(len(self.catalog), dtype=bool)
        for column in FREE_TEXT_COLUMNS[1:]:
            mask |= self._text_mask(column, word)
        short = np.zeros(len(self.catalog), dtype=bool)
        short[self.catalog.by_hash_prefix(word)] = True
        mask |= short
        if mask.any():
            notes.append(f"no package name contains '{word}': matched it in any column")
            return mask
        names = self.closest_names(word)
        if names:
            notes.append(f"no package name contains '{word}': closest are {', '.join(names)}")
            return self.catalog.mask_where("package", lambda name: name in names)
        notes.append(f"nothing matches '{word}'")
        return mask

    def closest_names(self, word: str, limit: int = FUZZY_LIMIT) -> list[str]:
        from rapidfuzz import fuzz, process, utils

        names = self.catalog.columns["package"][1]
        found = process.extract(
            word, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit,
            score_cutoff=FUZZY_CUTOFF,
        )  # fmt: skip
        return [name for name, _score, _index in found]


def _compiler_matches(compiler: str, name: str, version: str) -> bool:
    info = parse_compiler(compiler)
    if info.name.lower() != name and not (name == "none" and not info.name):
        return False
    return not version or version_satisfies(info.version, version)


def run_query(
    catalog: Catalog, text: str, base: Optional[np.ndarray] = None
) -> tuple[np.ndarray, list[str]]:
    """Parse and evaluate ``text``; returns the matching ids and notes for the status line."""
    result = Evaluator(catalog).evaluate(parse_query(text), base)
    return np.flatnonzero(result.mask), result.notes


# The query language in one table, (token, meaning): the help screen lists it, and the README's
# query table says the same at more length.
SYNTAX: tuple[tuple[str, str], ...] = (
    (
        "word",
        "package names containing it; if none, any column containing it; else the closest names",
    ),
    ("/abc12", "hash prefix, any length"),
    ("@1.0  @=1.0  @1.2:1.4", "version as Spack means it: 1.0 and 1.0.x; exactly 1.0; a range"),
    (
        "%gcc  %gcc@13",
        "compiler, optionally with a version (gcc@13.2.0 and gcc@=13.2.0 both match)",
    ),
    ("os=  target=  platform=", "exact value; a trailing * makes it a prefix: os=ubuntu*"),
    ("stack=  tag=  package=", "exact value, or prefix with *: stack=e4s*"),
    ("+mpi  ~mpi", "boolean variant on or off"),
    ("build_system=cmake", "any other key=value: a variant"),
    ("!token", "negate a token: !stack=e4s"),
)
