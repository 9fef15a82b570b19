"""The spec row: one spec as the page parser and the index readers hand it to the builder.

A plain tuple, with its fields at these indices. Not a NamedTuple: rows are made in the hot
loop of the page parser (a million of them for a big corpus), and a tuple display is the
cheapest thing Python can build there; every reader of a row goes through these names.
"""

from __future__ import annotations

from typing import Optional

SpecRow = tuple  # (hash, versions, compiler, os, platform, target, variants, stacks, size, tarball)

FIELDS = (
    "hash", "versions", "compiler", "os", "platform", "target", "variants", "stacks", "size",
    "tarball",
)  # fmt: skip
HASH, VERSIONS, COMPILER, OS, PLATFORM, TARGET, VARIANTS, STACKS, SIZE, TARBALL = range(10)
HASH_WIDTH = 32  # a Spack hash: 32 base-32 characters (the catalog's fixed-width column)
# The fields the builder stores as codes into a table of distinct values, with their index.
CODED_FIELDS = (
    ("versions", VERSIONS),
    ("compiler", COMPILER),
    ("os", OS),
    ("platform", PLATFORM),
    ("target", TARGET),
    ("variants", VARIANTS),
    ("stacks", STACKS),
)


def make_row(
    hash: str,  # noqa: A002 - the field's name
    versions: tuple[str, ...],
    compiler: str,
    os: str,
    platform: str,
    target: str,
    variants: tuple[str, ...],
    stacks: tuple[str, ...] = (),
    size: Optional[int] = None,
    tarball: Optional[str] = None,
) -> SpecRow:
    """A row by field name, for the paths that are not hot (index readers, legacy pages, specs
    that need repairs). The page parser's fast path builds the same tuple directly."""
    return (hash, versions, compiler, os, platform, target, variants, stacks, size, tarball)
