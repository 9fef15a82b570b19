"""The cached binaries closest to the spec a user would give ``spack install``. UI-free.

A request is Spack spec syntax, tokens separated by spaces and combined
(``hdf5@1.14 +mpi %gcc@13 target=zen3 os=rhel8``); it must name the package. Every cached spec
of that package is ranked by what it misses, each constraint read as Spack reads it
(``specsyntax``, ``versions``, ``targets``), except one: a target that is a single name archspec
knows means "runs on that CPU" (``host.target_verdict``), since that is what a user wants from a
binary, so an ``x86_64_v3`` binary satisfies ``target=zen3``. A range or list of targets keeps
Spack's meaning.

Each unmet constraint costs a weight, and specs rank by their total (then by how many
constraints they miss, then newest version first):

- a platform, os or target on which the binary cannot run: ``CANNOT_RUN`` (1000) each;
  one that cannot be decided (archspec does not know the target, the spec names no os):
  ``UNDECIDED`` (100);
- another compiler: ``COMPILER`` (20); the asked compiler at another version:
  ``COMPILER_VERSION`` (10);
- each variant constraint not met: ``VARIANT`` (20);
- a version outside the asked ones: ``VERSION`` (10) plus one per step away in the package's
  cached versions (the asked version counts as a step), at most ``VERSION_STEPS`` (9).

Exact matches (every constraint met) cost 0 and come first. Everything is computed per
distinct value of each column among the package's specs and broadcast with numpy; Python
runs per distinct value and per listed result, never per spec.
"""

from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from .catalog import Catalog
from .closestrequest import Request
from .host import NO, YES, target_verdict
from .model import parse_compiler
from .specsyntax import (
    CompilerConstraint,
    VariantConstraint,
)
from .versions import sort_key

CANNOT_RUN = 1000
UNDECIDED = 100
COMPILER = 20
COMPILER_VERSION = 10
VARIANT = 20
VERSION = 10
VERSION_STEPS = 9
DEFAULT_LIMIT = 10

OK, MISSED, UNKNOWN = 1, 0, -1  # the state of one constraint for one spec


# -- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One asked constraint against one spec: ``ok`` True, False, or None (undecided)."""

    field: str  # version, compiler, variant, platform, os, target
    wanted: str
    have: str  # "" when the spec has no value for it (a variant it lacks)
    ok: Optional[bool]
    cost: int
    reason: str = ""  # for a target: why it runs or does not

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "wanted": self.wanted, "have": self.have or None,
                "ok": self.ok, "cost": self.cost, "reason": self.reason}  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    """A cached binary and how it meets the request; ``tags`` holds every tag listing it."""

    spec_id: int
    cost: int
    differences: tuple[Difference, ...]
    tags: tuple[str, ...]

    @property
    def exact(self) -> bool:
        return all(d.ok for d in self.differences)

    @property
    def missed(self) -> int:
        return sum(not d.ok for d in self.differences)


@dataclass
class Closest:
    """The ranked answer: ``candidates`` best first (at most the limit asked)."""

    request: Request
    specs: int  # spec rows of the package (a binary listed in two tags counts twice)
    binaries: int  # distinct binaries of the package
    exact: int  # distinct binaries meeting every constraint
    candidates: list[Candidate]
    blockers: list[str] = field(default_factory=list)  # why nothing can match, when so
    suggestions: list[str] = field(default_factory=list)  # close names for an unknown package
    notes: list[str] = field(default_factory=list)  # what the request asked that is not checked


# -- one constraint, per distinct value ------------------------------------------------------


@dataclass
class _Aspect:
    """One asked constraint evaluated per distinct value used by the package's specs:
    ``per_value[k]`` is the Difference for value ``k``, ``codes`` maps each spec to one."""

    codes: np.ndarray  # per candidate spec: an index into ``per_value``
    per_value: list[Difference]
    blocker: str

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        cost = np.array([d.cost for d in self.per_value], dtype=np.int64)
        state = np.array([_state(d.ok) for d in self.per_value], dtype=np.int8)
        return cost[self.codes], state[self.codes]


def _state(ok: Optional[bool]) -> int:
    return UNKNOWN if ok is None else OK if ok else MISSED


def _variant_text(v: VariantConstraint) -> str:
    if v.any_value:
        return f"{v.name}=*"
    if not v.exact and v.values in ({"true"}, {"false"}):
        return ("+" if "true" in v.values else "~") + v.name
    return f"{v.name}{':=' if v.exact else '='}{','.join(sorted(v.values))}"


def _variant_name(variant: str) -> str:
    if variant[:1] in ("+", "~") and "=" not in variant:
        return variant[1:]
    return variant.partition("=")[0].rstrip(":")


def _compiler_text(c: CompilerConstraint) -> str:
    return f"{c.name}@{c.versions}" if c.versions is not None else c.name


def _version_costs(versions: list[tuple[str, ...]], ok: list[bool], asked: str) -> list[int]:
    """Per distinct version tuple: 0 when it satisfies, else VERSION plus its steps from the
    nearest satisfying cached version or asked version (the ends of each asked item)."""
    shown = [vs[0] if vs else "" for vs in versions]
    anchors = []
    for item in asked.split(","):
        item = item.lstrip("=")
        if "=" not in item and not item.startswith("git."):
            anchors += [end for end in item.split(":") if end]
    cached = sorted(set(shown), key=sort_key)
    good = {v for v, k in zip(shown, ok) if k}
    # The line of cached versions with the asked ends placed in it: a step is a cached version.
    line = sorted([(sort_key(v), 1, v) for v in cached] + [(sort_key(a), 0, a) for a in anchors])
    steps_before = np.cumsum([kind for _, kind, _ in line]).tolist()  # cached versions up to i
    goals = [i for i, (_, kind, v) in enumerate(line) if kind == 0 or v in good]
    where = {v: i for i, (_, kind, v) in enumerate(line) if kind == 1}
    costs = []
    for v, k in zip(shown, ok):
        if k:
            costs.append(0)
            continue
        i, nearest = where[v], VERSION_STEPS
        at = bisect.bisect_left(goals, i)
        if at < len(goals):  # a goal above: the cached versions from here up to it
            nearest = min(nearest, steps_before[goals[at]] - steps_before[i] + 1)
        if at > 0:  # a goal below: the cached versions after it, up to here
            nearest = min(nearest, steps_before[i] - steps_before[goals[at - 1]])
        costs.append(VERSION + max(1, min(nearest, VERSION_STEPS)))
    return costs


class _Package:
    """The specs of one package, with per-column distinct values (one ``np.unique`` each)."""

    def __init__(self, catalog: Catalog, ids: np.ndarray) -> None:
        self.catalog, self.ids = catalog, ids
        self._unique: dict[str, tuple[list[Any], np.ndarray]] = {}

    def values(self, column: str) -> tuple[list[Any], np.ndarray]:
        """(the distinct values among the package's specs, per spec an index into them)."""
        if column not in self._unique:
            col = self.catalog.column(column)
            used, inverse = np.unique(col.codes[self.ids], return_inverse=True)
            self._unique[column] = ([col.values[c] for c in used.tolist()], inverse.reshape(-1))
        return self._unique[column]

    def aspect(self, column: str, judge: Callable[[Any], Difference], blocker: str) -> _Aspect:
        values, codes = self.values(column)
        return _Aspect(codes, [judge(v) for v in values], blocker)


def _aspects(request: Request, package: _Package) -> list[_Aspect]:
    """One aspect per constraint the request makes, in the order a reader expects."""
    name = request.name
    aspects = []
    if request.versions is not None:
        asked = str(request.versions)
        values, codes = package.values("versions")
        ok = [any(request.versions.satisfied_by(v) for v in vs) for vs in values]
        costs = _version_costs(values, ok, asked)
        per = [Difference("version", asked, vs[0] if vs else "", k, c)
               for vs, k, c in zip(values, ok, costs)]  # fmt: skip
        aspects.append(_Aspect(codes, per, f"no {name}@{asked} at all"))
    if request.compiler is not None:
        wanted_c = request.compiler
        text = _compiler_text(wanted_c)

        def compiler(written: str) -> Difference:
            have = parse_compiler(written)
            if wanted_c.satisfied_by(written):
                return Difference("compiler", text, have.normalized, True, 0)
            cost = COMPILER_VERSION if have.name.lower() == wanted_c.name else COMPILER
            return Difference("compiler", text, have.normalized, False, cost)

        aspects.append(package.aspect("compiler", compiler, f"no {name} built with %{text} at all"))
    for wanted_v in request.variants:
        text = _variant_text(wanted_v)

        def variant(variants: tuple[str, ...], v: VariantConstraint = wanted_v,
                    text: str = text) -> Difference:  # fmt: skip
            have = " ".join(x for x in variants if _variant_name(x) == v.name)
            ok = v.satisfied_by(variants)
            return Difference("variant", text, have, ok, 0 if ok else VARIANT)

        aspects.append(package.aspect("variants", variant, f"no {name} with {text} at all"))
    for column, wanted in (("platform", request.platform), ("os", request.os)):
        if wanted:

            def exact(have: str, column: str = column, wanted: str = wanted) -> Difference:
                if not have:
                    return Difference(column, wanted, "", None, UNDECIDED)
                ok = have == wanted
                return Difference(column, wanted, have, ok, 0 if ok else CANNOT_RUN)

            what = f"platform {wanted}" if column == "platform" else wanted
            aspects.append(package.aspect(column, exact, f"no binary of {name} for {what} at all"))
    if request.target is not None:
        aspects.append(_target_aspect(request, package))
    return aspects


def _target_aspect(request: Request, package: _Package) -> _Aspect:
    target = request.target
    assert target is not None
    host = request.runs_on
    if host is not None:

        def runs(have: str) -> Difference:
            verdict = target_verdict(have, host)
            ok = True if verdict.state == YES else False if verdict.state == NO else None
            cost = 0 if ok else CANNOT_RUN if ok is False else UNDECIDED
            # target_verdict speaks of "this host"; here the host is the asked target
            reason = verdict.reason.replace("this host's ", "").replace("this host is", "asked")
            return Difference("target", host, have, ok, cost, reason)

        return package.aspect("target", runs, f"no binary of {request.name} runs on {host}")

    def within(have: str) -> Difference:
        ok = target.contains(have)
        cost = 0 if ok else CANNOT_RUN if ok is False else UNDECIDED
        return Difference("target", str(target), have, ok, cost)

    return package.aspect("target", within, f"no binary of {request.name} for target={target}")


# -- ranking ---------------------------------------------------------------------------------


def closest(catalog: Catalog, request: Request, limit: Optional[int] = DEFAULT_LIMIT) -> Closest:
    """The cached specs of ``request.name`` ranked by closeness (see the module's docstring),
    one entry per binary (a hash in several tags is listed once, with its tags); ``limit``
    None lists them all."""
    notes = [f"^{d.name}: dependencies are not compared" for d in request.dependencies]
    ids = np.flatnonzero(catalog.column("package").mask_equal(request.name))
    if not len(ids):
        from .query import Evaluator

        names = Evaluator(catalog).closest_names(request.name) if len(catalog) else []
        return Closest(request, 0, 0, 0, [], [f"no {request.name} at all"], names, notes)
    package = _Package(catalog, ids)
    aspects = _aspects(request, package)
    cost = np.zeros(len(ids), dtype=np.int64)
    missed = np.zeros(len(ids), dtype=np.int64)
    met = []
    for aspect in aspects:
        c, s = aspect.arrays()
        cost += c
        missed += s != OK
        met.append(s == OK)
    versions, version_codes = package.values("version")
    rank = np.zeros(max(len(versions), 1), dtype=np.int64)
    rank[sorted(range(len(versions)), key=lambda k: sort_key(versions[k]))] = np.arange(
        len(versions)
    )
    # best first: cost, then fewer misses, then newest version, then load order
    order = np.lexsort((ids, -rank[version_codes], missed, cost))

    # One key per binary: its hash (interned by a dict, a C loop), or the spec for none.
    hashes = (
        list(operator.itemgetter(*ids.tolist())(catalog.hashes))
        if len(ids) > 1
        else [catalog.hashes[int(ids[0])]]
    )
    index = dict(zip(dict.fromkeys(hashes), range(len(hashes))))
    key = np.fromiter(map(index.__getitem__, hashes), dtype=np.int64, count=len(hashes))
    if "" in index:
        blank = key == index[""]
        key[blank] = len(index) + np.arange(int(blank.sum()))
    _, first = np.unique(key[order], return_index=True)
    distinct = order[np.sort(first)]  # the best copy of each binary, best first
    tags_of = _tags(catalog, ids, key)

    shown = distinct if limit is None else distinct[:limit]
    candidates = [
        Candidate(int(ids[p]), int(cost[p]),
                  tuple(a.per_value[a.codes[p]] for a in aspects), tags_of(int(key[p])))
        for p in shown.tolist()
    ]  # fmt: skip
    exact = int((missed[distinct] == 0).sum())
    blockers = []
    if not exact:
        blockers = [a.blocker for a, m in zip(aspects, met) if not m.any()]
        if not blockers:
            blockers = [
                f"no single binary of {request.name} meets every constraint, "
                "though each is met by some"
            ]
    return Closest(request, len(ids), len(distinct), exact, candidates, blockers, [], notes)


def _tags(catalog: Catalog, ids: np.ndarray, key: np.ndarray) -> Callable[[int], tuple[str, ...]]:
    """The tags of each binary (``key``), looked up only for the binaries shown."""
    tag = catalog.column("tag")
    order = np.argsort(key, kind="stable")
    ordered = key[order]

    def tags(k: int) -> tuple[str, ...]:
        lo, hi = np.searchsorted(ordered, [k, k + 1])
        codes = dict.fromkeys(tag.codes[ids[order[lo:hi]]].tolist())
        return tuple(tag.values[c] for c in codes)

    return tags
