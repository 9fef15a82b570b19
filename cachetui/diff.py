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
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

import numpy as np

from .catalog import Catalog
from .text import visible

if TYPE_CHECKING:
    from .loader import LoadResult

FORMATS = ("table", "json", "md")
EXIT_SAME, EXIT_DIFFERENT, EXIT_USAGE = 0, 1, 2
SUMMARY_GROUPS = 8  # groups of added or removed specs named in the one-screen summary


def _column(catalog: Catalog, name: str) -> tuple[np.ndarray, list[Any]]:
    """A catalog column as (a code per spec, the distinct values): the one place this module
    reads the catalog's columns."""
    column = catalog.column(name)
    return column.codes, column.values


def _value(catalog: Catalog, name: str, index: int) -> Any:
    """One spec's value of a column (for rendering the rows someone reads)."""
    codes, values = _column(catalog, name)
    return values[codes[index]]


def _hashes(catalog: Catalog, ids: np.ndarray) -> list[str]:
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
    codes, values = _column(catalog, "tag")
    try:
        code = values.index(tag)
    except ValueError:
        raise KeyError(tag) from None
    return Side(tag, "tag", catalog, np.flatnonzero(codes == code))


def load_side(catalog: Catalog, label: str) -> Side:
    """Every spec of a catalog."""
    return Side(label, "load", catalog, np.arange(len(catalog)))


def _normal_variants(variants: tuple[str, ...]) -> tuple[str, ...]:
    """Variants as a set to compare: sorted, and ``patches:=`` (era B) written ``patches=``."""
    return tuple(sorted(v.replace(":=", "=", 1) for v in variants))


class _Field:
    """One field of both sides in one code space: ``a`` and ``b`` are codes per spec into
    ``values``. Values are mapped per distinct value the sides use, never per spec."""

    def __init__(
        self, name: str, a: Side, b: Side, normal: Optional[Callable[[Any], Any]] = None
    ) -> None:
        codes_a, values_a = _column(a.catalog, name)
        same = b.catalog is a.catalog
        codes_b, values_b = (codes_a, values_a) if same else _column(b.catalog, name)
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


def _combine(*columns: np.ndarray) -> np.ndarray:
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


def _pair(key_a: np.ndarray, key_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
                _value(catalog, "package", i),
                _value(catalog, "version", i),
                catalog.hashes[i],
                _value(catalog, "variants", i),
            )  # fmt: skip
            for i in ids.tolist()
        ]
        rows.sort(key=lambda r: (r.package, r.version, r.hash))
        return rows

    def changed_rows(self) -> list[tuple[SpecRow, SpecRow, VariantChange, str, str, str]]:
        """(before, after, what changed, os, target, compiler) for every changed pair."""
        a, b = self.before.catalog, self.after.catalog
        out = []
        for i, j, c in zip(
            self.changed_before.tolist(), self.changed_after.tolist(), self._change_of.tolist()
        ):
            old = SpecRow(_value(a, "package", i), _value(a, "version", i), a.hashes[i],
                          _value(a, "variants", i))  # fmt: skip
            new = SpecRow(_value(b, "package", j), _value(b, "version", j), b.hashes[j],
                          _value(b, "variants", j))  # fmt: skip
            out.append((old, new, self.changes[c], _value(a, "os", i), _value(a, "target", i),
                        _value(a, "compiler_normalized", i)))  # fmt: skip
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


def _identity(hashes: list[str], fields: list[_Field]) -> np.ndarray:
    """Integer identities of both sides' specs (``hashes`` of a then b): the hash, or for a spec
    without one, every field. Hashes are interned through a dict (a C loop over the catalog's
    own strings: 3x faster than ``np.unique`` over a string array)."""
    codes = dict(zip(dict.fromkeys(hashes), range(len(hashes))))
    ident = np.fromiter(map(codes.__getitem__, hashes), dtype=np.int64, count=len(hashes))
    blank_code = codes.get("")
    if blank_code is not None:
        blank = ident == blank_code
        key = _combine(*(np.concatenate([f.a, f.b])[blank] for f in fields))
        _, dense = np.unique(key, return_inverse=True)
        ident[blank] = len(codes) + dense.reshape(-1)
    return ident


def _stack_counts(f: _Field, codes: np.ndarray) -> dict[str, int]:
    counts = np.bincount(codes, minlength=f.size)
    totals: dict[str, int] = {}
    for code in np.flatnonzero(counts).tolist():
        for stack in f.values[code]:
            totals[stack] = totals.get(stack, 0) + int(counts[code])
    return totals


def _groups(
    side: Side, ids: np.ndarray, fields: tuple[_Field, _Field, _Field], which: str
) -> list[Group]:
    """Spec ids of one side (positions into ``side.ids``) grouped by (os, target, compiler)."""
    if not len(ids):
        return []
    os_, target, compiler = (getattr(f, which)[ids] for f in fields)
    key = _combine(os_, target, compiler)
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
    package = _Field("package", before, after)
    version = _Field("version", before, after)
    compiler = _Field("compiler_normalized", before, after)
    os_ = _Field("os", before, after)
    target = _Field("target", before, after)
    platform = _Field("platform", before, after)
    variants = _Field("variants", before, after, _normal_variants)
    stacks = _Field("stacks", before, after)
    n_a = len(before.ids)

    # Same spec: same hash (or every field, for specs without a hash).
    hashes = _hashes(before.catalog, before.ids) + _hashes(after.catalog, after.ids)
    ident = _identity(hashes, [package, version, compiler, os_, target, platform, variants])
    ident_a, ident_b = ident[:n_a], ident[n_a:]
    kept_a = np.isin(ident_a, ident_b)
    gone = np.flatnonzero(~kept_a)  # positions in before.ids
    new = np.flatnonzero(~np.isin(ident_b, ident_a))  # positions in after.ids

    # Changed: same package, version, compiler, os and target; equal variants first.
    where = (package, version, compiler, os_, target)
    n_gone = len(gone)
    key = _combine(*(np.concatenate([f.a[gone], f.b[new]]) for f in where))
    full = _combine(key, np.concatenate([variants.a[gone], variants.b[new]]))
    key_a, key_b, full_a, full_b = key[:n_gone], key[n_gone:], full[:n_gone], full[n_gone:]
    pa1, pb1 = _pair(full_a, full_b)
    rest_a = np.setdiff1d(np.arange(len(gone)), pa1, assume_unique=True)
    rest_b = np.setdiff1d(np.arange(len(new)), pb1, assume_unique=True)
    pa2, pb2 = _pair(key_a[rest_a], key_b[rest_b])
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
            _combine(va, vb), return_index=True, return_inverse=True, return_counts=True
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
        from .versions import sort_key

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


# -- rendering -------------------------------------------------------------------------------


def _short(full_hash: str) -> str:
    return full_hash[:7] or "-"


def _spec_text(row: SpecRow) -> str:
    return f"{row.package}@{row.version}" if row.version else row.package


def _variant_change(change: VariantChange) -> str:
    if not change.added and not change.removed:
        return "same variants"
    parts = []
    if change.added:
        parts.append("added " + " ".join(change.added))
    if change.removed:
        parts.append("removed " + " ".join(change.removed))
    return "; ".join(parts)


def _where(group: Group) -> str:
    return f"{group.os} {group.target} {group.compiler}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _side_text(side: Side, packages: int) -> str:
    return (
        f"{side.kind} {side.label} ({_count(len(side.ids), 'spec')}, {_count(packages, 'package')})"
    )


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def summary_lines(d: Diff) -> list[str]:
    """The one-screen summary (plain text, not yet escaped)."""
    s = d.summary()
    specs = s["specs"]
    lines = [
        f"before    {_side_text(d.before, d.packages_before)}",
        f"after     {_side_text(d.after, d.packages_after)}",
        f"specs     {specs['before']} -> {specs['after']}: {specs['unchanged']} unchanged, "
        f"{specs['changed']} changed, {specs['added']} added, {specs['removed']} removed",
        f"packages  {d.packages_before} -> {d.packages_after}: "
        f"{len(d.packages_added)} added, {len(d.packages_removed)} removed",
        f"versions  {s['versions']['added']} added, {s['versions']['removed']} removed, "
        f"in {_count(s['versions']['packages'], 'package')} on both sides",
    ]
    for title, found in (("changed", None), ("added", d.added), ("removed", d.removed)):
        if found is None:
            items = [f"{c.count:>6}  {_variant_change(c)}" for c in d.changes]
        else:
            items = [f"{g.count:>6}  {_where(g)}" for g in found]
        if not items:
            lines.append(f"{title:<9} none")
            continue
        more = len(items) - SUMMARY_GROUPS
        items = items[:SUMMARY_GROUPS] + ([f"   ... {more} more"] if more > 0 else [])
        lines += [f"{title if n == 0 else '':<9} {item}" for n, item in enumerate(items)]
    moved = [(stack, n, m) for stack, n, m in d.stacks if n != m]
    if moved:
        moved.sort(key=lambda r: (-abs(r[2] - r[1]), r[0]))
        shown = ", ".join(f"{stack} {n} -> {m}" for stack, n, m in moved[:SUMMARY_GROUPS])
        more = len(moved) - SUMMARY_GROUPS
        lines.append(f"stacks    {shown}" + (f", ... {more} more" if more > 0 else ""))
    else:
        lines.append(f"stacks    {len(d.stacks)} stacks, no count changed")
    return lines


def _aligned(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        (indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths))).rstrip() for row in rows
    ]


def _table(d: Diff, summary_only: bool) -> str:
    lines = summary_lines(d)
    if not summary_only and d.differs:
        lines.append("")
        for title, names in (("added", d.packages_added), ("removed", d.packages_removed)):
            if names:
                lines.append(f"packages {title} ({len(names)})")
                lines += [f"  {name}" for name in names]
        names = sorted(set(d.versions_added) | set(d.versions_removed))
        if names:
            lines.append(f"versions ({_count(len(names), 'package')})")
        lines += _aligned([
            [name, " ".join(["+" + v for v in d.versions_added.get(name, [])]
                            + ["-" + v for v in d.versions_removed.get(name, [])])]
            for name in names
        ])  # fmt: skip
        for title, side, groups in (("added", d.after, d.added), ("removed", d.before, d.removed)):
            count = sum(g.count for g in groups)
            if count:
                lines.append(f"specs {title} ({count})")
            for group in groups:
                lines.append(f"  {_where(group)} ({group.count})")
                lines += _aligned(
                    [[_spec_text(r), _short(r.hash), " ".join(r.variants)]
                     for r in d.spec_rows(side, group.ids)],
                    indent="    ",
                )  # fmt: skip
        if d.changed_count:
            lines.append(f"specs changed ({d.changed_count})")
        lines += _aligned([
            [_spec_text(old), os_, target, compiler, f"{_short(old.hash)} -> {_short(new.hash)}",
             _variant_change(change)]
            for old, new, change, os_, target, compiler in d.changed_rows()
        ])  # fmt: skip
    if not summary_only:
        lines.append("stacks")
        lines += _aligned(
            [["STACK", "BEFORE", "AFTER", "CHANGE"]]
            + [
                [stack, str(n), str(m), _signed(m - n) if m != n else ""]
                for stack, n, m in d.stacks
            ]
        )
    return "\n".join(visible(line) for line in lines) + "\n"


def _md_cell(value: str) -> str:
    return visible(value).replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _md(d: Diff, summary_only: bool) -> str:
    s = d.summary()["specs"]
    lines = [
        f"# {_md_cell(d.before.label)} -> {_md_cell(d.after.label)}",
        "",
        f"- before: {_md_cell(_side_text(d.before, d.packages_before))}",
        f"- after: {_md_cell(_side_text(d.after, d.packages_after))}",
        f"- specs: {s['before']} -> {s['after']}: {s['unchanged']} unchanged, {s['changed']} "
        f"changed, {s['added']} added, {s['removed']} removed",
        f"- packages: {len(d.packages_added)} added, {len(d.packages_removed)} removed",
        f"- versions: {sum(map(len, d.versions_added.values()))} added, "
        f"{sum(map(len, d.versions_removed.values()))} removed",
        "",
    ]
    if d.changes:
        lines += _md_table(["changed", "what changed"],
                           [[str(c.count), _variant_change(c)] for c in d.changes])  # fmt: skip
    for title, groups in (("added", d.added), ("removed", d.removed)):
        if groups:
            lines += _md_table([title, "os", "target", "compiler"],
                               [[str(g.count), g.os, g.target, g.compiler] for g in groups])  # fmt: skip
    if not summary_only:
        for title, names in (("Packages added", d.packages_added),
                             ("Packages removed", d.packages_removed)):  # fmt: skip
            if names:
                lines += [f"## {title} ({len(names)})", ""]
                lines += [f"- {_md_cell(name)}" for name in names] + [""]
        names = sorted(set(d.versions_added) | set(d.versions_removed))
        if names:
            lines += ["## Versions", ""]
            lines += _md_table(["package", "added", "removed"], [
                [name, " ".join(d.versions_added.get(name, [])),
                 " ".join(d.versions_removed.get(name, []))]
                for name in names
            ])  # fmt: skip
        for title, side, groups in (("added", d.after, d.added), ("removed", d.before, d.removed)):
            if groups:
                lines += [f"## Specs {title} ({sum(g.count for g in groups)})", ""]
            for group in groups:
                lines += [f"### {_md_cell(_where(group))} ({group.count})", ""]
                lines += _md_table(["spec", "hash", "variants"], [
                    [_spec_text(r), _short(r.hash), " ".join(r.variants)]
                    for r in d.spec_rows(side, group.ids)
                ])  # fmt: skip
        if d.changed_count:
            lines += [f"## Specs changed ({d.changed_count})", ""]
            lines += _md_table(
                ["spec", "os", "target", "compiler", "before", "after", "what changed"],
                [[_spec_text(old), os_, target, compiler, _short(old.hash), _short(new.hash),
                  _variant_change(change)]
                 for old, new, change, os_, target, compiler in d.changed_rows()],
            )  # fmt: skip
        lines += ["## Stacks", ""]
        lines += _md_table(["stack", "before", "after", "change"], [
            [stack, str(n), str(m), _signed(m - n) if m != n else ""] for stack, n, m in d.stacks
        ])  # fmt: skip
    return "\n".join(lines).rstrip("\n") + "\n"


def render(d: Diff, fmt: str = "table", summary_only: bool = False) -> str:
    """The diff as ``table`` (the summary, then the details), ``md`` or ``json``."""
    if fmt == "json":
        from .export import clean_json

        data = {"summary": d.summary()} if summary_only else d.to_dict()
        return json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return _md(d, summary_only)
    if fmt == "table":
        return _table(d, summary_only)
    raise ValueError(f"unknown format {fmt!r}")


# -- the command line (registered in cli.py) -------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", metavar="A", help="a tag of what is loaded, or a path or URL")
    parser.add_argument("after", metavar="B", help="a tag, or a path or URL when A is one")


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=FORMATS, default="table")
    parser.add_argument("--summary", action="store_true", help="print only the summary")
    parser.add_argument(
        "--exit-code", action="store_true", help="exit 1 when they differ (as git diff does)"
    )


def _location(text: str) -> bool:
    return text.startswith(("http://", "https://")) or os.path.exists(text)


def _error(message: str) -> None:
    print(f"cachetui: {visible(message)}", file=sys.stderr)


def _only_the_two_tags(args: argparse.Namespace) -> argparse.Namespace:
    """For a checkout of the site with many tags, only the folders of tags A and B."""
    from .loader import checkout_groups

    if not args.paths:
        return args
    groups = {group.label: group for group in checkout_groups(args.paths) or []}
    if args.before not in groups or args.after not in groups:
        return args
    paths = groups[args.before].paths + groups[args.after].paths
    return argparse.Namespace(**{**vars(args), "paths": list(dict.fromkeys(paths))})


def run(args: argparse.Namespace, load: Callable[[argparse.Namespace], LoadResult]) -> int:
    """``cachetui diff A B [PATH ...]``: tags A and B of what PATHs load (the bundled seeds by
    default); with no PATH, when A and B are both paths or URLs, each is loaded on its own.
    Exit 0, or 1 with ``--exit-code`` when they differ; 2 for an unknown tag or an empty load."""
    if not args.paths and _location(args.before) and _location(args.after):
        sides = []
        for path in (args.before, args.after):
            result = load(argparse.Namespace(**{**vars(args), "paths": [path]}))
            if not len(result.catalog):
                _error(f"nothing loaded from {path}")
                return EXIT_USAGE
            sides.append(load_side(result.catalog, path))
        before, after = sides
    else:
        result = load(_only_the_two_tags(args))
        catalog = result.catalog
        if args.paths and not {args.before, args.after} <= set(_column(catalog, "tag")[1]):
            result = load(args)  # a tag folder named otherwise than its pages' tag: all of it
            catalog = result.catalog
        missing = [t for t in (args.before, args.after) if t not in _column(catalog, "tag")[1]]
        if missing:
            where = " ".join(args.paths) if args.paths else "the bundled seeds"
            tags = ", ".join(catalog.tags) or "none"
            for tag in missing:
                hint = (
                    ""
                    if args.paths or not _location(tag)
                    else " (a path: give both A and B as paths)"
                )
                _error(f"no tag {tag!r} in {where}{hint}")
            _error(f"the tags are: {tags}")
            return EXIT_USAGE
        before, after = tag_side(catalog, args.before), tag_side(catalog, args.after)
    found = diff(before, after)
    sys.stdout.write(render(found, args.format, args.summary))
    return EXIT_DIFFERENT if args.exit_code and found.differs else EXIT_SAME
