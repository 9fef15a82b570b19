"""Link/run closures: what ``spack install --cache-only`` needs, from Spack indexes on disk, and
the whole catalog's verdicts at once, checked against a plain reachability walk."""

from __future__ import annotations

import json
import string
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import FORMATS, page_text, spec_entry
from hypothesis import given, settings
from hypothesis import strategies as st

from cachetui.builder import CatalogBuilder
from cachetui.closure import (
    COMPLETE,
    INCOMPLETE,
    UNKNOWN,
    closure_mask,
    closure_of,
    known_specs,
    needed,
)
from cachetui.closurecheck import AMBIGUOUS, NO_SUCH_SPEC, check, check_lines
from cachetui.loader import load
from cachetui.spackdb import Dependency

ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


def h(label: str) -> str:
    """A valid 32-character Spack hash made from a short label."""
    text = "".join(c for c in label.lower() if c in ALPHABET)
    return (text + "q" * 32)[:32]


def record(name: str, deps=(), version: str = "1.0", in_buildcache: bool = True) -> dict:
    """One index.json record (database version 8): ``deps`` are (name, hash, deptypes)."""
    return {
        "spec": {
            "name": name,
            "version": version,
            "arch": {"platform": "linux", "platform_os": "ubuntu24.04", "target": "x86_64_v3"},
            "parameters": {"build_system": "generic"},
            "hash": h(name),
            "dependencies": [
                {"name": d, "hash": dh, "parameters": {"deptypes": list(t), "virtuals": []}}
                for d, dh, t in deps
            ],
        },
        "in_buildcache": in_buildcache,
    }


def write_index(folder: Path, records: list[dict]) -> Path:
    path = folder / "build_cache" / "index.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    installs = {r["spec"]["hash"]: r for r in records}
    path.write_text(json.dumps({"database": {"version": "8", "installs": installs}}))
    return path


def spec_id(catalog, name: str) -> int:
    (found,) = catalog.by_hash(h(name))[:1]
    return found


def names(catalog, ids) -> list[str]:
    return sorted(catalog.column("package").cell(i) for i in ids)


LINK, RUN, BUILD, TEST = ("link",), ("run",), ("build",), ("test",)


@pytest.fixture
def mirror(tmp_path):
    """Every case of the brief in one index: what each root needs and which are missing."""
    records = [
        # complete: a link dep and a build+link dep, both loaded, and one shared by both
        record("zlib"),
        record("gcc-runtime"),
        record("libelf", [("zlib", h("zlib"), LINK), ("gcc-runtime", h("gcc-runtime"), LINK)]),
        record("okapp", [("libelf", h("libelf"), ("build", "link")), ("zlib", h("zlib"), RUN)]),
        # a missing link dep; a missing run dep; a missing build-only (and test-only) dep
        record("nolink", [("gone-link", h("gonelink"), LINK), ("zlib", h("zlib"), LINK)]),
        record("norun", [("python", h("python"), ("run",))]),
        record("python", version="3.12", in_buildcache=False),  # in the index, not in the cache
        record("nobuild", [("cmake", h("cmake"), BUILD), ("pytest", h("pytest"), TEST)]),
        # transitive: top -> mid -> missing leaf
        record("mid", [("leaf", h("leaf"), LINK)]),
        record("top", [("mid", h("mid"), LINK)]),
        # a cycle, complete; a cycle with a miss hanging off it
        record("cyca", [("cycb", h("cycb"), LINK)]),
        record("cycb", [("cyca", h("cyca"), RUN), ("zlib", h("zlib"), LINK)]),
        record("loopa", [("loopb", h("loopb"), LINK)]),
        record("loopb", [("loopa", h("loopa"), LINK), ("lost", h("lost"), RUN)]),
        record("selfish", [("selfish", h("selfish"), LINK)]),
    ]
    return write_index(tmp_path / "mirror", records)


@pytest.fixture
def catalog(mirror):
    result = load([mirror])
    assert result.problems == []
    return result.catalog


def test_deptypes_as_spack_installs_from_cache():
    assert needed(("link",)) and needed(("run",)) and needed(("build", "link"))
    assert not needed(("build",)) and not needed(("test",)) and not needed(("build", "test"))
    assert needed(())  # malformed: taken as needed, never a false "complete"


def test_complete_closure(catalog):
    closure = closure_of(catalog, spec_id(catalog, "okapp"))
    assert closure.verdict == COMPLETE and closure.complete and closure.known
    assert names(catalog, closure.present) == ["gcc-runtime", "libelf", "zlib"]  # zlib once
    assert closure.missing == [] and closure.unknown == []


def test_missing_link_dep(catalog):
    root = spec_id(catalog, "nolink")
    closure = closure_of(catalog, root)
    assert closure.verdict == INCOMPLETE and not closure.complete and closure.known
    (miss,) = closure.missing
    assert miss.dependency == Dependency("gone-link", "", h("gonelink"), LINK)
    assert miss.needed_by == root and miss.path == (root,)
    assert names(catalog, closure.present) == ["zlib"]


def test_missing_run_dep_names_its_version_from_the_index(catalog):
    (miss,) = closure_of(catalog, spec_id(catalog, "norun")).missing
    assert (miss.dependency.name, miss.dependency.version) == ("python", "3.12")
    assert miss.dependency.deptypes == RUN


def test_missing_build_only_and_test_only_deps_still_complete(catalog):
    closure = closure_of(catalog, spec_id(catalog, "nobuild"))
    assert closure.verdict == COMPLETE and closure.present == [] and closure.missing == []


def test_transitive_miss_with_the_path_of_who_needs_it(catalog):
    top, mid = spec_id(catalog, "top"), spec_id(catalog, "mid")
    closure = closure_of(catalog, top)
    assert closure.verdict == INCOMPLETE
    (miss,) = closure.missing
    assert miss.dependency.hash == h("leaf") and miss.needed_by == mid
    assert miss.path == (top, mid)
    (line,) = [x for x in check_lines(catalog, check(catalog, [h("top")[:8]])) if "missing" in x]
    assert line == "  missing leaf/leafqqq (link), needed by top@1.0/topqqqq -> mid@1.0/midqqqq"


def test_cycles(catalog):
    for name in ("cyca", "cycb"):
        closure = closure_of(catalog, spec_id(catalog, name))
        assert closure.verdict == COMPLETE
        assert "zlib" in names(catalog, closure.present)
    for name in ("loopa", "loopb"):
        (miss,) = closure_of(catalog, spec_id(catalog, name)).missing
        assert miss.dependency.name == "lost"
    assert closure_of(catalog, spec_id(catalog, "selfish")).verdict == COMPLETE


def test_mask_agrees_with_each_closure(catalog):
    mask = closure_mask(catalog)
    assert mask.dtype == np.int8 and len(mask) == len(catalog)
    expected = {i: closure_of(catalog, i).mask_value for i in range(len(catalog))}
    assert {i: int(v) for i, v in enumerate(mask)} == expected
    verdicts = {catalog.column("package").cell(i): int(mask[i]) for i in range(len(catalog))}
    assert verdicts == {
        "zlib": 1, "gcc-runtime": 1, "libelf": 1, "okapp": 1, "nolink": 0, "norun": 0,
        "nobuild": 1, "mid": 0, "top": 0, "cyca": 1, "cycb": 1, "loopa": 0, "loopb": 0,
        "selfish": 1,
    }  # fmt: skip


def test_site_page_specs_are_unknown_never_complete(tmp_path, mirror):
    page = tmp_path / "site" / "okpage.md"
    page.parent.mkdir()
    page.write_text(page_text("okpage", "develop", [spec_entry(hash=h("okpage"))]))
    catalog = load([mirror, page]).catalog
    assert known_specs(catalog).sum() == len(catalog) - 1
    closure = closure_of(catalog, spec_id(catalog, "okpage"))
    assert closure.verdict == UNKNOWN and not closure.known and not closure.complete
    assert closure.missing == [] and closure.present == []
    assert closure_mask(catalog)[spec_id(catalog, "okpage")] == -1


def test_a_hash_on_a_page_and_in_an_index_takes_the_index_dependencies(tmp_path, mirror):
    page = tmp_path / "site" / "top.md"
    page.parent.mkdir()
    page.write_text(page_text("top", "v1.0", [spec_entry(hash=h("top"))]))
    catalog = load([page, mirror]).catalog
    copies = catalog.by_hash(h("top"))
    assert len(copies) == 2
    mask = closure_mask(catalog)
    for copy in copies:
        closure = closure_of(catalog, copy)
        assert closure.verdict == INCOMPLETE and mask[copy] == 0
        assert closure.missing[0].path[0] == copy  # shown from the copy asked about


def test_a_needed_spec_known_only_from_a_page_makes_the_closure_unknown(tmp_path):
    mirror = write_index(tmp_path / "m", [record("app", [("dep", h("dep"), LINK)])])
    page = tmp_path / "site" / "dep.md"
    page.parent.mkdir()
    page.write_text(page_text("dep", "develop", [spec_entry(hash=h("dep"))]))
    catalog = load([mirror, page]).catalog
    app, dep = spec_id(catalog, "app"), spec_id(catalog, "dep")
    closure = closure_of(catalog, app)
    assert closure.verdict == UNKNOWN and closure.present == [dep] and closure.unknown == [dep]
    assert closure_mask(catalog).tolist() == [-1, -1]


def test_check_exit_codes(catalog):
    assert check(catalog, [h("okapp")[:7], "/" + h("zlib")]).exit_code == 0
    report = check(catalog, [h("okapp")[:7], h("top")])
    assert [r.verdict for r in report.results] == [COMPLETE, INCOMPLETE]
    assert report.exit_code == 1
    report = check(catalog, [h("okapp")[:7], "zzzzzzz", ""])
    assert [r.verdict for r in report.results] == [COMPLETE, NO_SUCH_SPEC, NO_SUCH_SPEC]
    assert report.exit_code == 2
    report = check(catalog, ["loop"])
    assert report.results[0].verdict == AMBIGUOUS and report.exit_code == 2
    assert names(catalog, report.results[0].spec_ids) == ["loopa", "loopb"]
    assert check_lines(catalog, report)[0] == "loop: ambiguous"


def test_check_of_an_unknown_spec_is_exit_1(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(page_text("p", "develop", [spec_entry(hash=h("pp"))]))
    report = check(load([page]).catalog, [h("pp")])
    assert report.results[0].verdict == UNKNOWN and report.exit_code == 1


def test_real_spack_index_db8():
    """Spack's own test index: gcc and compiler-wrapper are build-only, gcc-runtime is linked."""
    catalog = load([FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v8.json"]).catalog
    mask = closure_mask(catalog)
    assert mask.tolist() == [closure_of(catalog, i).mask_value for i in range(len(catalog))]
    libdwarf = catalog.by_hash("u5uz3dcch5if4eve4sef67o2rf2lbfgh")[0]
    closure = closure_of(catalog, libdwarf)
    assert closure.verdict == COMPLETE
    assert names(catalog, closure.present) == ["gcc-runtime", "libelf"]


# -- hostile and random graphs, straight into a builder ------------------------------------------


def build(nodes: list[tuple[str, bool, tuple]]) -> object:
    """A catalog of specs ``(hash, from an index?, deps)``, one page per spec."""
    builder = CatalogBuilder()
    for number, (full_hash, indexed, deps) in enumerate(nodes):
        builder.start_page(f"p{number}", "t", "s", {}, "index" if indexed else "B")
        row = (full_hash, ("1",), "gcc", "os", "linux", "x86_64", (), (), None, None)
        builder.add_rows([row], [deps if indexed else ()])
    return builder.build()


def reference_verdict(catalog, start: int) -> int:
    """The verdict by definition: every hash reachable over needed edges, walked naively."""
    known = known_specs(catalog)
    by_hash: dict[str, list[int]] = {}
    for i, full_hash in enumerate(catalog.hashes):
        if full_hash:
            by_hash.setdefault(full_hash, []).append(i)

    def speaker(i: int) -> int:
        copies = by_hash.get(catalog.hashes[i], [i])
        return next((c for c in copies if known[c]), i)

    seen, todo, missing, unknown = {start}, [start], False, False
    while todo:
        current = speaker(todo.pop())
        if not known[current]:
            unknown = True
            continue
        for dep in catalog.deps[current]:
            if not needed(dep.deptypes):
                continue
            copies = by_hash.get(dep.hash, []) if dep.hash else []
            if not copies:
                missing = True
            elif copies[0] not in seen:
                seen.add(copies[0])
                todo.append(copies[0])
    return 0 if missing else -1 if unknown else 1


HASHES = st.sampled_from(["", "A" * 32] + [c * 32 for c in "abcdefgh"])
DEPTYPES = st.sampled_from([(), ("build",), ("link",), ("run",), ("test",), ("build", "link")])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            HASHES,
            st.booleans(),
            st.lists(st.tuples(HASHES, DEPTYPES), max_size=4),
        ),
        max_size=12,
    )
)
def test_mask_matches_closures_and_the_definition_on_random_graphs(spec_list):
    nodes = [
        (full_hash, indexed, tuple(Dependency("d", "", dh, t) for dh, t in deps))
        for full_hash, indexed, deps in spec_list
    ]
    catalog = build(nodes)
    mask = closure_mask(catalog).tolist()
    assert mask == [closure_of(catalog, i).mask_value for i in range(len(catalog))]
    assert mask == [reference_verdict(catalog, i) for i in range(len(catalog))]


def test_deep_chain_and_long_cycle_need_no_recursion():
    depth = max(3 * sys.getrecursionlimit(), 30_000)
    labels = [
        f"{n:032d}".translate(str.maketrans("0123456789", "abcdefghij")) for n in range(depth)
    ]
    chain = [
        (labels[n], True, (Dependency("d", "", labels[n + 1], LINK),) if n + 1 < depth else ())
        for n in range(depth)
    ]
    chain[-1] = (labels[-1], True, (Dependency("d", "", labels[0], RUN),))  # close the loop
    chain.append(("z" * 32, True, (Dependency("d", "", labels[0], LINK),)))
    chain.append(("y" * 32, True, (Dependency("gone", "", "x" * 32, LINK),) + chain[0][2]))
    catalog = build(chain)
    mask = closure_mask(catalog)
    assert (mask[:-1] == 1).all() and mask[-1] == 0
    closure = closure_of(catalog, len(catalog) - 1)
    assert closure.verdict == INCOMPLETE and len(closure.present) == depth


def synthetic(count: int, fanout: int = 8, seed: int = 1) -> object:
    """``count`` index specs, each with up to ``fanout`` deps on earlier specs (link, run,
    build), 1 in 500 with a hash that is not loaded."""
    rng = np.random.default_rng(seed)
    letters = np.array(list(string.ascii_lowercase[:16]))
    hashes = ["".join(letters[rng.integers(0, 16, 32)]) for _ in range(count)]
    kinds = [LINK, RUN, BUILD, ("build", "link")]
    nodes = []
    for n in range(count):
        deps = []
        for target in rng.integers(0, max(n, 1), min(n, fanout)):
            deps.append(Dependency("d", "1", hashes[target], kinds[int(target) % 4]))
        if rng.random() < 0.002:
            deps.append(Dependency("gone", "1", "7" * 32, LINK))
        nodes.append((hashes[n], True, tuple(deps)))
    return build(nodes)


def test_mask_of_a_big_index_is_fast():
    catalog = synthetic(20_000)
    started = time.perf_counter()
    mask = closure_mask(catalog)
    elapsed = time.perf_counter() - started
    assert set(np.unique(mask).tolist()) <= {0, 1}
    sample = range(0, len(catalog), 997)
    assert [int(mask[i]) for i in sample] == [closure_of(catalog, i).mask_value for i in sample]
    assert elapsed < 2.0  # 0.06 s on the 2-core dev machine; at scale: bench/closure.py
