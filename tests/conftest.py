"""Shared fixtures: the seeds, the real corpus, and a helper to write pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cachetui.cli import main
from cachetui.host import Host

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
CORPUS = DATA / "corpus-real"
FORMATS = DATA / "formats"
# The keys of a spec in JSON output, as the README documents them.
DOCUMENTED_KEYS = {
    "hash", "package", "tag", "version", "versions", "compiler", "os", "platform", "target",
    "variants", "stacks", "size", "tarball", "source", "dependencies", "runs_here", "installed",
    "closure",
    "mirrors",
}  # fmt: skip


def page_text(
    title: str = "pkg",
    tag: str = "develop",
    specs: list | None = None,
    meta: dict | None = None,
) -> str:
    specs = specs if specs is not None else [spec_entry()]
    meta = meta if meta is not None else {"num_specs": len(specs)}
    return (
        f'---\ntitle: "{title}"\nlayout: cache\ncategories: [package, {tag}]\n'
        f"meta: {json.dumps(meta)}\nspec_details: {json.dumps(specs)}\n---\n"
    )


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """``cachetui ARGS``: the exit code, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_char_hash(char: str) -> str:
    """A valid 32-character hash made of one character."""
    return char * 32


def spec_entry(**overrides) -> dict:
    entry = {
        "compiler": "gcc@=11.4.0",
        "hash": "abcdefghijklmnopqrstuvwxyz234567",
        "os": "ubuntu22.04",
        "platform": "linux",
        "size": "-",
        "stacks": ["e4s", "root"],
        "target": "x86_64_v3",
        "variants": ["build_system=cmake", "+mpi"],
        "versions": ["1.0"],
    }
    entry.update(overrides)
    return entry


# "Runs here" in tests judges against this machine, never the one running the tests.
TEST_HOST = Host("linux", "ubuntu22.04", "zen3")


@pytest.fixture(autouse=True)
def fixed_host(monkeypatch):
    monkeypatch.setattr("cachetui.query.detect_host", lambda: TEST_HOST)


@pytest.fixture(autouse=True)
def private_caches(tmp_path_factory, monkeypatch):
    """Index and download caches in a temporary folder, never the user's."""
    monkeypatch.setenv("CACHETUI_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory, monkeypatch):
    """Config and state folders of the tests' own, never the user's (platformdirs reads XDG)."""
    monkeypatch.delenv("CACHETUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def write_page(tmp_path):
    def write(name: str, text: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


def write_small_site(site: Path, tags: list[str]) -> Path:
    """A site checkout (``site/_cache/<tag>/<package>/specs.md``): two packages of three specs
    in each tag, every hash distinct."""
    root = site / "_cache"
    for t, tag in enumerate(tags):
        for p in range(2):
            specs = [spec_entry(hash=f"{t}{p}{n}".ljust(32, "a")) for n in range(3)]
            path = root / tag / f"pkg{p}" / "specs.md"
            path.parent.mkdir(parents=True)
            path.write_text(page_text(f"pkg{p}", tag=tag, specs=specs))
    return site
