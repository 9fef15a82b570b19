"""The command line. Non-TUI commands never import Textual (they start in a fraction of a second).

Exit status: 0 when specs were loaded (bad files are reported on stderr), 1 when nothing could be
loaded or nothing matched, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from . import __version__
from .cli_spack import CHECK_HELP, add_option, check_parser, load_inputs
from .export import ALL_NAMES, LINE_NAMES, PRINT_NAMES
from .limits import DEFAULT_DOWNLOAD_DEADLINE, DEFAULT_MAX_DOWNLOAD_MB

if TYPE_CHECKING:
    from .loader import LoadResult

EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2
COMMANDS = {
    "list": "print the specs, one per row, in a chosen format (--query to filter)",
    "find": "find specs by hash fragment and packages by name (typo-tolerant)",
    "stats": "summarise what was loaded, and every bad file with its reason",
    "cache": "show where the on-disk caches are and how big (info), or remove them (clear)",
    "diff": "what changed between two tags, or two paths or mirrors",
    "compare": "two or more specs side by side, their differing fields marked",
    "closest": "the cached binaries closest to a spec you would install, differences spelled out",
    "check": CHECK_HELP,
}

DESCRIPTION = """\
A keyboard-driven terminal browser for Spack binary build caches.

With no command, opens the browser on PATHs: build cache pages or folders of them (searched
recursively), Spack mirrors (folders or http(s) URLs, layout v2 or v3), index.json files and
spec files. With no PATH, on the bundled seed pages.
"""


def _epilog() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name.ljust(width)}  {text}" for name, text in COMMANDS.items()]
    return "commands (cachetui COMMAND --help for more):\n" + "\n".join(lines)


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="page files or folders (default: the bundled seeds)",
    )
    parser.add_argument(
        "--tag", default=None, metavar="TAG",
        help="tag for specs from Spack indexes and mirrors (default: the mirror's name)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS",
        help="network timeout for http(s) mirrors (default: 30)",
    )  # fmt: skip
    parser.add_argument(
        "--no-cache", dest="use_cache", action="store_false",
        help="parse everything again; neither read nor write the on-disk index cache",
    )  # fmt: skip
    parser.add_argument(
        "--max-file-mb",
        type=float,
        default=None,
        metavar="MB",
        help="skip page files larger than this (default: 64)",
    )
    parser.add_argument(
        "--host", default=None, metavar="TARGET[,OS]",
        help="judge 'runs here' against this machine, e.g. zen4,rhel8 (default: this one)",
    )  # fmt: skip
    parser.add_argument(
        "--max-download-mb", type=float, default=DEFAULT_MAX_DOWNLOAD_MB, metavar="MB",
        help="stop a mirror download, or an index inflating, past this size"
        f" (default: {DEFAULT_MAX_DOWNLOAD_MB:g})",
    )  # fmt: skip
    parser.add_argument(
        "--download-deadline", type=float, default=DEFAULT_DOWNLOAD_DEADLINE, metavar="SECONDS",
        help=f"stop a mirror download that takes longer than this in all (default: {DEFAULT_DOWNLOAD_DEADLINE:g})",
    )  # fmt: skip
    add_option(parser)  # --spack


def browse_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cachetui",
        description=DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_paths(parser)
    parser.add_argument("--theme", help="Textual theme name (also switchable from the palette)")
    parser.add_argument(
        "--print", dest="print_selection", action="store_true",
        help="on enter, exit and print the selected specs to stdout (a picker, like fzf)",
    )  # fmt: skip
    parser.add_argument("--format", "-f", choices=PRINT_NAMES, default="hashes",
                        help="format for --print (default: hashes)")  # fmt: skip
    parser.add_argument(
        "--eager", action="store_true",
        help="load every tag of a big site checkout at start, instead of each on first use",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"cachetui {__version__}")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachetui list", description=COMMANDS["list"] + ".")
    _add_paths(parser)
    parser.add_argument("--format", "-f", choices=ALL_NAMES, default="table")
    parser.add_argument(
        "--limit", "-n", type=_positive_int, default=None, metavar="N", help="at most N rows"
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
    _add_paths(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--limit", "-n", type=_positive_int, default=20, metavar="N", help="at most N of each kind"
    )
    return parser


def cache_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachetui cache", description=COMMANDS["cache"] + ".")
    parser.add_argument("action", choices=("info", "clear"))
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def cmd_cache(args: argparse.Namespace) -> int:
    from .indexcache import clear, info

    if args.action == "clear":
        removed = clear()
        path = info()["path"]
        if args.json:
            _write(json.dumps({"removed": removed, "path": path}, indent=2) + "\n")
        else:
            _write(f"removed {removed} cache file(s) from {path}\n")
        return EXIT_OK
    data = info()
    if args.json:
        _write(json.dumps(data, indent=2) + "\n")
    else:
        _write(
            f"cache folder    {data['path']}\n"
            f"index caches    {data['index_files']} file(s), {data['index_bytes'] / 1e6:.1f} MB\n"
            f"downloads       {data['download_files']} file(s), {data['download_bytes'] / 1e6:.1f} MB\n"
        )
    return EXIT_OK


def stats_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachetui stats", description=COMMANDS["stats"] + ".")
    _add_paths(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _load(args: argparse.Namespace) -> LoadResult:
    from .loader import DEFAULT_MAX_BYTES, bundled_seeds, load, made_to_last

    paths, tags = load_inputs(args, lambda: str(bundled_seeds()))
    max_bytes = DEFAULT_MAX_BYTES if args.max_file_mb is None else int(args.max_file_mb * 1e6)
    with made_to_last():
        result = load(paths, max_bytes=max_bytes, tag=args.tag, timeout=args.timeout,
                      cache=args.use_cache, max_download_mb=args.max_download_mb,
                      download_deadline=args.download_deadline, tags=tags)  # fmt: skip
    _report(result)
    _unsaved.append(result)
    return result


_unsaved: list[LoadResult] = []  # loads whose index cache is written once the output is out


def _save_caches() -> None:
    with contextlib.suppress(OSError):
        sys.stdout.flush()  # the answer first: writing a big cache takes a second or two
    while _unsaved:
        _unsaved.pop().pending.save()


def _report(result: LoadResult) -> None:
    from .text import visible

    for problem in result.problems:
        print(f"cachetui: {visible(str(problem))}", file=sys.stderr)
    if result.errors:
        print(f"cachetui: {len(result.errors)} file(s) skipped", file=sys.stderr)


def _write(text: str) -> None:
    sys.stdout.write(text)


def cmd_list(args: argparse.Namespace) -> int:
    from itertools import islice

    from .cli_spack import installed_of, mark_installed
    from .export import render, render_lines

    result = _load(args)
    catalog = result.catalog
    if not len(catalog):
        print("cachetui: no specs loaded", file=sys.stderr)
        return EXIT_NOTHING
    from .query import Evaluator, QueryError, parse_query
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
        for note in result.notes:
            print(f"cachetui: {note}", file=sys.stderr)
    if args.limit is not None:
        ids = ids[: max(args.limit, 0)]
    specs = mark_installed(catalog.specs(ids), installed_of(args))
    if args.format in ("json", "jsonl", "yaml"):
        specs = with_runs_here(specs, ids, evaluator.runs_codes())
    if args.format not in LINE_NAMES:
        _write(render(list(specs), args.format))
    else:
        for line in render_lines(islice(specs, None), args.format):
            _write(line)
    if args.format == "hashes":
        missing = sum(1 for i in ids if not catalog.hashes[i])
        if missing:
            print(f"cachetui: {missing} spec(s) have no hash and were left out", file=sys.stderr)
    return EXIT_OK


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

    result = _load(args)
    data = find_data(result, args.text, args.limit)
    if args.json:
        from .export import clean_json

        _write(json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n")
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
            _write("\n".join(visible(line) for line in lines) + "\n")
    if not data["hashes"] and not data["packages"]:
        print(f"cachetui: nothing matches {visible(args.text)!r}", file=sys.stderr)
        return EXIT_NOTHING
    return EXIT_OK


def stats_data(result: LoadResult) -> dict:
    catalog = result.catalog
    eras: dict[str, int] = {}
    for page in catalog.pages:
        eras[page.era] = eras.get(page.era, 0) + 1
    return {
        "inputs": result.inputs,
        "files_read": result.files_read,
        "pages": result.pages,
        "packages": len(catalog.packages),
        "tags": {tag: int(catalog.mask_equal("tag", tag).sum()) for tag in catalog.tags},
        "specs": len(catalog),
        "eras": eras,
        "facets": {name: dict(counts) for name, counts in catalog.facets().items()},
        "problems": [problem.to_dict() for problem in result.problems],
        "cache": result.cache_notes,
    }


def cmd_stats(args: argparse.Namespace) -> int:
    from .text import visible

    result = _load(args)
    # Written now, so the cache notes say what happened to it, not what was meant to.
    for note, reason in result.pending.save().items():
        done = result.cache_notes[note].partition(": ")[2]
        result.cache_notes[note] = f"index cache not written ({reason})" + (
            f": {done}" if done else ""
        )
    data = stats_data(result)
    if args.json:
        from .export import clean_json

        _write(json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n")
    else:
        tags = ", ".join(f"{t} ({n})" for t, n in data["tags"].items())
        eras = ", ".join(f"{e}: {n}" for e, n in sorted(data["eras"].items()))
        lines = [
            f"files read  {data['files_read']}",
            f"pages       {data['pages']}" + (f" (era {eras})" if eras else ""),
            f"packages    {data['packages']}",
            f"tags        {len(data['tags'])}" + (f": {tags}" if tags else ""),
            f"specs       {data['specs']}",
        ]
        for facet, counts in data["facets"].items():
            shown = ", ".join(f"{v} ({n})" for v, n in list(counts.items())[:8])
            more = len(counts) - 8
            lines.append(f"{facet:<11} {shown}" + (f", ... {more} more" if more > 0 else ""))
        errors, warnings = len(result.errors), len(result.warnings)
        lines += [f"cache       {note}" for note in data["cache"]]
        lines.append(f"problems    {errors} error(s), {warnings} warning(s)")
        lines += [f"  {problem}" for problem in result.problems]
        _write("\n".join(visible(line) for line in lines) + "\n")
    return EXIT_OK if data["specs"] else EXIT_NOTHING


def diff_parser() -> argparse.ArgumentParser:
    from .diffreport import add_arguments, add_options  # the command lives in diffreport.py

    parser = argparse.ArgumentParser(prog="cachetui diff", description=COMMANDS["diff"] + ".")
    add_arguments(parser)
    _add_paths(parser)
    add_options(parser)
    return parser


def cmd_diff(args: argparse.Namespace) -> int:
    from .diffreport import run

    return run(args, _load)


def compare_parser() -> argparse.ArgumentParser:
    from .compare import add_options  # the command lives in compare.py

    parser = argparse.ArgumentParser(
        prog="cachetui compare",
        usage="cachetui compare HASH HASH [HASH ...] [PATH ...] [options]",
        description=COMMANDS["compare"] + ".",
    )
    _add_paths(parser)
    add_options(parser)
    return parser


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import run

    return run(args, _load)


def closest_parser() -> argparse.ArgumentParser:
    from .closestreport import add_arguments, add_options  # the command lives there

    parser = argparse.ArgumentParser(prog="cachetui closest", description=COMMANDS["closest"] + ".")
    add_arguments(parser)
    _add_paths(parser)
    add_options(parser)
    return parser


def cmd_closest(args: argparse.Namespace) -> int:
    from .closestreport import run

    return run(args, _load)


def cmd_check(args: argparse.Namespace) -> int:
    from .cli_spack import run_check

    return run_check(args, _load)


def cmd_browse(args: argparse.Namespace) -> int:
    from .loader import (
        DEFAULT_MAX_BYTES,
        BackgroundLoad,
        bundled_seeds,
        checkout_groups,
        made_to_last,
    )

    paths, tags = load_inputs(args, lambda: str(bundled_seeds()))
    max_bytes = DEFAULT_MAX_BYTES if args.max_file_mb is None else int(args.max_file_mb * 1e6)
    print_format = args.format if args.print_selection else None
    groups = None if args.eager else checkout_groups(paths)
    # Everything is loaded at start: begin now, while Textual is imported and starts up.
    # The catalog lives as long as the process: made with the collector paused, then frozen.
    preload = None if groups else BackgroundLoad(paths, around=made_to_last, max_bytes=max_bytes,
                                                 tag=args.tag, timeout=args.timeout,
                                                 cache=args.use_cache,
                                                 max_download_mb=args.max_download_mb,
                                                 download_deadline=args.download_deadline,
                                                 tags=tags)  # fmt: skip

    from .cli_spack import installed_of
    from .ui.app import CacheApp  # the only path that imports Textual

    app = CacheApp(paths, theme=args.theme, max_bytes=max_bytes, print_format=print_format,
                   tag=args.tag, timeout=args.timeout, use_cache=args.use_cache,
                   lazy=not args.eager, preload=preload, groups=groups,
                   max_download_mb=args.max_download_mb,
                   download_deadline=args.download_deadline,
                   host=args.host, tags=tags, installed=installed_of(args))  # fmt: skip
    chosen = app.run()  # Textual draws on stderr: stdout carries only what is printed here
    app.save_unsaved_caches()
    if print_format:
        if app.return_code:  # cancelled (esc, ctrl+c): 130, as fzf
            return app.return_code
        if not chosen:
            return EXIT_NOTHING
        sys.stdout.write(chosen)
        sys.stdout.flush()
    return app.return_code or EXIT_OK


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    handlers = {
        "list": (list_parser, cmd_list),
        "find": (find_parser, cmd_find),
        "stats": (stats_parser, cmd_stats),
        "cache": (cache_parser, cmd_cache),
        "diff": (diff_parser, cmd_diff),
        "compare": (compare_parser, cmd_compare),
        "closest": (closest_parser, cmd_closest),
        "check": (lambda: check_parser(_add_paths), cmd_check),
    }
    if argv and argv[0] in handlers:
        make_parser, handler = handlers[argv[0]]
        parser = make_parser()
        args = parser.parse_args(argv[1:])
        if handler is cmd_find and args.text is None:
            parser.error("the following arguments are required: TEXT")  # exits with status 2
    else:
        args = browse_parser().parse_args(argv)
        handler = cmd_browse
    if getattr(args, "max_file_mb", None) is not None and args.max_file_mb <= 0:
        print("cachetui: --max-file-mb must be positive", file=sys.stderr)
        return EXIT_USAGE
    for option in ("max_download_mb", "download_deadline", "timeout"):
        value = getattr(args, option, None)
        if value is not None and not value > 0:  # NaN too
            print(f"cachetui: --{option.replace('_', '-')} must be positive", file=sys.stderr)
            return EXIT_USAGE
    if getattr(args, "host", None) is not None:
        from .host import parse_host

        try:
            args.host = parse_host(args.host)
        except ValueError as error:
            print(f"cachetui: --host: {error}", file=sys.stderr)
            return EXIT_USAGE
    if getattr(args, "spack", False):
        from .cli_spack import use_spack

        failed = use_spack(args)
        if failed is not None:
            return failed
    try:
        try:
            code = handler(args)
        except BrokenPipeError:
            # The reader went away (``| head``): not an error; keep Python quiet at exit.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            code = EXIT_OK
        _save_caches()
        return code
    except KeyboardInterrupt:
        return 130
