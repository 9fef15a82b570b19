"""The user's Spack in the CLI: ``--spack`` (its binary mirrors, each tagged with its name, and
what it has installed) and ``cachetui check``. Never imports Textual.

``spackconfig`` reads the configuration; this module turns it into inputs for the loader and
reports its problems on stderr, one line each, with the file and the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Optional

from .model import Problem, Spec
from .text import visible

if TYPE_CHECKING:
    from .catalog import Catalog
    from .closurecheck import Checked, CheckReport
    from .loader import LoadResult
    from .spackconfig import SpackSetup

EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2
READABLE_SCHEMES = ("file", "http", "https")  # what the loader reads; s3, gs, oci, ssh... not
CHECK_HELP = "can specs be installed from the caches alone? their link/run dependencies"
SPACK_HELP = (
    "also load every binary mirror of your Spack configuration, each tagged with its name, and"
    " know which specs are installed"
)


@dataclass
class SpackInputs:
    """What ``--spack`` adds to a load: mirror paths or URLs, each with its mirror's name as
    tag, and the installed hashes (None when not known)."""

    paths: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    installed: Optional[frozenset] = None
    problems: list[Problem] = field(default_factory=list)


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spack", action="store_true", help=SPACK_HELP)


def _error(message: str) -> None:
    print(f"cachetui: {visible(message)}", file=sys.stderr)


def inputs_of(setup: SpackSetup) -> SpackInputs:
    """The loadable mirrors of a setup (a mirror of another scheme is a problem), and what is
    installed when the install tree's database could be read (a missing one: nothing yet)."""
    found = SpackInputs(problems=list(setup.problems))
    for mirror in setup.mirrors:
        scheme = urllib.parse.urlparse(mirror.fetch_url).scheme
        if scheme not in READABLE_SCHEMES:
            found.problems.append(
                Problem(mirror.scope_path, f"mirror {mirror.name}: {scheme}:// is not supported"
                        " (folders and http(s) mirrors are); skipped", level="warning")
            )  # fmt: skip
            continue
        where = mirror.fetch_path if scheme == "file" else mirror.fetch_url
        if where is None or where in found.tags:
            continue
        found.paths.append(where)
        found.tags[where] = mirror.name
    if setup.install_root is not None:
        database = os.path.join(setup.install_root, ".spack-db")
        unreadable = any(
            problem.level == "error" and problem.path.startswith(database)
            for problem in setup.problems
        )
        found.installed = None if unreadable else setup.installed
    return found


def use_spack(
    args: argparse.Namespace,
    env: Optional[Mapping[str, str]] = None,
    home: Optional[str] = None,
) -> Optional[int]:
    """Read the user's Spack for ``--spack``: report its problems, keep its inputs on ``args``
    (``args.spack_inputs``). An exit status when there is no Spack and no configuration."""
    from .spackconfig import read_spack_setup

    setup = read_spack_setup(env, home)
    if setup.root is None and not setup.mirrors:
        _error(
            "--spack: no Spack found (SPACK_ROOT is not set and no spack is on PATH) and no"
            " mirror is configured in " + (", ".join(setup.scopes) or "~/.spack or /etc/spack")
        )
        for problem in setup.problems:
            _error(str(problem))
        return EXIT_NOTHING
    found = inputs_of(setup)
    for problem in found.problems:
        _error(str(problem))
    if not found.paths:
        _error("--spack: no binary mirror of your Spack configuration can be read")
    args.spack_inputs = found
    return None


def spack_offer(
    env: Optional[Mapping[str, str]] = None, home: Optional[str] = None
) -> Optional[SpackInputs]:
    """What the browser offers to open when it starts with no PATH and no ``--spack``: the
    user's readable binary mirrors, or None when there is no Spack configuration naming any.
    Quiet: the problems are kept for the load report, nothing is printed."""
    from .spackconfig import read_spack_setup

    found = inputs_of(read_spack_setup(env, home))
    return found if found.paths else None


def load_inputs(args: argparse.Namespace, default: Callable[[], str]) -> tuple[list[str], dict]:
    """The paths to load and their own tags: the PATHs given, then ``--spack``'s mirrors; with
    neither and no ``--spack``, ``default()`` (the bundled seeds). ``--view`` and
    ``--all-views`` then replace each layout v3 mirror by the views asked for."""
    from .cli_mirror import with_views

    found: Optional[SpackInputs] = getattr(args, "spack_inputs", None)
    if found is None:
        return with_views(list(args.paths) or [default()], {}, args)
    given = list(args.paths)
    return with_views(given + [p for p in found.paths if p not in given], dict(found.tags), args)


def installed_of(args: argparse.Namespace) -> Optional[frozenset]:
    found: Optional[SpackInputs] = getattr(args, "spack_inputs", None)
    return None if found is None else found.installed


def mark_installed(specs: Iterable[Spec], installed: Optional[frozenset]) -> Iterator[Spec]:
    """Each spec with ``installed`` set when it is known (a spec without a hash: not known)."""
    for spec in specs:
        if installed is None or not spec.hash:
            yield spec
        else:
            yield replace(spec, installed=spec.hash in installed)


# -- cachetui check -----------------------------------------------------------------------------


def check_parser(add_paths: Callable[[argparse.ArgumentParser], None]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cachetui check",
        usage="cachetui check SPEC [SPEC ...] [PATH ...] [--spack] [--sizes] [--json]",
        description=CHECK_HELP + ". SPEC is a hash prefix (/abc1234 or abc1234). Exit 0 when"
        " every closure is complete, 1 when something is missing or unknown, 2 for no such spec.",
    )
    add_paths(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--sizes", action="store_true",
        help="also say what installing each spec downloads: it and its closure, less what is"
        " installed here (read from the layout v3 spec manifests, one request per spec)",
    )  # fmt: skip
    return parser


def _location(text: str) -> bool:
    return text.startswith(("http://", "https://")) or os.path.exists(text)


def run_check(args: argparse.Namespace, load: Callable[[argparse.Namespace], LoadResult]) -> int:
    """``cachetui check SPEC ... [PATH ...]``: an item that is an existing path or a URL is a
    PATH, any other a hash prefix."""
    from .closurecheck import check
    from .search import looks_like_hash

    paths = [item for item in args.paths if _location(item)]
    prefixes = [item for item in args.paths if not _location(item)]
    bad = [item for item in prefixes if not looks_like_hash(item)]
    for item in bad:
        _error(f"{item!r} is neither a hash prefix nor an existing path")
    if bad or not prefixes:
        if not prefixes:
            _error("check needs one or more hash prefixes")
        return EXIT_USAGE
    result = load(argparse.Namespace(**{**vars(args), "paths": paths}))
    catalog = result.catalog
    report, spared = installed_here(catalog, check(catalog, prefixes), installed_of(args))
    sizes = None
    if getattr(args, "sizes", False):
        from .cli_mirror import size_report

        sizes = size_report(catalog, report, installed_of(args), args)
    if args.json:
        from .export import clean_json

        data = {"results": [_result_data(catalog, r, spared) for r in report.results],
                "exit_code": report.exit_code}  # fmt: skip
        if sizes is not None:
            data["downloads"] = sizes
        sys.stdout.write(json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n")
    else:
        lines = _lines(catalog, report, spared)
        if sizes is not None:
            from .cli_mirror import size_lines

            lines += size_lines(sizes)
        sys.stdout.write("".join(visible(line) + "\n" for line in lines))
    return report.exit_code


def installed_here(
    catalog: Catalog, report: CheckReport, installed: Optional[frozenset]
) -> tuple[CheckReport, dict[str, list[str]]]:
    """The report once what is installed here is taken into account: Spack reuses an installed
    hash, and everything it links and runs with is installed with it, so a needed hash installed
    here is not missing, and an installed spec's unknown dependencies are not needed. Also,
    per query, the hashes spared that way."""
    from .closure import COMPLETE
    from .closurecheck import AMBIGUOUS, NO_SUCH_SPEC, CheckReport

    if not installed:
        return report, {}
    results = []
    spared: dict[str, list[str]] = {}
    for result in report.results:
        if len(result.closures) != 1:
            results.append(result)
            continue
        closure = result.closures[0]
        missing = [m for m in closure.missing if m.dependency.hash not in installed]
        unknown = [i for i in closure.unknown if catalog.hashes[i] not in installed]
        spared[result.query] = [
            m.dependency.hash for m in closure.missing if m.dependency.hash in installed
        ] + [catalog.hashes[i] for i in closure.unknown if catalog.hashes[i] in installed]
        closure = replace(closure, missing=missing, unknown=unknown)
        results.append(replace(result, closures=(closure,)))
    verdicts = {result.verdict for result in results}
    if verdicts & {NO_SUCH_SPEC, AMBIGUOUS}:
        code = EXIT_USAGE
    else:
        code = EXIT_NOTHING if verdicts - {COMPLETE} else EXIT_OK
    return CheckReport(results, code), spared


def _lines(catalog: Catalog, report: CheckReport, spared: dict[str, list[str]]) -> list[str]:
    from .closurecheck import CheckReport, check_lines

    lines = []
    for result in report.results:
        lines += check_lines(catalog, CheckReport([result], report.exit_code))
        lines += [f"  installed here: /{h[:7]}" for h in spared.get(result.query, [])]
    return lines


def _spec_data(catalog: Catalog, spec_id: int) -> dict:
    spec = catalog.spec(spec_id)
    return {"hash": spec.hash, "package": spec.package, "version": spec.version, "tag": spec.tag}


def _result_data(catalog: Catalog, result: Checked, spared: dict[str, list[str]]) -> dict:
    data: dict = {
        "query": result.query,
        "verdict": result.verdict,
        "specs": [_spec_data(catalog, spec_id) for spec_id in result.spec_ids],
    }
    if len(result.closures) == 1:
        closure = result.closures[0]
        data["present"] = [catalog.hashes[spec_id] for spec_id in closure.present]
        data["missing"] = [
            {"name": m.dependency.name, "version": m.dependency.version,
             "hash": m.dependency.hash, "deptypes": list(m.dependency.deptypes),
             "needed_by": [_spec_data(catalog, spec_id) for spec_id in m.path]}
            for m in closure.missing
        ]  # fmt: skip
        data["unknown"] = [_spec_data(catalog, spec_id) for spec_id in closure.unknown]
        data["installed_here"] = spared.get(result.query, [])
    return data


__all__ = [
    "SpackInputs",
    "add_option",
    "check_parser",
    "inputs_of",
    "installed_here",
    "installed_of",
    "load_inputs",
    "mark_installed",
    "run_check",
    "use_spack",
]
