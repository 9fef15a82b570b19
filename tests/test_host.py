"""Which binaries run on a host: hosts set explicitly, never the machine running the tests."""

from __future__ import annotations

import numpy as np
import pytest

from cachetui import host as hostmod
from cachetui.host import (
    Host,
    linux_os_from_root,
    linux_os_name,
    macos_os_name,
    parse_host,
    runs_codes,
    runs_on,
    runs_values,
    spack_platform,
    target_verdict,
)


def linux(target: str, os: str = "rhel8") -> Host:
    return Host("linux", os, target)


@pytest.mark.parametrize(
    "target,host_target",
    [
        ("x86_64_v3", "zen2"),  # Spack issue #53030
        ("x86_64_v3", "zen3"),
        ("x86_64_v4", "zen4"),
        ("x86_64_v3", "haswell"),
        ("x86_64_v4", "skylake_avx512"),
        ("skylake", "icelake"),
        ("haswell", "skylake"),
        ("x86_64_v2", "x86_64_v3"),
        ("zen2", "zen3"),
        ("zen3", "zen4"),
        ("neoverse_n1", "neoverse_v1"),
        ("armv8.2a", "a64fx"),
        ("power8le", "power9le"),
        # generic family targets run on every member of the family
        ("x86_64", "zen4"),
        ("x86_64", "x86_64_v4"),
        ("aarch64", "neoverse_v2"),
        ("aarch64", "a64fx"),
        ("ppc64le", "power9le"),
    ],
)
def test_ancestors_and_generic_targets_run(target, host_target):
    verdict = runs_on("linux", "rhel8", target, linux(host_target))
    assert verdict.state == "yes", verdict.reason
    assert target in verdict.reason and host_target in verdict.reason


@pytest.mark.parametrize(
    "target,host_target",
    [
        ("skylake_avx512", "zen3"),
        ("zen4", "zen3"),
        ("x86_64_v4", "zen3"),
        ("x86_64_v3", "x86_64_v2"),
        ("icelake", "skylake"),
        ("skylake", "zen2"),
        ("neoverse_v2", "neoverse_v1"),
        ("neoverse_v1", "a64fx"),
        ("a64fx", "neoverse_v1"),
        ("power9le", "power8le"),
        ("neoverse_v1", "zen3"),
        ("zen3", "neoverse_v2"),
        ("x86_64", "aarch64"),
    ],
)
def test_descendants_siblings_and_other_families_do_not_run(target, host_target):
    assert runs_on("linux", "rhel8", target, linux(host_target)).state == "no"


@pytest.mark.parametrize(
    "target,host_target,reason",
    [
        ("x86_64_v3", "zen3", "x86_64_v3 runs on zen3 (zen3 -> zen2 -> zen -> x86_64_v3)"),
        ("skylake_avx512", "zen3", "needs avx512 (skylake_avx512), this host is zen3"),
        ("zen4", "zen3", "needs avx512 (zen4), this host is zen3"),
        ("x86_64_v4", "zen3", "needs avx512 (x86_64_v4), this host is zen3"),
        ("sapphirerapids", "icelake", "needs avx512, amx (sapphirerapids), this host is icelake"),
        ("neoverse_v2", "neoverse_v1", "needs sve2 (neoverse_v2), this host is neoverse_v1"),
        ("neoverse_v1", "a64fx", "needs i8mm, bf16 (neoverse_v1), this host is a64fx"),
        ("power9le", "power8le", "power9le is newer than this host's power8le"),
        ("a64fx", "neoverse_v1", "a64fx is not neoverse_v1 or one of its ancestors"),
        ("zen3", "zen3", "zen3 is this host's target"),
        ("x86_64", "zen3", "x86_64 runs on every x86_64 host, zen3 too"),
        (
            "neoverse_v1",
            "zen3",
            "built for aarch64 (neoverse_v1), this host is x86_64 (zen3)",
        ),
    ],
)
def test_target_reasons(target, host_target, reason):
    assert target_verdict(target, host_target).reason == reason


def test_missing_features_are_few_at_most():
    reason = target_verdict("zen2", "haswell").reason
    assert reason.startswith("needs ") and reason.endswith("(zen2), this host is haswell")
    assert reason.count(",") <= 3 and " more " in reason


def test_apple_silicon_on_darwin():
    m2 = Host("darwin", "sonoma", "m2")
    assert runs_on("darwin", "sonoma", "m1", m2).state == "yes"
    assert runs_on("darwin", "sonoma", "aarch64", m2).state == "yes"
    assert runs_on("darwin", "sonoma", "m2", Host("darwin", "sonoma", "m1")).state == "no"
    linux_build = runs_on("linux", "ubuntu22.04", "m1", m2)
    assert linux_build.state == "no"
    assert linux_build.reason == "built for linux, this host is darwin"


def test_platform_and_os_mismatch_say_which():
    zen3 = linux("zen3", "rhel8")
    assert runs_on("darwin", "sonoma", "m1", zen3).reason == "built for darwin, this host is linux"
    other_os = runs_on("linux", "ubuntu24.04", "x86_64_v3", zen3)
    assert other_os.state == "no"
    assert other_os.reason == "built for ubuntu24.04, this host is rhel8"
    # Spack matches OS names exactly: a rocky8 binary is not an rhel8 one.
    assert runs_on("linux", "rocky8", "x86_64_v3", zen3).state == "no"


def test_unknown_target_is_unknown_unless_something_else_rules_it_out():
    zen3 = linux("zen3")
    verdict = runs_on("linux", "rhel8", "zen99", zen3)
    assert verdict.state == "unknown"
    assert "zen99" in verdict.reason
    assert runs_on("linux", "rhel8", "", zen3).state == "unknown"
    assert runs_on("linux", "", "zen2", zen3).state == "unknown"
    assert runs_on("linux", "ubuntu24.04", "zen99", zen3).state == "no"
    weird_host = Host("linux", "rhel8", "not-a-cpu")
    assert runs_on("linux", "rhel8", "zen2", weird_host).state == "unknown"


def test_a_host_without_os_accepts_any_os():
    any_os = Host("linux", None, "zen3")
    assert runs_on("linux", "ubuntu24.04", "x86_64_v3", any_os).state == "yes"
    assert runs_on("darwin", "sonoma", "x86_64_v3", any_os).state == "no"


# -- vectorised ----------------------------------------------------------------------------


def test_runs_codes_matches_runs_on_row_by_row():
    host = linux("zen3")
    platforms = ["linux", "darwin", "linux"]
    oses = ["rhel8", "ubuntu24.04", "", "sonoma"]
    targets = ["x86_64_v3", "zen4", "zen99", "x86_64", "neoverse_v1", ""]
    rng = np.random.default_rng(7)
    rows = 500
    columns = [
        (rng.integers(0, len(values), rows).astype(np.int32), values)
        for values in (platforms, oses, targets)
    ]
    codes = runs_codes(columns[0], columns[1], columns[2], host)
    expected = [
        {"yes": 1, "no": 0, "unknown": -1}[
            runs_on(
                platforms[columns[0][0][i]],
                oses[columns[1][0][i]],
                targets[columns[2][0][i]],
                host,
            ).state
        ]
        for i in range(rows)
    ]
    assert codes.dtype == np.int8
    assert codes.tolist() == expected
    assert set(expected) == {1, 0, -1}


def test_runs_codes_calls_one_verdict_per_distinct_value(monkeypatch):
    calls = []
    original = hostmod.target_verdict

    def counting(target, host_target):
        calls.append(target)
        return original(target, host_target)

    monkeypatch.setattr(hostmod, "target_verdict", counting)
    n = 1_000_000
    codes = np.arange(n, dtype=np.int32) % 3
    column = (codes, ["x86_64_v3", "zen4", "zen99"])
    platform = (np.zeros(n, dtype=np.int32), ["linux"])
    os_column = (np.zeros(n, dtype=np.int32), ["rhel8"])
    result = runs_codes(platform, os_column, column, linux("zen3"))
    assert sorted(calls) == ["x86_64_v3", "zen4", "zen99"]
    assert result[:3].tolist() == [1, 0, -1] and len(result) == n


def test_runs_values_and_empty_columns():
    host = linux("zen2")
    result = runs_values(["linux", "linux"], ["rhel8", "rhel9"], ["x86_64_v3", "zen2"], host)
    assert result.tolist() == [1, 0]
    assert runs_values([], [], [], host).tolist() == []


# -- naming hosts as Spack does ------------------------------------------------------------


@pytest.mark.parametrize(
    "sys_platform,expected",
    [("linux", "linux"), ("darwin", "darwin"), ("win32", "windows"), ("freebsd14", "freebsd")],
)
def test_spack_platform(sys_platform, expected):
    assert spack_platform(sys_platform) == expected


OS_RELEASES = {
    "ubuntu22.04": 'NAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\n'
    "ID=ubuntu\nID_LIKE=debian\n",
    "rhel8": 'NAME="Red Hat Enterprise Linux"\nVERSION="8.9 (Ootpa)"\nID="rhel"\n'
    'ID_LIKE="fedora"\nVERSION_ID="8.9"\n',
    "centos7": 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\n'
    'VERSION_ID="7"\n',
    "rocky9": 'NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\n'
    'ID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\n',
    "sles15": 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nID="sles"\nID_LIKE="suse"\n',
    "debian12": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
    'VERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n',
    "almalinux9": 'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\n'
    'VERSION_ID="9.4"\n',
    # distro normalises opensuse-leap to opensuse and ol to oracle, and Spack takes that id
    "opensuse15": 'NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nVERSION_ID="15.5"\n',
    "oracle8": 'NAME="Oracle Linux Server"\nVERSION="8.9"\nID="ol"\nVERSION_ID="8.9"\n',
    "amzn2": 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nVERSION_ID="2"\n',
    "opensusetumbleweed": 'NAME="openSUSE Tumbleweed"\nID="opensuse-tumbleweed"\n'
    'VERSION_ID="20240101"\n',
}


@pytest.mark.parametrize("expected", sorted(OS_RELEASES))
def test_os_naming_from_os_release_matches_spack(tmp_path, expected):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "os-release").write_text(OS_RELEASES[expected], encoding="utf-8")
    assert linux_os_from_root(str(tmp_path)) == expected


def test_os_naming_without_os_release_is_unknown(tmp_path):
    (tmp_path / "etc").mkdir()
    assert linux_os_from_root(str(tmp_path)) == "unknown"


@pytest.mark.parametrize(
    "distro_id,version,expected",
    [
        # Spack's LinuxDistro: ubuntu keeps major.minor, others the first component
        ("ubuntu", "24.04", "ubuntu24.04"),
        ("rhel", "8.10", "rhel8"),
        ("debian", "12", "debian12"),
        ("arch", "", "arch"),
        ("linuxmint", "21.3", "linuxmint21"),
    ],
)
def test_linux_os_name(distro_id, version, expected):
    assert linux_os_name(distro_id, version) == expected


@pytest.mark.parametrize(
    "version,expected",
    [
        ("15.1", "sequoia"),
        ("14.6.1", "sonoma"),
        ("13.0", "ventura"),
        ("12.7", "monterey"),
        ("11.2.3", "bigsur"),
        ("10.15.7", "catalina"),
        ("10.16", "bigsur"),  # what some Pythons report for macOS 11
        ("10.14", "mojave"),
        ("99.0", "macos"),
        ("", "macos"),
    ],
)
def test_macos_names_as_spack(version, expected):
    assert macos_os_name(version) == expected


# -- --host ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("zen4,rhel8", Host("linux", "rhel8", "zen4")),
        ("zen4", Host("linux", None, "zen4")),
        ("skylake_avx512, ubuntu22.04", Host("linux", "ubuntu22.04", "skylake_avx512")),
        ("neoverse_v2,rocky9", Host("linux", "rocky9", "neoverse_v2")),
        ("m2", Host("darwin", None, "m2")),
        ("m1,sonoma", Host("darwin", "sonoma", "m1")),
        ("skylake,ventura", Host("darwin", "ventura", "skylake")),
        ("m1,ubuntu24.04", Host("linux", "ubuntu24.04", "m1")),  # Asahi Linux
    ],
)
def test_parse_host(text, expected):
    assert parse_host(text) == expected


def test_parse_host_default_os():
    assert parse_host("zen4", default_os="rhel9") == Host("linux", "rhel9", "zen4")
    assert parse_host("zen4,rhel8", default_os="rhel9").os == "rhel8"


@pytest.mark.parametrize(
    "text,message",
    [
        ("zen9", r"unknown target 'zen9'.*did you mean"),
        ("", "TARGET"),
        ("zen4,", "TARGET"),
        ("zen4,rhel8,extra", "TARGET"),
        ("zen4,rhel 8", "bad OS name"),
        ("$(id)", "unknown target"),
    ],
)
def test_parse_host_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_host(text)


def test_detect_host_is_cached_and_named_as_spack(monkeypatch):
    hostmod.detect_host.cache_clear()
    monkeypatch.setattr(hostmod.sys, "platform", "linux")
    monkeypatch.setattr(hostmod, "linux_os_from_root", lambda root_dir=None: "rocky9")

    class FakeCpu:
        name = "zen3"

    calls = []
    monkeypatch.setattr(hostmod.archspec.cpu, "host", lambda: calls.append(1) or FakeCpu())
    try:
        assert hostmod.detect_host() == Host("linux", "rocky9", "zen3")
        assert hostmod.detect_host() == Host("linux", "rocky9", "zen3")
        assert len(calls) == 1
    finally:
        hostmod.detect_host.cache_clear()


def test_str_of_host():
    assert str(Host("linux", "rhel8", "zen4")) == "linux-rhel8-zen4"
    assert str(Host("linux", None, "zen4")) == "linux-*-zen4"
