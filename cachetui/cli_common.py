"""What every command of the command line shares: the command list, the path options,
and loading with its problems reported and its index cache written after the output."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TYPE_CHECKING, Optional

from .cli_mirror import VIEWS_HELP, add_view_options
from .cli_spack import CHECK_HELP, add_option, load_inputs
from .limits import DEFAULT_DOWNLOAD_DEADLINE, DEFAULT_MAX_DOWNLOAD_MB

if TYPE_CHECKING:
    from .loader import LoadResult

COMMANDS = {
    "list": "print the specs, one per row, in a chosen format (--query to filter)",
    "find": "find specs by hash fragment and packages by name (typo-tolerant)",
    "stats": "summarise what was loaded, and every bad file with its reason",
    "cache": "show where the on-disk caches are and how big (info), or remove them (clear)",
    "index": "build a shared, read-only site index of PATHs once, for every user (--out DIR)",
    "diff": "what changed between two tags, or two paths or mirrors",
    "compare": "two or more specs side by side, their differing fields marked",
    "closest": "the cached binaries closest to a spec you would install, differences spelled out",
    "check": CHECK_HELP,
    "config": "where the settings file is (path), and the settings in force (show)",
    "views": VIEWS_HELP,
}


def add_paths(parser: argparse.ArgumentParser, quiet: bool = True) -> None:
    """The options of every command that loads; ``quiet``: a command that prints (not the
    browser) also takes ``--quiet``."""
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
        "--index", default=None, metavar="DIR",
        help="open PATHs (default: those it was built from) from a site index made by"
        " 'cachetui index build'; a snapshot, never written (also $CACHETUI_INDEX)",
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
    parser.add_argument(
        "--jobs", "-j", type=int, default=1, metavar="N",
        help="parse pages in N worker processes (0: one per core; default: 1, see README)",
    )  # fmt: skip
    add_option(parser)  # --spack
    if quiet:
        parser.add_argument(
            "--quiet", action="store_true",
            help="say only what is wrong: each bad file, no notes or counts (stats: only the problems)",
        )  # fmt: skip
    add_view_options(parser)  # --view, --all-views


def jobs_of(args: argparse.Namespace) -> int:
    """The worker processes ``--jobs`` asks for (0: one per core)."""
    jobs = getattr(args, "jobs", 1)
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def use_site_index(args: argparse.Namespace) -> Optional[str]:
    """``--index DIR`` (or ``$CACHETUI_INDEX``) put in place: loads look there first, and with
    no PATH the index's own paths are opened. Why it cannot be used, or None."""
    from .cachedirs import SITE_INDEX_ENV, site_index

    if getattr(args, "index", None):
        os.environ[SITE_INDEX_ENV] = os.path.abspath(args.index)
    folder = site_index()
    if folder is None or getattr(args, "paths", None) is None or args.paths:
        return None
    from .errors import CacheInvalid
    from .siteindex import inputs_of

    try:
        args.paths = inputs_of(folder)
    except CacheInvalid as error:
        return str(error)
    return None


def load_args(args: argparse.Namespace) -> LoadResult:
    from .loader import DEFAULT_MAX_BYTES, bundled_seeds, load, made_to_last

    paths, tags = load_inputs(args, lambda: str(bundled_seeds()))
    max_bytes = DEFAULT_MAX_BYTES if args.max_file_mb is None else int(args.max_file_mb * 1e6)
    with made_to_last():
        result = load(paths, max_bytes=max_bytes, tag=args.tag, timeout=args.timeout,
                      cache=args.use_cache, max_download_mb=args.max_download_mb,
                      download_deadline=args.download_deadline, tags=tags,
                      jobs=jobs_of(args))  # fmt: skip
    if not getattr(args, "problems_on_stdout", False):
        _report(result, quiet=getattr(args, "quiet", False))
    _unsaved.append(result)
    return result


_unsaved: list[LoadResult] = []  # loads whose index cache is written once the output is out


def save_caches() -> None:
    with contextlib.suppress(OSError):
        sys.stdout.flush()  # the answer first: writing a big cache takes a second or two
    while _unsaved:
        _unsaved.pop().pending.save()


def _report(result: LoadResult, quiet: bool) -> None:
    from .text import visible

    for problem in result.problems:
        print(f"cachetui: {visible(str(problem))}", file=sys.stderr)
    if result.errors and not quiet:
        print(f"cachetui: {len(result.errors)} file(s) skipped", file=sys.stderr)


def write(text: str) -> None:
    sys.stdout.write(text)


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more (``--limit 0`` is a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value
