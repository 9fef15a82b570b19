"""Cancellation of long computations, for threads that a newer request supersedes.

A computation takes ``cancelled``, a function that says whether its result is still wanted
(the browser passes its worker's ``is_cancelled``), checks it between chunks of work and
raises ``Cancelled`` when the answer is yes. The core knows no threads or workers.
"""

from __future__ import annotations

from typing import Callable


class Cancelled(Exception):
    """The computation was superseded; its caller drops the result."""


CancelCheck = Callable[[], bool]


def never() -> bool:
    """The default: nobody cancels (the CLI, tests, the benchmark)."""
    return False


def check(cancelled: CancelCheck) -> None:
    """Raise ``Cancelled`` when the result is no longer wanted."""
    if cancelled():
        raise Cancelled
