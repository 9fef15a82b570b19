"""cachetui closest: the cached binaries nearest a spec a user would install, on real pages and
on built ones."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, page_text, spec_entry
from conftest import one_char_hash as h
from conftest import run_cli as run

from cachetui.closest import (
    CANNOT_RUN,
    COMPILER,
    COMPILER_VERSION,
    VARIANT,
    VERSION,
    closest,
)
from cachetui.closestreport import difference_text, render
from cachetui.closestrequest import parse_request
from cachetui.loader import load
from cachetui.specsyntax import SpecSyntaxError

REQUEST = "hdf5@1.14 +mpi %gcc@13 target=zen3 os=rhel8"


def entry(char: str, **fields) -> dict:
    base = {"versions": ["1.14.3"], "compiler": "gcc@=13.2.0", "os": "rhel8",
            "target": "x86_64_v3", "variants": ["+mpi", "build_system=cmake"]}  # fmt: skip
    return spec_entry(hash=h(char), **{**base, **fields})


@pytest.fixture
def hdf5(write_page, tmp_path):
    """One spec per kind of difference from REQUEST, in an order the ranking must change."""
    write_page("t1/hdf5.md", page_text("hdf5", "t1", [
        entry("h", os="ubuntu22.04"),                 # os: cannot run (1000)
        entry("f", target="zen4"),                    # target: needs avx512 (1000)
        entry("g", compiler="clang@=17.0.0"),         # another compiler (20)
        entry("e", variants=["~mpi", "build_system=cmake"]),  # variant (20)
        entry("d", versions=["1.10.0"]),              # version, 2 steps (12)
        entry("c", versions=["1.12.3"], target="zen2"),  # version, 1 step (11); zen2 runs
        entry("b", compiler="gcc@=11.4.0"),           # compiler version (10)
        entry("a"),                                   # exact
    ]))  # fmt: skip
    write_page("t2/hdf5.md", page_text("hdf5", "t2", [entry("a"), entry("i", os="rhel9")]))
    write_page("t2/zlib.md", page_text("zlib", "t2", [entry("z", versions=["1.3.1"])]))
    return load([str(tmp_path)]).catalog


def test_exact_first_then_by_cost(hdf5):
    found = closest(hdf5, parse_request(REQUEST), limit=None)
    ranked = [hdf5.hashes[c.spec_id][0] for c in found.candidates]
    # equal costs and versions keep load order: g before e, h before f before i
    assert ranked == ["a", "b", "c", "d", "g", "e", "h", "f", "i"]
    costs = [c.cost for c in found.candidates]
    assert costs == [0, COMPILER_VERSION, VERSION + 1, VERSION + 2, COMPILER, VARIANT,
                     CANNOT_RUN, CANNOT_RUN, CANNOT_RUN]  # fmt: skip
    assert found.candidates[0].exact and not found.candidates[1].exact
    assert (found.specs, found.binaries, found.exact) == (10, 9, 1)
    assert found.blockers == []
    # the same binary in two tags is listed once, with both tags
    assert found.candidates[0].tags == ("t1", "t2")


def test_each_difference_is_spelled_out(hdf5):
    found = closest(hdf5, parse_request(REQUEST), limit=None)
    text = {hdf5.hashes[c.spec_id][0]: [difference_text(d) for d in c.differences]
            for c in found.candidates}  # fmt: skip
    assert text["a"] == [
        "version 1.14.3 (you asked 1.14) ✓",
        "compiler gcc@13.2.0 (asked gcc@13) ✓",
        "+mpi ✓",
        "os rhel8 ✓",
        "target x86_64_v3 runs on zen3 ✓",
    ]
    assert text["b"][1] == "compiler gcc@11.4.0 (asked gcc@13) ✗"
    assert text["d"][0] == "version 1.10.0 (you asked 1.14) ✗"
    assert text["e"][2] == "+mpi (have ~mpi) ✗"
    assert text["h"][3] == "os ubuntu22.04 (asked rhel8) ✗"
    assert text["c"][4] == "target zen2 runs on zen3 ✓"
    assert text["f"][4] == "target zen4 does not run on zen3: needs avx512 (zen4), asked zen3 ✗"


def test_a_target_name_means_runs_on_it(hdf5):
    """x86_64_v3 is an ancestor of zen3: the binary runs there, though Spack's target=zen3
    would not match it. A range keeps Spack's meaning."""
    found = closest(hdf5, parse_request("hdf5 target=zen3"), limit=None)
    by_hash = {hdf5.hashes[c.spec_id][0]: c.differences[0] for c in found.candidates}
    assert by_hash["a"].ok is True and "x86_64_v3 runs on zen3" in by_hash["a"].reason
    assert by_hash["c"].ok is True  # zen2
    assert by_hash["f"].ok is False  # zen4 needs avx512
    ranged = closest(hdf5, parse_request("hdf5 target=zen2,zen4"), limit=None)
    by_hash = {hdf5.hashes[c.spec_id][0]: c.differences[0].ok for c in ranged.candidates}
    assert by_hash == {**dict.fromkeys("abdeghi", False), "c": True, "f": True}


def test_the_blocking_constraint_is_named(hdf5):
    found = closest(hdf5, parse_request("hdf5@1.14 os=centos7 %gcc"), limit=3)
    assert found.exact == 0
    assert found.blockers == ["no binary of hdf5 for centos7 at all"]
    found = closest(hdf5, parse_request("hdf5@2 +shared %intel"))
    assert found.blockers == [
        "no hdf5@2 at all",
        "no hdf5 built with %intel at all",
        "no hdf5 with +shared at all",
    ]
    # every constraint met somewhere, never together
    found = closest(hdf5, parse_request("hdf5 os=ubuntu22.04 %clang"))
    assert found.blockers == [
        "no single binary of hdf5 meets every constraint, though each is met by some"
    ]


def test_a_version_no_binary_has_ranks_by_distance(hdf5):
    found = closest(hdf5, parse_request("hdf5@1.16 os=rhel8 target=zen3"), limit=None)
    best = found.candidates[:4]  # the 1.14.3 binaries that run: one step from 1.16
    assert {hdf5.hashes[c.spec_id][0] for c in best} == set("abeg")
    assert {c.cost for c in best} == {VERSION + 1}
    versions = [c.differences[0].have for c in found.candidates if c.cost < CANNOT_RUN]
    assert versions == ["1.14.3", "1.14.3", "1.14.3", "1.14.3", "1.12.3", "1.10.0"]


def test_an_unknown_package_suggests_names(hdf5, capsys):
    found = closest(hdf5, parse_request("hdf6 +mpi"))
    assert found.candidates == [] and found.blockers == ["no hdf6 at all"]
    assert "hdf5" in found.suggestions
    code, out, _ = run(capsys, "closest", "hdf6", str(CORPUS))
    assert code == 1
    assert "no hdf6 at all" in out and "closest names: hdf5" in out


def test_json_is_the_ranked_list(hdf5, tmp_path, capsys):
    code, out, err = run(capsys, "closest", REQUEST, str(tmp_path), "--format", "json", "-n", "3")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert [e["rank"] for e in data] == [1, 2, 3]
    best = data[0]
    assert best["hash"] == h("a") and best["exact"] is True and best["cost"] == 0
    assert best["tags"] == ["t1", "t2"] and best["package"] == "hdf5"
    assert {"version", "compiler", "os", "platform", "target", "variants"} <= set(best)
    assert best["differences"][4] == {
        "field": "target", "wanted": "zen3", "have": "x86_64_v3", "ok": True, "cost": 0,
        "reason": "x86_64_v3 runs on zen3 (zen3 -> zen2 -> zen -> x86_64_v3)",
    }  # fmt: skip
    assert data[1]["differences"][1] == {
        "field": "compiler", "wanted": "gcc@13", "have": "gcc@11.4.0", "ok": False,
        "cost": COMPILER_VERSION, "reason": "",
    }  # fmt: skip


def test_json_without_an_exact_match_says_why_on_stderr(hdf5, tmp_path, capsys):
    code, out, err = run(capsys, "closest", "hdf5 os=centos7", str(tmp_path), "-f", "json")
    assert code == 1
    assert len(json.loads(out)) == 9
    assert "no binary of hdf5 for centos7 at all" in err


@pytest.mark.parametrize(
    ("request_text", "message"),
    [
        ("hdf5@@1", "cannot read"),
        ("+mpi os=rhel8", "name the package first"),
        ("hdf5 zlib", "two package names"),
        ("hdf5 os=rhel8 os=rhel9", "two values for os"),
        ("hdf5 target=zen9:", "unknown target"),
    ],
)
def test_a_bad_request_exits_2_with_one_line(request_text, message, capsys):
    code, out, err = run(capsys, "closest", request_text, str(CORPUS))
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1
    with pytest.raises(SpecSyntaxError):
        parse_request(request_text)


def test_dependencies_are_noted_not_compared(hdf5):
    found = closest(hdf5, parse_request("hdf5 ^zlib@1.3"))
    assert found.notes == ["^zlib: dependencies are not compared"]
    assert found.exact == 9


# -- real pages ------------------------------------------------------------------------------


def test_real_bc_x86_64_v3_binaries_run_on_zen3(capsys):
    code, out, _ = run(capsys, "closest", "bc target=zen3", str(CORPUS), "-f", "json", "-n", "0")
    data = json.loads(out)
    assert code == 0 and len(data) == 12
    assert [e["target"] for e in data] == ["x86_64_v3"] * 8 + ["neoverse_v2"] * 4
    assert all(e["exact"] for e in data[:8]) and not any(e["exact"] for e in data[8:])
    assert len({t for e in data for t in e["tags"]}) >= 7  # bc is in many tags
    reason = data[8]["differences"][0]["reason"]
    assert reason == "built for aarch64 (neoverse_v2), asked x86_64 (zen3)"


def test_real_cmake_exact_first(capsys):
    catalog = load([str(CORPUS)]).catalog
    found = closest(catalog, parse_request("cmake@3.31 %gcc@13 os=ubuntu24.04 target=zen3"))
    best, second = found.candidates[:2]
    assert best.exact and catalog.hashes[best.spec_id].startswith("pruhrrz")
    assert catalog.hashes[second.spec_id].startswith("nuz4r76")  # the aarch64 one
    assert [d.ok for d in second.differences] == [True, True, True, False]
    table = render(catalog, found)
    assert table.splitlines()[0].startswith(
        "closest to cmake@3.31 %gcc@13 os=ubuntu24.04 target=zen3: "
    )
    assert "  1. cmake@3.31.8 /pruhrrz %gcc@13.2.0 linux-ubuntu24.04-x86_64_v3" in table


def test_real_direnv_nearest_version_and_ed_os_blocker(capsys):
    code, out, _ = run(capsys, "closest", "direnv@2.36 os=centos7", str(CORPUS), "-f", "json")
    assert code == 1
    assert [e["version"] for e in json.loads(out)] == ["2.35.0", "2.34.0", "2.34.0"]
    code, out, _ = run(capsys, "closest", "ed os=rhel8", str(CORPUS))
    assert code == 1
    assert out.splitlines()[1] == "  no binary of ed for rhel8 at all"
    assert "os ubuntu22.04 (asked rhel8) ✗" in out


def test_specs_without_a_hash_are_each_their_own_binary(write_page, tmp_path):
    write_page("t/x.md", page_text("x", "t", [
        spec_entry(hash="", versions=["1.0"]), spec_entry(hash="", versions=["2.0"]),
    ]))  # fmt: skip
    found = closest(load([str(tmp_path)]).catalog, parse_request("x@2"), limit=None)
    assert [(c.spec_id, c.cost) for c in found.candidates] == [(1, 0), (0, VERSION + 1)]
    assert (found.binaries, found.exact) == (2, 1)
