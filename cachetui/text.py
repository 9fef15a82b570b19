"""Make untrusted strings safe to show or export.

Page values come from the public site or from hand-edited mirrors. A value may carry terminal
escape sequences (CSI, OSC 52, BEL, carriage returns) or bidi overrides that reorder what the user
reads. Every string that leaves the core for a terminal, a file or the clipboard goes through
``visible`` so such characters appear as escapes (``\\x1b``) instead of acting.
"""

from __future__ import annotations

import re

# C0 controls (tab included: it would break columns), DEL, C1 controls, and the bidi
# embedding/override/isolate characters.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: str) -> str:
    """Return ``value`` with every control or bidi-override character shown as an escape."""
    if _UNSAFE.search(value) is None:
        return value
    return _UNSAFE.sub(_escape, value)


def is_clean(value: str) -> bool:
    return _UNSAFE.search(value) is None


def cut_middle(text: str, width: int) -> str:
    """``text`` (one cell a character) cut to ``width`` by its middle, marked "…": a third of
    what is kept from the start, the rest from the end, where ubuntu18.04 and ubuntu22.04, or
    gcc@=11.4.0 and gcc@=13.2.0, differ."""
    if len(text) <= width:
        return text
    if width < 4:
        return text[: max(0, width - 1)] + "…" if width > 0 else ""
    head = (width - 1) // 3
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]
