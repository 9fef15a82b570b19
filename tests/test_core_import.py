"""The core never imports Textual: the CLI's non-TUI paths stay fast to import."""

import json
import subprocess
import sys

from conftest import ROOT

CORE = [
    "cachetui",
    "cachetui.model",
    "cachetui.loader",
    "cachetui.catalog",
    "cachetui.pages",
    "cachetui.export",
    "cachetui.cli",
    "cachetui.text",
    "cachetui.specstring",
]


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
