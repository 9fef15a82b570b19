"""Interning: each distinct value gets a small integer code, in order of first appearance.
UI-free and numpy-free (the builder uses it while parsing, the catalog and the index cache to
rebuild tables)."""

from __future__ import annotations

from typing import Any


class Interner:
    """Distinct values in order of first appearance, and each one's code (its position)."""

    __slots__ = ("values", "index")

    def __init__(self) -> None:
        self.values: list[Any] = []
        self.index: dict[Any, int] = {}

    def code(self, value: Any) -> int:
        code = self.index.get(value)
        if code is None:
            code = self.index[value] = len(self.values)
            self.values.append(value)
        return code
