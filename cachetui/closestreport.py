"""``cachetui closest`` as text: the ranked binaries with their differences spelled out, as a
table or JSON, and the command line (registered in cli_reports.py). UI-free; the ranking is in
``closest``.

Exit 0 when an exact match exists, 1 when only near ones (or none), 2 for a bad request.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, Callable

from .closest import DEFAULT_LIMIT, Candidate, Closest, Difference, closest
from .closestrequest import parse_request
from .specsyntax import SpecSyntaxError
from .text import visible

if TYPE_CHECKING:
    from .catalog import Catalog
    from .loader import LoadResult

FORMATS = ("table", "json")
EXIT_EXACT, EXIT_NEAR, EXIT_USAGE = 0, 1, 2
MARK = {True: "✓", False: "✗", None: "?"}


def difference_text(d: Difference) -> str:
    """One difference as a reader says it: ``compiler gcc@11.4.0 (asked gcc@13) ✗``."""
    mark = MARK[d.ok]
    if d.field == "variant":
        return f"{d.wanted} {mark}" if d.ok else f"{d.wanted} (have {d.have or 'none'}) {mark}"
    if d.field == "target" and d.reason:
        if d.ok:
            return f"target {d.have} runs on {d.wanted} {mark}"
        if d.ok is False:
            return f"target {d.have} does not run on {d.wanted}: {d.reason} {mark}"
        return f"target {d.have or '-'} (asked {d.wanted}): {d.reason} {mark}"
    if d.have == d.wanted:
        return f"{d.field} {d.have} {mark}"
    asked = "you asked" if d.field == "version" else "asked"
    return f"{d.field} {d.have or '-'} ({asked} {d.wanted}) {mark}"


def spec_line(catalog: Catalog, candidate: Candidate) -> str:
    spec = catalog.spec(candidate.spec_id)
    name = f"{spec.package}@{spec.version}" if spec.version else spec.package
    arch = "-".join(part or "-" for part in (spec.platform, spec.os, spec.target))
    where = ", ".join(candidate.tags)
    return f"{name} /{spec.short_hash or '-'} %{spec.compiler_info.normalized} {arch} [{where}]"


def _headline(found: Closest) -> str:
    request = found.request
    if not found.binaries:
        return f"closest to {request.text}: no binaries of {request.name}"
    exact = f"{found.exact} exact" if found.exact else "no exact match: the closest come first"
    return (
        f"closest to {request.text}: {found.binaries} binaries of {request.name} "
        f"({found.specs} specs), {exact}"
    )


def render_table(catalog: Catalog, found: Closest) -> str:
    lines = [_headline(found)]
    lines += [f"  {blocker}" for blocker in found.blockers]
    if found.suggestions:
        lines.append(f"  closest names: {', '.join(found.suggestions)}")
    lines += [f"  note: {note}" for note in found.notes]
    for rank, candidate in enumerate(found.candidates, 1):
        verdict = "exact" if candidate.exact else f"cost {candidate.cost}"
        lines.append(f"{rank:>3}. {spec_line(catalog, candidate)}  {verdict}")
        if candidate.differences:
            lines.append("     " + ", ".join(map(difference_text, candidate.differences)))
    shown = len(found.candidates)
    if shown < found.binaries:
        lines.append(f"({found.binaries - shown} more: --limit N, or --limit 0 for all)")
    return "\n".join(visible(line) for line in lines) + "\n"


def records(catalog: Catalog, found: Closest) -> list[dict[str, Any]]:
    """The ranked list, best first: every field of the spec, then how it meets the request."""
    out = []
    for rank, candidate in enumerate(found.candidates, 1):
        record = catalog.spec(candidate.spec_id).to_dict()
        del record["tag"]
        record.update(
            rank=rank,
            exact=candidate.exact,
            cost=candidate.cost,
            tags=list(candidate.tags),
            differences=[d.to_dict() for d in candidate.differences],
        )
        out.append(record)
    return out


def render(catalog: Catalog, found: Closest, fmt: str = "table") -> str:
    if fmt == "json":
        from .export import clean_json

        data = clean_json(records(catalog, found))
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "table":
        return render_table(catalog, found)
    raise ValueError(f"unknown format {fmt!r}")


# -- the command line (registered in cli_reports.py) -----------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "request", metavar="SPEC", help="the spec you would give spack install, quoted"
    )


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=FORMATS, default="table")
    parser.add_argument(
        "--limit", "-n", type=int, default=DEFAULT_LIMIT, metavar="N",
        help=f"list the N closest binaries (default: {DEFAULT_LIMIT}; 0: all)",
    )  # fmt: skip


def _error(message: str) -> None:
    print(f"cachetui: {visible(message)}", file=sys.stderr)


def run(args: argparse.Namespace, load: Callable[[argparse.Namespace], LoadResult]) -> int:
    """``cachetui closest SPEC [PATH ...]``: exit 0 with an exact match, 1 without, 2 for a
    bad request (checked before anything is loaded)."""
    try:
        request = parse_request(args.request)
    except SpecSyntaxError as error:
        _error(str(error))
        return EXIT_USAGE
    if args.limit < 0:
        _error("--limit must be 0 (all) or more")
        return EXIT_USAGE
    catalog = load(args).catalog
    found = closest(catalog, request, args.limit or None)
    sys.stdout.write(render(catalog, found, args.format))
    if args.format == "json":  # stdout is the list alone: say why nothing matched on stderr
        for line in found.blockers + [f"closest names: {', '.join(found.suggestions)}"] * bool(
            found.suggestions
        ):
            _error(line)
    return EXIT_EXACT if found.exact else EXIT_NEAR
