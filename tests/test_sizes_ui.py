"""The browser's download sizes and "where this hash lives": the detail panel under the cursor
(read after a pause, dropped when the cursor moved on), and ``z`` for the selection."""

from __future__ import annotations

import pytest
from apphelpers import messages, settle
from hostile import HostileServer
from v3mirror import GCC_RUNTIME, LIBDWARF, LIBELF, SIZES, make_mirror, manifest_path

from cachetui.mirrorviews import view_index
from cachetui.ui.app import CacheApp
from cachetui.ui.timing import Delays
from cachetui.ui.widgets.spec_table import SpecTable

NOW = Delays(size_pause=0.001)
NEVER = Delays(size_pause=3600.0)


@pytest.fixture
def mirror(tmp_path):
    return make_mirror(tmp_path / "www" / "mirror", views={"small": [LIBELF, GCC_RUNTIME]})


def extras(app) -> str:
    widget = app.query_one("#detail-extras")
    return str(widget.render()) if widget.display else ""


async def until(pilot, *needles: str, rounds: int = 100) -> str:
    """The panel's section once it shows every needle: the timer fires, then the worker ends
    (a bounded number of event-loop rounds, no sleeping)."""
    for _ in range(rounds):
        await settle(pilot, rounds=1)
        text = extras(pilot.app)
        if all(needle in text for needle in needles):
            break
    return text


async def go_to(pilot, full_hash: str) -> None:
    app = pilot.app
    table = app.query_one(SpecTable)
    table.focus()
    row = [app.catalog.hashes[i] for i in table.ids].index(full_hash)
    await pilot.press("g", *["down"] * row)
    await settle(pilot)


async def test_the_detail_panel_shows_the_download_and_where_the_hash_lives(mirror):
    app = CacheApp([str(mirror), view_index(str(mirror), "small")], delays=NOW)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await go_to(pilot, LIBDWARF)
        text = await until(pilot, "3.0 MB this spec", "43.2 MB")
        assert "3.0 MB this spec" in text
        assert "43.2 MB for 3 specs" in text  # itself, libelf and gcc-runtime
        assert "where this hash lives (1)" in text
        await go_to(pilot, LIBELF)
        await settle(pilot)
        text = extras(app)
        assert "where this hash lives (2)" in text and "view small" in text


async def test_installed_specs_are_not_counted(mirror):
    app = CacheApp([str(mirror)], delays=NOW, installed=frozenset({GCC_RUNTIME}))
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await go_to(pilot, LIBDWARF)
        text = await until(pilot, "for 2 specs")
        assert "3.2 MB for 2 specs" in text and "less what is installed" in text


async def test_a_missing_manifest_says_why_and_the_panel_still_works(mirror):
    manifest_path(mirror, "libdwarf", "20130729", LIBDWARF).unlink()
    app = CacheApp([str(mirror)], delays=NOW)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await go_to(pilot, LIBDWARF)
        text = await until(pilot, "unknown: no spec manifest", "for 2 specs")
        assert "unknown: no spec manifest" in text
        assert "40.2 MB for 2 specs; 1 unknown" in text
        assert "libdwarf@20130729" in str(app.query_one("#detail-body").render())


async def test_nothing_is_fetched_while_the_cursor_moves(mirror):
    with HostileServer(mirror.parent) as server:
        app = CacheApp([f"{server.url}/mirror"], delays=NEVER)
        async with app.run_test(size=(120, 50)) as pilot:
            await settle(pilot)
            app.query_one(SpecTable).focus()
            await pilot.press("down", "down", "down", "up")
            await settle(pilot)
            assert "reading the spec manifest" in extras(app)
            assert server.count(".spec.manifest.json") == 0


async def test_an_answer_for_a_spec_left_behind_is_dropped(mirror):
    app = CacheApp([str(mirror)], delays=NEVER)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await go_to(pilot, LIBELF)
        before = extras(app)
        old = app.catalog.by_hash(LIBDWARF)[0]
        from cachetui.sizes import Size
        from cachetui.ui.widgets.detail_extras import Downloads

        app.browser._show_extras(old, Downloads(True, Size(LIBDWARF, 1)), app.catalog)
        await pilot.pause()
        assert extras(app) == before


async def test_site_pages_show_where_but_no_download():
    from conftest import SEEDS

    app = CacheApp([str(SEEDS)], delays=NOW)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        app.query_one(SpecTable).focus()
        await settle(pilot)
        text = extras(app)
        assert "where this hash lives" in text and "download" not in text


async def test_z_sums_the_selection_with_its_closures(mirror):
    app = CacheApp([str(mirror)], delays=NEVER)
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        table = app.query_one(SpecTable)
        table.focus()
        for full_hash in (LIBDWARF, LIBELF):
            await go_to(pilot, full_hash)
            await pilot.press("space")
        await pilot.press("z")
        for _ in range(100):
            await settle(pilot, rounds=1)
            if any("downloads" in m for m in messages(app)):
                break
        wanted = f"{(SIZES[LIBDWARF] + SIZES[LIBELF] + SIZES[GCC_RUNTIME]) / 1e6:.1f} MB for 3"
        assert any("2 spec(s) downloads " + wanted in m for m in messages(app))
