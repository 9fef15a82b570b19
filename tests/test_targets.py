"""Target constraints over archspec's real microarchitecture table."""

from __future__ import annotations

import pytest

from cachetui.targets import (
    TargetConstraint,
    TargetError,
    TargetRange,
    descends,
    microarchitecture,
    parse_target_constraint,
)


@pytest.mark.parametrize(
    "low,high,expected",
    [
        # archspec tests/test_cpu.py::test_partial_ordering, "a <= b" read as descends(a, b)
        pytest.param("x86_64", "skylake", True, id="archspec:x86_64<skylake"),
        pytest.param("skylake", "icelake", True, id="archspec:icelake>skylake"),
        pytest.param("piledriver", "steamroller", True, id="archspec:piledriver<=steamroller"),
        pytest.param("zen", "zen2", True, id="archspec:zen2>=zen"),
        pytest.param("zen", "zen", True, id="archspec:zen>=zen"),
        pytest.param("aarch64", "thunderx2", True, id="archspec:aarch64<=thunderx2"),
        pytest.param("aarch64", "a64fx", True, id="archspec:aarch64<=a64fx"),
        pytest.param("power8", "skylake", False, id="archspec:power8<=skylake"),
        pytest.param("skylake", "power8", False, id="archspec:skylake<=power8"),
        pytest.param("cascadelake", "cannonlake", False, id="archspec:cascadelake<=cannonlake"),
        pytest.param("cannonlake", "cascadelake", False, id="archspec:cascadelake>=cannonlake"),
        pytest.param("x86_64", "x86_64_v2", True, id="archspec:x86_64<x86_64_v2"),
        pytest.param("x86_64_v2", "x86_64_v4", True, id="archspec:x86_64_v4<x86_64_v2-false"),
        pytest.param("x86_64_v2", "core2", False, id="archspec:core2>x86_64_v2"),
        pytest.param("x86_64_v2", "nehalem", True, id="archspec:nehalem>x86_64_v2"),
        pytest.param("x86_64_v3", "excavator", True, id="archspec:excavator>x86_64_v3"),
        pytest.param("x86_64_v3", "zen", True, id="archspec:zen>x86_64_v3"),
        # Spack issue #53030: x86_64_v3 binaries run on zen2
        pytest.param("x86_64_v3", "zen2", True, id="spack#53030"),
        pytest.param("zen2", "x86_64_v3", False, id="newer-does-not-run-on-older"),
    ],
)
def test_descends_follows_archspec_order(low, high, expected):
    assert descends(low, high) is expected


def test_descends_is_unknown_for_names_archspec_does_not_know():
    assert descends("zen2", "zen99") is None
    assert descends("not-a-cpu", "zen2") is None
    assert microarchitecture("") is None


@pytest.mark.parametrize(
    "constraint,name,expected",
    [
        ("zen2", "zen2", True),
        # Spack: a bare name is that name only, not its descendants
        ("zen2", "zen3", False),
        ("x86_64_v3:", "zen2", True),
        ("x86_64_v3:", "zen4", True),
        ("x86_64_v3:", "x86_64_v2", False),
        ("x86_64_v3:", "haswell", True),
        ("x86_64_v3:", "neoverse_v1", False),
        (":zen3", "zen2", True),
        (":zen3", "x86_64", True),
        (":zen3", "zen4", False),
        (":zen3", "skylake", False),
        ("haswell:icelake", "broadwell", True),
        ("haswell:icelake", "zen2", False),
        ("zen2,zen3", "zen3", True),
        ("zen2,zen3", "zen4", False),
        ("zen2,x86_64_v4:", "sapphirerapids", True),
        ("zen2,x86_64_v4:", "haswell", False),
        ("armv8.2a:", "neoverse_v1", True),
        ("armv8.2a:", "a64fx", True),
        ("power8le:", "power9le", True),
        ("power8le:", "power8", False),
    ],
)
def test_contains(constraint, name, expected):
    assert parse_target_constraint(constraint).contains(name) is expected


@pytest.mark.parametrize(
    "left,right,result",
    [
        # Spack lib/spack/spack/test/architecture.py::test_concretize_target_ranges: the
        # concretized target satisfies the root's and the dependency's constraints.
        ("x86_64:nocona", "x86_64:core2", "nocona"),
        ("x86_64:core2", "x86_64:nocona", "nocona"),
        ("x86_64:haswell", "x86_64:mic_knl", "core2"),
        ("ivybridge", "nocona:skylake", "ivybridge"),
        ("haswell:icelake", "broadwell", "broadwell"),
        ("x86_64:nocona,haswell:broadwell", "nocona:haswell,skylake:", "nocona"),
        ("x86_64,haswell", "core2:broadwell", "haswell"),
    ],
)
def test_spack_concretized_targets_satisfy_both_ranges(left, right, result):
    assert parse_target_constraint(left).contains(result) is True
    assert parse_target_constraint(right).contains(result) is True


def test_unknown_data_target_is_unknown_for_ranges_and_no_for_other_exact_names():
    assert parse_target_constraint("x86_64_v3:").contains("zen99") is None
    assert parse_target_constraint(":zen3").contains("") is None
    # An exact name is a string comparison, as in Spack: decidable for any name.
    assert parse_target_constraint("zen2").contains("zen99") is False
    assert parse_target_constraint("zen99").contains("zen99") is True
    # Any item that says yes wins over another that cannot tell.
    assert parse_target_constraint("x86_64_v3:,zen99").contains("zen99") is True
    assert parse_target_constraint("x86_64_v3:,zen2").contains("zen99") is None


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("zen2,,zen3", "empty item"),
        (":", "at least one end"),
        ("zen2:zen3:zen4", "more than one"),
        ("zen99:", "unknown target 'zen99'"),
        (":zen99", "unknown target 'zen99'"),
        ("zen3:zen2", "empty range"),
        ("neoverse_v1:zen3", "empty range"),
        ("zen2;rm -rf", "bad target name"),
        ("x86_64_v3:$(id)", "bad target name"),
    ],
)
def test_malformed_constraints_raise_target_error(text, message):
    with pytest.raises(TargetError, match=message):
        parse_target_constraint(text)


def test_target_error_is_a_value_error():
    assert issubclass(TargetError, ValueError)


def test_parse_keeps_items_and_prints_them_back():
    constraint = parse_target_constraint(" zen2 , x86_64_v3: , :zen3 ")
    assert constraint.items == (
        TargetRange("zen2", "zen2", exact=True),
        TargetRange("x86_64_v3", None),
        TargetRange(None, "zen3"),
    )
    assert str(constraint) == "zen2,x86_64_v3:,:zen3"
    assert constraint == parse_target_constraint("zen2,x86_64_v3:,:zen3")


def test_contains_is_computed_once_per_distinct_name(monkeypatch):
    # A fresh constraint: parse_target_constraint's own cache may hold a warm one.
    constraint = TargetConstraint("haswell:", (TargetRange("haswell", None),))
    calls = []
    original = TargetRange.contains

    def counting(self, name):
        calls.append(name)
        return original(self, name)

    monkeypatch.setattr(TargetRange, "contains", counting)
    names = ["zen2", "skylake", "zen2", "skylake", "neoverse_v1"] * 1000
    results = [constraint.contains(name) for name in names]
    assert sorted(set(calls)) == ["neoverse_v1", "skylake", "zen2"]
    assert len(calls) == 3
    assert results[:5] == [False, True, False, True, False]
