"""Spack's semantics in the query language, "runs here" on the CLI and in the browser.

Cases name their source: ``spec_semantics.py`` and ``versions.py`` are Spack's
``lib/spack/spack/test/`` files; ``issue #53030`` is Spack's (x86_64_v3 binaries hidden on zen2).
"""

from __future__ import annotations

import json

import pytest
from apphelpers import settle
from conftest import page_text, spec_entry

from cachetui.cli import main
from cachetui.host import Host
from cachetui.loader import load
from cachetui.query import run_query
from cachetui.querysyntax import QueryError
from cachetui.ui.app import CacheApp
from cachetui.ui.screens.host import HostScreen
from cachetui.ui.widgets.detail_panel import DetailPanel
from cachetui.ui.widgets.spec_table import SpecTable
from cachetui.ui.widgets.status_bar import StatusBar
from cachetui.view import Scope, ViewModel

# name: (package, version, compiler, os, platform, target, variants)
SPECS = {
    "a": ("hdf5", "1.14.3", "gcc@=13.2.0", "rhel8", "linux", "zen2", ["+mpi", "api=default"]),
    "b": ("hdf5", "1.12.2", "gcc@=11.4.0", "ubuntu22.04", "linux", "x86_64_v3", ["~mpi"]),
    "c": ("hdf5", "1.14.0", "gcc@=12.3.0", "ubuntu22.04", "linux", "skylake_avx512", ["+mpi"]),
    "d": ("zlib", "1.3", "none", "ubuntu22.04", "linux", "x86_64", ["patches:=1c9cb08,873745d"]),
    "e": ("zlib", "1.2.13", "gcc@11.4.0", "sonoma", "darwin", "m1", ["foo=bar,baz"]),
    "f": ("zlib", "1.20", "gcc@=11.4.0", "ubuntu22.04", "linux", "neoverse_v1", ["foo=bar"]),
    "g": ("cmake", "3.27.9", "gcc@=13.2.0", "ubuntu22.04", "linux", "mystery_cpu", []),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("specs")
    by_package: dict[str, list] = {}
    for name, (package, version, compiler, os, platform, target, variants) in SPECS.items():
        by_package.setdefault(package, []).append(spec_entry(
            hash=name * 32, versions=[version], compiler=compiler, os=os, platform=platform,
            target=target, variants=variants, stacks=["e4s"],
        ))  # fmt: skip
    for package, specs in by_package.items():
        (root / package).mkdir()
        (root / package / "specs.md").write_text(page_text(package, specs=specs))
    return root


@pytest.fixture(scope="module")
def catalog(folder):
    return load([folder], cache=False).catalog


def names(catalog, query, host=None) -> str:
    ids, _notes = run_query(catalog, query, host=host)
    return "".join(sorted(catalog.hashes[i][0] for i in ids))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("@1.14", "ac"),  # versions.py::test_satisfaction_with_lists: 1.14 is 1.14 and 1.14.x
        ("@1.2", "e"),  # 1.2 is not 1.20 (versions.py::test_version_range_satisfaction)
        ("@1.12:1.14", "abc"),  # an inclusive range: 1.14.x included
        ("@:1.12", "bde"),  # 1.3 and 1.2.13 are below 1.12: parts compare as numbers
        ("@1.14:", "acfg"),  # 1.20 and 3.27.9 are above 1.14; 1.3 is not
        ("@1.12,1.3", "bd"),  # a list: any of
        ("@=1.14", ""),  # exactly 1.14
        ("hdf5@1.14", "ac"),  # name@version in one token
        ("zlib@1.3:", "df"),
        ("%gcc@13:", "ag"),  # spec_semantics.py: compiler ranges
        ("%gcc@11.4.0", "bef"),  # gcc@11.4.0 and gcc@=11.4.0 in the data both match
        ("%none", "d"),
        ("hdf5+mpi", "ac"),  # spec_semantics.py::test_satisfies_single_valued_variant
        ("+mpi", "ac"),
        ("~mpi", "b"),
        ("mpi=True", "ac"),  # spec_semantics.py: +x and x=True are the same
        ("mpi=false", "b"),
        ("++mpi", "ac"),  # propagation is satisfied by the plain form
        ("~~mpi", "b"),
        ("foo=bar", "ef"),  # multi-valued: the values include bar
        ("foo=baz,bar", "e"),  # order never matters
        ("foo==bar", "ef"),
        ("foo=*", "ef"),
        ("patches=873745d", "d"),  # a prefix of any patch hash
        ("patches=1c9c", "d"),
        ("arch=linux-ubuntu22.04-x86_64_v3", "b"),
        ("target=x86_64_v3:", "abc"),  # archspec: zen2 and skylake_avx512 descend from it
        ("target=:zen2", "abd"),  # x86_64, x86_64_v3 and zen2 are ancestors-or-equal of zen2
        ("target=zen2,neoverse_v1", "af"),
        ("target=haswell:icelake", "c"),
        ("!%gcc", "d"),
        ("hdf5 !+mpi", "b"),
    ],
)
def test_spack_spelled_tokens_select_what_spack_would(catalog, query, expected):
    assert names(catalog, query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [("@4:3", "empty range"), ("target=zen9:", "unknown target"), ("runs=maybe", "runs=")],
)
def test_bad_spack_tokens_are_query_errors(catalog, query, message):
    with pytest.raises(QueryError, match=message):
        run_query(catalog, query)


@pytest.mark.parametrize(
    ("host", "runs", "unknown"),
    [
        # issue #53030: an x86_64_v3 binary runs on zen2 (Spack's exact match hides it)
        (Host("linux", "ubuntu22.04", "zen2"), "bd", "g"),
        # zen4 has avx512 but does not descend from Intel's skylake_avx512 in archspec
        (Host("linux", "ubuntu22.04", "zen4"), "bd", "g"),
        (Host("linux", "rhel8", "zen3"), "a", ""),  # OS mismatch hides the ubuntu builds
        # archspec: neoverse_v2 descends from neoverse_n1, not from neoverse_v1
        (Host("linux", "ubuntu22.04", "neoverse_v2"), "", "g"),
        (Host("linux", "ubuntu22.04", "neoverse_v1"), "f", "g"),
        (Host("darwin", "sonoma", "m2"), "e", ""),  # darwin; m1 binaries run on m2
    ],
)
def test_runs_here_against_several_hosts(catalog, host, runs, unknown):
    assert names(catalog, "runs=yes", host) == runs
    assert names(catalog, "runs=unknown", host) == unknown
    everything = set(SPECS)
    assert set(names(catalog, "runs=no", host)) == everything - set(runs) - set(unknown)


def test_list_query_and_the_filter_give_the_same_answer(folder, catalog, capsys):
    host = Host("linux", "ubuntu22.04", "zen3")
    view = ViewModel(catalog, host)
    for query in ("target=x86_64_v3: %gcc@11:", "hdf5@1.12:1.14 +mpi", "runs=yes", "zlib"):
        assert main(["list", str(folder), "--no-cache", "-q", query, "-f", "hashes",
                     "--host", "zen3,ubuntu22.04"]) == 0  # fmt: skip
        listed = sorted(line[1] for line in capsys.readouterr().out.split())
        shown = view.compute(Scope(), query, None).ids
        assert listed == sorted(catalog.hashes[i][0] for i in shown), query


def test_cli_runs_here_and_the_json_field(folder, capsys):
    assert main(["list", str(folder), "--no-cache", "--runs-here", "--host", "zen2,ubuntu22.04",
                 "-f", "json"]) == 0  # fmt: skip
    records = json.loads(capsys.readouterr().out)
    assert sorted(r["hash"][0] for r in records) == ["b", "d"]
    assert {r["runs_here"] for r in records} == {"yes"}
    assert main(["list", str(folder), "--no-cache", "--host", "m2,sonoma", "-f", "jsonl"]) == 0
    verdicts = {json.loads(line)["hash"][0]: json.loads(line)["runs_here"]
                for line in capsys.readouterr().out.splitlines()}  # fmt: skip
    assert verdicts["e"] == "yes" and verdicts["a"] == "no"
    assert main(["list", str(folder), "--host", "zen9"]) == 2
    assert "did you mean" in capsys.readouterr().err


def status(app) -> str:
    return str(app.query_one(StatusBar).render())


async def test_the_key_column_status_and_detail_of_runs_here(folder):
    app = CacheApp([str(folder)], host=Host("linux", "ubuntu22.04", "zen2"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert table.row_count == len(SPECS)
        marks = {app.catalog.hashes[i][0]: table._cell("runs", int(i)) for i in table.ids}
        assert marks == {"a": "✗", "b": "✓", "c": "✗", "d": "✓", "e": "✗", "f": "✗", "g": "?"}
        await pilot.press("H")
        await settle(pilot)
        assert sorted(app.catalog.hashes[i][0] for i in table.ids) == ["b", "d"]
        assert "runs on linux-ubuntu22.04-zen2" in status(app)
        table.focus()
        await pilot.press("g")
        await settle(pilot)
        detail = str(app.query_one(DetailPanel).query_one("#detail-body").render())
        assert "runs here" in detail and "runs on zen2" in detail
        await pilot.press("H")
        await settle(pilot)
        assert table.row_count == len(SPECS) and "runs on" not in status(app)


async def test_another_machine_from_the_dialog(folder):
    app = CacheApp([str(folder)], host=Host("linux", "ubuntu22.04", "zen2"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, HostScreen)
        box = app.screen.query_one("#host-input")
        box.value = "zen9"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HostScreen)  # a typo keeps the dialog open, with why
        assert "unknown target" in str(app.screen.query_one("#host-error").render())
        box.value = "zen4,ubuntu22.04"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert sorted(app.catalog.hashes[i][0] for i in table.ids) == ["b", "d"]
        assert "runs on linux-ubuntu22.04-zen4" in status(app)


def test_runs_here_snapshot(snap_compare, folder):
    app = CacheApp([str(folder)], host=Host("linux", "ubuntu22.04", "zen2"))
    assert snap_compare(app, terminal_size=(80, 24), press=["H"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # spec_semantics.py: "^libelf@0.8" is satisfied by a spec depending on libelf 0.8.13
        ("^libelf", {"libdwarf"}),
        ("^libelf@0.8", {"libdwarf"}),
        ("^libelf@0.9:", set()),
        ("libdwarf ^libelf@:0.8.13", {"libdwarf"}),
        ("!^libelf", {"zlib", "libelf", "compiler-wrapper", "gcc-runtime"}),
    ],
)
def test_dependency_tokens_on_specs_from_spack_indexes(query, expected):
    from conftest import FORMATS

    catalog = load([FORMATS], cache=False).catalog
    ids, _notes = run_query(catalog, query)
    assert {catalog.spec(int(i)).package for i in ids} == expected
