"""A tag's summary and the facet view say what is there without a wall of text: counts, the top
values with how many there are in all, versions in Spack's order. And j / k, h / l and hanging
indents in the help, the detail panel, the facets and the tree."""

from __future__ import annotations

import numpy as np
import pytest
from apphelpers import settle
from conftest import SEEDS, page_text, spec_entry
from textual.containers import VerticalScroll
from textual.widgets import OptionList

from cachetui.loader import load
from cachetui.summaries import Top, newest_first, versions_per_package
from cachetui.ui.app import CacheApp
from cachetui.ui.screens.facets import FacetScreen
from cachetui.ui.screens.help import HelpScreen
from cachetui.ui.widgets.detail_panel import DetailPanel
from cachetui.ui.widgets.filter_box import FilterBox
from cachetui.ui.widgets.package_tree import PackageTree
from cachetui.ui.widgets.spec_table import SpecTable

ZLIB_VERSIONS = ["1.2.11", "1.10", "1.3", "develop", "1.2.9"]  # as the pages list them
PACKAGES = 30


def _hash(n: int) -> str:
    digits = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(digits[(n >> (5 * i)) & 31] for i in range(32))


@pytest.fixture
def one_tag(write_page, tmp_path):
    specs = [spec_entry(hash=_hash(n), versions=[v]) for n, v in enumerate(ZLIB_VERSIONS)]
    write_page("zlib.md", page_text("zlib", tag="develop", specs=specs))
    for p in range(PACKAGES - 1):
        entry = spec_entry(hash=_hash(100 + p), versions=[f"2.{p}"], os=f"os{p}")
        write_page(f"pkg{p:02}.md", page_text(f"pkg{p:02}", tag="develop", specs=[entry]))
    return tmp_path


def body(app) -> str:
    return str(app.query_one("#detail-body").render())


def test_versions_per_package_in_spacks_order(one_tag):
    catalog = load([one_tag]).catalog
    found = versions_per_package(catalog, np.arange(len(catalog)))
    assert found[0].name == "zlib" and found[0].specs == 5
    assert list(found[0].versions) == ["develop", "1.10", "1.3", "1.2.11", "1.2.9"]
    assert len(found) == PACKAGES
    ordered = newest_first(["1.2.1rc3", "1.2.1", "1.10", "develop", "1.9"])
    assert ordered == ["develop", "1.10", "1.9", "1.2.1", "1.2.1rc3"]  # Spack's order
    assert (
        Top((("a", 2),), 1).said() == "all 1" and Top((("a", 2),), 1839).said() == "top 1 of 1,839"
    )


async def test_a_tags_summary_is_a_summary(one_tag):
    app = CacheApp([str(one_tag)])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("shift+tab", "shift+tab", "down")  # the tree, on the tag
        await settle(pilot)
        text = body(app)
        flat = " ".join(text.split())
        assert text.startswith("develop  tag")
        assert f"34 in {PACKAGES} packages (34 package versions)" in flat
        assert "(top 5 of 30)" in flat  # the os values: five named, and how many in all
        labels = [line.split()[0] for line in text.splitlines()[3:7]]
        assert labels == ["compilers", "os", "targets", "platforms"]  # as Spack names it: os
        assert f"packages (top 20 of {PACKAGES}, most specs first; versions newest first)" in flat
        assert "zlib 5 develop, 1.10, 1.3, 1.2.11 … (5 versions)" in flat
        # no wall: the other packages' versions are not all listed
        assert sum(f"pkg{p:02}" in text for p in range(PACKAGES - 1)) == 19


async def test_facets_answer_what_is_in_the_result(one_tag):
    app = CacheApp([str(one_tag)])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FacetScreen)
        options = app.screen.query_one(OptionList)
        lines = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert lines[0] == f"package: top 20 of {PACKAGES} values, most specs first"
        assert "tag: 1 value, most specs first" in lines
        versions = next(
            i for i, line in enumerate(lines) if line.startswith("versions per package")
        )
        assert (
            lines[versions] == f"versions per package: top 20 of {PACKAGES} packages, newest first"
        )
        assert " ".join(lines[versions + 1].split()) == "zlib develop, 1.10, 1.3, 1.2.11, 1.2.9"
        # j / k move; enter on a package adds its token
        await pilot.press("j")
        first = options.highlighted
        await pilot.press("j", "k")
        assert options.highlighted == first
        options.highlighted = versions + 1
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(FilterBox).value == "package=zlib"
        assert app.query_one(SpecTable).row_count == 5


async def test_j_and_k_scroll_the_help_and_the_detail():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        scroll = app.screen.query_one(VerticalScroll)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert scroll.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert scroll.scroll_y == 2
        await pilot.press("escape")
        await pilot.press("enter")  # table -> detail
        detail = app.query_one(DetailPanel)
        assert app.focused is detail
        await pilot.press("j", "j")
        await pilot.pause()
        assert detail.scroll_y == 2
        await pilot.press("k")
        await pilot.pause()
        assert detail.scroll_y == 1


async def test_wrapped_lines_hang_under_their_value():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = body(app).splitlines()
        spec = next(i for i, line in enumerate(lines) if line.startswith("spec      "))
        # the spec string is longer than the panel: it goes on under itself, not at the edge
        assert lines[spec + 1].startswith(" " * 10) and lines[spec + 1][10] != " "
        await pilot.press("question_mark")
        help_lines = str(app.screen.query_one("#help-text").render()).splitlines()
        filter_line = next(i for i, line in enumerate(help_lines) if line.startswith("  /    "))
        assert help_lines[filter_line + 1].startswith(" " * 18)


async def test_tree_h_and_l_close_and_open_nodes():
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.query_one(PackageTree)
        await pilot.press("shift+tab", "shift+tab", "down")  # the tree, on develop (open)
        assert str(tree.cursor_node.label) == "develop 285" and tree.cursor_node.is_expanded
        await pilot.press("h")
        assert not tree.cursor_node.is_expanded
        await pilot.press("h")  # closed: to the parent
        assert tree.cursor_node is tree.root
        await pilot.press("down", "l")
        assert tree.cursor_node.is_expanded
        await pilot.press("right")  # open: to the first child
        await pilot.pause()
        assert str(tree.cursor_node.label) == "py-ml-dtypes 66"
        await pilot.press("l")
        await pilot.pause()
        assert tree.cursor_node.is_expanded and tree.cursor_node.children
        await pilot.press("l")
        await pilot.pause()
        leaf = tree.cursor_node
        assert leaf.parent is not None and str(leaf.parent.label) == "py-ml-dtypes 66"
        await pilot.press("left")  # a leaf: to its parent
        assert tree.cursor_node is leaf.parent
        await pilot.press("left")
        assert not tree.cursor_node.is_expanded
