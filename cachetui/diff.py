"""What changed between two sets of specs: two tags of one catalog, or two loads. UI-free.

A spec is the same on both sides when its hash is the same (a spec without a hash, from a legacy
page, is the same when every field is). Specs only on one side are paired as "changed" when their
package, version, compiler, os and target are equal: first those whose variants are equal too (a
rebuild: the hash moved for its dependencies), then the rest in order, with the variants that were
added and removed. What is left is added or removed, grouped by (os, target, compiler).

Everything is computed on the coded columns: each field of both sides is put in one code space
(per distinct value, so two catalogs with their own value tables compare), rows are matched by
integer keys with ``np.isin``, ``np.unique`` and sorts, and Python runs per distinct value or per
group, never per spec. ``Diff`` keeps arrays of spec ids; names are looked up only to render.
The code-space arithmetic is in ``diffcodes``; the table, JSON and Markdown reports and the
command are in ``diffreport``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

from .diffcodes import (
    SharedField,
    Side,
    combine,
    hashes_of,
    identities,
    load_side,
    normal_variants,
    pair,
    tag_side,
    value_of,
)
from .versions import sort_key

__all__ = ["Diff", "Group", "Side", "SpecRow", "VariantChange", "diff", "load_side", "tag_side"]


# -- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecRow:
    """A spec named in a diff's details."""

    package: str
    version: str
    hash: str
    variants: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"package": self.package, "version": self.version, "hash": self.hash,
                "variants": list(self.variants)}  # fmt: skip


@dataclass(frozen=True)
class Group:
    """Added or removed specs of one (os, target, compiler)."""

    os: str
    target: str
    compiler: str
    ids: np.ndarray  # spec ids of the side's catalog

    @property
    def count(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class VariantChange:
    """Changed specs of one kind: the variants added and removed (none: a rebuild)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    count: int


@dataclass
class Diff:
    """What changed from ``before`` to ``after``. Spec sets are arrays of spec ids."""

    before: Side
    after: Side
    packages_before: int
    packages_after: int
    packages_added: list[str]
    packages_removed: list[str]
    versions_added: dict[str, list[str]]  # packages on both sides: their new versions
    versions_removed: dict[str, list[str]]
    unchanged: int  # specs of ``before`` whose hash is in ``after``
    added: list[Group]  # specs of ``after`` with no counterpart, most first
    removed: list[Group]  # specs of ``before`` with no counterpart, most first
    changed_before: np.ndarray  # paired spec ids: changed_before[i] became changed_after[i]
    changed_after: np.ndarray
    changes: list[VariantChange]  # the changed specs by what differs, most first
    stacks: list[tuple[str, int, int]]  # (stack, specs before, specs after)
    _change_of: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))

    @property
    def added_count(self) -> int:
        return sum(g.count for g in self.added)

    @property
    def removed_count(self) -> int:
        return sum(g.count for g in self.removed)

    @property
    def changed_count(self) -> int:
        return len(self.changed_before)

    @property
    def differs(self) -> bool:
        """Specs or packages added, removed or changed, or specs per stack (the same binary
        can move between stacks)."""
        return bool(
            self.added or self.removed or self.changed_count
            or self.packages_added or self.packages_removed
            or any(n != m for _, n, m in self.stacks)
        )  # fmt: skip

    def spec_rows(self, side: Side, ids: np.ndarray) -> list[SpecRow]:
        """Spec rows for ids of one side, by package, version and hash."""
        catalog = side.catalog
        rows = [
            SpecRow(
                value_of(catalog, "package", i),
                value_of(catalog, "version", i),
                catalog.hashes[i],
                value_of(catalog, "variants", i),
            )  # fmt: skip
            for i in ids.tolist()
        ]
        rows.sort(key=lambda r: (r.package, r.version, r.hash))
        return rows

    def changed_rows(
        self, keep: Optional[np.ndarray] = None
    ) -> list[tuple[SpecRow, SpecRow, VariantChange, str, str, str]]:
        """(before, after, what changed, os, target, compiler) for every changed pair, or for
        the pairs ``keep`` (a mask over them) marks."""
        a, b = self.before.catalog, self.after.catalog
        out = []
        before, after, change_of = self.changed_before, self.changed_after, self._change_of
        if keep is not None:
            before, after, change_of = before[keep], after[keep], change_of[keep]
        for i, j, c in zip(before.tolist(), after.tolist(), change_of.tolist()):
            old = SpecRow(value_of(a, "package", i), value_of(a, "version", i), a.hashes[i],
                          value_of(a, "variants", i))  # fmt: skip
            new = SpecRow(value_of(b, "package", j), value_of(b, "version", j), b.hashes[j],
                          value_of(b, "variants", j))  # fmt: skip
            out.append((old, new, self.changes[c], value_of(a, "os", i), value_of(a, "target", i),
                        value_of(a, "compiler_normalized", i)))  # fmt: skip
        out.sort(key=lambda r: (r[0].package, r[0].version, r[3], r[4], r[5], r[0].hash))
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "before": _side_dict(self.before, self.packages_before),
            "after": _side_dict(self.after, self.packages_after),
            "differs": self.differs,
            "specs": {
                "before": len(self.before.ids), "after": len(self.after.ids),
                "unchanged": self.unchanged, "changed": self.changed_count,
                "added": self.added_count, "removed": self.removed_count,
            },
            "packages": {"added": len(self.packages_added), "removed": len(self.packages_removed)},
            "versions": {
                "added": sum(map(len, self.versions_added.values())),
                "removed": sum(map(len, self.versions_removed.values())),
                "packages": len(set(self.versions_added) | set(self.versions_removed)),
            },
        }  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready (strings not yet escaped: see ``render``)."""

        def groups(side: Side, found: list[Group]) -> list[dict[str, Any]]:
            return [
                {"os": g.os, "target": g.target, "compiler": g.compiler, "count": g.count,
                 "specs": [r.to_dict() for r in self.spec_rows(side, g.ids)]}
                for g in found
            ]  # fmt: skip

        return {
            "summary": self.summary(),
            "packages_added": self.packages_added,
            "packages_removed": self.packages_removed,
            "versions": {
                name: {"added": self.versions_added.get(name, []),
                       "removed": self.versions_removed.get(name, [])}
                for name in sorted(set(self.versions_added) | set(self.versions_removed))
            },
            "added": groups(self.after, self.added),
            "removed": groups(self.before, self.removed),
            "changes": [
                {"variants_added": list(c.added), "variants_removed": list(c.removed),
                 "count": c.count}
                for c in self.changes
            ],
            "changed": [
                {"package": old.package, "version": old.version, "os": os_, "target": target,
                 "compiler": compiler, "hash_before": old.hash, "hash_after": new.hash,
                 "variants_added": list(change.added),
                 "variants_removed": list(change.removed)}
                for old, new, change, os_, target, compiler in self.changed_rows()
            ],
            "stacks": [
                {"stack": stack, "before": n, "after": m} for stack, n, m in self.stacks
            ],
        }  # fmt: skip


def _side_dict(side: Side, packages: int) -> dict[str, Any]:
    return {"label": side.label, "kind": side.kind, "specs": len(side.ids), "packages": packages}


# -- computing it ----------------------------------------------------------------------------


def _stack_counts(f: SharedField, codes: np.ndarray) -> dict[str, int]:
    counts = np.bincount(codes, minlength=f.size)
    totals: dict[str, int] = {}
    for code in np.flatnonzero(counts).tolist():
        for stack in f.values[code]:
            totals[stack] = totals.get(stack, 0) + int(counts[code])
    return totals


def _groups(
    side: Side, ids: np.ndarray, fields: tuple[SharedField, SharedField, SharedField], which: str
) -> list[Group]:
    """Spec ids of one side (positions into ``side.ids``) grouped by (os, target, compiler)."""
    if not len(ids):
        return []
    os_, target, compiler = (getattr(f, which)[ids] for f in fields)
    key = combine(os_, target, compiler)
    uniq, first, inverse, counts = np.unique(
        key, return_index=True, return_inverse=True, return_counts=True
    )
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    bounds = np.r_[0, np.cumsum(counts)]
    groups = []
    for g in range(len(uniq)):
        row = first[g]
        members = side.ids[ids[order[bounds[g] : bounds[g + 1]]]]
        groups.append(Group(fields[0].values[os_[row]], fields[1].values[target[row]],
                            fields[2].values[compiler[row]], members))  # fmt: skip
    groups.sort(key=lambda g: (-g.count, g.os, g.target, g.compiler))
    return groups


def diff(before: Side, after: Side) -> Diff:
    """What changed from ``before`` to ``after`` (see the module's docstring)."""
    package = SharedField("package", before, after)
    version = SharedField("version", before, after)
    compiler = SharedField("compiler_normalized", before, after)
    os_ = SharedField("os", before, after)
    target = SharedField("target", before, after)
    platform = SharedField("platform", before, after)
    variants = SharedField("variants", before, after, normal_variants)
    stacks = SharedField("stacks", before, after)
    n_a = len(before.ids)

    # Same spec: same hash (or every field, for specs without a hash).
    hashes = hashes_of(before.catalog, before.ids) + hashes_of(after.catalog, after.ids)
    ident = identities(hashes, [package, version, compiler, os_, target, platform, variants])
    ident_a, ident_b = ident[:n_a], ident[n_a:]
    kept_a = np.isin(ident_a, ident_b)
    gone = np.flatnonzero(~kept_a)  # positions in before.ids
    new = np.flatnonzero(~np.isin(ident_b, ident_a))  # positions in after.ids

    # Changed: same package, version, compiler, os and target; equal variants first.
    where = (package, version, compiler, os_, target)
    n_gone = len(gone)
    key = combine(*(np.concatenate([f.a[gone], f.b[new]]) for f in where))
    full = combine(key, np.concatenate([variants.a[gone], variants.b[new]]))
    key_a, key_b, full_a, full_b = key[:n_gone], key[n_gone:], full[:n_gone], full[n_gone:]
    pa1, pb1 = pair(full_a, full_b)
    rest_a = np.setdiff1d(np.arange(len(gone)), pa1, assume_unique=True)
    rest_b = np.setdiff1d(np.arange(len(new)), pb1, assume_unique=True)
    pa2, pb2 = pair(key_a[rest_a], key_b[rest_b])
    pair_a = np.concatenate([pa1, rest_a[pa2]])
    pair_b = np.concatenate([pb1, rest_b[pb2]])
    removed = np.setdiff1d(np.arange(len(gone)), pair_a, assume_unique=True)
    added = np.setdiff1d(np.arange(len(new)), pair_b, assume_unique=True)
    changed_a, changed_b = gone[pair_a], new[pair_b]

    # What differs in the changed pairs: per distinct (variants before, variants after).
    changes: list[VariantChange] = []
    change_of = np.zeros(len(changed_a), dtype=np.int64)
    if len(changed_a):
        va, vb = variants.a[changed_a], variants.b[changed_b]
        kinds, first, inverse, counts = np.unique(
            combine(va, vb), return_index=True, return_inverse=True, return_counts=True
        )
        merged: dict[tuple, int] = {}
        remap = np.zeros(len(kinds), dtype=np.int64)
        for k in range(len(kinds)):
            old, new_ = set(variants.values[va[first[k]]]), set(variants.values[vb[first[k]]])
            what = (tuple(sorted(new_ - old)), tuple(sorted(old - new_)))
            if what not in merged:
                merged[what] = len(changes)
                changes.append(VariantChange(what[0], what[1], 0))
            remap[k] = merged[what]
        change_of = remap[inverse.reshape(-1)]
        totals = np.bincount(change_of, minlength=len(changes))
        changes = [VariantChange(c.added, c.removed, int(n)) for c, n in zip(changes, totals)]
        order = sorted(range(len(changes)), key=lambda c: (-changes[c].count, changes[c].added,
                                                           changes[c].removed))  # fmt: skip
        rank = np.zeros(len(changes), dtype=np.int64)
        rank[order] = np.arange(len(changes))
        changes = [changes[c] for c in order]
        change_of = rank[change_of]

    # Packages and versions.
    pkgs_a, pkgs_b = np.unique(package.a), np.unique(package.b)
    names = package.values
    packages_added = sorted(names[c] for c in np.setdiff1d(pkgs_b, pkgs_a).tolist())
    packages_removed = sorted(names[c] for c in np.setdiff1d(pkgs_a, pkgs_b).tolist())
    common = np.intersect1d(pkgs_a, pkgs_b)
    pv_a = np.unique(package.a * version.size + version.a)
    pv_b = np.unique(package.b * version.size + version.b)

    def versions(codes: np.ndarray) -> dict[str, list[str]]:
        codes = codes[np.isin(codes // version.size, common)]
        found: dict[str, list[str]] = {}
        for code in codes.tolist():
            found.setdefault(names[code // version.size], []).append(
                version.values[code % version.size]
            )
        return {name: sorted(vs, key=sort_key) for name, vs in sorted(found.items())}

    stacks_a = _stack_counts(stacks, stacks.a)
    stacks_b = _stack_counts(stacks, stacks.b)
    stack_rows = [
        (s, stacks_a.get(s, 0), stacks_b.get(s, 0)) for s in sorted(set(stacks_a) | set(stacks_b))
    ]

    group_fields = (os_, target, compiler)
    return Diff(
        before=before,
        after=after,
        packages_before=len(pkgs_a),
        packages_after=len(pkgs_b),
        packages_added=packages_added,
        packages_removed=packages_removed,
        versions_added=versions(np.setdiff1d(pv_b, pv_a)),
        versions_removed=versions(np.setdiff1d(pv_a, pv_b)),
        unchanged=int(kept_a.sum()),
        added=_groups(after, new[added], group_fields, "b"),
        removed=_groups(before, gone[removed], group_fields, "a"),
        changed_before=before.ids[changed_a],
        changed_after=after.ids[changed_b],
        changes=changes,
        stacks=stack_rows,
        _change_of=change_of,
    )
