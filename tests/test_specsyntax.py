"""One Spack-spelled token against one concrete spec's columns. Cases come from Spack's
lib/spack/spack/test/spec_semantics.py (ids name the test function there), with Spack's
concrete left-hand spec written as this project stores it (variants as a tuple of strings).

Left out: abstract-vs-abstract intersection and constrain() tables (a cached spec is concrete),
namespaces, compiler flags, deptypes and conditional edges (the pages record none of them).
"""

from __future__ import annotations

import pytest

from cachetui.specsyntax import SpecSyntaxError, parse_token

SRC = "test/spec_semantics.py"

# (spack test, concrete variants, token, satisfied?)
VARIANTS = [
    ("test_abstract_specs_can_constrain_each_other", ("+foo",), "+foo", True),
    ("test_abstract_specs_can_constrain_each_other", ("+foo",), "++foo", True),
    ("test_abstract_specs_can_constrain_each_other", ("~foo",), "~foo", True),
    ("test_abstract_specs_can_constrain_each_other", ("~foo",), "~~foo", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=1",), "foo=1", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=1",), "foo==1", True),
    ("test_abstract_specs_can_constrain_each_other", ("+foo",), "foo=True", True),
    ("test_abstract_specs_can_constrain_each_other", ("+foo",), "foo=true", True),
    ("test_abstract_specs_can_constrain_each_other", ("+foo",), "foo==true", True),
    ("test_abstract_specs_can_constrain_each_other", ("~foo",), "foo=FALSE", True),
    ("test_abstract_specs_can_constrain_each_other", ("~foo",), "foo=False", True),
    ("test_abstract_specs_can_constrain_each_other", ("~foo",), "foo==False", True),
    ("test_abstract_specs_can_constrain_each_other", ("~foo",), "foo=*", True),
    ("test_abstract_specs_can_constrain_each_other", ("+foo",), "foo=*", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=bar,baz",), "foo=bar,baz", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=bar,baz",), "foo=*", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=bar,baz",), "foo=bar", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=bar,baz",), "foo=baz", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=bar,baz,barbaz",), "foo=bar,baz", True),
    ("test_abstract_specs_can_constrain_each_other", ("foo=bar,baz",), "foo=baz,bar", True),
    ("test_abstract_specs_can_constrain_each_other", ("+debug", "+foo"), "+debug", True),
    ("test_abstract_specs_can_constrain_each_other", ("+debug", "~foo"), "~foo", True),
    ("test_abstract_specs_can_constrain_each_other", ("debug=2", "foo=1"), "debug=2", True),
    ("test_abstract_specs_can_constrain_each_other", ("+debug", "+foo"), "+debug+foo", True),
    ("test_abstract_specs_can_constrain_each_other", ("+debug", "~foo"), "+debug~foo", True),
    ("test_abstract_specs_can_constrain_each_other", ("patches=ba5e334fe",), "patches=ba5e3", True),
    ("test_constraining_abstract_specs_with_empty_intersection", ("~foo",), "+foo", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+foo",), "~foo", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+foo",), "foo=False", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("~foo",), "++foo", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+foo",), "~~foo", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+foo",), "foo==False", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+debug",), "~debug", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+debug",), "-debug", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+debug", "~foo"), "+foo", False),
    ("test_constraining_abstract_specs_with_empty_intersection", ("+debug",), "debug=False", False),
    ("test_concrete_specs_which_do_not_satisfy_abstract", (), "+foo", False),
    ("test_concrete_specs_which_do_not_satisfy_abstract", (), "~foo", False),
    ("test_concrete_specs_which_do_not_satisfy_abstract", (), "foo=1", False),
    ("test_concrete_specs_which_do_not_satisfy_abstract", ("foo=bar",), "+foo", False),
    ("test_concrete_specs_which_do_not_satisfy_abstract", ("foo=bar",), "~foo", False),
    ("test_concrete_specs_which_do_not_satisfy_abstract", ("fee=bar",), "fee=baz", False),
    ("test_abstract_specs_with_propagation", ("+mpi",), "++mpi", True),
    ("test_satisfies_single_valued_variant", ("foobar=bar",), "foobar=bar", True),
    ("test_satisfies_single_valued_variant", ("foobar=bar",), "foobar=*", True),
    ("test_satisfies_single_valued_variant", ("foobar=bar",), "foobar==bar", True),
    ("test_satisfies_single_valued_variant", ("foobar=bar",), "foobar=baz", False),
    ("test_satisfies_single_valued_variant", ("foobar=bar",), "foobar=fee", False),
    ("test_satisfies_single_valued_variant", ("foo=bar", "foobar=bar"), "foo=bar", True),
    ("test_multivalued_variant_1", ("foo=bar",), "foo=bar,baz", False),
    ("test_multivalued_variant_3", ("foo=bar,baz",), "foo=bar,baz,quux", False),
    # this project's data: ':=' marks a concrete multi-valued list; values are hash prefixes
    ("data", ("patches:=1c9cb08,873745d",), "patches=873745d", True),
    ("data", ("patches:=1c9cb08,873745d",), "patches=873", True),
    ("data", ("patches:=1c9cb08,873745d",), "patches=999", False),
    ("data", ("patches:=1c9cb08,873745d",), "patches:=873745d", False),
    ("data", ("build_system=cmake",), "build_system=cmake", True),
    ("data", ("build_system=cmake",), "build_system=autotools", False),
    ("data", ("cuda_arch=70,80",), "cuda_arch:=80,70", True),
]


@pytest.mark.parametrize(
    "variants,token,expected",
    [c[1:] for c in VARIANTS],
    ids=[f"{SRC}::{c[0]}:{','.join(c[1])}|{c[2]}" for c in VARIANTS],
)
def test_variants(variants: tuple[str, ...], token: str, expected: bool) -> None:
    assert parse_token(token).variants_ok(variants) is expected


# (spack test, concrete compiler as stored, token, satisfied?)
COMPILERS = [
    ("test_abstract_specs_can_constrain_each_other", "gcc@4.7.2", "%gcc", True),
    ("test_abstract_specs_can_constrain_each_other", "intel@4.7.2", "%intel", True),
    ("test_abstract_specs_can_constrain_each_other", "gcc@4.7.2", "%gcc@4.7.2", True),
    ("test_abstract_specs_can_constrain_each_other", "gcc@4.5", "%gcc@4.4:4.6", True),
    ("test_abstract_specs_can_constrain_each_other", "gcc@4.7.3", "%gcc@4.7", True),
    ("test_abstract_specs_can_constrain_each_other", "gcc@=4.4.7", "%gcc@4.4.7", True),
    ("test_constraining_abstract_specs_with_empty_intersection", "gcc@4.3", "%gcc@4.4:4.6", False),
    ("test_constraining_abstract_specs_with_empty_intersection", "gcc@4.8", "%gcc@4.5:4.7", False),
    ("test_constraining_abstract_specs_with_empty_intersection", "intel@4.5", "%gcc", False),
    ("data", "gcc@=11.4.0", "%gcc@11:", True),
    ("data", "gcc@11.4.0", "%gcc@=11.4", False),
    ("data", "none", "%gcc", False),
]


@pytest.mark.parametrize(
    "compiler,token,expected",
    [c[1:] for c in COMPILERS],
    ids=[f"{SRC}::{c[0]}:{c[1]}|{c[2]}" for c in COMPILERS],
)
def test_compilers(compiler: str, token: str, expected: bool) -> None:
    assert parse_token(token).compiler_ok(compiler) is expected


# (spack test, name, version, token, satisfied?)
NAMES = [
    ("test_abstract_specs_can_constrain_each_other", "libelf", "0.8.13", "@0:1", True),
    ("test_abstract_specs_can_constrain_each_other", "foo", "2.0", "@1:3", True),
    ("test_concrete_specs_which_satisfies_abstract", "libelf", "0.8.13", "libelf@0:1", True),
    ("test_constraining_abstract_specs_with_empty_intersection", "foo", "4.0", "@1:3", False),
    ("test_constraining_abstract_specs_with_empty_intersection", "libelf", "2.0", "@2.1:3", False),
    ("test_inclusion_upperbound", "x", "1.2", "x@:1.2.0", True),
    ("brief", "py-numpy", "1.26.4", "py-numpy@1.26:", True),
    ("brief", "py-numpy", "1.25.2", "py-numpy@1.26:", False),
    ("brief", "py-numpyx", "1.26.4", "py-numpy@1.26:", False),
]


@pytest.mark.parametrize(
    "name,version,token,expected",
    [c[1:] for c in NAMES],
    ids=[f"{SRC}::{c[0]}:{c[1]}@{c[2]}|{c[3]}" for c in NAMES],
)
def test_name_and_version(name: str, version: str, token: str, expected: bool) -> None:
    parsed = parse_token(token)
    assert (parsed.name_ok(name) and parsed.version_ok(version)) is expected


# (spack test, platform, os, target, token, satisfied?)
ARCH = [
    ("test_abstract_specs_can_constrain_each_other", "test", "fe", "fe", "platform=test", True),
    ("test_abstract_specs_can_constrain_each_other", "test", "", "fe", "arch=test-None-fe", True),
    ("test_abstract_specs_can_constrain_each_other", "test", "fe", "fe", "arch=test-fe-fe", True),
    ("test_abstract_specs_can_constrain_each_other", "test", "fe", "fe", "target=fe", True),
    (
        "test_constraining_abstract_specs_with_empty_intersection",
        "linux",
        "",
        "",
        "platform=test",
        False,
    ),  # fmt: skip
    (
        "test_constraining_abstract_specs_with_empty_intersection",
        "test",
        "redhat6",
        "x86",
        "os=debian6",
        False,
    ),  # fmt: skip
    (
        "test_constraining_abstract_specs_with_empty_intersection",
        "test",
        "redhat6",
        "x86_64",
        "target=x86",
        False,
    ),  # fmt: skip
    ("data", "linux", "ubuntu22.04", "x86_64_v3", "arch=linux-ubuntu22.04-x86_64_v3", True),
    ("data", "linux", "ubuntu22.04", "zen2", "target=skylake,zen2", True),
]


@pytest.mark.parametrize(
    "platform,os,target,token,expected",
    [c[1:] for c in ARCH],
    ids=[f"{SRC}::{c[0]}:{c[1]}-{c[2]}-{c[3]}|{c[4]}" for c in ARCH],
)
def test_arch(platform: str, os: str, target: str, token: str, expected: bool) -> None:
    parsed = parse_token(token)
    assert (parsed.platform_ok(platform) and parsed.os_ok(os) and parsed.target_ok(target)) is (
        expected
    )


def test_dependencies() -> None:
    # spec_semantics.py::test_abstract_specs_can_constrain_each_other, "^mpich@1:3" and
    # ::test_constraining_abstract_specs_with_empty_intersection, "^mpich@2.0" vs mpich@1.2
    (mpich,) = parse_token("^mpich@1:3").dependencies
    assert mpich.satisfied_by("mpich", "2.0")
    (exact,) = parse_token("^mpich@2.0").dependencies
    assert not exact.satisfied_by("mpich", "1.2")
    assert not exact.satisfied_by("mpich2", "2.0")


def test_target_ranges_follow_the_microarchitecture_order() -> None:
    # spec_semantics.py: target ranges are satisfied in archspec's partial order
    token = parse_token("target=x86_64_v2:x86_64_v4")
    assert str(token.target) == "x86_64_v2:x86_64_v4"
    assert token.target_ok("x86_64_v3") and token.target_ok("x86_64_v2")
    # lo <= t <= hi: zen3 descends from x86_64_v2, but x86_64_v4 (avx512) is not its ancestor
    assert not token.target_ok("zen3")
    assert not token.target_ok("x86_64") and not token.target_ok("neoverse_v1")
    assert parse_token("target=x86_64_v3:").target_ok("zen3")
    assert not parse_token("target=:zen2").target_ok("zen3")
    # a target archspec does not know cannot be placed in a range
    assert token.target_ok("not_a_cpu") is False
    assert parse_token("target=zen2,zen3").target_ok("zen3")
    assert not parse_token("target=zen2,zen3").target_ok("zen4")


def test_tokens_that_constrain_nothing_else_pass_every_column() -> None:
    token = parse_token("+mpi")
    assert token.name_ok("anything") and token.version_ok("1.0") and token.compiler_ok("none")
    assert token.os_ok("rhel8") and token.platform_ok("linux") and token.target_ok("zen2")


@pytest.mark.parametrize(
    "token,message",
    [
        # spec_semantics.py::test_propagate_reserved_variant_names
        ("arch==foobar", "Propagation"),
        ("os==foobar", "Propagation"),
        ("patches==foobar", "Propagation"),
        ("dev_path==foobar", "Propagation"),
        ("namespace==foobar", "Propagation"),
        ("@4:3", "empty range"),
        ("%", "compiler needs a name"),
        ("+", "expected"),
        ("foo=", "no value"),
        ("arch=linux", "platform-os-target"),
        ("target=a:b:c", "more than one"),
        ("target=zen9:", "unknown target"),
        ("@1.2@1.3", "two versions"),
        ("^@1.2", "package name"),
        ("foo=a,,b", "empty value"),
    ],
    ids=lambda v: f"{SRC}::test_propagate_reserved_variant_names/errors:{v}",
)
def test_bad_tokens_raise_with_a_message(token: str, message: str) -> None:
    with pytest.raises(SpecSyntaxError, match=message):
        parse_token(token)
