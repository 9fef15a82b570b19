"""The closure and dependency graph in the browser: the closure section, the dependency tree
(opened on demand, cycles marked), "why is this here" (``w``), the ``closure=`` token and facet
(the same specs from the filter box and ``list --query``), and the offer to open the user's
Spack mirrors when the browser starts with no PATH."""

from __future__ import annotations

import asyncio
import json
from argparse import Namespace

import pytest
from apphelpers import messages, settle
from conftest import SEEDS, page_text, spec_entry
from test_closure import LINK, RUN, h, record, write_index
from test_spack_cli import LIBELF_7
from test_spack_cli import spack as spack  # noqa: PLC0414 - the fixture, used by name

from cachetui.cli import browse_parser, main, offers_spack
from cachetui.deptree import dependency_nodes, why_paths
from cachetui.loader import load
from cachetui.ui.app import CacheApp
from cachetui.ui.screens.facets import FacetScreen
from cachetui.ui.screens.why_view import WhyScreen
from cachetui.ui.timing import Delays
from cachetui.ui.widgets.dependency_tree import DependencyTree
from cachetui.ui.widgets.spec_table import SpecTable


@pytest.fixture
def graph(tmp_path):
    """An index with a complete app, a transitive miss, a cycle with a miss, and a page spec."""
    records = [
        record("zlib"),
        record("gcc-runtime"),
        record("libelf", [("zlib", h("zlib"), LINK), ("gcc-runtime", h("gcc-runtime"), LINK)]),
        record("okapp", [("libelf", h("libelf"), ("build", "link")), ("zlib", h("zlib"), RUN)]),
        record("cmake", [("zlib", h("zlib"), LINK)]),
        record("mid", [("leaf", h("leaf"), LINK), ("cmake", h("cmake"), ("build",))]),
        record("top", [("mid", h("mid"), LINK)]),
        record("loopa", [("loopb", h("loopb"), LINK)]),
        record("loopb", [("loopa", h("loopa"), LINK), ("lost", h("lost"), RUN)]),
    ]
    mirror = write_index(tmp_path / "mirror", records)
    page = tmp_path / "site" / "onpage.md"
    page.parent.mkdir()
    page.write_text(page_text("onpage", "develop", [spec_entry(hash=h("onpage"))]))
    return [str(mirror), str(page)]


async def open_spec(pilot, name: str) -> None:
    """Filter the table to one package: its spec is under the cursor and in the panel."""
    pilot.app.screen.query_one("#filter").value = ""
    await pilot.press("slash", *f"package={name}", "enter")


def depth_of(node) -> int:
    depth = 0
    while node.parent is not None:
        node, depth = node.parent, depth + 1
    return depth


def rows_of(tree: DependencyTree) -> list[str]:
    rows = []
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        mark = "-" if node.is_expanded else "+" if node.allow_expand else " "
        rows.append(f"{'  ' * (depth_of(node) - 1)}{mark} {node.label}")
    return rows


def run_app(paths, body, size=(110, 40), **kwargs):
    async def run():
        app = CacheApp(paths, **kwargs)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await body(app, pilot)
            assert not [m for m in messages(app, "error") if m.startswith("Something went wrong")]

    asyncio.run(run())


# -- the closure section -------------------------------------------------------------------------


def closure_line(app) -> str:
    return str(app.screen.query_one("#detail-closure").render())


def test_closure_section_complete_incomplete_unknown(graph):
    async def body(app, pilot):
        await open_spec(pilot, "okapp")
        await settle(pilot)
        assert closure_line(app).startswith("closure   complete: every link/run dependency")
        await open_spec(pilot, "top")
        await settle(pilot)
        text = closure_line(app)
        assert "incomplete: 1 missing" in text
        assert "✗ leaf/leafqqq (link), needed by top@1.0/topqqqq → mid@1.0/midqqqq" in text
        await open_spec(pilot, "onpage")
        await settle(pilot)
        assert "unknown: its dependencies are not known" in closure_line(app)

    run_app(graph, body)


def test_closure_section_never_shows_a_stale_spec(graph):
    async def body(app, pilot):
        await open_spec(pilot, "top")
        await settle(pilot)
        browser = app.screen
        okapp = app.catalog.by_hash(h("okapp"))[0]
        browser._closure_computed(app.catalog, okapp, "from another spec")  # arrives late
        assert "incomplete" in closure_line(app)

    run_app(graph, body)


# -- the dependency tree -------------------------------------------------------------------------


def test_tree_opens_on_demand_and_closes(graph):
    async def body(app, pilot):
        await open_spec(pilot, "okapp")
        await settle(pilot)
        tree = app.screen.query_one(DependencyTree)
        assert tree.display
        libelf = tree.get_node_at_line(1)
        assert str(libelf.label).startswith("libelf@1.0  /libelfq  build, link")
        assert libelf.allow_expand and not libelf.children  # not read until opened
        tree.focus()
        await pilot.press("space")
        await pilot.pause()
        assert rows_of(tree) == [
            "- depends on (2)",
            "  - libelf@1.0  /libelfq  build, link",
            "      zlib@1.0  /zlibqqq  link",
            "      gcc-runtime@1.0  /gccrunt  link",
            "    zlib@1.0  /zlibqqq  run",
        ]
        await pilot.press("space")  # close it again
        await pilot.pause()
        assert len(rows_of(tree)) == 3 and len(libelf.children) == 2

    run_app(graph, body)


def test_tree_marks_missing_and_build_only(graph):
    async def body(app, pilot):
        await open_spec(pilot, "mid")
        await settle(pilot)
        rows = rows_of(app.screen.query_one(DependencyTree))
        assert rows[1] == "    leaf  /leafqqq  link  ✗ missing: not in the loaded caches"
        assert rows[2] == "  + cmake@1.0  /cmakeqq  build"  # loaded: opens, build-only

    run_app(graph, body)


def test_tree_marks_cycles_and_never_follows_them(graph):
    async def body(app, pilot):
        await open_spec(pilot, "loopa")
        await settle(pilot)
        tree = app.screen.query_one(DependencyTree)
        tree.focus()
        await pilot.press("space")  # open loopb
        await pilot.pause()
        rows = rows_of(tree)
        assert rows[1] == "  - loopb@1.0  /loopbqq  link"
        assert rows[2] == "      loopa@1.0  /loopaqq  link  ↻ cycle: already on this path"
        assert rows[3] == "      lost  /lostqqq  run  ✗ missing: not in the loaded caches"
        assert not tree.get_node_at_line(2).allow_expand

    run_app(graph, body)


def test_a_self_dependency_is_a_cycle(tmp_path):
    catalog = load([write_index(tmp_path, [record("me", [("me", h("me"), LINK)])])]).catalog
    (node,) = dependency_nodes(catalog, 0, {h("me")})
    assert node.cycle and not node.expandable and node.spec_id == 0


def test_enter_on_a_dependency_jumps_to_it(graph):
    async def body(app, pilot):
        await open_spec(pilot, "okapp")
        await settle(pilot)
        tree = app.screen.query_one(DependencyTree)
        tree.focus()
        await pilot.press("down", "enter")  # zlib, the second dependency
        await settle(pilot)
        table = app.screen.query_one(SpecTable)
        assert app.catalog.spec(table.current_spec).package == "zlib"
        assert "needed by (3)" in rows_of(app.screen.query_one(DependencyTree))[0]

    run_app(graph, body)


def test_a_huge_dependency_list_is_cut(tmp_path):
    deps = [(f"d{i}", h(f"d{i}x"), LINK) for i in range(600)]
    mirror = write_index(tmp_path / "m", [record("wide", deps)])

    async def body(app, pilot):
        await settle(pilot)
        rows = rows_of(app.screen.query_one(DependencyTree))
        assert rows[0] == "- depends on (600)" and len(rows) == 502
        assert rows[-1] == "    … 100 more not shown"

    run_app([str(mirror)], body)


def test_many_dependents_are_counted_and_cut(tmp_path):
    records = [record("base")] + [
        record(f"user{chr(97 + n // 26)}{chr(97 + n % 26)}", [("base", h("base"), LINK)])
        for n in range(210)
    ]
    mirror = write_index(tmp_path / "m", records)

    async def body(app, pilot):
        await open_spec(pilot, "base")
        await settle(pilot)
        rows = rows_of(app.screen.query_one(DependencyTree))
        assert rows[0] == "- needed by (210)" and len(rows) == 1 + 200 + 1
        assert rows[-1] == "    … 10 more not shown (w: why is this here)"

    run_app([str(mirror)], body)


def test_hostile_names_are_shown_literally(tmp_path):
    evil = "[b]evil\x1b[31m"  # markup and an escape sequence, as an index may hold them
    evil_record = record("evil")
    evil_record["spec"]["name"] = evil
    top = record("top", [(evil, h("evil"), LINK), ("gone[/]", h("gone"), RUN)])
    mirror = write_index(tmp_path / "m", [evil_record, top])

    async def body(app, pilot):
        await open_spec(pilot, "top")
        await settle(pilot)
        rows = rows_of(app.screen.query_one(DependencyTree))
        assert rows[1] == "    [b]evil\\x1b[31m@1.0  /evilqqq  link"  # the ESC escaped
        assert "✗ gone[/]/goneqqq (run), needed by top@1.0/topqqqq" in closure_line(app)
        app.screen.query_one(DependencyTree).focus()
        await pilot.press("w")
        await settle(pilot)
        heading = str(app.screen.query_one("#why-heading").render())
        assert "need [b]evil\\x1b[31m@1.0/evilqqq" in heading

    run_app([str(mirror)], body)


# -- why is this here ----------------------------------------------------------------------------


def test_why_paths_one_shortest_path_per_root(graph):
    catalog = load(graph).catalog
    ids = {catalog.spec(i).package: i for i in range(len(catalog))}
    result = why_paths(catalog, ids["zlib"])
    named = [[catalog.spec(i).package for i in path] for path in result.paths]
    assert named == [["okapp", "zlib"], ["top", "mid", "cmake", "zlib"]]
    assert result.complete and result.roots == 2 and not result.is_root and not result.cycle
    assert why_paths(catalog, ids["okapp"]).is_root
    limited = why_paths(catalog, ids["zlib"], limit=1)
    assert len(limited.paths) == 1 and limited.roots == 2 and not limited.complete
    # only a cycle reaches loopa: the path from the cycle's other member, and a warning
    loop = why_paths(catalog, ids["loopa"])
    assert loop.cycle and loop.paths == [(ids["loopb"], ids["loopa"])]


def test_why_is_linear_on_a_graph_with_exponentially_many_paths(tmp_path):
    # 12 layers of 2 specs, each needing both of the layer below (2**12 paths to the bottom),
    # under 30 roots that need both of the top layer
    records = [record("bottom")]
    below = ["bottom"]
    for layer in range(13):
        here = [f"l{chr(97 + layer)}{chr(97 + n // 26)}{chr(97 + n % 26)}"
                for n in range(30 if layer == 12 else 2)]  # fmt: skip
        records += [record(name, [(b, h(b), LINK) for b in below]) for name in here]
        below = here
    catalog = load([write_index(tmp_path, records)]).catalog
    result = why_paths(catalog, catalog.by_hash(h("bottom"))[0])
    assert result.roots == 30 and len(result.paths) == 20 and not result.complete
    assert {len(path) for path in result.paths} == {14}


def test_w_shows_the_paths_and_enter_goes_to_a_root(graph):
    async def body(app, pilot):
        await open_spec(pilot, "zlib")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, WhyScreen)
        heading = str(screen.query_one("#why-heading").render())
        assert heading.startswith("2 root(s) need zlib@1.0/zlibqqq: the shortest path from each")
        prompts = [str(o.prompt) for o in screen.query_one("#why-paths").options]
        assert prompts[1].splitlines() == [
            " 2. top@1.0/topqqqq  mirror",
            "      → mid@1.0/midqqqq  link",
            "        → cmake@1.0/cmakeqq  build",
            "          → zlib@1.0/zlibqqq  link",
        ]
        screen.query_one("#why-paths").highlighted = 1  # the second: from top
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one(SpecTable)
        assert app.catalog.spec(table.current_spec).package == "top"

    run_app(graph, body)


def test_w_on_the_tree_asks_about_the_dependency_under_its_cursor(graph):
    async def body(app, pilot):
        await open_spec(pilot, "okapp")
        await settle(pilot)
        app.screen.query_one(DependencyTree).focus()
        await pilot.press("w")
        await settle(pilot)
        heading = str(app.screen.query_one("#why-heading").render())
        assert heading.startswith("1 root(s) need libelf@1.0/libelfq")
        await pilot.press("escape")
        await open_spec(pilot, "okapp")
        await pilot.press("w")
        await settle(pilot)
        heading = str(app.screen.query_one("#why-heading").render())
        # the graph holds a site page, which lists no dependencies: "root" only as far as told
        assert heading.startswith(
            "No spec whose dependencies were read depends on okapp@1.0/okappqq: a root as far"
        ) and heading.endswith("(1 loaded spec(s) from site pages list none).")

    run_app(graph, body)


async def test_w_on_site_pages_says_it_cannot_tell_rather_than_a_root():
    """Site pages list no dependencies: "nothing loaded depends on it" would be a guess."""
    app = CacheApp([str(SEEDS)])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        heading = str(app.screen.query_one("#why-heading").render())
        assert heading.startswith("What needs py-msgpack@1.0.3/255hkvj cannot be told"), heading
        assert "root" not in heading


# -- closure= in the query, the facet and the JSON -----------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["closure=complete", "closure=incomplete", "closure=unknown", "!closure=complete",
     "closure=Incomplete package=top"],
)  # fmt: skip
def test_closure_token_same_specs_in_browser_and_cli(graph, query, capsys):
    assert main(["list", *graph, "--query", query, "--format", "json"]) == 0
    cli = [(r["tag"], r["hash"]) for r in json.loads(capsys.readouterr().out)]

    async def body(app, pilot):
        await pilot.press("slash", *query, "enter")
        await settle(pilot)
        ids = app.screen.last_view.ids
        assert [(app.catalog.spec(i).tag, app.catalog.spec(i).hash) for i in ids] == cli

    run_app(graph, body)
    assert cli  # every query above matches something in ``graph``


def test_closure_in_json_output(graph, capsys):
    assert main(["list", *graph, "--format", "jsonl"]) == 0
    verdicts = {
        r["package"]: r["closure"] for r in map(json.loads, capsys.readouterr().out.splitlines())
    }
    assert verdicts == {
        "zlib": "complete", "gcc-runtime": "complete", "libelf": "complete",
        "okapp": "complete", "cmake": "complete", "mid": "incomplete", "top": "incomplete",
        "loopa": "incomplete", "loopb": "incomplete", "onpage": "unknown",
    }  # fmt: skip


def test_bad_closure_value_is_a_query_error(graph, capsys):
    assert main(["list", *graph, "--query", "closure=maybe"]) == 2
    assert "closure= takes complete, incomplete or unknown" in capsys.readouterr().err


def test_closure_facet_adds_the_token(graph):
    async def body(app, pilot):
        browser = app.screen
        assert not browser.view.closure_known()
        await pilot.press("f")  # so the facet view waits for the closures, in a worker
        await settle(pilot)
        assert isinstance(app.screen, FacetScreen) and browser.view.closure_known()
        options = app.screen.query_one("OptionList")
        labels = [str(o.prompt) for o in options.options]
        start = next(i for i, x in enumerate(labels) if x.startswith("closure"))
        assert labels[start] == "closure (link/run dependencies loaded): 3 values, most specs first"
        assert labels[start + 1].split()[0] == "complete" and labels[start + 1].endswith(" 5")
        options.highlighted = start + 2  # incomplete, 4
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#filter").value == "closure=incomplete"
        assert len(app.screen.last_view.ids) == 4

    run_app(graph, body, delays=Delays(warm=3600))  # the warm-up never starts by itself


def test_closures_are_computed_in_a_worker_for_the_current_catalog_only(graph):
    from cachetui.view import ViewModel

    async def body(app, pilot):
        browser = app.screen
        stale = browser.view
        browser.view = ViewModel(app.catalog)  # as a lazy tag's arrival replaces it
        browser.compute_closures(stale)
        await app.workers.wait_for_complete()
        assert not stale.closure_known()
        browser.compute_closures(browser.view)
        await app.workers.wait_for_complete()
        assert browser.view.closure_known()

    run_app(graph, body, delays=Delays(warm=3600))


def test_closures_of_a_replaced_catalog_stop(graph):
    from cachetui.cancel import Cancelled
    from cachetui.closure import closure_mask

    catalog = load(graph).catalog
    with pytest.raises(Cancelled):
        closure_mask(catalog, cancelled=lambda: True)


# -- the user's Spack, offered on the seeds ------------------------------------------------------


def test_no_path_offers_spack_a_path_or_spack_does_not():
    assert offers_spack(browse_parser().parse_args([]))
    assert not offers_spack(browse_parser().parse_args(["seeds"]))
    assert not offers_spack(Namespace(paths=[], spack_inputs=object()))


def test_offer_opens_every_mirror_of_your_spack(spack):
    async def body(app, pilot):
        browser = app.screen
        assert "develop" in app.catalog.tags  # the seeds open first, as always
        await settle(pilot)
        assert browser.check_action("open_spack", ()) is True
        (offer,) = [m for m in messages(app) if m.startswith("Your Spack has")]
        assert offer.startswith("Your Spack has 2 binary mirror(s): main, partial. Press m")
        await pilot.press("m")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is app.browser and app.screen is not browser
        assert sorted(app.catalog.tags) == ["main", "partial"]
        assert any("s3:// is not supported" in m for m in messages(app, "warning"))
        assert app.screen.check_action("open_spack", ()) is False  # offered once
        await pilot.press("slash", *"installed=yes", "enter")
        await settle(pilot)
        found = {app.catalog.spec(i).hash for i in app.screen.last_view.ids}
        assert found == {LIBELF_7}  # installed in the fake Spack

    run_app(["seeds"], body, offer_spack=True)


def test_no_offer_without_spack(tmp_path, monkeypatch):
    monkeypatch.delenv("SPACK_ROOT", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SPACK_SYSTEM_CONFIG_PATH", str(tmp_path / "no-system"))

    async def body(app, pilot):
        await settle(pilot)
        assert app.screen.check_action("open_spack", ()) is False
        assert not [m for m in messages(app) if m.startswith("Your Spack")]
        await pilot.press("m")  # unbound: nothing happens
        await settle(pilot)
        assert "develop" in app.catalog.tags

    run_app(["seeds"], body, offer_spack=True)


def test_no_offer_when_not_asked(spack):
    async def body(app, pilot):
        await settle(pilot)
        assert app.screen.check_action("open_spack", ()) is False
        assert not [m for m in messages(app) if m.startswith("Your Spack")]

    run_app(["seeds"], body)
