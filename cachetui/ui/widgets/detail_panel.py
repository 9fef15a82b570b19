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
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...faults import guard_handlers
from ...host import Verdict
from ...model import Package, Spec
from ...text import visible
from ..actions import bindings
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
    _row(text, "size", "unknown" if spec.size is None else f"{spec.size:,} bytes")
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


def link_options(spec: Spec, dependents: list[Spec]) -> tuple[list[Option], list[str]]:
    """Rows for the dependency list: what the spec depends on, then what depends on it; and the
    hash each row leads to."""
    options: list[Option] = []
    targets: list[str] = []
    if spec.dependencies:
        options.append(
            Option(Text(f"depends on ({len(spec.dependencies)})", "bold"), disabled=True)
        )
        for dep in spec.dependencies:
            label = Text.assemble(
                "  → ", (visible(dep.name), "bold"), f"@{visible(dep.version)}" if dep.version else "",
                (f"  /{visible(dep.short_hash)}", "cyan"), (f"  {', '.join(dep.deptypes)}", "dim"),
            )  # fmt: skip
            options.append(Option(label, id=str(len(targets))))
            targets.append(dep.hash)
    if dependents:
        options.append(Option(Text(f"needed by ({len(dependents)})", "bold"), disabled=True))
        for other in dependents:
            label = Text.assemble(
                "  ← ", (visible(other.package), "bold"), f"@{visible(other.version)}",
                (f"  /{visible(other.short_hash)}", "cyan"), (f"  {visible(other.tag)}", "dim"),
            )  # fmt: skip
            options.append(Option(label, id=str(len(targets))))
            targets.append(other.hash)
    return options, targets


@guard_handlers
class DetailPanel(VerticalScroll, can_focus=True):
    BINDINGS = bindings("detail")
    DEFAULT_CSS = """
    DetailPanel > #detail-links { height: auto; max-height: 12; border: none; padding: 0; }
    """

    class JumpRequested(Message):
        """The user chose a dependency (or dependent): show the spec with this hash."""

        def __init__(self, full_hash: str) -> None:
            super().__init__()
            self.full_hash = full_hash

    def compose(self):
        yield HangingText(Text("Loading…", "dim"), id="detail-body")  # wraps under the value
        yield OptionList(id="detail-links")

    def on_mount(self) -> None:
        self.query_one("#detail-links").display = False
        self.targets: list[str] = []

    def show_text(self, text: Text) -> None:
        self.query_one("#detail-body", HangingText).set_text(text)
        self.query_one("#detail-links").display = False
        self.scroll_home(animate=False)

    def show_spec(self, spec: Spec, dependents: Optional[list[Spec]] = None,
                  runs: Optional[Verdict] = None) -> None:  # fmt: skip
        self.show_text(spec_text(spec, runs))
        options, self.targets = link_options(spec, dependents or [])
        links = self.query_one("#detail-links", OptionList)
        links.clear_options()
        if options:
            links.add_options(options)
            links.display = True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or -1)
        if 0 <= index < len(self.targets):
            self.post_message(self.JumpRequested(self.targets[index]))
