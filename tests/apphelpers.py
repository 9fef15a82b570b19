"""Helpers for driving the app under Pilot."""

from __future__ import annotations


async def settle(pilot, rounds: int = 5) -> None:
    """Wait until loading and view workers are done and their results applied."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers):
            break


def table_lines(table) -> list[str]:
    """The table's rendered lines, as text (what the user sees)."""
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def messages(app, severity: str | None = None) -> list[str]:
    """The notifications the app showed, through its public record of them."""
    return [n.message for n in app.notices if severity is None or n.severity == severity]
