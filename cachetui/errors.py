"""Every error the loading code raises for bad input, in one place. UI-free.

Each carries ``reason``, plain text for the user, and the line where known: the loader turns any
of them into a ``Problem`` naming the file, and the other files still load.
"""

from __future__ import annotations

from typing import Optional


class PageError(Exception):
    """The file cannot be read as a page. ``reason`` is plain text for the user."""

    def __init__(self, reason: str, line: Optional[int] = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class UnsafeYaml(PageError):
    """YAML that would be dangerous to construct (aliases, absurd nesting); never repaired."""


class NotAPage(PageError):
    """The file is not a build cache page at all (no front matter, another layout)."""


class IndexError_(PageError):
    """A Spack index or spec file that cannot be read (plain reason for the user)."""


class FetchError(IndexError_):
    """A download or mirror file that could not be had; the reason names the URL or path."""


class Missing(FetchError):
    """The mirror has no such file (HTTP 404, or no such local file): the next layout is tried."""


class CacheInvalid(Exception):
    """The index cache file cannot be used; the message says why (it is rebuilt)."""
