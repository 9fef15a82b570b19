"""Command palette providers: go to a package, go to a hash (a fragment, or a pasted list).
Matching lives in ``search``. Each hit carries every match of its query (a ``Trail``), so
``n`` / ``N`` can walk the others after the jump."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Union

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.command import (
    CommandInput,
    CommandList,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
    SearchIcon,
)
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, LoadingIndicator

from ..search import find_hashes, find_packages, looks_like_hash, pasted_hashes
from ..text import visible

TIER_SCORE = {"exact": 1.0, "prefix": 0.9, "substring": 0.8}
MAX_HITS = 40

# A match: a spec id (a hash jump) or a (tag, package) pair (a package jump).
Target = Union[int, tuple[str, str]]


@dataclass(frozen=True)
class Trail:
    """The matches of one jump, and the one shown."""

    query: str  # as typed, for the notices: "#abc12", "p zlib"
    targets: tuple[Target, ...]
    index: int = 0

    def step(self, delta: int) -> Trail:
        return replace(self, index=(self.index + delta) % len(self.targets))


class PasteInput(CommandInput):
    """The palette's prompt, where a paste of several lines keeps every hash in it (the stock
    input keeps the first line only): ``/a /b /c``."""

    def _on_paste(self, event: events.Paste) -> None:
        found = pasted_hashes(event.text)
        if len(found) > 1 or (found and "\n" in event.text.strip()):
            event.prevent_default()  # not Input's own paste too (Textual runs each class's)
            event.stop()
            self.insert_text_at_cursor(" ".join(f"/{h}" for h in found))


class PastePalette(CommandPalette):
    """The command palette with ``PasteInput`` as its prompt (Textual's own layout)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="--container"):
            with Horizontal(id="--input"):
                yield SearchIcon()
                yield PasteInput(placeholder=self._placeholder, select_on_focus=False)
                if not self.run_on_select:
                    yield Button("\u25b6")
            with Vertical(id="--results"):
                yield CommandList()
                yield LoadingIndicator()


class PackageProvider(Provider):
    """Package names, typo-tolerant; one hit per tag the package is in."""

    async def search(self, query: str) -> Hits:
        app = self.screen  # the browser screen the palette was opened from
        await app.every_tag_loaded()  # type: ignore[attr-defined]
        catalog = app.catalog  # type: ignore[attr-defined]
        found: list[tuple[float, str, str, int]] = []
        for hit in find_packages(catalog, query, limit=MAX_HITS):
            score = TIER_SCORE.get(hit.match, 0.7 * hit.score / 100)
            for tag, count in catalog.facet_counts("tag", catalog.ids_for(package=hit.name)):
                found.append((score, hit.name, tag, count))
        found = found[:MAX_HITS]
        targets = tuple((tag, name) for _, name, tag, _ in found)
        for index, (score, name, tag, count) in enumerate(found):
            label = Text.assemble(
                (visible(name), "bold"), f"  {visible(tag)}", (f"  {count:,} specs", "dim")
            )
            trail = Trail(f"p {query}", targets, index)
            yield Hit(score, label, partial(app.follow, trail), text=name)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        app = self.screen  # the browser screen the palette was opened from
        for package in app.catalog.package_list()[:MAX_HITS]:  # type: ignore[attr-defined]
            label = Text.assemble((visible(package.name), "bold"), f"  {visible(package.tag)}")
            yield DiscoveryHit(
                label, partial(app.goto_package, package.tag, package.name), text=package.name
            )  # type: ignore[attr-defined]


class HashProvider(Provider):
    """Specs by hash fragment: exact prefixes first, then one edit away. A pasted list of hashes
    (``/a /b /c``): first a hit that goes to the first and lets n / N walk the rest."""

    async def search(self, query: str) -> Hits:
        fragments = pasted_hashes(query) or ([query] if looks_like_hash(query) else [])
        if not fragments:
            return
        app = self.screen  # the browser screen the palette was opened from
        await app.every_tag_loaded()  # type: ignore[attr-defined]
        catalog = app.catalog  # type: ignore[attr-defined]
        hits = [
            hit for fragment in fragments for hit in find_hashes(catalog, fragment, limit=MAX_HITS)
        ]
        targets = tuple(dict.fromkeys(hit.spec_id for hit in hits))
        if len(fragments) > 1 and targets:
            label = Text.assemble(
                (f"all {len(targets):,} specs of the {len(fragments)} hashes", "bold"),
                ("  enter: the first; n / N: the others", "dim"),
            )
            yield Hit(1.0, label, partial(app.follow, Trail(f"#{len(fragments)} hashes", targets)),  # type: ignore[attr-defined]
                      text=query)  # fmt: skip
        for hit in hits[:MAX_HITS]:
            spec = catalog.spec(hit.spec_id)
            score = 0.99 if hit.match == "prefix" else 0.7 * hit.score / 100
            label = Text.assemble(
                (spec.short_hash, "bold"), f"  {visible(spec.package)}@{visible(spec.version)}",
                f"  {visible(spec.tag)}", (f"  {visible(spec.os)} {visible(spec.target)}", "dim"),
                ("" if hit.match == "prefix" else "  (one edit away)", "italic"),
            )  # fmt: skip
            trail = Trail(f"#{query.strip()}", targets, targets.index(hit.spec_id))
            yield Hit(score, label, partial(app.follow, trail), text=spec.hash)  # type: ignore[attr-defined]
