"""The data model: specs, packages and load problems. UI-free.

``Spec`` is a small immutable record. The catalog stores specs column-wise for speed and memory
and hands out ``Spec`` records on demand, so code that works on one spec never sees the columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple, Optional

SHORT_HASH = 7
NO_COMPILER = "none"


@lru_cache(maxsize=65536)
class Compiler(NamedTuple):
    """A compiler as the page wrote it, split into name and version."""

    written: str
    name: str
    version: str
    exact: bool  # written with ``@=``: exactly this version, not a range

    @property
    def normalized(self) -> str:
        """``name@version`` without the ``=``; ``none`` for specs built without a compiler."""
        if not self.name:
            return NO_COMPILER if self.written in ("", NO_COMPILER) else self.written
        return f"{self.name}@{self.version}" if self.version else self.name


@lru_cache(maxsize=4096)
def parse_compiler(written: str) -> Compiler:
    """Split ``gcc@11.4.0``, ``gcc@=11.4.0``, ``gcc`` or ``none``."""
    text = written.strip()
    if text in ("", NO_COMPILER):
        return Compiler(written, "", "", False)
    name, at, version = text.partition("@")
    exact = at != "" and version.startswith("=")
    return Compiler(written, name, version[1:] if exact else version, exact)


def _variant_text(variants: tuple[str, ...]) -> str:
    """Render variants as Spack does: booleans glued together, key=value pairs spaced."""
    flags = "".join(v for v in variants if v[:1] in ("+", "~"))
    pairs = " ".join(v for v in variants if v[:1] not in ("+", "~"))
    return f"{flags} {pairs}" if flags and pairs else flags or pairs


@dataclass(frozen=True)
class Spec:
    """One binary in a build cache."""

    hash: str  # "" when the page gives none (legacy pages without spec files)
    package: str
    tag: str
    versions: tuple[str, ...]
    compiler: str
    os: str
    platform: str
    target: str
    variants: tuple[str, ...] = ()
    stacks: tuple[str, ...] = ()
    size: Optional[int] = None  # bytes; None when the page says "-"
    tarball: Optional[str] = None
    source: str = ""
    dependencies: tuple = ()  # spackdb.Dependency records, from Spack indexes
    runs_here: Optional[str] = None  # yes, no or unknown on the host; None when not asked
    installed: Optional[bool] = None  # in the user's Spack install tree; None: not known
    closure: Optional[str] = None  # complete, incomplete or unknown (``closure``); None: not asked
    mirrors: Optional[tuple] = None  # where its hash lives (``provenance.Place``); None: not asked

    @property
    def version(self) -> str:
        return self.versions[0] if self.versions else ""

    @property
    def compiler_info(self) -> Compiler:
        return parse_compiler(self.compiler)

    @property
    def short_hash(self) -> str:
        return self.hash[:SHORT_HASH]

    @property
    def arch(self) -> str:
        return "-".join(part for part in (self.platform, self.os, self.target) if part)

    @property
    def spec_string(self) -> str:
        """``name@version%compiler variants arch=platform-os-target``."""
        text = self.package
        if self.version:
            text += "@" + self.version
        if self.compiler_info.name:
            text += "%" + self.compiler
        variants = _variant_text(self.variants)
        if variants:
            text += variants if variants[0] in "+~" else " " + variants
        if self.arch:
            text += " arch=" + self.arch
        return text

    @property
    def install_command(self) -> str:
        """A ready ``spack install`` line: by hash when known, else by spec string."""
        if self.hash:
            return f"spack install /{self.hash}"
        return f"spack install {self.spec_string}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "hash": self.hash,
            "package": self.package,
            "tag": self.tag,
            "version": self.version,
            "versions": list(self.versions),
            "compiler": self.compiler,
            "os": self.os,
            "platform": self.platform,
            "target": self.target,
            "variants": list(self.variants),
            "stacks": list(self.stacks),
            "size": self.size,
            "tarball": self.tarball,
            "source": self.source,
            "dependencies": [
                {"name": d.name, "version": d.version, "hash": d.hash, "deptypes": list(d.deptypes)}
                for d in self.dependencies
            ],
            "runs_here": self.runs_here,
            "installed": self.installed,
            "closure": self.closure,
            "mirrors": None if self.mirrors is None else [p.to_dict() for p in self.mirrors],
        }


@dataclass
class Package:
    """A package page of one tag: the page's meta as given, and counts from its specs."""

    name: str
    tag: str
    meta: dict[str, Any] = field(default_factory=dict)
    num_specs: int = 0
    specs_by_stack: dict[str, int] = field(default_factory=dict)

    @property
    def meta_num_specs(self) -> Optional[int]:
        value = self.meta.get("num_specs")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def meta_specs_by_stack(self) -> Optional[dict[str, Any]]:
        value = self.meta.get("num_specs_by_stack")
        return value if isinstance(value, dict) else None

    def disagreements(self) -> list[str]:
        """Where the page's meta and its spec list disagree (both are kept)."""
        return meta_disagreements(self.meta, self.num_specs, self.specs_by_stack)


def meta_disagreements(meta: dict[str, Any], count: int, by_stack: dict[str, int]) -> list[str]:
    """Where a page's ``num_specs`` and ``num_specs_by_stack`` disagree with its spec list."""
    found = []
    declared = meta.get("num_specs")
    if isinstance(declared, int) and not isinstance(declared, bool) and declared != count:
        found.append(f"meta num_specs is {declared} but the page lists {count} specs")
    said_by_stack = meta.get("num_specs_by_stack")
    if isinstance(said_by_stack, dict) and said_by_stack != by_stack:  # (equal: nothing to say)
        for stack in sorted(set(said_by_stack) | set(by_stack), key=str):
            said, seen = said_by_stack.get(stack, 0), by_stack.get(stack, 0)
            if said != seen:
                found.append(f"meta num_specs_by_stack[{stack}] is {said} but {seen} specs")
    return found


@dataclass(frozen=True)
class Problem:
    """Something wrong with one input file. ``error``: the file was skipped; ``warning``: it
    loaded, but something in it was odd or had to be repaired."""

    path: str
    reason: str
    line: Optional[int] = None
    level: str = "error"
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "level": self.level,
            "reason": self.reason,
            "details": list(self.details),
        }
