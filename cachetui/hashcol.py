"""Compact per-spec columns of hashes and tarball URLs. UI-free.

A million hashes as Python strings cost ~90 MB, their tarball URLs ~230 MB. Here a hash is 32
bytes of a fixed-width numpy array (``S32``), and a tarball URL is a code into a table of
templates: the URL with the spec's own hash cut out, which specs of one package, version,
compiler and architecture share (a fresh parse keeps its URLs as read until its index cache is
written: see ``CatalogBuilder.tarball_tail``). Values that do not fit (a hash that is not short
ASCII text, bad data kept as given) are kept aside whole, so every value comes back exactly as
read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Optional, Union, overload

import numpy as np

from .rows import HASH_WIDTH as WIDTH
from .tarballs import Template, template, untemplate  # noqa: F401 - part of this API

# A tarball template: None (no tarball), (url,) (its hash is not in it), (head, tail).


def _fits(text: str) -> bool:
    return len(text) <= WIDTH and text.isascii() and "\x00" not in text


class Hashes(Sequence):
    """Every spec's hash: ``raw`` (``S32``), and ``odd``, the values that do not fit by index."""

    __slots__ = ("raw", "odd")

    def __init__(self, raw: np.ndarray, odd: Optional[dict[int, str]] = None) -> None:
        self.raw = raw
        self.odd = odd or {}

    @classmethod
    def of(cls, texts: Union[Sequence[str], Hashes]) -> Hashes:
        if isinstance(texts, Hashes):
            return texts
        texts = list(texts)
        joined = "".join(texts)
        # Every real hash fits: one check over the joined text instead of one call per spec
        # (30 ms per 100k specs at every build).
        if joined.isascii() and "\x00" not in joined and max(map(len, texts), default=0) <= WIDTH:
            odd: dict[int, str] = {}
        else:
            odd = {i: t for i, t in enumerate(texts) if not _fits(t)}
        if not odd:
            try:
                return cls(
                    np.array(texts, dtype=f"S{WIDTH}") if texts else np.zeros(0, f"S{WIDTH}")
                )
            except UnicodeEncodeError:  # not expected: _fits checked every value
                pass
        fitting = ["" if i in odd else t for i, t in enumerate(texts)]
        raw = np.array(fitting, dtype=f"S{WIDTH}") if fitting else np.zeros(0, f"S{WIDTH}")
        return cls(raw, odd)

    def __len__(self) -> int:
        return len(self.raw)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[str, list[str]]:
        if isinstance(index, slice):
            return self.take(range(len(self))[index])
        if self.odd:
            found = self.odd.get(index if index >= 0 else index + len(self))
            if found is not None:
                return found
        return self.raw[index].decode("ascii")

    def __iter__(self) -> Iterator[str]:
        return iter(self.tolist())

    def take(self, ids: Sequence[int]) -> list[str]:
        """The hashes of ``ids``, as text."""
        ids = np.asarray(ids, dtype=np.int64)
        texts = [b.decode("ascii") for b in self.raw[ids].tolist()]
        if self.odd:
            for position, spec_id in enumerate(ids.tolist()):
                found = self.odd.get(spec_id)
                if found is not None:
                    texts[position] = found
        return texts

    def tolist(self) -> list[str]:
        return self.take(np.arange(len(self)))

    def argsort(self) -> np.ndarray:
        """Spec ids in hash order (stable), as a sort of the texts would give them."""
        if not self.odd:
            return np.argsort(self.raw, kind="stable")
        return np.argsort(np.array(self.tolist(), dtype=object), kind="stable")

    @property
    def nbytes(self) -> int:
        return int(self.raw.nbytes)


class Tarballs(Sequence):
    """Every spec's tarball URL: for the first ``len(codes)`` specs rebuilt from a template
    (per code) and the spec's hash, for the specs after them (``tail``) as read."""

    __slots__ = ("codes", "templates", "hashes", "tail")

    def __init__(self, codes: np.ndarray, templates: list[Template], hashes: Hashes,
                 tail: Sequence[Optional[str]] = ()) -> None:  # fmt: skip
        self.codes = codes
        self.templates = templates
        self.hashes = hashes
        self.tail = tail

    def __len__(self) -> int:
        return len(self.codes) + len(self.tail)

    def __getitem__(self, index: int) -> Optional[str]:  # type: ignore[override]
        head = len(self.codes)
        if index < 0:
            index += len(self)
        if index >= head:
            return self.tail[index - head]
        shape = self.templates[self.codes[index]]
        return shape if shape is None else untemplate(shape, self.hashes[index])

    def __iter__(self) -> Iterator[Optional[str]]:
        return (self[i] for i in range(len(self)))
