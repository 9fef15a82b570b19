"""The commands that list and find specs: ``list`` (formats, --query) and ``find`` (hash
fragments and package names)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from .cli_common import COMMANDS, add_paths, load_args, positive_int, write
from .cli_spack import EXIT_NOTHING, EXIT_OK, EXIT_USAGE
from .export import ALL_NAMES, LINE_NAMES

if TYPE_CHECKING:
    from .loader import LoadResult


def list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachetui list", description=COMMANDS["list"] + ".")
    add_paths(parser)
    parser.add_argument("--format", "-f", choices=ALL_NAMES, default="table")
    parser.add_argument(
        "--limit", "-n", type=positive_int, default=None, metavar="N", help="at most N rows"
    )
    parser.add_argument(
        "--query", "-q", default="", metavar="Q",
        help="filter with the query language, e.g. 'py-numpy %%gcc@13 os=ubuntu24.04 stack=e4s*'",
    )  # fmt: skip
    parser.add_argument(
        "--runs-here", action="store_true",
        help="only specs that run on this machine (or the one --host names)",
    )  # fmt: skip
    return parser


def find_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachetui find", description=COMMANDS["find"] + ".")
    # Optional to argparse only so that a missing TEXT is named alone (not "TEXT, PATH").
    parser.add_argument("text", metavar="TEXT", nargs="?",
                        help="a hash fragment (/abc12 or abc12) or a name")  # fmt: skip
    add_paths(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--limit", "-n", type=positive_int, default=20, metavar="N", help="at most N of each kind"
    )
    return parser


def cmd_list(args: argparse.Namespace) -> int:
    from itertools import islice

    import numpy as np

    from .cli_spack import installed_of, mark_installed
    from .export import render, render_lines, render_table
    from .fastexport import fast_parts

    result = load_args(args)
    catalog = result.catalog
    if not len(catalog):
        print("cachetui: no specs loaded", file=sys.stderr)
        return EXIT_NOTHING
    from .query import Evaluator
    from .querysyntax import QueryError, parse_query
    from .view import with_runs_here

    # One evaluator for the query, --runs-here and the JSON's runs_here: the browser's too.
    evaluator = Evaluator(catalog, args.host, installed_of(args))
    ids: Sequence[int] = range(len(catalog))
    query = (args.query + (" runs=yes" if args.runs_here else "")).strip()
    if query:
        try:
            result = evaluator.evaluate(parse_query(query))
        except QueryError as error:
            print(f"cachetui: bad query: {error}", file=sys.stderr)
            return EXIT_USAGE
        ids = result.mask.nonzero()[0]
        for note in [] if args.quiet else result.notes:
            print(f"cachetui: {note}", file=sys.stderr)
    if args.limit is not None:
        ids = ids[: max(args.limit, 0)]
    fast = fast_parts(catalog, ids, args.format)  # formats that show no per-user marks
    if fast is not None:
        for part in fast:
            write(part)
    else:
        specs = mark_installed(catalog.specs(ids), installed_of(args))
        if args.format in ("json", "jsonl", "yaml"):
            from .provenance import places_for

            places = places_for(catalog, ids)
            specs = with_runs_here(
                specs, ids, evaluator.runs_codes(), evaluator.closure_codes(), places
            )
        if args.format == "table":
            write(render_table(list(specs), terminal_width()))
        elif args.format not in LINE_NAMES:
            write(render(list(specs), args.format))
        else:
            for line in render_lines(islice(specs, None), args.format):
                write(line)
    if args.format == "hashes":
        chosen = np.asarray(ids, dtype=np.int64)
        blank = catalog.hashes.raw[chosen] == b""  # a hash that does not fit is kept aside
        missing = int(blank.sum()) - int(np.isin(chosen, list(catalog.hashes.odd)).sum())
        if missing and not args.quiet:
            print(f"cachetui: {missing} spec(s) have no hash and were left out", file=sys.stderr)
    return EXIT_OK


def terminal_width() -> Optional[int]:
    """The terminal's width when stdout is one (the table then fits it); None when piped or
    redirected (whole values: a script reads them)."""
    import shutil

    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # a replaced or closed stdout
        return None
    return shutil.get_terminal_size().columns


def find_data(result: LoadResult, text: str, limit: int) -> dict:
    from .search import find_hashes, find_packages, looks_like_hash

    catalog = result.catalog
    hashes = []
    if looks_like_hash(text):
        for hit in find_hashes(catalog, text, limit=limit):
            spec = catalog.spec(hit.spec_id)
            hashes.append({
                "tag": spec.tag, "package": spec.package, "hash": spec.hash,
                "short_hash": spec.short_hash, "spec": spec.spec_string,
                "match": hit.match, "score": round(hit.score, 1),
            })  # fmt: skip
    packages = []
    if not text.strip().startswith("/"):
        for hit in find_packages(catalog, text, limit=limit):
            tags = {
                tag: int(n)
                for tag, n in catalog.facet_counts("tag", catalog.ids_for(package=hit.name))
            }
            packages.append({"name": hit.name, "tags": tags, "specs": sum(tags.values()),
                             "match": hit.match, "score": round(hit.score, 1)})  # fmt: skip
    return {"query": text, "hashes": hashes, "packages": packages}


def cmd_find(args: argparse.Namespace) -> int:
    from .text import visible

    result = load_args(args)
    data = find_data(result, args.text, args.limit)
    if args.json:
        from .export import clean_json

        write(json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n")
    else:
        lines = []
        if data["hashes"]:
            lines.append(f"hashes ({len(data['hashes'])}):")
            for hit in data["hashes"]:
                mark = "" if hit["match"] == "prefix" else f"  (fuzzy, {hit['score']:.0f})"
                lines.append(
                    f"  {hit['tag']:<20} {hit['package']:<24} {hit['short_hash']}  {hit['spec']}{mark}"
                )
        if data["packages"]:
            lines.append(f"packages ({len(data['packages'])}):")
            for hit in data["packages"]:
                tags = ", ".join(f"{t} ({n})" for t, n in hit["tags"].items())
                mark = "" if hit["match"] != "fuzzy" else f"  (fuzzy, {hit['score']:.0f})"
                lines.append(f"  {hit['name']:<28} {hit['specs']:>6} specs  {tags}{mark}")
        if lines:
            write("\n".join(visible(line) for line in lines) + "\n")
    if not data["hashes"] and not data["packages"]:
        print(f"cachetui: nothing matches {visible(args.text)!r}", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK
