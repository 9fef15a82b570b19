"""The detail panel's section under a spec's fields: what it downloads and where its hash lives.

Kept apart from ``detail_panel`` (the fields and the dependency list) so each changes on its own.
Built from ``Text`` pieces: mirror names, paths and reasons are shown literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

from rich.text import Text

from ...provenance import Place
from ...sizes import Size, Total, human, total_line
from ...text import visible

LABEL_WIDTH = 10
MAX_PLACES = 20  # a hash in more tags than this is summed up in one line


@dataclass(frozen=True)
class Downloads:
    """What the panel knows of a spec's download: nothing yet (``pending``), or the answers."""

    from_mirror: bool  # False: a site page or a loose spec file, no manifest to ask
    spec: Optional[Size] = None
    closure: Optional[Total] = None
    installed_known: bool = False


def _label(text: Text, label: str) -> None:
    text.append(f"{label:<{LABEL_WIDTH}}", "bold")


def downloads_text(downloads: Downloads) -> Text:
    text = Text()
    if not downloads.from_mirror:
        return text
    _label(text, "download")
    spec = downloads.spec
    if spec is None:
        text.append("… (reading the spec manifest)\n", "dim")
        return text
    if spec.size is None:
        text.append("unknown: ", "yellow")
        text.append(visible(spec.error or "no answer"), "dim")
        text.append("\n")
    else:
        text.append(f"{human(spec.size)} this spec\n")
    _label(text, "")
    closure = downloads.closure
    if closure is None:
        text.append("… (its closure)\n", "dim")
        return text
    less = ", less what is installed" if downloads.installed_known else ""
    text.append(visible(total_line(closure)))
    text.append(f"  (with its link/run closure{less})\n", "dim")
    return text


def where_text(places: Sequence[Place]) -> Text:
    """Every tag, stack, view and mirror that has the spec's hash."""
    text = Text()
    if not places:
        return text
    text.append(f"where this hash lives ({len(places)})\n", "bold")
    for place in places[:MAX_PLACES]:
        text.append("  ")
        text.append(visible(place.tag), "bold")
        stacks = [stack for stack in place.stacks if stack != place.view]  # said just after
        if stacks:
            text.append(f"  {visible(', '.join(stacks))}", "cyan")
        if place.view:
            text.append(f"  view {visible(place.view)}", "magenta")
        text.append(f"  {visible(place.mirror or place.source)}\n", "dim")
    if len(places) > MAX_PLACES:
        text.append(f"  … and {len(places) - MAX_PLACES} more\n", "dim")
    return text


def extras_text(downloads: Downloads, places: Sequence[Place]) -> Text:
    text = downloads_text(downloads)
    if text.plain:
        text.append("\n")
    text.append_text(where_text(places))
    text.rstrip()  # the body above ends its last line; no blank line under the section
    return text
