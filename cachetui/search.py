"""Find specs by hash fragment and packages by name: exact first, then typo-tolerant. UI-free.

Hash fragments come from error messages and ``spack find -l``. An exact prefix is a bisection in
the sorted hash index. A fragment of 7+ characters with one wrong, missing or extra character is
found by looking up every string one edit away from it as a prefix (~64 lookups per character,
about a millisecond at a million specs) instead of scoring a million hashes; rapidfuzz then
ranks the candidates. Package names are few (thousands), so rapidfuzz scores all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .cancel import CancelCheck, check, never
from .catalog import Catalog

HASH_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
FUZZY_HASH_MIN = 7
NAME_CUTOFF = 60.0
# Fuzzy hash lookups between two looks at ``cancelled`` (~0.1 ms of work at 1M specs).
CANCEL_EVERY = 64


@dataclass(frozen=True)
class HashHit:
    spec_id: int
    match: str  # "prefix" or "fuzzy"
    score: float  # 100 for exact prefixes


@dataclass(frozen=True)
class NameHit:
    name: str
    match: str  # "exact", "prefix", "substring" or "fuzzy"
    score: float


def looks_like_hash(text: str) -> bool:
    body = text.strip().lstrip("/").lower()
    return bool(body) and all(c in HASH_ALPHABET for c in body)


def pasted_hashes(text: str) -> list[str]:
    """The hash fragments in pasted text, each once, in order: ``/abc`` words anywhere (a
    ``spack install /a /b`` line) and the first word of a line when it looks like a hash of
    7+ characters (``spack find -l`` output, a list of hashes)."""
    found: dict[str, None] = {}
    for line in text.splitlines():
        words = line.split()
        for n, word in enumerate(words):
            fragment = word.lstrip("/").lower()
            if not looks_like_hash(fragment):
                continue
            if word.startswith("/") or (n == 0 and len(fragment) >= FUZZY_HASH_MIN):
                found[fragment] = None
    return list(found)


def one_edit_variants(fragment: str) -> set[str]:
    """Every string at Levenshtein distance 1 from ``fragment`` over the hash alphabet."""
    variants = set()
    for i in range(len(fragment) + 1):
        head, tail = fragment[:i], fragment[i:]
        for c in HASH_ALPHABET:
            variants.add(head + c + tail)  # a missing character
            if tail:
                variants.add(head + c + tail[1:])  # a wrong one
        if tail:
            variants.add(head + tail[1:])  # an extra one
    variants.discard(fragment)
    return variants


def find_hashes(
    catalog: Catalog,
    text: str,
    limit: Optional[int] = 50,
    fuzzy: bool = True,
    cancelled: CancelCheck = never,
) -> list[HashHit]:
    """Specs whose hash starts with ``text`` (``/`` allowed); when ``fuzzy`` and the fragment has
    7+ characters, also those one edit away, ranked by rapidfuzz score after the exact ones.
    Raises ``Cancelled`` when ``cancelled`` says so during the fuzzy lookups."""
    fragment = text.strip().lstrip("/").lower()
    if not fragment:
        return []
    exact = catalog.by_hash_prefix(fragment, limit)
    hits = [HashHit(int(i), "prefix", 100.0) for i in exact]
    if not fuzzy or len(fragment) < FUZZY_HASH_MIN or (limit is not None and len(hits) >= limit):
        return hits
    from rapidfuzz import fuzz

    seen = {hit.spec_id for hit in hits}
    candidates: dict[int, float] = {}
    for n, variant in enumerate(one_edit_variants(fragment)):
        if n % CANCEL_EVERY == 0:
            check(cancelled)
        for spec_id in catalog.by_hash_prefix(variant, 64):
            spec_id = int(spec_id)
            if spec_id not in seen and spec_id not in candidates:
                head = catalog.hashes[spec_id][: len(fragment)]
                candidates[spec_id] = fuzz.ratio(fragment, head)
    ranked = sorted(candidates.items(), key=lambda item: (-item[1], catalog.hashes[item[0]]))
    hits += [HashHit(spec_id, "fuzzy", score) for spec_id, score in ranked]
    return hits if limit is None else hits[:limit]


def _name_tier(name: str, word: str) -> Optional[tuple[str, float]]:
    lowered = name.lower()
    if lowered == word:
        return "exact", 100.0
    # py-mpi4py is found by "mpi4py" as well as by "py-mpi": prefix of the name or of its base
    base = (
        lowered.split("-", 1)[1] if lowered.startswith(("py-", "r-", "perl-", "lua-")) else lowered
    )
    if lowered.startswith(word) or base.startswith(word):
        return "prefix", 100.0
    if word in lowered:
        return "substring", 100.0
    return None


def find_packages(
    catalog: Catalog, text: str, limit: Optional[int] = 20, cancelled: CancelCheck = never
) -> list[NameHit]:
    """Package names for ``text``: exact, then prefix, then substring, then rapidfuzz matches.
    Raises ``Cancelled`` when ``cancelled`` says so before the fuzzy step."""
    word = text.strip().lower()
    if not word:
        return []
    names = catalog.package_names
    order = {"exact": 0, "prefix": 1, "substring": 2, "fuzzy": 3}
    hits: list[NameHit] = []
    plain = set()
    for name in names:
        tier = _name_tier(name, word)
        if tier is not None:
            hits.append(NameHit(name, *tier))
            plain.add(name)
    hits.sort(key=lambda h: (order[h.match], len(h.name), h.name))
    if limit is None or len(hits) < limit:
        check(cancelled)
        from rapidfuzz import fuzz, process, utils

        found = process.extract(
            word, names, scorer=fuzz.WRatio, processor=utils.default_process,
            limit=None if limit is None else limit + len(plain), score_cutoff=NAME_CUTOFF,
        )  # fmt: skip
        fuzzy = [NameHit(name, "fuzzy", score) for name, score, _ in found if name not in plain]
        fuzzy.sort(key=lambda h: (-h.score, len(h.name), h.name))
        hits += fuzzy
    return hits if limit is None else hits[:limit]
