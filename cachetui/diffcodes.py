"""Two sets of specs in one code space: the arithmetic under ``cachetui diff``. UI-free.

A ``Side`` is some specs of a catalog (a tag, or all of a load). A ``SharedField`` puts one field
of both sides in one code space (per distinct value, so two catalogs with their own value tables
compare); ``combine`` makes one integer key per row from several code arrays, ``pair`` matches rows
of equal key across the sides, ``identities`` gives every spec an integer identity (its hash, or
every field for a spec without one). Python runs per distinct value, never per spec.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from .catalog import Catalog


def column_codes(catalog: Catalog, name: str) -> tuple[np.ndarray, list[Any]]:
    """A catalog column as (a code per spec, the distinct values): the one place a diff reads
    the catalog's columns."""
    column = catalog.column(name)
    return column.codes, column.values


def value_of(catalog: Catalog, name: str, index: int) -> Any:
    """One spec's value of a column (for rendering the rows someone reads)."""
    codes, values = column_codes(catalog, name)
    return values[codes[index]]


def hashes_of(catalog: Catalog, ids: np.ndarray) -> list[str]:
    """The hashes of ``ids`` ("" for specs without one): the catalog's own strings."""
    if not len(ids):
        return []
    if len(ids) == 1:
        return [catalog.hashes[int(ids[0])]]
    return list(operator.itemgetter(*ids.tolist())(catalog.hashes))


# -- the two sides ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side of a diff: some specs of a catalog (a tag, or all of a load)."""

    label: str
    kind: str  # "tag" or "load"
    catalog: Catalog
    ids: np.ndarray


def tag_side(catalog: Catalog, tag: str) -> Side:
    """The specs of ``tag``; ``KeyError`` when the catalog has no such tag."""
    codes, values = column_codes(catalog, "tag")
    try:
        code = values.index(tag)
    except ValueError:
        raise KeyError(tag) from None
    return Side(tag, "tag", catalog, np.flatnonzero(codes == code))


def load_side(catalog: Catalog, label: str) -> Side:
    """Every spec of a catalog."""
    return Side(label, "load", catalog, np.arange(len(catalog)))


def normal_variants(variants: tuple[str, ...]) -> tuple[str, ...]:
    """Variants as a set to compare: sorted, and ``patches:=`` (era B) written ``patches=``."""
    return tuple(sorted(v.replace(":=", "=", 1) for v in variants))


class SharedField:
    """One field of both sides in one code space: ``a`` and ``b`` are codes per spec into
    ``values``. Values are mapped per distinct value the sides use, never per spec."""

    def __init__(
        self, name: str, a: Side, b: Side, normal: Optional[Callable[[Any], Any]] = None
    ) -> None:
        codes_a, values_a = column_codes(a.catalog, name)
        same = b.catalog is a.catalog
        codes_b, values_b = (codes_a, values_a) if same else column_codes(b.catalog, name)
        self.a, self.b = codes_a[a.ids].astype(np.int64), codes_b[b.ids].astype(np.int64)
        if same and normal is None:  # one catalog: its codes already are one code space
            self.values: list[Any] = values_a
            return
        self.values = []
        index: dict[Any, int] = {}

        def recode(codes: np.ndarray, values: list[Any]) -> np.ndarray:
            used = np.flatnonzero(np.bincount(codes, minlength=len(values))) if len(codes) else []
            lut = np.zeros(max(len(values), 1), dtype=np.int64)
            for code in used:
                value = values[code] if normal is None else normal(values[code])
                found = index.get(value)
                if found is None:
                    found = index[value] = len(self.values)
                    self.values.append(value)
                lut[code] = found
            return lut[codes]

        if same:  # both sides at once: a value is normalised once
            both = recode(np.concatenate([self.a, self.b]), values_a)
            self.a, self.b = both[: len(self.a)], both[len(self.a) :]
        else:
            self.a, self.b = recode(self.a, values_a), recode(self.b, values_b)

    @property
    def size(self) -> int:
        return max(len(self.values), 1)


def combine(*columns: np.ndarray) -> np.ndarray:
    """One int64 key per row from several arrays of non-negative codes (dense when the product
    of their ranges would overflow)."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    span = 1
    for column in columns:
        width = int(column.max()) + 1 if len(column) else 1
        if span * width >= 2**62:
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64).reshape(-1)
            span = int(key.max()) + 1 if len(key) else 1
        key = key * width + column
        span *= width
    return key


def pair(key_a: np.ndarray, key_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair rows of equal key across the sides: the i-th row of a key in ``key_a`` with the
    i-th of that key in ``key_b``. Returns positions into ``key_a`` and ``key_b``."""
    if not len(key_a) or not len(key_b):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    _, dense = np.unique(np.concatenate([key_a, key_b]), return_inverse=True)
    dense = dense.reshape(-1).astype(np.int64)
    n = len(dense) + 1

    def ranked(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        group = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
        rank = np.arange(len(keys)) - starts[group]
        return order, ordered * n + rank

    order_a, ranked_a = ranked(dense[: len(key_a)])
    order_b, ranked_b = ranked(dense[len(key_a) :])
    _, in_a, in_b = np.intersect1d(ranked_a, ranked_b, assume_unique=True, return_indices=True)
    return order_a[in_a], order_b[in_b]


def identities(hashes: list[str], fields: list[SharedField]) -> np.ndarray:
    """Integer identities of both sides' specs (``hashes`` of a then b): the hash, or for a spec
    without one, every field. Hashes are interned through a dict (a C loop over the catalog's
    own strings: 3x faster than ``np.unique`` over a string array)."""
    codes = dict(zip(dict.fromkeys(hashes), range(len(hashes))))
    ident = np.fromiter(map(codes.__getitem__, hashes), dtype=np.int64, count=len(hashes))
    blank_code = codes.get("")
    if blank_code is not None:
        blank = ident == blank_code
        key = combine(*(np.concatenate([f.a, f.b])[blank] for f in fields))
        _, dense = np.unique(key, return_inverse=True)
        ident[blank] = len(codes) + dense.reshape(-1)
    return ident
