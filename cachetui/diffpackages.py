"""A diff per package, for the browser's diff view: one row per package that changed, with a
``+``/``-``/``~`` mark, and the specs behind one row. UI-free.

Counts are taken with ``np.bincount`` over the package codes of each side's spec sets, so the
rows cost Python per changed package, never per spec; spec rows are built for one package only,
when someone opens it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .diff import Diff, SpecRow, VariantChange
from .diffcodes import column_codes

ADDED, REMOVED, CHANGED = "+", "-", "~"


@dataclass(frozen=True)
class PackageChange:
    """What changed in one package: ``+`` new package, ``-`` gone, ``~`` on both sides."""

    name: str
    mark: str
    added: int  # specs only after
    removed: int  # specs only before
    changed: int  # specs paired across the sides, with another hash
    versions_added: tuple[str, ...]
    versions_removed: tuple[str, ...]

    def describe(self) -> str:
        """``2 changed, 1 added; versions +1.1 -1.0`` (plain text, not escaped)."""
        counts = [f"{n} {what}" for n, what in ((self.changed, "changed"), (self.added, "added"),
                                                (self.removed, "removed")) if n]  # fmt: skip
        text = ", ".join(counts)
        versions = [f"+{v}" for v in self.versions_added] + [f"-{v}" for v in self.versions_removed]
        if versions:
            text += ("; " if text else "") + "versions " + " ".join(versions)
        return text


@dataclass(frozen=True)
class PackageSpecs:
    """The specs behind one package row."""

    name: str
    added: list[SpecRow]
    removed: list[SpecRow]
    changed: list[tuple[SpecRow, SpecRow, VariantChange, str, str, str]]


def _per_package(catalog, ids: np.ndarray) -> dict[str, int]:
    codes, values = column_codes(catalog, "package")
    if not len(ids):
        return {}
    counts = np.bincount(codes[ids], minlength=len(values))
    return {values[c]: int(counts[c]) for c in np.flatnonzero(counts).tolist()}


def _ids(groups) -> np.ndarray:
    return np.concatenate([g.ids for g in groups]) if groups else np.zeros(0, dtype=np.int64)


def package_changes(d: Diff) -> list[PackageChange]:
    """Every package with an added, removed or changed spec or version, by name."""
    added = _per_package(d.after.catalog, _ids(d.added))
    removed = _per_package(d.before.catalog, _ids(d.removed))
    changed = _per_package(d.before.catalog, d.changed_before)
    new, gone = set(d.packages_added), set(d.packages_removed)
    names = set(added) | set(removed) | set(changed) | new | gone
    names |= set(d.versions_added) | set(d.versions_removed)
    rows = []
    for name in sorted(names):
        mark = ADDED if name in new else REMOVED if name in gone else CHANGED
        rows.append(PackageChange(
            name, mark, added.get(name, 0), removed.get(name, 0), changed.get(name, 0),
            tuple(d.versions_added.get(name, ())), tuple(d.versions_removed.get(name, ())),
        ))  # fmt: skip
    return rows


def _of_package(catalog, ids: np.ndarray, name: str) -> np.ndarray:
    """A mask over ``ids``: the specs of package ``name``."""
    codes, values = column_codes(catalog, "package")
    try:
        code = values.index(name)
    except ValueError:
        return np.zeros(len(ids), dtype=bool)
    return codes[ids] == code


def package_specs(d: Diff, name: str) -> PackageSpecs:
    """The added, removed and changed specs of one package."""
    added, removed = _ids(d.added), _ids(d.removed)
    added = added[_of_package(d.after.catalog, added, name)]
    removed = removed[_of_package(d.before.catalog, removed, name)]
    keep = _of_package(d.before.catalog, d.changed_before, name)
    return PackageSpecs(
        name,
        d.spec_rows(d.after, added),
        d.spec_rows(d.before, removed),
        d.changed_rows(keep),
    )
