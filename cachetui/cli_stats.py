"""The commands that describe what was loaded and the caches: ``stats``, ``cache`` and
``index`` (a shared site index)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from .cli_common import COMMANDS, add_paths, load_args, write
from .cli_spack import EXIT_NOTHING, EXIT_OK

if TYPE_CHECKING:
    from .loader import LoadResult


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
            write(json.dumps({"removed": removed, "path": path}, indent=2) + "\n")
        else:
            write(f"removed {removed} cache file(s) from {path}\n")
        return EXIT_OK
    data = info()
    if args.json:
        write(json.dumps(data, indent=2) + "\n")
    else:
        write(
            f"cache folder    {data['path']}\n"
            f"index caches    {data['index_files']} file(s), {data['index_bytes'] / 1e6:.1f} MB\n"
            f"downloads       {data['download_files']} file(s), {data['download_bytes'] / 1e6:.1f} MB\n"
        )
    return EXIT_OK


def stats_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachetui stats", description=COMMANDS["stats"] + ".")
    add_paths(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


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

    args.problems_on_stdout = args.quiet and not args.json  # said once, there
    result = load_args(args)
    # Written now, so the cache notes say what happened to it, not what was meant to.
    for note, reason in result.pending.save().items():
        done = result.cache_notes[note].partition(": ")[2]
        result.cache_notes[note] = f"index cache not written ({reason})" + (
            f": {done}" if done else ""
        )
    data = stats_data(result)
    if args.json:
        from .export import clean_json

        write(json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n")
    elif args.quiet:  # the problems alone, one a line (stderr had them too)
        write("".join(visible(str(problem)) + "\n" for problem in result.problems))
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
        write("\n".join(visible(line) for line in lines) + "\n")
    return EXIT_OK if data["specs"] else EXIT_NOTHING


def index_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cachetui index", description=COMMANDS["index"] + ".")
    parser.add_argument("action", choices=("build",))
    parser.add_argument("paths", nargs="+", metavar="PATH", help="page folders (a site checkout)")
    parser.add_argument("--out", required=True, metavar="DIR", help="the index folder to write")
    parser.add_argument("--tag", default=None, metavar="TAG", help="as for loading")
    parser.add_argument("--max-file-mb", type=float, default=None, metavar="MB",
                        help="as for loading (default: 64)")  # fmt: skip
    return parser


def cmd_index(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from .loader import DEFAULT_MAX_BYTES
    from .siteindex import build

    max_bytes = DEFAULT_MAX_BYTES if args.max_file_mb is None else int(args.max_file_mb * 1e6)
    try:
        manifest = build(args.paths, Path(args.out), max_bytes, args.tag,
                         say=lambda line: print(f"cachetui: {line}", file=sys.stderr))  # fmt: skip
    except (OSError, ValueError) as error:
        print(f"cachetui: index build: {error}", file=sys.stderr)
        return EXIT_NOTHING
    specs = max((entry["specs"] for entry in manifest["loads"].values()), default=0)
    write(f"site index {args.out}: {specs:,} specs, {len(manifest['loads'])} index file(s);"
          f" open it with: cachetui --index {args.out}\n")  # fmt: skip
    return EXIT_OK if specs else EXIT_NOTHING
