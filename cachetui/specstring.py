"""Read the root of a Spack spec string, as legacy pages list them.

``zlib@1.2.11%xl@16.1 fflags="-qzerosize" +optimize+pic arch=linux-rhel7-power9le ^dep...``
gives name, version, compiler, variants and the arch triple. Dependencies (after `` ^``) are not
specs of the page and are dropped.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NAME = re.compile(r"\s*([A-Za-z0-9_][A-Za-z0-9_.\-]*)")
_TOKEN = re.compile(
    r"""\s*(?:
        @(?P<version>=?[^\s%+~^@]+)
      | %(?P<compiler>[^\s%+~^@]+(?:@=?[^\s%+~^@]+)?)
      | (?P<sign>[+~])(?P<flag>[A-Za-z0-9_][A-Za-z0-9_.\-]*)
      | (?P<key>[A-Za-z0-9_][A-Za-z0-9_.\-]*)(?P<op>:?==?)(?P<value>"[^"]*"|'[^']*'|[^\s]*)
    )""",
    re.VERBOSE,
)


class ParsedSpec(NamedTuple):
    name: str
    version: str
    compiler: str
    variants: tuple[str, ...]
    platform: str
    os: str
    target: str
    leftover: str  # text that was not understood ("" when all of it was)


def root_of(spec: str) -> str:
    """The root spec: everything before the first dependency (`` ^``)."""
    return re.split(r"\s\^", spec, maxsplit=1)[0].strip()


def parse_spec_string(spec: str) -> ParsedSpec:
    text = root_of(spec)
    match = _NAME.match(text)
    name = match.group(1) if match else ""
    pos = match.end() if match else 0
    version = compiler = platform = os = target = ""
    variants: list[str] = []
    leftover: list[str] = []
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            # Skip one unknown character and remember it, so nothing silently vanishes.
            leftover.append(text[pos])
            pos += 1
            continue
        pos = match.end()
        if match.group("version") is not None:
            version = match.group("version").lstrip("=")
        elif match.group("compiler") is not None:
            compiler = match.group("compiler")
        elif match.group("sign") is not None:
            variants.append(match.group("sign") + match.group("flag"))
        else:
            key, value = match.group("key"), match.group("value")
            if key == "arch":
                parts = value.split("-", 2)
                parts += [""] * (3 - len(parts))
                platform, os, target = parts
            elif key in ("platform", "os", "target"):
                platform = value if key == "platform" else platform
                os = value if key == "os" else os
                target = value if key == "target" else target
            else:
                variants.append(key + match.group("op") + value)
    return ParsedSpec(
        name, version, compiler, tuple(variants), platform, os, target, "".join(leftover).strip()
    )
