"""Evaluating the query language (``querysyntax``) against a catalog: one evaluator for the
filter box and ``--query``. UI-free.

Each token is evaluated once per *distinct value* of its column and broadcast to the specs
through the column's codes, so a query over a million specs costs a few milliseconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from .cancel import CancelCheck, check, never
from .catalog import Catalog
from .host import Host, detect_host, runs_codes
from .model import parse_compiler
from .querysyntax import (
    CLOSURE_VALUES,
    FIELD_KEYS,
    RUNS_VALUES,
    Query,
    QueryError,
    Token,
    parse_query,
)
from .schema import CODED
from .search import FUZZY_HASH_MIN, find_hashes
from .specsyntax import SpecToken

# Where a word is looked for: package names first, then every other text column.
FREE_TEXT_COLUMNS = ("package", *CODED, "tag")
FUZZY_LIMIT = 5
FUZZY_CUTOFF = 60


@dataclass
class QueryResult:
    mask: np.ndarray
    notes: list[str] = field(default_factory=list)


def _matcher(value: str) -> Callable[[str], bool]:
    """Exact match, or prefix match for a trailing ``*``."""
    if value.endswith("*"):
        prefix = value[:-1]
        return lambda v: v.startswith(prefix)
    return lambda v: v == value


def _variant_values(catalog: Catalog) -> set[str]:
    return {v for combo in catalog.column("variants").values for v in combo}


def _known_variant_keys(catalog: Catalog) -> set[str]:
    """Every variant name in the data: ``key`` of ``key=value`` and ``x`` of ``+x``/``~x``
    (``x=True`` is Spack's spelling of ``+x``)."""
    keys = set()
    for variant in _variant_values(catalog):
        if variant[:1] in "+~" and "=" not in variant:
            keys.add(variant[1:])
        else:
            keys.add(variant.split("=", 1)[0].rstrip(":"))
    return keys


class Evaluator:
    """Evaluates queries against one catalog (caches what does not depend on the query)."""

    def __init__(
        self, catalog: Catalog, host: Optional[Host] = None, installed: Optional[frozenset] = None
    ) -> None:
        self.catalog = catalog
        self._host = host  # the machine ``runs=`` judges against; this one when None
        # The full hashes installed in the user's Spack; None when not known (``installed=``).
        self.installed = installed
        self._installed_mask: Optional[np.ndarray] = None
        self._runs: Optional[np.ndarray] = None
        self._closure: Optional[np.ndarray] = None
        # One computation of the closures (~0.45 s at 100k specs) even when the browser's
        # warm-up and a query's worker ask at once: the second waits for the first.
        self._closure_lock = threading.Lock()
        self._variant_keys: Optional[set[str]] = None
        self._lower_tables: dict[str, list[str]] = {}

    def variant_keys(self) -> set[str]:
        if self._variant_keys is None:
            self._variant_keys = _known_variant_keys(self.catalog)
        return self._variant_keys

    def _lower(self, column: str) -> list[str]:
        table = self._lower_tables.get(column)
        if table is None:
            values = self.catalog.column(column).values
            table = [(" ".join(v) if isinstance(v, tuple) else v).lower() for v in values]
            self._lower_tables[column] = table
        return table

    def _text_mask(self, column: str, word: str) -> np.ndarray:
        lut = np.fromiter((word in v for v in self._lower(column)), dtype=bool)
        return self.catalog.column(column).broadcast(lut)

    def validate(self, query: Query) -> None:
        """Raise ``QueryError`` for a key that names neither a field nor a loaded variant."""
        for token in query.tokens:
            variant = token.kind == "variant_prefix" or (token.kind == "spec" and token.key)
            if variant and token.key != "arch" and token.key not in self.variant_keys():
                raise QueryError(
                    f"unknown key '{token.key}' (keys: {', '.join(sorted(set(FIELD_KEYS)))},"
                    " or a variant name)"
                )

    def evaluate(
        self, query: Query, base: Optional[np.ndarray] = None, cancelled: CancelCheck = never
    ) -> QueryResult:
        """The specs of ``base`` (all when None) matching every token; raises ``Cancelled``
        when ``cancelled`` says so (checked between tokens and inside the slow ones)."""
        self.validate(query)
        catalog = self.catalog
        mask = np.ones(len(catalog), dtype=bool) if base is None else base.copy()
        notes: list[str] = []
        for token in query.tokens:
            check(cancelled)
            token_mask = self._token_mask(token, notes, cancelled)
            if token.negated:
                mask &= ~token_mask
            else:
                mask &= token_mask
        return QueryResult(mask, notes)

    def _token_mask(
        self, token: Token, notes: list[str], cancelled: CancelCheck = never
    ) -> np.ndarray:
        catalog = self.catalog
        kind, value = token.kind, token.value
        if kind == "hash":
            mask = np.zeros(len(catalog), dtype=bool)
            for part in filter(None, value.split(",")):  # /a,b,c: any of them (a pasted list)
                ids = catalog.by_hash_prefix(part)
                if not len(ids) and len(part) >= FUZZY_HASH_MIN and not token.negated:
                    hits = find_hashes(catalog, part, limit=None, cancelled=cancelled)
                    ids = [hit.spec_id for hit in hits]
                    if ids:
                        notes.append(f"no hash starts with '{part}': {len(ids)} one edit away")
                mask[ids] = True
            return mask
        if kind == "spec":
            assert token.spec is not None
            return self._spec_mask(token.spec, cancelled)
        if kind == "runs":
            return self.runs_codes() == RUNS_VALUES[value]
        if kind == "installed":
            if self.installed is None:
                notes.append(f"'{token.text}': what is installed is not known (--spack tells)")
                # Neither yes nor no: a negated token must not match everything either.
                return np.zeros(len(catalog), dtype=bool) ^ token.negated
            mask = self.installed_mask()
            return mask if value == "yes" else ~mask
        if kind == "closure":
            return self.closure_codes(cancelled) == CLOSURE_VALUES[value]
        if kind == "variant_prefix":
            key = token.key

            def variant_matches(variants: tuple[str, ...]) -> bool:
                for variant in variants:
                    name, eq, val = variant.partition("=")
                    if eq and name.rstrip(":") == key and val.lstrip("=").startswith(value):
                        return True
                return False

            return catalog.mask_where("variants", variant_matches)
        if kind == "field":
            return self._field_mask(token.key, value, cancelled)
        return self._word_mask(token, notes, cancelled)

    def _field_mask(self, key: str, value: str, cancelled: CancelCheck) -> np.ndarray:
        catalog = self.catalog
        column = FIELD_KEYS[key]
        if column == "hash":
            hash_token = Token("hash", value, value=value.rstrip("*").lower())
            return self._token_mask(hash_token, [], cancelled)
        match = _matcher(value)
        if column == "compiler":
            return catalog.mask_where(
                "compiler", lambda c: match(c) or match(parse_compiler(c).normalized)
            )
        if column == "stacks":
            return catalog.mask_where("stacks", lambda stacks: any(match(s) for s in stacks))
        return catalog.mask_where(column, match)

    def installed_mask(self) -> np.ndarray:
        """Per spec: is its hash among ``installed``? (One lookup per installed hash: an install
        tree holds hundreds, a catalog up to millions.)"""
        if self._installed_mask is None:
            mask = np.zeros(len(self.catalog), dtype=bool)
            for full_hash in self.installed or ():
                if isinstance(full_hash, str) and full_hash:
                    mask[self.catalog.by_hash(full_hash)] = True
            self._installed_mask = mask
        return self._installed_mask

    def host(self) -> Host:
        if self._host is None:
            self._host = detect_host()
        return self._host

    def runs_known(self) -> bool:
        """Whether ``runs_codes`` is computed (it detects the host: not on the UI thread)."""
        return self._runs is not None

    def runs_codes(self) -> np.ndarray:
        """Per spec: 1 runs on the host, 0 does not, -1 unknown (one verdict per distinct
        platform, os and target; kept for the next query)."""
        if self._runs is None:
            columns = [self.catalog.column(name) for name in ("platform", "os", "target")]
            parts = [(column.codes, column.values) for column in columns]
            self._runs = runs_codes(*parts, self.host())
        return self._runs

    def closure_known(self) -> bool:
        """Whether ``closure_codes`` is computed (it walks the whole graph: not on the UI
        thread)."""
        return self._closure is not None

    def closure_codes(self, cancelled: CancelCheck = never) -> np.ndarray:
        """Per spec: 1 closure complete, 0 incomplete, -1 unknown (``closure.closure_mask``,
        computed once; raises ``Cancelled`` and keeps nothing when ``cancelled`` says so)."""
        if self._closure is None:
            from .closure import closure_mask

            with self._closure_lock:
                if self._closure is None:
                    self._closure = closure_mask(self.catalog, cancelled)
        return self._closure

    def _spec_mask(self, spec: SpecToken, cancelled: CancelCheck) -> np.ndarray:
        """A Spack spec token: every column it constrains, each once per distinct value."""
        catalog = self.catalog
        mask = np.ones(len(catalog), dtype=bool)
        parts: list[tuple[bool, str, Callable]] = [
            (bool(spec.name), "package", spec.name_ok),
            (spec.versions is not None, "versions",
             lambda versions: any(spec.version_ok(v) for v in versions)),
            (spec.compiler is not None, "compiler", spec.compiler_ok),
            (bool(spec.variants), "variants", spec.variants_ok),
            (bool(spec.platform), "platform", spec.platform_ok),
            (bool(spec.os), "os", spec.os_ok),
            (spec.target is not None, "target", spec.target_ok),
        ]  # fmt: skip
        for constrained, column, predicate in parts:
            if constrained:
                check(cancelled)
                mask &= catalog.mask_where(column, predicate)
        for dependency in spec.dependencies:
            check(cancelled)
            mask &= catalog.mask_dependencies(dependency.satisfied_by)
        return mask

    def _word_mask(self, token: Token, notes: list[str], cancelled: CancelCheck) -> np.ndarray:
        word = token.value
        mask = self._text_mask("package", word)
        if mask.any():
            return mask
        mask = np.zeros(len(self.catalog), dtype=bool)
        for column in FREE_TEXT_COLUMNS[1:]:
            check(cancelled)
            mask |= self._text_mask(column, word)
        short = np.zeros(len(self.catalog), dtype=bool)
        short[self.catalog.by_hash_prefix(word)] = True
        mask |= short
        if mask.any():
            notes.append(f"no package name contains '{word}': matched it in any column")
            return mask
        check(cancelled)
        names = self.closest_names(word)
        if names:
            notes.append(f"no package name contains '{word}': closest are {', '.join(names)}")
            return self.catalog.mask_where("package", lambda name: name in names)
        notes.append(f"nothing matches '{word}'")
        return mask

    def closest_names(self, word: str, limit: int = FUZZY_LIMIT) -> list[str]:
        from rapidfuzz import fuzz, process, utils

        names = self.catalog.package_names
        found = process.extract(
            word, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit,
            score_cutoff=FUZZY_CUTOFF,
        )  # fmt: skip
        return [name for name, _score, _index in found]


def run_query(
    catalog: Catalog,
    text: str,
    base: Optional[np.ndarray] = None,
    cancelled: CancelCheck = never,
    host: Optional[Host] = None,
    installed: Optional[frozenset] = None,
) -> tuple[np.ndarray, list[str]]:
    """Parse and evaluate ``text``; returns the matching ids and notes for the status line."""
    result = Evaluator(catalog, host, installed).evaluate(parse_query(text), base, cancelled)
    return np.flatnonzero(result.mask), result.notes
