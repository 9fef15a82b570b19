"""Summaries of many specs, said plainly: the top values of a facet with how many there are in
all ("top 20 of 1,839"), and each package's versions in Spack's order. UI-free.

A tag of the real site holds ~25k specs of ~1,800 packages: listing every value of every facet
made a wall of text; these are what the tag summary and the facet view show instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .catalog import Catalog, Ids
from .versions import sort_key

TOP = 20  # values shown of a facet: one screen of a tall terminal


@dataclass(frozen=True)
class Top:
    """The most common values of a facet, and how many distinct values it has in all."""

    values: tuple[tuple[str, int], ...]  # most specs first
    distinct: int

    def said(self) -> str:
        """``all 5`` or ``top 20 of 1,839``."""
        if len(self.values) >= self.distinct:
            return f"all {self.distinct:,}"
        return f"top {len(self.values):,} of {self.distinct:,}"


def top(counts: Sequence[tuple[str, int]], limit: int = TOP) -> Top:
    """``counts`` most first (as ``Catalog.facet_counts`` gives them), cut to ``limit``."""
    return Top(tuple(counts[:limit]), len(counts))


def newest_first(versions: Sequence[str]) -> list[str]:
    """Versions in Spack's order, newest first (``develop`` above every number)."""
    return sorted(versions, key=sort_key, reverse=True)


@dataclass(frozen=True)
class PackageVersions:
    name: str
    specs: int
    versions: tuple[str, ...]  # newest first, in Spack's order


def versions_per_package(catalog: Catalog, ids: Ids) -> list[PackageVersions]:
    """Every package among ``ids`` with its spec count and its versions, most specs first.
    Numpy over (package, version) code pairs: one pass, however many specs."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids):
        return []
    package, version = catalog.column("package"), catalog.column("version")
    codes_p = package.codes[ids].astype(np.int64)
    width = max(1, len(version.values))
    pairs = np.unique(codes_p * width + version.codes[ids])
    specs = np.bincount(codes_p, minlength=len(package.values))
    versions: dict[int, list[str]] = {}
    for pair in pairs.tolist():
        versions.setdefault(pair // width, []).append(version.values[pair % width])
    found = [
        PackageVersions(package.values[p], int(specs[p]), tuple(newest_first(v)))
        for p, v in versions.items()
    ]
    return sorted(found, key=lambda pv: (-pv.specs, pv.name))
