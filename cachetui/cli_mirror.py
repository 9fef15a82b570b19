"""Mirror views and download sizes on the command line: ``--view``/``--all-views`` on every
loading command, ``cachetui views MIRROR``, and ``check --sizes``. Never imports Textual."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Optional

from .text import visible

if TYPE_CHECKING:
    from .catalog import Catalog
    from .closurecheck import CheckReport

VIEWS_HELP = "list the build cache views of layout v3 mirrors"
EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2


def _error(message: str) -> None:
    print(f"cachetui: {visible(message)}", file=sys.stderr)


def add_view_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--view", action="append", default=[], metavar="NAME",
        help="read this build cache view of each layout v3 mirror instead of its whole index"
        " (repeatable); its name becomes a stack of its specs",
    )  # fmt: skip
    parser.add_argument(
        "--all-views", action="store_true",
        help="read every build cache view of each layout v3 mirror (one stack per view)",
    )  # fmt: skip


def with_views(paths: list[str], tags: dict[str, str], args: argparse.Namespace
               ) -> tuple[list[str], dict[str, str]]:  # fmt: skip
    """Each mirror root among ``paths`` replaced by the index of each view asked for
    (``--view``, ``--all-views``), keeping its tag; other paths as they are. A view name that
    is not a plain name, or views that cannot be listed, are reported on stderr."""
    from .errors import PageError
    from .mirrorviews import is_mirror_root, is_view_name, list_views, view_index

    names: list[str] = list(dict.fromkeys(getattr(args, "view", None) or []))
    every = bool(getattr(args, "all_views", False))
    if not names and not every:
        return paths, tags
    for name in [n for n in names if not is_view_name(n)]:
        _error(f"--view: not a view name (letters, digits, . _ + -): {name!r}")
    names = [n for n in names if is_view_name(n)]
    out: list[str] = []
    out_tags = dict(tags)
    for path in paths:
        if not is_mirror_root(path):
            out.append(path)
            continue
        wanted = list(names)
        if every:
            try:
                found = list_views(path, getattr(args, "timeout", 30.0))
            except PageError as error:
                _error(f"{path}: {error.reason}")
                found = []
            if not found:
                _error(f"{path}: no build cache views; its whole index is read")
            wanted += [name for name in found if name not in wanted]
        if not wanted:
            out.append(path)
            continue
        for name in wanted:
            where = view_index(path, name)
            out.append(where)
            if path in tags:
                out_tags[where] = tags[path]
    return out, out_tags


# -- cachetui views -----------------------------------------------------------------------------


def views_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cachetui views",
        usage="cachetui views MIRROR [MIRROR ...] [--json]",
        description=VIEWS_HELP + ": v3/manifests/index/<view>/index.manifest.json (a folder, or"
        " an http(s) URL whose server lists folders). Exit 1 when a mirror has none or cannot"
        " be listed.",
    )
    parser.add_argument("paths", nargs="+", metavar="MIRROR", help="mirror folder or URL")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def cmd_views(args: argparse.Namespace) -> int:
    from .errors import PageError
    from .mirrorviews import list_views

    found: dict[str, Optional[list[str]]] = {}
    for mirror in args.paths:
        try:
            found[mirror] = list_views(mirror, args.timeout)
        except PageError as error:
            _error(f"{mirror}: {error.reason}")
            found[mirror] = None
    if args.json:
        data = [{"mirror": m, "views": v} for m, v in found.items()]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        for mirror, views in found.items():
            if views is not None and len(found) > 1:
                sys.stdout.write(visible(mirror) + ":\n")
            for view in views or []:
                sys.stdout.write(("  " if len(found) > 1 else "") + visible(view) + "\n")
            if views == []:
                _error(f"{mirror}: no build cache views")
    return EXIT_OK if all(found.values()) else EXIT_NOTHING


# -- check --sizes --------------------------------------------------------------------------------


def size_report(catalog: Catalog, report: CheckReport, installed: Optional[frozenset],
                args: argparse.Namespace) -> list[dict]:  # fmt: skip
    """Per query with one spec: what installing it downloads (it and its closure, less what is
    installed here), read from the spec manifests of its mirrors."""
    from .provenance import closure_download
    from .sizes import SizeReader

    reader = SizeReader(timeout=args.timeout, use_cache=args.use_cache)
    results = []
    for result in report.results:
        if len(result.spec_ids) != 1:
            continue
        total = closure_download(catalog, result.spec_ids[0], reader, installed)
        results.append({"query": result.query, "bytes": total.bytes, "specs": total.known,
                        "unknown": [{"hash": f.hash, "reason": f.error} for f in total.failed],
                        "not_asked": total.skipped})  # fmt: skip
    return results


def size_lines(sizes: list[dict]) -> list[str]:
    from .sizes import MAX_FETCHES, Total, total_line

    lines = []
    for item in sizes:
        total = Total(bytes=item["bytes"], known=item["specs"], skipped=item["not_asked"])
        line = f"{item['query']}: download {total_line(total)}"
        if item["unknown"]:
            line += f"; {len(item['unknown'])} of unknown size"
        lines.append(line)
        for failed in item["unknown"][:5]:
            lines.append(f"  /{failed['hash'][:7]}: {failed['reason']}")
        if total.skipped:
            lines.append(f"  (at most {MAX_FETCHES} manifests are read at once)")
    return lines


__all__ = ["add_view_options", "cmd_views", "size_lines", "size_report", "views_parser",
           "with_views"]  # fmt: skip
