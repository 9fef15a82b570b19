from conftest import DOCUMENTED_KEYS

from cachetui.model import Package, Spec, parse_compiler
from cachetui.specstring import parse_spec_string


def make_spec(**kw) -> Spec:
    base = dict(
        hash="255hkvjjlmt7je7ljqabxkt4rcdwlcbh",
        package="py-msgpack",
        tag="develop",
        versions=("1.0.3",),
        compiler="gcc@=7.5.0",
        os="ubuntu18.04",
        platform="linux",
        target="x86_64_v3",
        variants=("build_system=python_pip",),
        stacks=("developer-tools", "root"),
    )
    base.update(kw)
    return Spec(**base)


def test_compiler_forms():
    assert parse_compiler("gcc@=11.4.0")[1:] == ("gcc", "11.4.0", True)
    assert parse_compiler("gcc@11.4.0")[1:] == ("gcc", "11.4.0", False)
    assert parse_compiler("gcc")[1:] == ("gcc", "", False)
    none = parse_compiler("none")
    assert (none.name, none.version, none.normalized) == ("", "", "none")
    assert parse_compiler("gcc@=11.4.0").normalized == parse_compiler("gcc@11.4.0").normalized


def test_spec_rendering():
    spec = make_spec()
    assert spec.short_hash == "255hkvj"
    assert spec.version == "1.0.3"
    assert spec.spec_string == (
        "py-msgpack@1.0.3%gcc@=7.5.0 build_system=python_pip arch=linux-ubuntu18.04-x86_64_v3"
    )
    assert spec.install_command == "spack install /255hkvjjlmt7je7ljqabxkt4rcdwlcbh"


def test_spec_string_glues_boolean_variants_and_skips_none_compiler():
    spec = make_spec(
        compiler="none", variants=("+mpi", "~cuda", "build_type=Release", "patches:=abc1234")
    )
    assert spec.spec_string == (
        "py-msgpack@1.0.3+mpi~cuda build_type=Release patches:=abc1234 arch=linux-ubuntu18.04-x86_64_v3"
    )


def test_spec_without_hash_installs_by_spec_string():
    spec = make_spec(hash="")
    assert spec.short_hash == ""
    assert spec.install_command == "spack install " + spec.spec_string


def test_to_dict_has_every_documented_key():
    keys = set(make_spec(size=12, tarball="https://x/y.spack", source="a.md").to_dict())
    assert keys == DOCUMENTED_KEYS


def test_package_meta_disagreement_is_reported_and_both_kept():
    package = Package(
        "p",
        "develop",
        meta={"num_specs": 3, "num_specs_by_stack": {"e4s": 2}},
        num_specs=2,
        specs_by_stack={"e4s": 1, "root": 2},
    )
    found = package.disagreements()
    assert "meta num_specs is 3 but the page lists 2 specs" in found
    assert any("num_specs_by_stack[e4s] is 2 but 1" in f for f in found)
    assert any("num_specs_by_stack[root] is 0 but 2" in f for f in found)
    assert package.meta_num_specs == 3 and package.num_specs == 2


def test_legacy_spec_string_with_quoted_flags():
    parsed = parse_spec_string(
        'zlib@1.2.11%xl@16.1 fflags="-qzerosize" +optimize+pic+shared arch=linux-rhel7-power9le'
    )
    assert parsed.name == "zlib" and parsed.version == "1.2.11" and parsed.compiler == "xl@16.1"
    assert parsed.variants == ('fflags="-qzerosize"', "+optimize", "+pic", "+shared")
    assert (parsed.platform, parsed.os, parsed.target) == ("linux", "rhel7", "power9le")
    assert parsed.leftover == ""


def test_legacy_spec_string_drops_dependencies():
    parsed = parse_spec_string(
        "adiak@0.1.1%gcc@9.3.0+mpi+shared build_type=RelWithDebInfo arch=linux-ubuntu20.04-x86_64"
        " ^libiconv@1.16%gcc@9.3.0 arch=linux-ubuntu20.04-x86_64"
    )
    assert parsed.variants == ("+mpi", "+shared", "build_type=RelWithDebInfo")
    assert parsed.target == "x86_64"
