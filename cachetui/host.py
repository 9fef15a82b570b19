"""Which binaries run here: the host as Spack names it, and a verdict per spec. UI-free.

``spack buildcache list`` matches platform-os-target exactly, so ``x86_64_v3`` binaries are
hidden on a ``zen2`` host although they run there. Here a spec runs on a host when the platform
and OS are the host's (as strings, like Spack) and its target is the host's or one of its
ancestors in archspec's order. Verdicts are cached per distinct (platform, os, target), and
``runs_codes`` evaluates a million catalog rows with one call per distinct value.
"""

from __future__ import annotations

import difflib
import platform as py_platform
import re
import sys
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from os import environ
from typing import Optional

import archspec.cpu
import numpy as np

from .targets import descends, microarchitecture

YES, NO, UNKNOWN = "yes", "no", "unknown"
# Codes of ``runs_codes``; int8 so a million rows cost a megabyte.
CODE = {YES: 1, NO: 0, UNKNOWN: -1}

# Spack's MacOs names a release by its major version from 11 on and by major.minor before.
MACOS_RELEASES = {
    "10.0": "cheetah",
    "10.1": "puma",
    "10.2": "jaguar",
    "10.3": "panther",
    "10.4": "tiger",
    "10.5": "leopard",
    "10.6": "snowleopard",
    "10.7": "lion",
    "10.8": "mountainlion",
    "10.9": "mavericks",
    "10.10": "yosemite",
    "10.11": "elcapitan",
    "10.12": "sierra",
    "10.13": "highsierra",
    "10.14": "mojave",
    "10.15": "catalina",
    "10.16": "bigsur",
    "11": "bigsur",
    "12": "monterey",
    "13": "ventura",
    "14": "sonoma",
    "15": "sequoia",
    "26": "tahoe",
}
_MACOS_NAMES = frozenset(MACOS_RELEASES.values()) | {"macos"}
_OS_NAME = re.compile(r"[A-Za-z0-9_.]+\Z")
# The features worth naming when a host lacks several, most telling first: one "avx512"
# says more than "avx512bw, avx512cd, avx512dq".
_FEATURE_GROUPS = (
    "avx512",
    "amx",
    "avx2",
    "avx",
    "fma",
    "bmi2",
    "f16c",
    "sse4_2",
    "sse4_1",
    "ssse3",
    "sme",
    "sve2",
    "sve",
    "i8mm",
    "bf16",
    "asimd",
    "mma",
    "vsx",
    "altivec",
)
# Only these name families of flags: ``sve`` is not a prefix group (``svebf16`` is not SVE).
_PREFIX_GROUPS = ("avx512", "amx")
_MAX_FEATURES = 3


@dataclass(frozen=True)
class Host:
    """A machine as Spack names it: ``linux``, ``rhel8``, ``zen4``. ``os`` None means any OS
    (the user gave only a target)."""

    platform: str
    os: Optional[str]
    target: str

    def __str__(self) -> str:
        return "-".join(part for part in (self.platform, self.os or "*", self.target))


@dataclass(frozen=True)
class Verdict:
    """Whether a spec runs on a host: ``state`` is "yes", "no" or "unknown"; ``reason`` is
    one line saying why."""

    state: str
    reason: str


# -- naming the host as Spack does ---------------------------------------------------------


def spack_platform(sys_platform: str) -> str:
    """Spack's platform name for a ``sys.platform`` value."""
    if sys_platform.startswith("linux"):
        return "linux"
    if sys_platform.startswith("freebsd"):
        return "freebsd"
    if sys_platform in ("win32", "cygwin"):
        return "windows"
    return sys_platform


def spack_os_name(name: str, version: str) -> str:
    """Spack's OperatingSystem string: ``-`` becomes ``_`` in both parts, then name+version."""
    return name.replace("-", "_") + version.replace("-", "_")


def linux_os_name(distro_id: str, version: str) -> str:
    """Spack's LinuxDistro naming of ``distro.id()`` and ``distro.version()``: Ubuntu keeps
    major.minor (``ubuntu22.04``), openSUSE Tumbleweed is ``opensusetumbleweed`` (it rolls),
    every other distribution keeps the first component (``rhel8``, ``sles15``)."""
    parts = re.split(r"[^\w-]", version)
    if "ubuntu" in distro_id:
        version = ".".join(parts[0:2])
    elif "opensuse-tumbleweed" in distro_id:
        distro_id, version = "opensuse", "tumbleweed"
    else:
        version = parts[0]
    return spack_os_name(distro_id, version)


def linux_os_from_root(root_dir: Optional[str] = None) -> str:
    """The Linux OS name of the system whose ``/etc`` is under ``root_dir`` (the running
    system for None), read with ``distro`` exactly as Spack reads it."""
    import distro

    if root_dir is None:
        reader = distro.LinuxDistribution()
    else:
        # No lsb_release or uname: those would describe the machine running this, not root_dir.
        reader = distro.LinuxDistribution(
            include_lsb=False, include_uname=False, include_oslevel=False, root_dir=root_dir
        )
    distro_id = reader.id() or "unknown"
    return linux_os_name(distro_id, reader.version() or "")


def macos_os_name(version: str) -> str:
    """Spack's name for a macOS version: ``sonoma`` for 14.x, ``catalina`` for 10.15; ``macos``
    when Spack would not know it."""
    parts = version.strip().split(".")
    if not parts[0].isdigit():
        return "macos"
    key = parts[0] if int(parts[0]) >= 11 else ".".join(parts[:2])
    return MACOS_RELEASES.get(key, "macos")


def _os_name(platform: str) -> str:
    if platform == "linux":
        return linux_os_from_root()
    if platform == "darwin":
        # Spack lets MACOSX_DEPLOYMENT_TARGET override the running version.
        return macos_os_name(environ.get("MACOSX_DEPLOYMENT_TARGET") or py_platform.mac_ver()[0])
    if platform == "freebsd":
        return spack_os_name("freebsd", py_platform.release().split("-", 1)[0])
    if platform == "windows":
        return spack_os_name("windows", py_platform.release())
    return platform


@lru_cache(maxsize=1)
def detect_host() -> Host:
    """This machine as Spack names it. Cached: detection reads /proc/cpuinfo and /etc."""
    platform = spack_platform(sys.platform)
    return Host(platform, _os_name(platform), archspec.cpu.host().name)


def parse_host(text: str, default_os: Optional[str] = None) -> Host:
    """The ``--host TARGET[,OS]`` option: ``zen4,rhel8``, ``zen4``, ``m2,sonoma``. The platform
    is darwin for a macOS name or an Apple target, linux otherwise. Raises ValueError with a
    one-line message for an unknown target or a malformed value."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > 2 or not parts[0] or (len(parts) == 2 and not parts[1]):
        raise ValueError(f"--host wants TARGET[,OS] (zen4,rhel8), not {text!r}")
    target = parts[0]
    uarch = microarchitecture(target) if _OS_NAME.match(target) else None
    if uarch is None:
        close = difflib.get_close_matches(target, list(archspec.cpu.TARGETS), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown target {target!r}: not in archspec's table{hint}")
    host_os = parts[1] if len(parts) == 2 else default_os
    if host_os is not None and not _OS_NAME.match(host_os):
        raise ValueError(f"bad OS name {host_os!r} in --host")
    darwin = host_os in _MACOS_NAMES or (host_os is None and uarch.vendor == "Apple")
    return Host("darwin" if darwin else "linux", host_os, target)


# -- verdicts ------------------------------------------------------------------------------


def _path(start: archspec.cpu.Microarchitecture, goal: str) -> list[str]:
    """The shortest chain of parents from ``start`` up to ``goal`` (breadth first)."""
    previous: dict[str, Optional[archspec.cpu.Microarchitecture]] = {start.name: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node.name == goal:
            chain = []
            current: Optional[archspec.cpu.Microarchitecture] = node
            while current is not None:
                chain.append(current.name)
                current = previous[current.name]
            return chain[::-1]
        for parent in node.parents:
            if parent.name not in previous:
                previous[parent.name] = node
                queue.append(parent)
    return [start.name, goal]


def _all_features(uarch: archspec.cpu.Microarchitecture) -> set[str]:
    # Arm entries list only the features added on top of their parents; x86 ones list all.
    features = set(uarch.features)
    for ancestor in uarch.ancestors:
        features |= ancestor.features
    return features


def _telling(missing: set[str]) -> list[str]:
    """The missing features worth naming, grouped (``avx512bw`` and ``avx512f`` are "avx512")
    and most telling first. When vector or ISA extensions are missing, only those are named:
    "needs avx512" says it all, a missing ``flush_l1d`` flag beside it is noise."""
    grouped: set[str] = set()
    for feature in missing:
        grouped.add(next((g for g in _PREFIX_GROUPS if feature.startswith(g)), feature))
    telling = [group for group in _FEATURE_GROUPS if group in grouped]
    return telling or sorted(grouped)


@lru_cache(maxsize=65536)
def target_verdict(target: str, host_target: str) -> Verdict:
    """Whether code built for ``target`` runs on a ``host_target`` CPU, and why."""
    if not target:
        return Verdict(UNKNOWN, "the spec names no target")
    built, here = microarchitecture(target), microarchitecture(host_target)
    if built is None:
        return Verdict(UNKNOWN, f"unknown target {target} (not in archspec's table)")
    if here is None:
        return Verdict(UNKNOWN, f"this host's target {host_target} is not in archspec's table")
    if built.name == here.name:
        return Verdict(YES, f"{target} is this host's target")
    if descends(target, host_target):
        if not built.ancestors:
            return Verdict(YES, f"{target} runs on every {target} host, {host_target} too")
        chain = " -> ".join(_path(here, target))
        return Verdict(YES, f"{target} runs on {host_target} ({chain})")
    if built.family.name != here.family.name:
        return Verdict(
            NO,
            f"built for {built.family.name} ({target}), "
            f"this host is {here.family.name} ({host_target})",
        )
    missing = _telling(_all_features(built) - _all_features(here))
    if missing:
        more = len(missing) - _MAX_FEATURES
        named = ", ".join(missing[:_MAX_FEATURES]) + (f" and {more} more" if more > 0 else "")
        return Verdict(NO, f"needs {named} ({target}), this host is {host_target}")
    if descends(host_target, target):
        return Verdict(NO, f"{target} is newer than this host's {host_target}")
    return Verdict(NO, f"{target} is not {host_target} or one of its ancestors")


def _field_verdict(kind: str, value: str, wanted: Optional[str]) -> Verdict:
    if wanted is None:
        return Verdict(YES, f"any {kind}")
    if not value:
        return Verdict(UNKNOWN, f"the spec names no {kind}")
    if value == wanted:
        return Verdict(YES, f"built for {value}")
    return Verdict(NO, f"built for {value}, this host is {wanted}")


@lru_cache(maxsize=65536)
def runs_on(platform: str, os: str, target: str, host: Host) -> Verdict:
    """Whether a spec built for ``platform-os-target`` runs on ``host``: "no" when any part
    rules it out (platform first, then OS, then target), "unknown" when none does but one
    cannot be decided, "yes" otherwise, with the target's reason."""
    verdicts = (
        _field_verdict("platform", platform, host.platform),
        _field_verdict("os", os, host.os),
        target_verdict(target, host.target),
    )
    for state in (NO, UNKNOWN):
        for verdict in verdicts:
            if verdict.state == state:
                return verdict
    return verdicts[2]


def _lut(values: list, verdict) -> np.ndarray:
    return np.array([CODE[verdict(v).state] for v in values] or [CODE[UNKNOWN]], dtype=np.int8)


def runs_codes(
    platforms: tuple[np.ndarray, list],
    oses: tuple[np.ndarray, list],
    targets: tuple[np.ndarray, list],
    host: Host,
) -> np.ndarray:
    """Per row, 1 (runs), 0 (does not) or -1 (unknown) for catalog columns given as
    ``(codes, distinct values)``: one verdict per distinct value, then array lookups. The
    three parts are independent, so the row's state is the minimum of the three "no < unknown
    < yes" ranks."""
    # Rank: no=0, unknown=1, yes=2, so the minimum combines like runs_on.
    rank = np.array([1, 0, 2], dtype=np.int8)  # indexed by code + 1: -1, 0, 1
    back = np.array([CODE[NO], CODE[UNKNOWN], CODE[YES]], dtype=np.int8)
    parts = (
        (platforms, lambda v: _field_verdict("platform", v, host.platform)),
        (oses, lambda v: _field_verdict("os", v, host.os)),
        (targets, lambda v: target_verdict(v, host.target)),
    )
    result: Optional[np.ndarray] = None
    for (codes, values), verdict in parts:
        ranks = rank[_lut(values, verdict)[codes] + 1]
        result = ranks if result is None else np.minimum(result, ranks)
    assert result is not None
    return back[result]


def runs_values(platforms: list, oses: list, targets: list, host: Host) -> np.ndarray:
    """``runs_codes`` for plain per-row lists of values (interned here)."""
    columns = []
    for values in (platforms, oses, targets):
        table: dict = {}
        codes = np.fromiter(
            (table.setdefault(v, len(table)) for v in values), dtype=np.int32, count=len(values)
        )
        columns.append((codes, list(table)))
    return runs_codes(columns[0], columns[1], columns[2], host)
