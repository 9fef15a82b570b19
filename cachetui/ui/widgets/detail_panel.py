"""The detail panel: every field of the selected spec, or a package's or tag's summary.

Built from ``Text`` pieces, never from markup strings: a value holding ``[b]`` or an escape
sequence is shown as the literal characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from rich.text import Text
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from ...catalog import Catalog
from ...faults import guard_handlers
from ...host import Verdict
from ...model import Package, Spec
from ...text import visible
from ..actions import bindings
from .dependency_tree import DependencyTree
from .hanging import HangingText

LABEL_WIDTH = 10
BAR_WIDTH = 24


def _row(text: Text, label: str, value: str, style: str = "") -> None:
    text.append(f"{label:<{LABEL_WIDTH}}", "bold")
    text.append(visible(value) if value else "-", style)
    text.append("\n")


RUNS_STYLE = {"yes": "green", "no": "red", "unknown": "yellow"}


def spec_text(spec: Spec, runs: Optional[Verdict] = None) -> Text:
    text = Text()
    text.append(visible(spec.package), "bold")
    text.append(f"@{visible(spec.version)}" if spec.version else "")
    text.append(f"  {visible(spec.tag)}\n", "dim")
    # On a line of its own, unlabelled: it fits an 80-column terminal and copies whole.
    text.append(visible(spec.install_command), "bold green")
    text.append("\n\n")
    _row(text, "hash", spec.hash or "(none: the page gives no hash)")
    _row(text, "spec", spec.spec_string, "italic")
    _row(text, "versions", ", ".join(spec.versions))
    compiler = spec.compiler_info
    detail = (
        f"  ({compiler.name} {'exactly ' if compiler.exact else ''}{compiler.version})"
        if compiler.name
        else ""
    )
    _row(text, "compiler", spec.compiler + detail)
    _row(text, "os", spec.os)
    _row(text, "platform", spec.platform)
    _row(text, "target", spec.target)
    if runs is not None:
        _row(text, "runs here", f"{runs.state}: {runs.reason}", RUNS_STYLE.get(runs.state, ""))
    _row(text, "variants", "  ".join(spec.variants))
    _row(text, "stacks", "  ".join(spec.stacks))
    if spec.size is not None:  # a page's own figure; a mirror's comes from its manifest
        _row(text, "size", f"{spec.size:,} bytes")
    if spec.tarball:
        _row(text, "tarball", spec.tarball)
    _row(text, "source", spec.source, "dim")
    return text


def bar_chart(counts: Iterable[tuple[str, int]], width: int = BAR_WIDTH) -> Text:
    items = list(counts)
    text = Text()
    if not items:
        return text
    top = max(n for _, n in items) or 1
    name_width = min(32, max(len(visible(name)) for name, _ in items))
    for name, count in items:
        label = visible(name)
        label = label if len(label) <= name_width else label[: name_width - 1] + "…"
        bar = "█" * max(1, round(width * count / top))
        text.append(f"{label:<{name_width}} ")
        text.append(bar, "cyan")
        text.append(f" {count:,}\n")
    return text


def _list_row(text: Text, label: str, values: object) -> None:
    if isinstance(values, list):
        shown = ", ".join(visible(str(v)) for v in values)
    elif values is None:
        shown = "-"
    else:
        shown = visible(str(values))
    _row(text, label, shown)


def summary_text(title: str, subtitle: str, meta: dict, total: int, by_stack: list[tuple[str, int]],
                 meta_total: Optional[int] = None, facets: Optional[dict] = None) -> Text:  # fmt: skip
    text = Text()
    text.append(visible(title), "bold")
    text.append(f"  {visible(subtitle)}\n\n", "dim")
    count = f"{total:,}"
    if meta_total is not None and meta_total != total:
        count += f"  (the page's meta says {meta_total:,})"
    _row(text, "specs", count)
    for key, label in (("versions", "versions"), ("compilers", "compilers"), ("oss", "oss"),
                       ("targets", "targets"), ("platforms", "platforms")):  # fmt: skip
        if key in meta:
            _list_row(text, label, meta[key])
        elif facets is not None:
            facet = {"compilers": "compiler", "oss": "os", "targets": "target",
                     "platforms": "platform", "versions": "version"}[key]  # fmt: skip
            _list_row(text, label, [v for v, _ in facets.get(facet, [])])
    text.append("\nspecs per stack\n", "bold")
    text.append_text(bar_chart(by_stack))
    return text


def package_text(package: Package, facets: dict) -> Text:
    by_stack = sorted(package.specs_by_stack.items(), key=lambda item: (-item[1], item[0]))
    return summary_text(package.name, package.tag, package.meta, package.num_specs, by_stack,
                        package.meta_num_specs, facets)  # fmt: skip


@guard_handlers
class DetailPanel(VerticalScroll, can_focus=True):
    BINDINGS = bindings("detail")

    class JumpRequested(Message):
        """The user chose a dependency (or dependent): show the spec with this hash."""

        def __init__(self, full_hash: str) -> None:
            super().__init__()
            self.full_hash = full_hash

    def compose(self):
        yield HangingText(Text("Loading…", "dim"), id="detail-body")  # wraps under the value
        yield Static(id="detail-closure")
        yield Static(id="detail-extras")  # downloads and where the hash lives: detail_extras
        yield DependencyTree(id="detail-deps")

    def on_mount(self) -> None:
        self._hide_links()

    def _hide_links(self) -> None:
        self.query_one("#detail-closure").display = False
        self.query_one("#detail-extras").display = False
        self.query_one("#detail-deps").display = False

    def show_text(self, text: Text) -> None:
        self.query_one("#detail-body", HangingText).set_text(text)
        self._hide_links()
        self.scroll_home(animate=False)

    def show_extras(self, text: Text) -> None:
        """The section under a spec's fields (``detail_extras``); empty text hides it."""
        extras = self.query_one("#detail-extras", Static)
        extras.update(text)
        extras.display = bool(text.plain)

    def show_spec(self, spec: Spec, runs: Optional[Verdict] = None) -> None:
        self.show_text(spec_text(spec, runs))

    # -- closure and dependency tree (issue #18) ---------------------------------------------

    def show_closure(self, text: Text) -> None:
        """The closure section: a verdict line, and what is missing (computed in a worker)."""
        closure = self.query_one("#detail-closure", Static)
        closure.update(text)
        closure.display = True

    def show_dependencies(
        self, catalog: Catalog, spec_id: int, dependents: list[Spec], dependents_total: int
    ) -> None:
        tree = self.query_one(DependencyTree)
        tree.display = tree.show(catalog, spec_id, dependents, dependents_total)

    def on_dependency_tree_jump_requested(self, event: DependencyTree.JumpRequested) -> None:
        event.stop()
        self.post_message(self.JumpRequested(event.full_hash))
