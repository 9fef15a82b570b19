"""The detail panel's text for a scope: a package's summary, or a tag's (or every tag's)."""

from __future__ import annotations

from typing import Optional

from rich.text import Text

from ...catalog import Catalog
from ...view import Scope, ViewModel
from ..widgets.detail_panel import package_text, summary_text


def scope_summary(
    catalog: Catalog, view: ViewModel, scope: Scope, tags: Optional[int] = None
) -> Text:
    """Slow for a big scope (facet counts over every spec in it): call it off the UI thread.
    ``tags``: how many tags there are, loaded or not (a lazy checkout); by default the loaded."""
    ids = view.scope_mask(scope).nonzero()[0]
    facets = catalog.facets(ids)
    package = catalog.packages.get((scope.tag or "", scope.package or ""))
    if package is not None and scope.version is None:
        return package_text(package, facets)
    title = scope.version or scope.package or scope.tag or "all tags"
    subtitle = (
        "version"
        if scope.version
        else ("tag" if scope.tag else f"{len(catalog.tags) if tags is None else tags} tags")
    )
    return summary_text(title, subtitle, {}, len(ids), facets["stack"], facets=facets)
