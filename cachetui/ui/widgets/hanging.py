"""Text whose long lines wrap under their value, not under their label (a hanging indent), as
in the help screen and the detail panel: ``spec      py-msgpack@1.0.3%gcc...`` continues at the
column of ``py-msgpack``.

A line's indent is where its first styled span ends, when one starts the line (the label
column, padded), else its leading spaces. The wrapping is redone at the widget's width on
every resize.
"""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.text import Text
from textual.widgets import Static

MIN_BODY = 12  # narrower than this, a line wraps at the left edge rather than in a sliver

_CONSOLE = Console(file=StringIO(), width=200, color_system=None)


def _indent(line: Text) -> int:
    plain = line.plain
    starts = [span.end for span in line.spans if span.start == 0 and span.end < len(plain)]
    if starts:
        return max(starts)
    return len(plain) - len(plain.lstrip(" "))


def hang(text: Text, width: int) -> Text:
    """``text`` with every line longer than ``width`` wrapped under its own indent."""
    lines = text.split("\n", allow_blank=True)
    if all(line.cell_len <= width for line in lines):
        return text  # nothing to wrap: the text as given
    out = Text(style=text.style, end="")
    for n, line in enumerate(lines):
        if n:
            out.append("\n")
        if line.cell_len <= width:
            out.append_text(line)
            continue
        indent = _indent(line)
        if width - indent < MIN_BODY:
            indent = 0
        head, body = line[:indent], line[indent:]
        wrapped = body.wrap(_CONSOLE, width - indent)
        for i, part in enumerate(wrapped):
            if i:
                out.append("\n" + " " * indent)
            else:
                out.append_text(head)
            part.rstrip()
            out.append_text(part)
    return out


class HangingText(Static):
    """A ``Static`` of ``Text`` whose long lines wrap with a hanging indent."""

    def __init__(self, text: Text, *, id: str | None = None) -> None:
        super().__init__(text, id=id)
        self._source = text

    def set_text(self, text: Text) -> None:
        self._source = text
        self._rewrap()

    def on_resize(self) -> None:
        self._rewrap()

    def _rewrap(self) -> None:
        width = self.content_region.width
        self.update(hang(self._source, width) if width > 0 else self._source)
