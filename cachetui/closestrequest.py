"""What ``cachetui closest`` is asked for: one package and the constraints of every token of a
spec a user would give ``spack install``, combined. UI-free; ``closest`` ranks the binaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from .specsyntax import SpecSyntaxError, SpecToken, parse_token
from .targets import microarchitecture


@dataclass(frozen=True)
class Request(SpecToken):
    """What the user asked for: one package and the constraints of every token."""

    @property
    def runs_on(self) -> Optional[str]:
        """The asked target when it is one name archspec knows: a binary then matches when it
        runs on that CPU. None for no target, a range, a list or an unknown name."""
        target = self.target
        if target is None or len(target.items) != 1 or not target.items[0].exact:
            return None
        name = target.items[0].low or ""
        return name if microarchitecture(name) is not None else None


def parse_request(text: str) -> Request:
    """Combine the space-separated tokens of ``text``. Raises ``SpecSyntaxError`` (one line)
    for bad syntax, a missing package name, or a field given twice."""
    found: dict[str, Any] = {"variants": [], "dependencies": []}
    for raw in text.split():
        token = parse_token(raw)
        for key in ("name", "versions", "compiler", "platform", "os", "target"):
            value = getattr(token, key)
            if not value:
                continue
            if key in found:
                what = "package names" if key == "name" else f"values for {key}"
                raise SpecSyntaxError(f"'{raw}': two {what} (one spec at a time)")
            found[key] = value
        found["variants"] += token.variants
        found["dependencies"] += token.dependencies
    if not found.get("name"):
        raise SpecSyntaxError("name the package first, as for spack install: 'hdf5@1.14 +mpi'")
    return Request.of_fields(" ".join(text.split()), found)
