"""One query token spelled as Spack spells it (``py-numpy@1.26:``, ``%gcc@13:``, ``+mpi``,
``foo=bar,baz``, ``patches=873745d``, ``target=x86_64_v3:``, ``^zlib@1.3``), parsed into a
constraint with one predicate per column of a concrete spec. UI-free.

The predicates follow Spack's ``satisfies`` for a *concrete* spec: every value the token names
must be there (``foo=bar`` is satisfied by ``foo=bar,baz``, never the other way round), a
variant the spec lacks is not satisfied, and propagation (``++x``, ``~~x``, ``key==v``) only
means "on the dependencies too", which a cached spec does not record, so the plain form decides.
Each predicate returns True when the token says nothing about its column, so a caller can
evaluate it once per distinct value of each column and AND the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Optional, Tuple, TypeVar

from .targets import TargetConstraint, TargetError, parse_target_constraint
from .versions import VersionConstraint, VersionError, parse_constraint

_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
_VERSION = r"[=A-Za-z0-9_.\-:,]+"
_LEXER = re.compile(
    rf"(?P<dep>\^)?(?P<name>{_NAME})?(?:@(?P<ver>{_VERSION}))?"  # [^]name[@version]
)
_COMPILER = re.compile(rf"%(?P<name>{_NAME})(?:@(?P<ver>{_VERSION}))?")
_FLAG = re.compile(rf"(?P<sign>\+\+|~~|--|[+~-])(?P<name>{_NAME.replace('.', '')})")
_KEYVAL = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_\-]*)(?P<op>==|:=|=)(?P<value>.*)\Z")
# Spack refuses to propagate these: they are not variants
_NOT_PROPAGATED = frozenset(
    {"namespace", "arch", "platform", "os", "target", "patches", "dev_path"}
)
_TRUE_FALSE = {"true": "true", "false": "false"}


class SpecSyntaxError(ValueError):
    """A token that is not Spack syntax; the message is one line for the status bar."""


@lru_cache(maxsize=16384)
def _variant_table(variants: Tuple[str, ...]) -> Dict[str, FrozenSet[str]]:
    """``('+mpi', 'build_system=cmake', 'patches:=a,b')`` -> name: set of values;
    booleans become ``true``/``false`` so ``+x`` and ``x=True`` are the same thing."""
    table: Dict[str, FrozenSet[str]] = {}
    for variant in variants:
        if variant[:1] in ("+", "~") and "=" not in variant:
            table[variant[1:]] = frozenset({"true" if variant[0] == "+" else "false"})
            continue
        name, eq, value = variant.partition("=")
        if not eq:
            continue
        values = {_TRUE_FALSE.get(v.lower(), v) for v in value.lstrip("=").split(",") if v}
        table[name.rstrip(":")] = frozenset(values)
    return table


@dataclass(frozen=True)
class VariantConstraint:
    """``+x``/``~x`` (values true/false), ``x=a,b`` (all of them present), ``x:=a,b`` (exactly
    those), ``x=*`` (present at all); ``patches`` values are hash prefixes."""

    name: str
    values: FrozenSet[str]
    exact: bool = False
    any_value: bool = False

    def satisfied_by(self, variants: Tuple[str, ...]) -> bool:
        have = _variant_table(variants).get(self.name)
        if have is None:
            return False
        if self.any_value:
            return True
        if self.name == "patches":
            # pages abbreviate patch sha256s to 7 characters; a user may type more or fewer
            found = all(any(h.startswith(w) or w.startswith(h) for h in have) for w in self.values)
            return found and (not self.exact or len(have) == len(self.values))
        return have == self.values if self.exact else self.values <= have


@dataclass(frozen=True)
class CompilerConstraint:
    """``%name`` or ``%name@versions`` against data like ``gcc@11.4.0``, ``gcc@=11.4.0``,
    ``none``."""

    name: str
    versions: Optional[VersionConstraint] = None

    def satisfied_by(self, compiler: str) -> bool:
        name, _, version = compiler.strip().partition("@")
        if name.lower() != self.name:
            return False
        if self.versions is None:
            return True
        return bool(version) and self.versions.satisfied_by(version.lstrip("="))


@dataclass(frozen=True)
class DependencyConstraint:
    """``^name`` or ``^name@versions``."""

    name: str
    versions: Optional[VersionConstraint] = None

    def satisfied_by(self, name: str, version: str) -> bool:
        return name == self.name and (self.versions is None or self.versions.satisfied_by(version))


_Token = TypeVar("_Token", bound="SpecToken")


@dataclass(frozen=True)
class SpecToken:
    """What one token constrains; every field left empty constrains nothing."""

    text: str
    name: str = ""
    versions: Optional[VersionConstraint] = None
    compiler: Optional[CompilerConstraint] = None
    variants: Tuple[VariantConstraint, ...] = ()
    platform: str = ""
    os: str = ""
    target: Optional[TargetConstraint] = None
    dependencies: Tuple[DependencyConstraint, ...] = ()

    @classmethod
    def of_fields(cls: type[_Token], text: str, found: dict[str, Any]) -> _Token:
        """The token of ``text`` from the fields a parser found (``variants`` and
        ``dependencies`` lists, the others when given)."""
        return cls(
            text,
            name=found.get("name", ""),
            versions=found.get("versions"),
            compiler=found.get("compiler"),
            variants=tuple(found["variants"]),
            platform=found.get("platform", ""),
            os=found.get("os", ""),
            target=found.get("target"),
            dependencies=tuple(found["dependencies"]),
        )

    def name_ok(self, name: str) -> bool:
        return not self.name or name == self.name

    def version_ok(self, version: str) -> bool:
        return self.versions is None or self.versions.satisfied_by(version)

    def compiler_ok(self, compiler: str) -> bool:
        return self.compiler is None or self.compiler.satisfied_by(compiler)

    def variants_ok(self, variants: Tuple[str, ...]) -> bool:
        return all(v.satisfied_by(variants) for v in self.variants)

    def platform_ok(self, platform: str) -> bool:
        return not self.platform or platform == self.platform

    def os_ok(self, os: str) -> bool:
        return not self.os or os == self.os

    def target_ok(self, target: str) -> bool:
        """A target archspec cannot place in a range (None) does not satisfy it."""
        return self.target is None or self.target.contains(target) is True


def _versions(text: str, where: str) -> VersionConstraint:
    try:
        return parse_constraint(text)
    except VersionError as error:
        raise SpecSyntaxError(f"'{where}': {error}") from None


def parse_target(text: str) -> TargetConstraint:
    """``skylake``, ``a,b`` (any of), ``x86_64:``, ``:haswell``, ``x86_64_v2:x86_64_v4``, over
    archspec's microarchitecture order (see ``targets``)."""
    try:
        return parse_target_constraint(text)
    except TargetError as error:
        raise SpecSyntaxError(f"'target={text}': {error}") from None


def _key_value(token: str, key: str, op: str, value: str, found: dict) -> None:
    if not value:
        raise SpecSyntaxError(f"'{token}': no value after '{op}'")
    if op == "==" and key in _NOT_PROPAGATED:
        raise SpecSyntaxError(f"'{token}': Propagation is not allowed for '{key}'")
    if key == "arch":
        parts = value.split("-", 2)
        if len(parts) != 3:
            raise SpecSyntaxError(f"'{token}': expected arch=platform-os-target")
        for field, part in zip(("platform", "os"), parts[:2]):
            if part not in ("", "None", "*"):
                found[field] = part
        if parts[2] not in ("", "None", "*"):
            found["target"] = parse_target(parts[2])
        return
    if key in ("platform", "os"):
        found[key] = value
        return
    if key == "target":
        found["target"] = parse_target(value)
        return
    values = frozenset(_TRUE_FALSE.get(v.lower(), v) for v in value.split(","))
    if "" in values:
        raise SpecSyntaxError(f"'{token}': an empty value in '{value}'")
    if values == {"*"}:
        found["variants"].append(VariantConstraint(key, frozenset(), any_value=True))
    else:
        found["variants"].append(VariantConstraint(key, values, exact=op == ":="))


@lru_cache(maxsize=1024)
def parse_token(token: str) -> SpecToken:
    """Parse one token (no spaces) as Spack would. Raises ``SpecSyntaxError``."""
    text = token.strip()
    if not text:
        raise SpecSyntaxError("an empty token")
    found: dict = {"variants": [], "dependencies": []}
    pos = 0
    keyval = _KEYVAL.match(text)
    if keyval:  # a key=value token: its value runs to the end, as in Spack
        _key_value(text, keyval["key"], keyval["op"], keyval["value"], found)
        pos = len(text)
    first = True
    while pos < len(text):
        head = _LEXER.match(text, pos)
        if head and head.end() > pos and (head["name"] or head["ver"]):
            if head["dep"]:
                if not head["name"]:
                    raise SpecSyntaxError(f"'{text}': '^' needs a package name")
                ver = _versions(head["ver"], text) if head["ver"] else None
                found["dependencies"].append(DependencyConstraint(head["name"], ver))
            else:
                if head["name"]:
                    if not first:
                        raise SpecSyntaxError(f"'{text}': the package name must come first")
                    found["name"] = head["name"]
                if head["ver"]:
                    if "versions" in found:
                        raise SpecSyntaxError(f"'{text}': two versions")
                    found["versions"] = _versions(head["ver"], text)
            pos = head.end()
        elif text[pos] == "%":
            comp = _COMPILER.match(text, pos)
            if not comp:
                raise SpecSyntaxError(f"'{text}': a compiler needs a name after '%'")
            ver = _versions(comp["ver"], text) if comp["ver"] else None
            found["compiler"] = CompilerConstraint(comp["name"].lower(), ver)
            pos = comp.end()
        elif text[pos] in "+~-":
            flag = _FLAG.match(text, pos)
            if not flag:
                raise SpecSyntaxError(f"'{text}': expected +name, ~name or -name")
            value = "true" if flag["sign"][0] == "+" else "false"
            found["variants"].append(VariantConstraint(flag["name"], frozenset({value})))
            pos = flag.end()
        else:
            rest = _KEYVAL.match(text, pos)
            if not rest:
                raise SpecSyntaxError(f"'{text}': cannot read '{text[pos:]}'")
            _key_value(text, rest["key"], rest["op"], rest["value"], found)
            pos = len(text)
        first = False
    return SpecToken.of_fields(text, found)
