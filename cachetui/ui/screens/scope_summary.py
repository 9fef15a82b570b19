"""The detail panel's text for a scope: a package's summary, or a tag's (or every tag's).

A tag's summary is a summary, not a listing: counts, then the top values of each facet with
how many there are in all ("top 20 of 1,839"), then the packages with their versions in Spack's
order, newest first. Listing every version of every package made a wall of text at 25k specs.
"""

from __future__ import annotations

from typing import Optional

from rich.text import Text

from ...catalog import Catalog
from ...summaries import Top, top, versions_per_package
from ...text import visible
from ...view import Scope, ViewModel
from ..widgets.detail_panel import LABEL_WIDTH as LABEL
from ..widgets.detail_panel import bar_chart, package_text, summary_text

INLINE = 5  # values of os, target, compiler, platform named on their line
PACKAGES = 20  # packages listed with their versions
VERSIONS = 4  # versions named per package (newest first), then "… (N versions)"


def _line(text: Text, label: str, shown: Top) -> None:
    text.append(f"{label:<{LABEL}}", "bold")
    text.append(" · ".join(f"{visible(str(v))} {n:,}" for v, n in shown.values) or "-")
    if shown.distinct > len(shown.values):
        text.append(f"  ({shown.said()})", "dim")
    text.append("\n")


def tag_summary(catalog: Catalog, ids, title: str, subtitle: str, facets: dict,
                tags: Optional[int] = None) -> Text:  # fmt: skip
    """Counts and top values of many specs: a tag, or every tag (``tags``: how many)."""
    packages = versions_per_package(catalog, ids)
    text = Text()
    text.append(visible(title), "bold")
    text.append(f"  {visible(subtitle)}\n\n", "dim")
    text.append(f"{'specs':<{LABEL}}", "bold")
    pairs = sum(len(p.versions) for p in packages)
    text.append(f"{len(ids):,} in {len(packages):,} packages ({pairs:,} package versions)")
    if tags is not None:
        text.append(f", {tags:,} tags")
    text.append("\n")
    for facet, label in (("compiler", "compilers"), ("os", "os"), ("target", "targets"),
                         ("platform", "platforms")):  # fmt: skip
        _line(text, label, top(facets.get(facet, []), INLINE))
    stacks = top(facets.get("stack", []))
    text.append(f"\nspecs per stack ({stacks.said()})\n", "bold")
    text.append_text(bar_chart(stacks.values))
    shown = packages[:PACKAGES]
    said = Top(tuple((p.name, p.specs) for p in shown), len(packages)).said()
    text.append(f"\npackages ({said}, most specs first; versions newest first)\n", "bold")
    width = min(28, max((len(visible(p.name)) for p in shown), default=0))
    for package in shown:
        name = visible(package.name)
        name = name if len(name) <= width else name[: width - 1] + "…"
        text.append(f"  {name:<{width}} ")
        text.append(f"{package.specs:>6,}  ", "dim")
        versions = package.versions
        text.append(", ".join(visible(v) for v in versions[:VERSIONS]))
        if len(versions) > VERSIONS:
            text.append(f" … ({len(versions):,} versions)", "dim")
        text.append("\n")
    return text


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
    if scope.version:
        title = scope.version
        return summary_text(title, "version", {}, len(ids), facets["stack"], facets=facets)
    if scope.tag:
        return tag_summary(catalog, ids, scope.tag, "tag", facets)
    count = len(catalog.tags) if tags is None else tags
    return tag_summary(catalog, ids, "all tags", f"{count} tags", facets, tags=count)
