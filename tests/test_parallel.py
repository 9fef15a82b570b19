"""``--jobs``: parsing in worker processes gives what a serial parse gives."""

from __future__ import annotations

import shutil

import pytest
from conftest import CORPUS, SEEDS, page_text, run_cli, spec_entry
from test_fastpage import catalog_facts

import cachetui.parallel as parallel
from cachetui.loader import load


@pytest.fixture(autouse=True)
def small_shares(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_FILES_PER_JOB", 1)  # workers even for a few files


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "site"
    shutil.copytree(CORPUS, root / "real")  # era A, B and legacy pages
    shutil.copytree(SEEDS, root / "seeds")
    (root / "bad").mkdir()
    (root / "bad" / "specs.md").write_text("---\nlayout: cache\nspec_details: 1\n---\n")
    (root / "bad" / "notes.md").write_bytes(b"\x00binary")
    return root


def test_workers_load_what_a_serial_parse_loads(corpus, monkeypatch):
    serial = load([corpus], cache=False)
    used = []
    real = parallel.parse_in_workers
    monkeypatch.setattr(parallel, "parse_in_workers", lambda *a: used.append(real(*a)) or used[-1])
    shared = load([corpus], cache=False, jobs=3)
    assert used and used[0] is not None  # the workers parsed it
    assert catalog_facts(shared) == catalog_facts(serial)
    assert len(serial.catalog) > 500 and serial.problems  # something to compare


def test_a_hash_on_pages_of_two_shares_is_reported_as_serially(tmp_path, monkeypatch):
    for name in ("a", "b", "c", "d"):
        page = tmp_path / "tag" / name / "specs.md"
        page.parent.mkdir(parents=True)
        page.write_text(page_text(name, specs=[spec_entry(hash="q" * 32)]))
    serial = load([tmp_path / "tag"], cache=False)
    spans = []
    real = parallel._spans_shares
    monkeypatch.setattr(
        parallel, "_spans_shares", lambda shares: spans.append(real(shares)) or spans[-1]
    )
    shared = load([tmp_path / "tag"], cache=False, jobs=2)
    assert spans == [True]  # seen across the shares: parsed again, serially
    assert catalog_facts(shared) == catalog_facts(serial)
    assert any("also on another page" in p.reason for p in shared.problems)


def test_the_cli_takes_jobs(capsys, corpus):
    code, serial, _ = run_cli(capsys, "list", str(corpus), "--no-cache", "--format", "tsv")
    assert code == 0
    assert (
        run_cli(capsys, "list", str(corpus), "--no-cache", "--format", "tsv", "-j", "2")[1]
        == serial
    )
    assert run_cli(capsys, "list", str(corpus), "--jobs", "-1")[0] == 2
