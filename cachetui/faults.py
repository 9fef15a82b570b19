"""Unexpected errors: log the traceback to a file in the user's state directory and keep going.

UI-free. The app wraps its actions and message handlers with ``guarded``: an exception there
becomes a notification naming the log file, instead of ending the session and losing the
user's selection.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import os
import traceback
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

LOG_NAME = "cachetui.log"
MAX_LOG_BYTES = 1_000_000

F = TypeVar("F", bound=Callable[..., Any])


def log_dir() -> Path:
    from platformdirs import user_state_dir

    return Path(user_state_dir("cachetui"))


def log_exception(error: BaseException, where: str = "") -> Optional[Path]:
    """Append the traceback to the log file; the file's path, or None if it cannot be written."""
    try:
        directory = log_dir()
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / LOG_NAME
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            os.replace(path, path.with_suffix(".log.1"))
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"--- {stamp} {where}\n{''.join(lines)}\n")
        return path
    except OSError:
        return None


def _report(owner: Any, error: Exception, where: str) -> None:
    app = getattr(owner, "app", owner)
    report = getattr(app, "report_fault", None)
    if report is None:
        raise error
    report(error, where)


def guarded(method: F) -> F:
    """Catch what ``method`` raises and hand it to ``app.report_fault``."""
    where = method.__qualname__
    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except Exception as error:
                _report(self, error, where)
                return None

        return run_async  # type: ignore[return-value]

    @functools.wraps(method)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as error:
            _report(self, error, where)
            return None

    return run  # type: ignore[return-value]


def guard_handlers(cls: type) -> type:
    """Wrap every ``action_*`` and ``on_*`` method the class defines with ``guarded``."""
    for name, value in list(vars(cls).items()):
        if (name.startswith("action_") or name.startswith("on_")) and inspect.isfunction(value):
            setattr(cls, name, guarded(value))
    return cls
