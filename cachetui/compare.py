"""Two or more specs side by side: every field, and which differ. UI-free.

A compared spec is a hash: when the same binary is in several tags (releases share binaries),
its tags and stacks are those of every copy. Rows are (field, a value per spec, differs): the
fields of the spec, each variant by name (``+``/``~`` or the value; absent is ``None``), its
stacks and tags, and each dependency by name when a Spack index gave them.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional

from .catalog import Catalog
from .model import Spec
from .text import visible

if TYPE_CHECKING:
    from .loader import LoadResult

FORMATS = ("table", "json")
EXIT_OK, EXIT_USAGE = 0, 2
DIFFERS = "*"


@dataclass(frozen=True)
class Row:
    field: str
    values: tuple[Optional[str], ...]  # one per spec; None: the spec has no such field
    differs: bool


@dataclass(frozen=True)
class Compared:
    """One compared spec: its record, and the tags and stacks of every copy of its hash."""

    spec: Spec
    tags: tuple[str, ...]
    stacks: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    specs: tuple[Compared, ...]
    rows: tuple[Row, ...]

    @property
    def differing(self) -> list[str]:
        return [row.field for row in self.rows if row.differs]

    def to_dict(self) -> dict[str, Any]:
        return {
            "specs": [
                {"hash": c.spec.hash, "package": c.spec.package, "spec": c.spec.spec_string,
                 "tags": list(c.tags)}
                for c in self.specs
            ],
            "rows": [
                {"field": row.field, "values": list(row.values), "differs": row.differs}
                for row in self.rows
            ],
            "differing": self.differing,
        }  # fmt: skip


class PrefixError(ValueError):
    """A hash prefix that names no spec, or more than one."""

    def __init__(self, prefix: str, matches: list[Spec], total: int) -> None:
        self.prefix, self.matches, self.total = prefix, matches, total
        if not total:
            super().__init__(f"no spec has a hash starting with {prefix!r}")
        else:
            shown = "" if total == len(matches) else f" (the first {len(matches)})"
            super().__init__(f"{prefix!r} is ambiguous: {total} hashes start with it{shown}")


def resolve(catalog: Catalog, prefix: str) -> Compared:
    """The spec whose hash starts with ``prefix`` (``/`` allowed); ``PrefixError`` when none or
    several distinct hashes do."""
    ids = catalog.by_hash_prefix(prefix)
    hashes = sorted({catalog.hashes[i] for i in ids})
    if len(hashes) != 1:
        matches = [catalog.spec(catalog.by_hash(h)[0]) for h in hashes[:20]]
        raise PrefixError(prefix.strip().lstrip("/"), matches, len(hashes))
    copies = [catalog.spec(i) for i in catalog.by_hash(hashes[0])]
    copies.sort(key=lambda s: s.tag)
    stacks = sorted({stack for copy in copies for stack in copy.stacks})
    return Compared(copies[0], tuple(sorted({c.tag for c in copies})), tuple(stacks))


def _variant(token: str) -> tuple[str, str]:
    """``+mpi`` -> (mpi, +mpi); ``build_system=cmake``/``patches:=abc`` -> (key, value)."""
    if token[:1] in ("+", "~"):
        return token[1:], token
    key, equals, value = token.partition("=")
    if not equals:
        return token, token
    return key.rstrip(":"), value


def compare(specs: Sequence[Compared]) -> Comparison:
    """Rows of every field of ``specs``, each marked when its values are not all equal."""
    rows: list[Row] = []

    def add(name: str, values: list[Optional[str]]) -> None:
        rows.append(Row(name, tuple(values), len(set(values)) > 1))

    for name, get in (
        ("package", lambda s: s.package),
        ("version", lambda s: s.version),
        ("compiler", lambda s: s.compiler_info.normalized),
        ("os", lambda s: s.os),
        ("target", lambda s: s.target),
        ("platform", lambda s: s.platform),
    ):
        add(name, [get(c.spec) for c in specs])
    variants = [dict(_variant(v) for v in c.spec.variants) for c in specs]
    for name in sorted({name for found in variants for name in found}):
        add(f"variant {name}", [found.get(name) for found in variants])
    add("stacks", [",".join(c.stacks) for c in specs])
    add("tags", [",".join(c.tags) for c in specs])
    if any(c.spec.dependencies for c in specs):
        deps = [
            {d.name: f"{d.version} /{d.short_hash}" for d in c.spec.dependencies} for c in specs
        ]
        known = [bool(c.spec.dependencies) for c in specs]
        for name in sorted({name for found in deps for name in found}):
            add(
                f"dependency {name}",
                [found.get(name, "" if k else None) for found, k in zip(deps, known)],
            )
    return Comparison(tuple(specs), tuple(rows))


# -- rendering -------------------------------------------------------------------------------


def labels(specs: Sequence[Compared]) -> list[str]:
    """Short hashes, long enough to tell the specs apart."""
    hashes = [c.spec.hash for c in specs]
    width = 7
    while width < 32 and len({h[:width] for h in hashes}) < len(set(hashes)):
        width += 1
    return [h[:width] for h in hashes]


def render(comparison: Comparison, fmt: str = "table", differences: bool = False) -> str:
    """An aligned table (``*`` marks a field whose values differ) or JSON."""
    rows = [r for r in comparison.rows if r.differs or not differences]
    if fmt == "json":
        from .export import clean_json

        data = comparison.to_dict()
        if differences:
            data["rows"] = [r for r in data["rows"] if r["differs"]]
        return json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    table = [["", "FIELD", *labels(comparison.specs)]]
    table += [
        [DIFFERS if r.differs else "", r.field, *("-" if v is None else v for v in r.values)]
        for r in rows
    ]
    table = [[visible(cell) for cell in row] for row in table]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
    count = len(comparison.differing)
    lines.append(f"{count} of {len(comparison.rows)} fields differ ({DIFFERS})")
    return "\n".join(lines) + "\n"


# -- the command line (registered in cli_reports.py) -----------------------------------------


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=FORMATS, default="table")
    parser.add_argument(
        "--differences", "-d", action="store_true", help="show only the fields that differ"
    )


def _location(text: str) -> bool:
    return text.startswith(("http://", "https://")) or os.path.exists(text)


def _error(message: str) -> None:
    print(f"cachetui: {visible(message)}", file=sys.stderr)


def run(args: argparse.Namespace, load: Callable[[argparse.Namespace], LoadResult]) -> int:
    """``cachetui compare HASH HASH ... [PATH ...]``: an item that is an existing path or a URL
    is a PATH, any other a hash prefix. Exit 2 for an unknown or ambiguous prefix."""
    from .search import looks_like_hash

    items = list(args.paths)
    paths = [item for item in items if _location(item)]
    prefixes = [item for item in items if not _location(item)]
    bad = [p for p in prefixes if not looks_like_hash(p)]
    if bad:
        for item in bad:
            _error(f"{item!r} is neither a hash prefix nor an existing path")
        return EXIT_USAGE
    if len(prefixes) < 2:
        _error("compare needs two or more hash prefixes")
        return EXIT_USAGE
    result = load(argparse.Namespace(**{**vars(args), "paths": paths}))
    found: list[Compared] = []
    failed = False
    for prefix in prefixes:
        try:
            found.append(resolve(result.catalog, prefix))
        except PrefixError as error:
            failed = True
            _error(str(error))
            for spec in error.matches:
                _error(f"  {spec.hash}  {spec.tag}  {spec.spec_string}")
    if failed:
        return EXIT_USAGE
    sys.stdout.write(render(compare(found), args.format, args.differences))
    return EXIT_OK
