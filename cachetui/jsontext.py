"""JSON as a page holds it: one decoder for a page's values, and for the metas decoded later
(kept as their text until a package is looked at). UI-free."""

from __future__ import annotations

import json
from typing import Any

MAX_INT_DIGITS = 100  # a longer integer stays text (int() refuses over 4,300 digits anyway)


def _int_or_text(text: str) -> Any:
    """A JSON integer, or its text when it is absurdly long."""
    return int(text) if len(text) <= MAX_INT_DIGITS else text


# One decoder for every value: json.loads(text, strict=False) builds a new one per call.
# Not strict: raw control characters inside strings are data too.
# Integers too long for int() (over 4,300 digits) stay text: a value, not a crash.
DECODER = json.JSONDecoder(strict=False, parse_int=_int_or_text)
