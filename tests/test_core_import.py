"""The core never imports Textual: the CLI's non-TUI paths stay fast to import."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT

# Every module of the package outside the UI package: found from the files, so a new core
# module is covered without anyone remembering to list it.
CORE = ["cachetui"] + sorted(
    "cachetui." + path.stem
    for path in (ROOT / "cachetui").glob("*.py")
    if path.stem not in ("__init__", "__main__")
)


def test_core_modules_do_not_import_textual():
    code = (
        "import importlib, json, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert json.loads(out.stdout) == []


def test_the_import_contract_names_every_core_module():
    """pyproject.toml's import-linter contract (run by CI as ``lint-imports``) must list every
    core module but the CLI, which opens the UI only for the browser."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.9/3.10
        tomllib = pytest.importorskip("tomli")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = config["tool"]["importlinter"]["contracts"][0]
    assert contract["forbidden_modules"] == ["textual", "rich"]
    expected = sorted(m for m in CORE if m not in ("cachetui", "cachetui.cli"))
    assert sorted(contract["source_modules"]) == expected


def test_cli_list_runs_without_textual():
    code = (
        "import sys, io, contextlib\n"
        "from cachetui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): rc = main(['list', '-n', '1'])\n"
        "print(rc, 'textual' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.split() == ["0", "False", "True"]


def test_help_does_not_import_the_catalog():
    code = (
        "import sys, contextlib, io\n"
        "from cachetui.cli import main\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()): main(['--help'])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('textual', 'numpy', 'yaml', 'rapidfuzz') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == "[]"
