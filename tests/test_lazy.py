"""Lazy tags: a big site checkout shows its tag list at once and loads a tag on first use."""

from __future__ import annotations

import pytest
from apphelpers import messages, settle
from conftest import page_text, spec_entry
from textual import events

import cachetui.discovery as discovery
from cachetui.lazy import tags_needed
from cachetui.loader import tag_groups
from cachetui.ui.app import CacheApp
from cachetui.ui.timing import Delays
from cachetui.ui.widgets.package_tree import PackageTree
from cachetui.ui.widgets.spec_table import SpecTable

TAGS = ["develop", "develop-2025-07-13", "v0.22.1"]
# The pauses before a tag or a search loads tags never end by themselves here: the tests end
# them with ``load_needed_tags``, so no test races a timer.
HELD = Delays(search_load_pause=3600, tag_load_pause=3600)


def loaded(app, label: str) -> bool:
    return label not in app.session.pending_tags()


def h(tag_index: int, package: int, n: int) -> str:
    digits = "abcdefghijklmnopqrstuvwxyz234567"
    value = tag_index * 10_000 + package * 100 + n
    return "".join(digits[(value >> (5 * i)) & 31] for i in range(32))


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "LAZY_MIN_PACKAGES", 0)
    root = tmp_path / "site" / "_cache"
    for t, tag in enumerate(TAGS):
        for p in range(3):
            specs = [spec_entry(hash=h(t, p, n), compiler="gcc@13.2.0" if n % 2 else "gcc@11.4.0")
                     for n in range(4)]  # fmt: skip
            path = root / tag / f"pkg{p}" / "specs.md"
            path.parent.mkdir(parents=True)
            path.write_text(page_text(f"pkg{p}", tag=tag, specs=specs))
    legacy = root / "zlib" / "index.md"
    legacy.parent.mkdir()
    legacy.write_text('---\ntitle: "zlib"\nlayout: cache\ncategory: package\nmeta: {}\nspec_files:\n'
                      ' - "zlib@1.2.11%gcc@9.3.0 arch=linux-ubuntu20.04-x86_64": spec-0.json\n---\n')  # fmt: skip
    return tmp_path / "site"


def test_tag_groups_of_a_checkout(site):
    groups = tag_groups(str(site))
    assert [(g.label, g.packages) for g in groups] == [(t, 3) for t in TAGS] + [("legacy", 1)]
    assert tag_groups(str(site), min_packages=100) is None  # small: loaded whole
    assert tag_groups(str(site / "_cache" / "develop")) is None  # one tag: loaded whole


def test_tags_needed():
    pending = ["develop", "v0.22.1", "v0.21.2"]
    assert tags_needed("", None, pending) == []
    assert tags_needed("", "v0.22.1", pending) == ["v0.22.1"]
    assert tags_needed("%gcc", None, pending) == pending
    assert tags_needed("tag=v0.2* %gcc", None, pending) == ["v0.22.1", "v0.21.2"]
    assert tags_needed("tag=develop", None, pending) == ["develop"]
    assert tags_needed("%gcc", "develop", ["v0.22.1"]) == []
    assert tags_needed("bad=", None, pending) == []


async def test_tag_list_at_once_then_a_tag_on_first_use(site):
    app = CacheApp([str(site)], delays=HELD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.query_one(PackageTree)
        labels = [str(n.label) for n in tree.root.children]
        assert labels[0] == "develop 3 packages, not loaded" and len(labels) == 4
        assert app.query_one(SpecTable).row_count == 0 and len(app.catalog) == 0
        assert "none loaded yet" in str(app.query_one("#status").render())
        await pilot.press("down", "down")  # onto develop-2025-07-13, passing develop
        await settle(pilot)
        assert app.session.pending_tags() == TAGS + ["legacy"]  # nothing before the pause ends
        app.browser.load_needed_tags()  # the cursor rested on the tag long enough
        await settle(pilot)
        assert loaded(app, "develop-2025-07-13")
        assert not loaded(app, "develop")
        assert len(app.catalog) == 12 and app.query_one(SpecTable).row_count == 12
        assert {s.tag for s in app.catalog.specs()} == {"develop-2025-07-13"}
        node = tree.cursor_node
        assert str(node.label) == "develop-2025-07-13 12" and not node.data.pending


async def test_search_loads_what_it_needs_and_selection_survives(site):
    app = CacheApp([str(site)], delays=HELD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        app.browser.load_needed_tags()
        await settle(pilot)
        table = app.query_one(SpecTable)
        table.focus()
        await pilot.press("space")  # select a spec of the loaded tag
        chosen = app.catalog.hashes[int(table.ids[0])]
        await pilot.press("a", "slash", *"tag=v0.22.1 %gcc@13")
        await settle(pilot)
        assert not loaded(app, "v0.22.1")  # typing: no tag loads before the pause ends
        app.browser.load_needed_tags()  # the pause after typing that lets a search load tags
        await settle(pilot)
        assert loaded(app, "v0.22.1") and not loaded(app, "develop")
        assert table.row_count == 6
        await pilot.press("escape", "escape")
        await pilot.press("slash", *"%gcc@13")  # across every tag: loads the rest
        app.browser.load_needed_tags()
        await settle(pilot)
        assert any("more tag(s) for this search" in m for m in messages(app))
        assert app.session.pending() == []
        assert table.row_count == 6 * 3 and len(app.catalog) == 37
        assert app.browser.state.selected_count == 1
        assert app.catalog.hashes[int(table.chosen_ids()[0])] == chosen


async def test_eager_loads_every_tag_at_start(site):
    app = CacheApp([str(site)], lazy=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.session.lazy is None and len(app.catalog) == 37
        assert app.query_one(SpecTable).row_count == 37


async def test_jump_to_a_hash_of_a_tag_not_loaded_yet(site):
    app = CacheApp([str(site)], delays=HELD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        wanted = h(2, 1, 3)  # in v0.22.1: no tag is loaded yet
        await pilot.press("number_sign", *wanted[:10])
        await settle(pilot)
        assert any("searches every tag" in m for m in messages(app))
        await pilot.press("enter")
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert app.catalog.hashes[int(table.current_spec)] == wanted
        assert app.browser.state.scope.tag == "v0.22.1"


async def test_jump_to_a_package_of_a_tag_not_loaded_yet(site):
    app = CacheApp([str(site)], delays=HELD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("p", *"zlib")  # only in the legacy tag, last in the list
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        scope = app.browser.state.scope
        assert (scope.tag, scope.package) == ("legacy", "zlib")
        assert app.query_one(SpecTable).row_count == 1


def detail_text(app) -> str:
    return str(app.query_one("#detail-body").render())


def status_text(app) -> str:
    return str(app.query_one("#status").render())


async def test_summaries_and_status_follow_the_tags_as_they_load(site):
    app = CacheApp([str(site)], delays=HELD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "4 tags" in detail_text(app)  # the root: every tag, loaded or not
        await pilot.press("slash", *"pkg1")  # typed before anything is loaded
        await settle(pilot)
        assert "nothing matches" not in status_text(app)
        assert "0 of 0" not in status_text(app) and "none loaded yet" in status_text(app)
        await pilot.press("escape", "escape")
        app.query_one(PackageTree).focus()
        await pilot.press("down")  # onto develop, not loaded yet
        app.browser.load_needed_tags()
        await settle(pilot)
        assert loaded(app, "develop")
        text = detail_text(app)
        assert text.startswith("develop") and "specs     12" in " ".join(text.split("\n"))


async def test_pasted_hashes_of_tags_not_loaded_yet_are_found(site):
    wanted = [h(1, 2, 3), h(2, 0, 1)]  # in develop-2025-07-13 and v0.22.1, neither loaded
    app = CacheApp([str(site)], delays=HELD)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.session.pending_tags()
        await pilot.press("slash")
        app.focused.post_message(
            events.Paste("\n".join(f"{x[:7]}  pkg@1.0" for x in wanted) + "\n")
        )
        await pilot.pause()
        assert app.browser.state.query_text.count(",") == 1  # one query: either hash
        app.browser.load_needed_tags()  # the pause after typing, ended here (no timer race)
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert sorted(app.catalog.spec(int(i)).hash for i in table.ids) == sorted(wanted)
