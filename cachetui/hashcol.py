"""Compact per-spec columns of hashes and tarball URLs. UI-free.

A million hashes as Python strings cost ~90 MB, their tarball URLs ~230 MB. Here a hash is 32
bytes of a fixed-width numpy array (``S32``), and a tarball URL is a code into a table of
templates: the URL with the spec's own hash cut out, which specs of one package, version,
compiler and architecture share. Values that do not fit (a hash that is not short ASCII text,
bad data kept as given) are kept aside whole, so every value comes back exactly as read.
"""

from __future__ import annotations

import bisect
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


NO_TARBALL, WHOLE = -2, -1  # a template's cut: no tarball, or a URL without the hash in it


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8", "surrogatepass")  # bad data kept as given comes back as given
    except UnicodeDecodeError:  # a forged file: shown, never a crash
        return raw.decode("utf-8", "replace")


class TemplateTable(Sequence):
    """Tarball templates as one UTF-8 text and offsets (numpy arrays: in the index cache file,
    mapped), each made into its tuple when looked at. 1M specs of the synthetic corpus have
    650k distinct templates: as tuples of two strings they took ~170 MB of the warm browser."""

    __slots__ = ("text", "bounds", "cuts")

    def __init__(self, text: np.ndarray, bounds: np.ndarray, cuts: np.ndarray) -> None:
        self.text = text  # uint8: every template's bytes, one after another
        self.bounds = bounds  # int64, one more than templates: where each starts and ends
        self.cuts = cuts  # int64: where the hash goes, from the template's start (or the above)

    @classmethod
    def pack(cls, templates: Sequence[Template]) -> TemplateTable:
        if isinstance(templates, TemplateTable):
            return templates
        if isinstance(templates, TemplateChain) and all(
            isinstance(t, TemplateTable) for t in templates.tables
        ):  # tables read from index files: joined as they are, nothing decoded
            tables = templates.tables
            ends = np.cumsum([0] + [len(t.text) for t in tables])
            bounds = [tables[0].bounds[:1] if tables else np.zeros(1, dtype=np.int64)]
            bounds += [t.bounds[1:] + end for t, end in zip(tables, ends)]
            return cls(np.concatenate([np.zeros(0, np.uint8)] + [t.text for t in tables]),
                       np.concatenate(bounds).astype(np.int64),
                       np.concatenate([np.zeros(0, np.int64)] + [t.cuts for t in tables]))  # fmt: skip
        parts: list[bytes] = []
        cuts = []
        for shape in templates:
            if shape is None:
                parts.append(b"")
                cuts.append(NO_TARBALL)
            elif len(shape) == 1:
                parts.append(shape[0].encode("utf-8", "surrogatepass"))
                cuts.append(WHOLE)
            else:
                head = shape[0].encode("utf-8", "surrogatepass")
                parts.append(head + shape[1].encode("utf-8", "surrogatepass"))
                cuts.append(len(head))
        bounds = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=len(parts)), out=bounds[1:])
        text = np.frombuffer(b"".join(parts), dtype=np.uint8)
        return cls(text, bounds, np.array(cuts, dtype=np.int64))

    def check(self) -> None:
        """ValueError unless the offsets fit the text (a forged cache file)."""
        bounds, cuts = self.bounds, self.cuts
        if len(bounds) != len(cuts) + 1 or bounds[0] != 0 or bounds[-1] != len(self.text):
            raise ValueError("tarball templates do not fit their text")
        lengths = np.diff(bounds)
        if (lengths < 0).any() or (cuts < NO_TARBALL).any() or (cuts > lengths).any():
            raise ValueError("tarball templates do not fit their text")

    def __len__(self) -> int:
        return len(self.cuts)

    def __getitem__(self, code: int) -> Template:  # type: ignore[override]
        cut = int(self.cuts[code])
        if cut == NO_TARBALL:
            return None
        raw = self.text[int(self.bounds[code]) : int(self.bounds[code + 1])].tobytes()
        return (_text(raw),) if cut == WHOLE else (_text(raw[:cut]), _text(raw[cut:]))

    def __iter__(self) -> Iterator[Template]:
        return (self[code] for code in range(len(self)))


class TemplateChain(Sequence):
    """Several template tables one after another (the lazy tags of a site index, merged):
    none copied, each still decoded only when looked at."""

    __slots__ = ("tables", "starts")

    def __init__(self, tables: Sequence[Sequence[Template]]) -> None:
        self.tables: list[Sequence[Template]] = []
        for table in tables:  # a chain in a chain: flattened
            self.tables += table.tables if isinstance(table, TemplateChain) else [table]
        self.starts = [0]
        for table in self.tables:
            self.starts.append(self.starts[-1] + len(table))

    def __len__(self) -> int:
        return self.starts[-1]

    def __getitem__(self, code: int) -> Template:  # type: ignore[override]
        if not 0 <= code < len(self):
            raise IndexError(code)
        part = bisect.bisect_right(self.starts, code) - 1
        return self.tables[part][code - self.starts[part]]

    def __iter__(self) -> Iterator[Template]:
        for table in self.tables:
            yield from table


class Tarballs(Sequence):
    """Every spec's tarball URL, rebuilt from a template (per code) and the spec's hash."""

    __slots__ = ("codes", "templates", "hashes")

    def __init__(self, codes: np.ndarray, templates: Sequence[Template], hashes: Hashes) -> None:
        self.codes = codes
        self.templates = templates
        self.hashes = hashes

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, index: int) -> Optional[str]:  # type: ignore[override]
        shape = self.templates[self.codes[index]]
        return shape if shape is None else untemplate(shape, self.hashes[index])

    def __iter__(self) -> Iterator[Optional[str]]:
        return (self[i] for i in range(len(self)))
