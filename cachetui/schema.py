"""The names of the catalog's columns and facets, defined once. UI-free."""

from __future__ import annotations

from .rows import CODED_FIELDS

# Fields stored per spec as codes into a table of distinct values (the spec-row schema says
# which). Multi-valued fields (versions, variants, stacks) intern the whole tuple: real pages
# repeat the same few combinations.
CODED = tuple(name for name, _index in CODED_FIELDS)
# Fields that are the same for every spec of a page: stored once per page.
PER_PAGE = ("package", "tag", "source")
# Columns the catalog computes per distinct value of another column.
DERIVED = ("version", "compiler_normalized", "compiler_name")
# What the facet view and ``stats`` count, in display order.
FACETS = ("os", "target", "compiler", "stack", "version", "platform")
# The column a facet counts, where its name differs.
FACET_COLUMN = {"stack": "stacks", "compiler": "compiler_normalized"}
