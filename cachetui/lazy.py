"""A big site checkout loaded one tag at a time. UI-free.

Specs of a newly loaded tag are appended after those already loaded, so a spec's id never
changes: selections and cursors stay valid as the catalog grows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from .builder import CatalogBuilder
from .catalog import Catalog
from .loader import LoadResult, TagGroup
from .querysyntax import QueryError, parse_query


class LazyCorpus:
    def __init__(self, groups: Sequence[TagGroup]) -> None:
        self.groups = {group.label: group for group in groups}
        self.builder = CatalogBuilder()
        self.results: list[LoadResult] = []

    def pending(self) -> list[TagGroup]:
        return [g for g in self.groups.values() if not g.loaded]

    def add(self, labels: Sequence[str], result: LoadResult) -> Catalog:
        """Merge the load of these tags; the grown catalog."""
        for label in labels:
            self.groups[label].loaded = True
        self.builder.merge(*result.parts)
        self.results.append(result)
        return self.builder.build()

    def replace(self, result: LoadResult) -> Catalog:
        """The whole corpus at once (a site index's file for every tag): what was merged so
        far is dropped, every tag is loaded."""
        for group in self.groups.values():
            group.loaded = True
        self.builder = result.builder
        self.results = [result]
        return result.catalog

    def combined(self, catalog: Catalog) -> LoadResult:
        """One load result for the report: every loaded tag's problems and counts."""
        merged = LoadResult(built=catalog)
        for result in self.results:
            merged.problems.extend(result.problems)
            merged.inputs.extend(result.inputs)
            merged.files_read += result.files_read
            merged.pages += result.pages
            merged.not_pages += result.not_pages
            merged.cache_notes.extend(result.cache_notes)
        return merged


def tags_needed(query_text: str, scope_tag: Optional[str], pending: Sequence[str]) -> list[str]:
    """The not-yet-loaded tags a view needs: the scoped tag, the tags a query names with
    ``tag=``, or every one for a query that searches across tags."""
    if scope_tag is not None:
        return [scope_tag] if scope_tag in pending else []
    if not query_text.strip():
        return []
    try:
        query = parse_query(query_text)
    except QueryError:
        return []
    named = [
        t.value for t in query.tokens if t.kind == "field" and t.key == "tag" and not t.negated
    ]
    if named:
        wanted = []
        for value in named:
            prefix = value[:-1] if value.endswith("*") else None
            wanted += [
                p for p in pending if (p.startswith(prefix) if prefix is not None else p == value)
            ]
        return wanted
    return list(pending)
