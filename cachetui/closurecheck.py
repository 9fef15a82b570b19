"""``cachetui check``'s question: can the specs some hash prefixes name be installed from the
loaded caches alone? Each prefix to its spec's closure (``closure``), a verdict and text. UI-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .catalog import Catalog
from .closure import COMPLETE, Closure, closure_of, known_specs
from .model import SHORT_HASH

NO_SUCH_SPEC = "no such spec"
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class Checked:
    """One query of ``check``: the specs its hash prefix names (one per distinct hash) and
    their closures. ``verdict``: ``no such spec``, ``ambiguous`` (several hashes), or the
    closure's verdict."""

    query: str
    spec_ids: tuple[int, ...]
    closures: tuple[Closure, ...]

    @property
    def verdict(self) -> str:
        if not self.closures:
            return NO_SUCH_SPEC
        if len(self.closures) > 1:
            return AMBIGUOUS
        return self.closures[0].verdict


@dataclass(frozen=True)
class CheckReport:
    results: list[Checked]
    exit_code: int  # 0 all complete, 1 something missing or unknown, 2 no such spec or ambiguous


def check(catalog: Catalog, queries: Sequence[str], limit: int = 20) -> CheckReport:
    """Each query (a hash prefix, ``/`` allowed) to its spec's closure; an ambiguous prefix
    lists up to ``limit`` of the specs it names, like ``spack install /prefix`` refuses it."""
    known = known_specs(catalog)
    results = []
    for query in queries:
        ids = catalog.by_hash_prefix(query) if query.lstrip("/").strip() else []
        distinct: dict[str, int] = {}
        for spec_id in ids:
            full_hash = catalog.hashes[spec_id]
            if full_hash not in distinct or (known[spec_id] and not known[distinct[full_hash]]):
                distinct[full_hash] = spec_id
        chosen = tuple(list(distinct.values())[:limit])
        closures = tuple(closure_of(catalog, spec_id, known) for spec_id in chosen)
        results.append(Checked(query, chosen, closures))
    verdicts = {result.verdict for result in results}
    if verdicts & {NO_SUCH_SPEC, AMBIGUOUS}:
        code = 2
    elif verdicts - {COMPLETE}:
        code = 1
    else:
        code = 0
    return CheckReport(results, code)


def describe(catalog: Catalog, spec_id: int) -> str:
    """``name@version/hash7`` of a loaded spec."""
    name = catalog.column("package").cell(spec_id)
    version = catalog.column("version").cell(spec_id)
    short = catalog.hashes[spec_id][:SHORT_HASH] or "-"
    return f"{name}@{version}/{short}" if version else f"{name}/{short}"


def check_lines(catalog: Catalog, report: CheckReport) -> list[str]:
    """The report as plain text lines (values are untrusted: escape them before a terminal)."""
    lines = []
    for result in report.results:
        verdict = result.verdict
        if verdict in (NO_SUCH_SPEC, AMBIGUOUS):
            lines.append(f"{result.query}: {verdict}")
            lines += [f"  {describe(catalog, spec_id)}" for spec_id in result.spec_ids]
            continue
        closure = result.closures[0]
        lines.append(
            f"{describe(catalog, closure.root)}: {verdict}"
            f" ({len(closure.present)} dependencies present)"
        )
        for miss in closure.missing:
            dep = miss.dependency
            what = f"{dep.name}@{dep.version}" if dep.version else dep.name
            chain = " -> ".join(describe(catalog, spec_id) for spec_id in miss.path)
            lines.append(
                f"  missing {what}/{dep.hash[:SHORT_HASH] or '-'}"
                f" ({','.join(dep.deptypes) or 'no deptypes'}), needed by {chain}"
            )
        lines += [
            f"  dependencies unknown: {describe(catalog, spec_id)}" for spec_id in closure.unknown
        ]
    return lines


__all__ = [
    "AMBIGUOUS",
    "NO_SUCH_SPEC",
    "Checked",
    "CheckReport",
    "check",
    "check_lines",
    "describe",
]
