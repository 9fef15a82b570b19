"""The command line. Non-TUI commands never import Textual (they start in a fraction of a second).

Exit status: 0 when specs were loaded (bad files are reported on stderr), 1 when nothing could be
loaded or nothing matched, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from . import __version__
from .cli_common import (
    COMMANDS,
    add_paths,
    jobs_of,
    load_args,
    save_caches,
    use_site_index,
)
from .cli_config import cmd_config, config_parser
from .cli_listing import cmd_find, cmd_list, find_parser, list_parser
from .cli_mirror import cmd_views, views_parser
from .cli_reports import REPORTS
from .cli_spack import EXIT_NOTHING, EXIT_OK, EXIT_USAGE, check_parser, load_inputs
from .cli_stats import cache_parser, cmd_cache, cmd_index, cmd_stats, index_parser, stats_parser
from .export import PRINT_NAMES

if TYPE_CHECKING:
    from .settings import Settings

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


def browse_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cachetui",
        description=DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_paths(parser, quiet=False)
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


def cmd_check(args: argparse.Namespace) -> int:
    from .cli_spack import run_check

    return run_check(args, load_args)


def offers_spack(args: argparse.Namespace) -> bool:
    """With no PATH and no ``--spack`` the browser opens the bundled seeds, and offers (``m``)
    to open the binary mirrors of the user's Spack instead, when it finds some after the first
    paint. With a PATH or ``--spack`` the user has said what to open: no offer."""
    return not args.paths and getattr(args, "spack_inputs", None) is None


def cmd_browse(args: argparse.Namespace) -> int:
    from .loader import (
        DEFAULT_MAX_BYTES,
        BackgroundLoad,
        bundled_seeds,
        checkout_groups,
        made_to_last,
    )

    paths, tags = load_inputs(args, lambda: str(bundled_seeds()))
    if not paths:  # --spack, no PATH, and no mirror of the configuration can be read: said so
        return EXIT_NOTHING
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
                                                 tags=tags, jobs=jobs_of(args))  # fmt: skip

    from .cli_spack import installed_of
    from .ui.app import CacheApp  # the only path that imports Textual

    app = CacheApp(paths, theme=args.theme, settings=args.settings, max_bytes=max_bytes, print_format=print_format,
                   tag=args.tag, timeout=args.timeout, use_cache=args.use_cache,
                   lazy=not args.eager, preload=preload, groups=groups,
                   max_download_mb=args.max_download_mb,
                   download_deadline=args.download_deadline,
                   host=args.host, tags=tags, installed=installed_of(args),
                   offer_spack=offers_spack(args), jobs=jobs_of(args))  # fmt: skip
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


def _binding_table(settings: Settings):
    """For ``config show``: the action table's binding ids with the config's keymap applied,
    and what the UI would say about the config (its keymap, an unknown theme)."""
    from textual.theme import BUILTIN_THEMES  # imports Textual: only for this

    from .ui.actions import binding_table, check_keymap

    keymap, messages = check_keymap(settings.keys, str(settings.path))
    if settings.theme and settings.theme not in BUILTIN_THEMES:
        messages.append(f"{settings.path}: no theme named {settings.theme!r} "
                        f"(themes: {', '.join(sorted(BUILTIN_THEMES))})")  # fmt: skip
    return binding_table(keymap), messages


def _settings(browsing: bool) -> Settings:
    """The config file's settings; its problems on stderr (the browser shows them itself)."""
    from .settings import load_settings
    from .text import visible

    settings = load_settings()
    if not browsing:
        for message in settings.messages():
            print(f"cachetui: {visible(message)}", file=sys.stderr)
    return settings


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    handlers = {
        "list": (list_parser, cmd_list),
        "find": (find_parser, cmd_find),
        "stats": (stats_parser, cmd_stats),
        "cache": (cache_parser, cmd_cache),
        "index": (index_parser, cmd_index),
        **REPORTS,
        "check": (lambda: check_parser(add_paths), cmd_check),
        "config": (config_parser, None),
        "views": (views_parser, cmd_views),
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
    if handler is None:  # config: its own problems are part of what it shows
        return cmd_config(args, _binding_table)
    if hasattr(args, "host"):  # a loading command: --host defaults to the config's host
        args.settings = _settings(browsing=handler is cmd_browse)
        if args.host is None and args.settings.host is not None:
            args.host = args.settings.host_text  # checked already: parsed below
    if getattr(args, "max_file_mb", None) is not None and args.max_file_mb <= 0:
        print("cachetui: --max-file-mb must be positive", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "jobs", 1) < 0:
        print("cachetui: --jobs must be 0 (one per core) or more", file=sys.stderr)
        return EXIT_USAGE
    for option in ("max_download_mb", "download_deadline", "timeout"):
        value = getattr(args, option, None)
        if value is not None and not value > 0:  # NaN too
            print(f"cachetui: --{option.replace('_', '-')} must be positive", file=sys.stderr)
            return EXIT_USAGE
    unusable = use_site_index(args) if handler is not cmd_index else None
    if unusable is not None:
        print(f"cachetui: --index: {unusable}", file=sys.stderr)
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
        save_caches()
        return code
    except KeyboardInterrupt:
        return 130
