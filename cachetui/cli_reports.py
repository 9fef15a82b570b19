"""The report commands, ``diff``, ``compare`` and ``closest``: each lives in its own module
(``add_options`` and ``run``, and ``add_arguments`` where it takes positional arguments), which
is imported only when the command runs, so ``--help`` stays light."""

from __future__ import annotations

import argparse
import importlib
from typing import Callable, Optional

from .cli_common import COMMANDS, add_paths, load_args

ParserMaker = Callable[[], argparse.ArgumentParser]
Handler = Callable[[argparse.Namespace], int]


def report_command(
    name: str, module: str, usage: Optional[str] = None
) -> tuple[ParserMaker, Handler]:
    """The parser maker and the handler of the command ``name``, which lives in ``module``."""

    def command():  # imported on first use: the module may import numpy
        return importlib.import_module(f".{module}", __package__)

    def make_parser() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog=f"cachetui {name}", usage=usage, description=COMMANDS[name] + "."
        )
        add_arguments = getattr(command(), "add_arguments", None)
        if add_arguments is not None:
            add_arguments(parser)
        add_paths(parser)
        command().add_options(parser)
        return parser

    def handler(args: argparse.Namespace) -> int:
        return command().run(args, load_args)

    return make_parser, handler


REPORTS: dict[str, tuple[ParserMaker, Handler]] = {
    "diff": report_command("diff", "diffreport"),
    "compare": report_command(
        "compare", "compare", usage="cachetui compare HASH HASH [HASH ...] [PATH ...] [options]"
    ),
    "closest": report_command("closest", "closestreport"),
}
