"""Command palette providers: go to a package, go to a hash. Matching lives in ``search``."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..search import find_hashes, find_packages, looks_like_hash
from ..text import visible

TIER_SCORE = {"exact": 1.0, "prefix": 0.9, "substring": 0.8}
MAX_HITS = 40


class PackageProvider(Provider):
    """Package names, typo-tolerant; one hit per tag the package is in."""

    async def search(self, query: str) -> Hits:
        app = self.screen  # the browser screen the palette was opened from
        await app.every_tag_loaded()  # type: ignore[attr-defined]
        catalog = app.catalog  # type: ignore[attr-defined]
        shown = 0
        for hit in find_packages(catalog, query, limit=MAX_HITS):
            score = TIER_SCORE.get(hit.match, 0.7 * hit.score / 100)
            for tag, count in catalog.facet_counts("tag", catalog.ids_for(package=hit.name)):
                label = Text.assemble(
                    (visible(hit.name), "bold"), f"  {visible(tag)}", (f"  {count:,} specs", "dim")
                )
                yield Hit(score, label, partial(app.goto_package, tag, hit.name), text=hit.name)  # type: ignore[attr-defined]
                shown += 1
                if shown >= MAX_HITS:
                    return

    async def discover(self) -> Hits:
        app = self.screen  # the browser screen the palette was opened from
        for package in app.catalog.package_list()[:MAX_HITS]:  # type: ignore[attr-defined]
            label = Text.assemble((visible(package.name), "bold"), f"  {visible(package.tag)}")
            yield DiscoveryHit(
                label, partial(app.goto_package, package.tag, package.name), text=package.name
            )  # type: ignore[attr-defined]


class HashProvider(Provider):
    """Specs by hash fragment: exact prefixes first, then one edit away."""

    async def search(self, query: str) -> Hits:
        if not looks_like_hash(query):
            return
        app = self.screen  # the browser screen the palette was opened from
        await app.every_tag_loaded()  # type: ignore[attr-defined]
        catalog = app.catalog  # type: ignore[attr-defined]
        for hit in find_hashes(catalog, query, limit=MAX_HITS):
            spec = catalog.spec(hit.spec_id)
            score = 1.0 if hit.match == "prefix" else 0.7 * hit.score / 100
            label = Text.assemble(
                (spec.short_hash, "bold"), f"  {visible(spec.package)}@{visible(spec.version)}",
                f"  {visible(spec.tag)}", (f"  {visible(spec.os)} {visible(spec.target)}", "dim"),
                ("" if hit.match == "prefix" else "  (one edit away)", "italic"),
            )  # fmt: skip
            yield Hit(score, label, partial(app.goto_spec, hit.spec_id), text=spec.hash)  # type: ignore[attr-defined]
