"""Spack's version order and constraints. Cases are transcribed from Spack's
lib/spack/spack/test/versions.py; each id names the test function there.

Left out, since cached versions are concrete: range-vs-range satisfaction, overlaps,
intersection, union and list canonicalisation (they compare two constraints, never a version
with a constraint), and git lookups that need a repository (a cache stores the assigned version).
"""

from __future__ import annotations

import random

import pytest

from cachetui.versions import VersionError, parse_constraint, satisfies, sort_key, version_equal

SRC = "test/versions.py"

# (a, op, b) from assert_ver_lt / assert_ver_gt / assert_ver_eq, "=" prefixes dropped
ORDER = [
    ("test_string_prefix", "xsdk-0.2.0", "==", "xsdk-0.2.0"),
    ("test_string_prefix", "xsdk-0.2.0", "<", "xsdk-0.3"),
    ("test_two_segments", "1.0", "==", "1.0"),
    ("test_two_segments", "1.0", "<", "2.0"),
    ("test_develop", "develop", "==", "develop"),
    ("test_develop", "develop.local", "==", "develop.local"),
    ("test_develop", "1.0", "<", "develop"),
    ("test_develop", "1.develop", "==", "1.develop"),
    ("test_develop", "1.1", "<", "1.develop"),
    ("test_develop", "0.5", "<", "0.5.develop"),
    ("test_develop", "1.develop", "<", "2.1"),
    ("test_develop", "1.develop.1", "<", "1.develop.2"),
    ("test_develop", "develop.1", "<", "develop.2"),
    ("test_develop", "9.0", "<", "master"),
    ("test_develop", "9.0", "<", "head"),
    ("test_develop", "9.0", "<", "trunk"),
    ("test_develop", "9.0", "<", "develop"),
    ("test_develop", "master", "<", "develop"),
    ("test_develop", "head", "<", "master"),
    ("test_develop", "trunk", "<", "head"),
    ("test_develop", "system", "<", "9.0"),
    ("test_develop", "mydevelopmentnightmare", "<", "1.1"),
    ("test_develop", "1.mydevelopmentnightmare", "<", "1.1"),
    ("test_three_segments", "2.0.1", "==", "2.0.1"),
    ("test_three_segments", "2.0", "<", "2.0.1"),
    ("test_alpha", "2.0.1a", "==", "2.0.1a"),
    ("test_alpha", "2.0.1", "<", "2.0.1a"),
    ("test_patch", "5.5p1", "<", "5.5p2"),
    ("test_patch", "5.5p10", "==", "5.5p10"),
    ("test_patch", "5.5p1", "<", "5.5p10"),
    ("test_num_alpha_with_no_separator", "10xyz", "<", "10.1xyz"),
    ("test_num_alpha_with_no_separator", "xyz10", "==", "xyz10"),
    ("test_num_alpha_with_no_separator", "xyz10", "<", "xyz10.1"),
    ("test_alpha_with_dots", "xyz.4", "==", "xyz.4"),
    ("test_alpha_with_dots", "xyz.4", "<", "8"),
    ("test_alpha_with_dots", "xyz.4", "<", "2"),
    ("test_nums_and_patch", "5.5p2", "<", "5.6p1"),
    ("test_nums_and_patch", "5.6p1", "<", "6.5p1"),
    ("test_prereleases", "6.0alpha", "<", "6.0alpha0"),
    ("test_prereleases", "6.0alpha0", "<", "6.0alpha1"),
    ("test_prereleases", "6.0alpha1", "<", "6.0alpha2"),
    ("test_prereleases", "6.0alpha2", "<", "6.0beta"),
    ("test_prereleases", "6.0beta", "<", "6.0beta0"),
    ("test_prereleases", "6.0beta0", "<", "6.0beta1"),
    ("test_prereleases", "6.0beta1", "<", "6.0beta2"),
    ("test_prereleases", "6.0beta2", "<", "6.0rc"),
    ("test_prereleases", "6.0rc", "<", "6.0rc0"),
    ("test_prereleases", "6.0rc0", "<", "6.0rc1"),
    ("test_prereleases", "6.0rc1", "<", "6.0rc2"),
    ("test_prereleases", "6.0rc2", "<", "6.0"),
    ("test_alpha_beta", "10a1", "<", "10b2"),
    ("test_alpha_beta", "10a2", "<", "10b2"),
    ("test_double_alpha", "1.0aa", "==", "1.0aa"),
    ("test_double_alpha", "1.0a", "<", "1.0aa"),
    ("test_padded_numbers", "10.0001", "==", "10.0001"),
    ("test_padded_numbers", "10.0001", "==", "10.1"),
    ("test_padded_numbers", "10.0001", "<", "10.0039"),
    ("test_close_numbers", "4.999.9", "<", "5.0"),
    ("test_date_stamps", "20101121", "==", "20101121"),
    ("test_date_stamps", "20101121", "<", "20101122"),
    ("test_underscores", "2_0", "==", "2_0"),
    ("test_underscores", "2.0", "==", "2_0"),
    ("test_underscores", "2-0", "==", "2_0"),
    ("test_rpm_oddities", "1b.fc17", "==", "1b.fc17"),
    ("test_rpm_oddities", "1b.fc17", "<", "1.fc17"),
    ("test_rpm_oddities", "1.fc17", "<", "1g.fc17"),
    ("test_total_order_versions_and_ranges", "1.2", "<", "git.ref=1.2"),
    ("test_total_order_versions_and_ranges", "git.ref=1.2", "<", "1.3"),
    ("test_total_order_versions_and_ranges", "1.2", "<", "git.ref=1.3"),
]


@pytest.mark.parametrize(
    "a,op,b", [c[1:] for c in ORDER], ids=[f"{SRC}::{c[0]}:{c[1]}{c[2]}{c[3]}" for c in ORDER]
)
def test_order(a: str, op: str, b: str) -> None:
    ka, kb = sort_key(a), sort_key(b)
    if op == "==":
        assert ka == kb and version_equal(a, b)
    else:
        assert ka < kb and not kb < ka and not version_equal(a, b)


# (version, constraint, satisfied?)
SATISFY = [
    ("test_version_range_with_prereleases", "1.2.1alpha1", "1.2.1:", False),
    ("test_version_range_with_prereleases", "1.2.1beta2", "1.2.1:", False),
    ("test_version_range_with_prereleases", "1.2.1rc3", "1.2.1:", False),
    ("test_version_range_with_prereleases", "1.2.1alpha1", "1.2.0:", True),
    ("test_version_range_with_prereleases", "1.2.1beta1", "1.2.0:", True),
    ("test_version_range_with_prereleases", "1.2.1rc3", "1.2.0:", True),
    ("test_version_range_with_prereleases", "1.2.0alpha1", "1.2:", True),
    ("test_version_range_with_prereleases", "1.2.0beta2", "1.2:", True),
    ("test_version_range_with_prereleases", "1.2.0rc3", "1.2:", True),
    ("test_version_range_with_prereleases", "1.2.0alpha1", ":1.1", False),
    ("test_version_range_with_prereleases", "1.2.0beta2", ":1.1", False),
    ("test_version_range_with_prereleases", "1.2.0rc3", ":1.1", False),
    ("test_version_range_with_prereleases", "1.2.0alpha1", ":1.2", True),
    ("test_version_range_with_prereleases", "1.2.0beta2", ":1.2", True),
    ("test_version_range_with_prereleases", "1.2.0rc3", ":1.2", True),
    ("test_version_range_with_prereleases", "1.2.0", "1.2.0alpha1:", True),
    ("test_version_range_with_prereleases", "1.2.0", ":1.2.0rc345", False),
    ("test_contains", "1.3", "1.2:1.4", True),
    ("test_contains", "1.2.5", "1.2:1.4", True),
    ("test_contains", "1.3.5", "1.2:1.4", True),
    ("test_contains", "1.3.5-7", "1.2:1.4", True),
    ("test_contains", "1.1", "1.2:1.4", False),
    ("test_contains", "1.5", "1.2:1.4", False),
    ("test_contains", "1.5", "1.5.1:1.6", False),
    ("test_contains", "1.5", "1.5.1:", False),
    ("test_contains", "1.4.2", "1.2:1.4", True),
    ("test_contains", "1.4.2", "1.2:1.4.0", False),
    ("test_contains", "1.2.8", "1.2.7:1.4", True),
    ("test_contains", "1.2.5", "1.2.7:1.4", False),
    ("test_contains", "1.4.1", "1.2.7:1.4", True),
    ("test_contains", "1.4.1", "1.2.7:1.4.0", False),
    ("test_in_list", "1.2", "1.5,1.2,1.3", True),
    ("test_in_list", "1.2.5", "1.5,1.2:1.3", True),
    ("test_in_list", "1.5", "1.5,1.2:1.3", True),
    ("test_in_list", "1.4", "1.5,1.2:1.3", False),
    ("test_overlap_with_containment", "1.6.5", "1.6", True),
    ("test_overlap_with_containment", "1.6.5", ":1.6", True),
    ("test_basic_version_satisfaction", "4.7.3", "4.7.3", True),
    ("test_basic_version_satisfaction", "4.7.3", "4.7", True),
    ("test_basic_version_satisfaction", "4.7.3v2", "4.7", True),
    ("test_basic_version_satisfaction", "4.7v6", "4.7", True),
    ("test_basic_version_satisfaction", "4.7.3", "4", True),
    ("test_basic_version_satisfaction", "4.7.3v2", "4", True),
    ("test_basic_version_satisfaction", "4.7v6", "4", True),
    ("test_basic_version_satisfaction", "4.8.0", "4.9", False),
    ("test_basic_version_satisfaction", "4.8", "4.9", False),
    ("test_basic_version_satisfaction", "4", "4.9", False),
    ("test_version_range_satisfaction", "4.7b6", "4.3:4.7", True),
    ("test_version_range_satisfaction", "4.3.0", "4.3:4.7", True),
    ("test_version_range_satisfaction", "4.3.2", "4.3:4.7", True),
    ("test_version_range_satisfaction", "4.8.0", "4.3:4.7", False),
    ("test_version_range_satisfaction", "4.3", "4.4:4.7", False),
    ("test_satisfaction_with_lists", "4.7", "4.3, 4.6, 4.7", True),
    ("test_satisfaction_with_lists", "4.7.3", "4.3, 4.6, 4.7", True),
    ("test_satisfaction_with_lists", "4.6.5", "4.3, 4.6, 4.7", True),
    ("test_satisfaction_with_lists", "4.6.5.2", "4.3, 4.6, 4.7", True),
    ("test_satisfaction_with_lists", "4", "4.3, 4.6, 4.7", False),
    ("test_satisfaction_with_lists", "4.8.0", "4.2, 4.3:4.7", False),
    ("test_satisfaction_with_lists", "4.8.0", "4.2, 4.3:4.8", True),
    ("test_satisfaction_with_lists", "4.8.2", "4.2, 4.3:4.8", True),
    ("test_version_range_nonempty", "1.2.9", "1.2.0:1.2", True),
    ("test_version_range_nonempty", "1.1.1", "1.0:1", True),
    ("test_inclusion_upperbound", "1.2", ":1.2.0", True),
    ("test_version_intersects_satisfies_semantic", "4.7.3", "4.8", False),
    ("test_version_intersects_satisfies_semantic", f"git.{'a' * 40}=develop", "develop", True),
    (
        "test_version_intersects_satisfies_semantic",
        f"git.{'a' * 40}=develop",
        f"git.{'a' * 40}=develop",
        True,
    ),
    (
        "test_version_intersects_satisfies_semantic",
        f"git.{'a' * 40}=develop",
        f"git.{'b' * 40}=develop",
        False,
    ),
    ("test_git_ref_comparisons", "git.v1.0=1.0", "1.0", True),
    ("test_git_ref_comparisons", "git.v1.0=1.0", "1.1:", False),
    ("test_git_ref_comparisons", "git.1.x=1.2", "1.2", True),
    ("test_git_ref_comparisons", "git.1.x=1.2", "1.1:1.3", True),
    ("test_git_versions_without_explicit_reference", "git.1.x=1.2", ":2", True),
    ("test_git_versions_without_explicit_reference", "git.1.x=1.2", ":1", True),
    ("test_git_versions_without_explicit_reference", "git.1.x=1.2", ":0", False),
    ("test_git_versions_without_explicit_reference", "git.1.x=1.2", "1.3:", False),
    ("test_git_versions_without_explicit_reference", "git.v2.0=2.0", ":1", False),
    ("test_git_versions_without_explicit_reference", "git.v2.0=2.0", "1.3:", True),
    # a git ref is never equal to a standard version (StandardVersion.satisfies(GitVersion))
    ("test_total_order_versions_and_ranges", "git.ref=1.2", "=1.2", False),
    ("test_total_order_versions_and_ranges", "1.2", "git.ref=1.2", False),
]


@pytest.mark.parametrize(
    "version,constraint,expected",
    [c[1:] for c in SATISFY],
    ids=[f"{SRC}::{c[0]}:{c[1]}@{c[2]}" for c in SATISFY],
)
def test_satisfies(version: str, constraint: str, expected: bool) -> None:
    assert parse_constraint(constraint).satisfied_by(version) is expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("2:1.0", "2:1.0 is an empty range"),  # test_empty_version_range_raises
        ("4:3", "4:3 is an empty range"),  # brief: inverted ranges are refused
        ("foo 1.2.0!", "is not a version"),  # test_invalid_versions
        ("!", "is not a version"),  # test_invalid_versions
        ("1!2", "is not a version"),  # test_invalid_versions
        ("", "needs a value"),
        ("1:2:3", "one ':'"),
        ("1.2,,1.4", "empty version"),
    ],
    ids=lambda v: f"{SRC}::test_empty_version_range_raises/test_invalid_versions:{v}",
)
def test_bad_constraints_raise_with_a_message(text: str, message: str) -> None:
    with pytest.raises(VersionError, match=message):
        parse_constraint(text)


def test_git_version_detection() -> None:
    # test/versions.py::test_version_git_vs_base: "gitmain" is an ordinary word
    assert satisfies("gitmain", "gitmain")
    assert not satisfies(f"{'abcd' * 10}", "1:")  # a bare commit sha has no version
    assert satisfies(f"{'b' * 40}=3.2", "3.2")  # test_git_ref_can_be_assigned_a_version


def test_brief_examples() -> None:
    assert satisfies("1.2", "1.2") and satisfies("1.2.7", "1.2")
    assert not satisfies("1.20", "1.2")
    assert satisfies("1.2", "=1.2") and not satisfies("1.2.1", "=1.2")
    assert satisfies("1.4.9", "1.2:1.4") and not satisfies("1.5", "1.2:1.4")
    assert satisfies("1.9", ":2") and satisfies("3", "3:") and not satisfies("2.9", "3:")
    assert satisfies("1.5", "1.2,1.4:1.6") and not satisfies("1.3", "1.2,1.4:1.6")


def test_infinity_words_in_spack_order() -> None:
    words = ["stable", "nightly", "trunk", "head", "master", "main", "develop"]
    shuffled = ["99999", *words, "zzz"]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == ["zzz", "99999", *words]


def test_huge_numbers_compare_without_int() -> None:
    big = "9" * 5000
    assert sort_key("1." + big) < sort_key("1.1" + "0" * 5000)
    assert version_equal("0" * 4000 + "7", "7")
    assert satisfies(big + ".1", "1:") and not satisfies(big + "9", ":1")
    assert satisfies("1" + "0" * 5000, "2:") and not satisfies("1" + "0" * 5000, ":2")
    # A query's version component is bounded: a clean error, not a 5,000-digit comparison.
    with pytest.raises(VersionError, match="at most 100"):
        parse_constraint(big + ":")


def test_garbage_never_raises_in_sorting() -> None:
    junk = ["", "!!", "=", "git.", "git.x=1:2:3", "1..2", "é", "\x00", "a=b=c", "@", "::"]
    ordered = sorted(junk + ["1.0", "develop"], key=sort_key)
    assert len(ordered) == len(junk) + 2
    for text in junk:
        assert isinstance(parse_constraint("1:").satisfied_by(text), bool)
