"""cachetui diff: two tags of one load, or two loads, on real pages and on built ones."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import CORPUS, FORMATS, page_text, spec_entry
from conftest import one_char_hash as h
from conftest import run_cli as run

from cachetui.diff import diff, load_side, tag_side
from cachetui.diffcodes import combine, pair
from cachetui.diffreport import render
from cachetui.loader import load


@pytest.fixture
def two_tags(write_page, tmp_path):
    """Tag t1 -> t2: one spec kept, a rebuild, a variant change, a rebuild paired before a
    variant change of the same key, a new version, a package removed and one added."""
    ubuntu = {"os": "ubuntu22.04", "target": "x86_64_v3"}
    write_page("t1/alpha.md", page_text("alpha", "t1", [
        spec_entry(hash=h("a"), versions=["1.0"], stacks=["e4s", "root"]),
        spec_entry(hash=h("b"), versions=["1.0"], target="zen2", stacks=["root"]),
        spec_entry(hash=h("c"), versions=["2.0"], variants=["+mpi", "build_system=cmake"]),
        spec_entry(hash=h("d"), versions=["2.0"], os="rhel8", variants=["+mpi"]),
        spec_entry(hash=h("e"), versions=["2.0"], os="rhel8", variants=["~mpi"]),
    ]))  # fmt: skip
    write_page("t1/beta.md", page_text("beta", "t1", [
        spec_entry(hash=h("f"), versions=["0.1"], compiler="none", **ubuntu, stacks=["root"]),
    ]))  # fmt: skip
    write_page("t2/alpha.md", page_text("alpha", "t2", [
        spec_entry(hash=h("a"), versions=["1.0"], stacks=["e4s", "root"]),
        # era B writes the compiler without "=": still the same compiler
        spec_entry(hash=h("2"), versions=["1.0"], target="zen2", compiler="gcc@11.4.0",
                   stacks=["root"]),
        spec_entry(hash=h("3"), versions=["2.0"],
                   variants=["~mpi", "+cuda", "build_system=cmake"]),
        spec_entry(hash=h("4"), versions=["2.0"], os="rhel8", variants=["+shared"]),
        spec_entry(hash=h("5"), versions=["2.0"], os="rhel8", variants=["~mpi"]),
        spec_entry(hash=h("6"), versions=["3.0"], stacks=["e4s", "root"]),
    ]))  # fmt: skip
    write_page("t2/gamma.md", page_text("gamma", "t2", [
        spec_entry(hash=h("7"), versions=["5.1"], os="rhel8", stacks=["hep", "root"]),
    ]))  # fmt: skip
    return load([str(tmp_path)]).catalog


def test_two_synthetic_tags_diff_into_every_kind(two_tags):
    d = diff(tag_side(two_tags, "t1"), tag_side(two_tags, "t2"))
    assert d.summary()["specs"] == {
        "before": 6, "after": 7, "unchanged": 1, "changed": 4, "added": 2, "removed": 1,
    }  # fmt: skip
    assert d.differs
    assert (d.packages_added, d.packages_removed) == (["gamma"], ["beta"])
    assert (d.packages_before, d.packages_after) == (2, 2)
    assert d.versions_added == {"alpha": ["3.0"]} and d.versions_removed == {}
    pairs = {(old.hash[0], new.hash[0]): change for old, new, change, *_ in d.changed_rows()}
    assert set(pairs) == {("b", "2"), ("c", "3"), ("e", "5"), ("d", "4")}
    # equal variants pair first: ~mpi with ~mpi, then +mpi with +shared
    assert pairs[("b", "2")].added == pairs[("b", "2")].removed == ()
    assert pairs[("e", "5")].added == () and pairs[("e", "5")].removed == ()
    assert (pairs[("c", "3")].added, pairs[("c", "3")].removed) == (("+cuda", "~mpi"), ("+mpi",))
    assert (pairs[("d", "4")].added, pairs[("d", "4")].removed) == (("+shared",), ("+mpi",))
    assert [(c.count, c.added, c.removed) for c in d.changes] == [
        (2, (), ()), (1, ("+cuda", "~mpi"), ("+mpi",)), (1, ("+shared",), ("+mpi",)),
    ]  # fmt: skip
    assert [(g.os, g.target, g.compiler, g.count) for g in d.added] == [
        ("rhel8", "x86_64_v3", "gcc@11.4.0", 1), ("ubuntu22.04", "x86_64_v3", "gcc@11.4.0", 1),
    ]  # fmt: skip
    assert [(g.os, g.compiler, g.count) for g in d.removed] == [("ubuntu22.04", "none", 1)]
    added = [r.hash for g in d.added for r in d.spec_rows(d.after, g.ids)]
    assert sorted(added) == [h("6"), h("7")]
    assert d.stacks == [("e4s", 4, 5), ("hep", 0, 1), ("root", 6, 7)]


def test_a_tag_against_itself_is_the_same(two_tags, capsys):
    d = diff(tag_side(two_tags, "t1"), tag_side(two_tags, "t1"))
    assert not d.differs and d.unchanged == 6 and d.changed_count == 0
    assert tag_side(two_tags, "t1").kind == "tag"
    with pytest.raises(KeyError):
        tag_side(two_tags, "t3")


def test_the_same_binary_moved_between_stacks_differs(write_page, tmp_path, capsys):
    write_page("a/p.md", page_text("p", "t1", [spec_entry(hash=h("a"), stacks=["e4s"])]))
    write_page("b/p.md", page_text("p", "t2", [spec_entry(hash=h("a"), stacks=["hep"])]))
    code, out, _ = run(capsys, "diff", "t1", "t2", str(tmp_path), "--exit-code")
    assert code == 1 and "1 unchanged, 0 changed" in out and "e4s 1 -> 0" in out


def test_a_big_checkout_loads_only_the_two_tags(write_page, tmp_path, capsys, monkeypatch):
    import cachetui.loader

    monkeypatch.setattr(cachetui.discovery, "LAZY_MIN_PACKAGES", 2)
    for tag in ("t1", "t2", "t3"):
        write_page(f"_cache/{tag}/p/specs.md", page_text("p", tag, [spec_entry(hash=h("a"))]))
    write_page("_cache/t3/q/specs.md", "---\nlayout: cache\nnever closed")
    code, out, err = run(capsys, "diff", "t1", "t2", str(tmp_path), "--exit-code")
    assert code == 0 and "1 unchanged" in out and err == ""  # t3's bad page was never read
    code, _, err = run(capsys, "diff", "t1", "t4", str(tmp_path))
    assert code == 2 and "t3" in err  # an unknown tag: everything loaded, every tag listed


def test_cli_exit_codes_as_git_diff(two_tags, tmp_path, capsys):
    root = str(tmp_path)
    code, out, _ = run(capsys, "diff", "t1", "t2", root)
    assert code == 0 and "1 unchanged, 4 changed, 2 added, 1 removed" in out
    code, _, _ = run(capsys, "diff", "t1", "t2", root, "--exit-code")
    assert code == 1
    code, out, _ = run(capsys, "diff", "t2", "t2", root, "--exit-code")
    assert code == 0 and "7 unchanged, 0 changed, 0 added, 0 removed" in out


def test_cli_unknown_tag_lists_the_tags(two_tags, tmp_path, capsys):
    code, out, err = run(capsys, "diff", "t1", "nope", str(tmp_path))
    assert code == 2 and out == ""
    assert "no tag 'nope'" in err and "the tags are: t1, t2" in err


def test_table_summary_comes_first_then_details(two_tags, tmp_path, capsys):
    _, out, _ = run(capsys, "diff", "t1", "t2", str(tmp_path))
    lines = out.splitlines()
    assert lines[0].startswith("before    tag t1 (6 specs, 2 packages)")
    assert lines[1].startswith("after     tag t2 (7 specs, 2 packages)")
    blank = lines.index("")
    assert blank < 20  # one screen
    details = "\n".join(lines[blank:])
    for heading in ("packages added (1)", "packages removed (1)", "versions (1 package)",
                    "specs added (2)", "specs removed (1)", "specs changed (4)", "stacks"):  # fmt: skip
        assert heading in details
    assert "alpha  +3.0" in details
    assert "added +cuda ~mpi; removed +mpi" in details
    _, summary, _ = run(capsys, "diff", "t1", "t2", str(tmp_path), "--summary")
    assert summary.splitlines() == lines[:blank]


def test_json_shape(two_tags, tmp_path, capsys):
    code, out, _ = run(capsys, "diff", "t1", "t2", str(tmp_path), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"summary", "packages_added", "packages_removed", "versions", "added",
                         "removed", "changes", "changed", "stacks"}  # fmt: skip
    assert data["summary"]["before"] == {"label": "t1", "kind": "tag", "specs": 6, "packages": 2}
    assert data["versions"] == {"alpha": {"added": ["3.0"], "removed": []}}
    assert data["removed"] == [{
        "os": "ubuntu22.04", "target": "x86_64_v3", "compiler": "none", "count": 1,
        "specs": [{"package": "beta", "version": "0.1", "hash": h("f"),
                   "variants": ["build_system=cmake", "+mpi"]}],
    }]  # fmt: skip
    changed = {c["hash_before"][0]: c for c in data["changed"]}
    assert changed["c"]["hash_after"] == h("3") and changed["c"]["variants_removed"] == ["+mpi"]
    assert {"stack": "hep", "before": 0, "after": 1} in data["stacks"]
    _, out, _ = run(capsys, "diff", "t1", "t2", str(tmp_path), "-f", "json", "--summary")
    assert set(json.loads(out)) == {"summary"}


def test_markdown(two_tags, tmp_path, capsys):
    _, out, _ = run(capsys, "diff", "t1", "t2", str(tmp_path), "--format", "md")
    assert out.startswith("# t1 -> t2\n")
    assert "| alpha | 3.0 |  |" in out
    assert "## Specs changed (4)" in out and "## Stacks" in out


def test_real_pages_rebuilt_bc_is_changed_not_added(capsys):
    """The same bc binaries, rebuilt, between two weekly snapshots; the older page writes the
    compiler ``gcc@=11.4.0``, the newer ``gcc@11.4.0``."""
    catalog = load([str(CORPUS)]).catalog
    d = diff(tag_side(catalog, "develop-2025-03-23"), tag_side(catalog, "develop-2025-07-13"))
    bc = [(old, new, c) for old, new, c, *_ in d.changed_rows() if old.package == "bc"]
    assert sorted((old.hash[:7], new.hash[:7]) for old, new, _ in bc) == [
        ("silxz2v", "q6v22ff"), ("xsgfazh", "kegjoar"),
    ]  # fmt: skip
    assert all(c.added == c.removed == () for *_, c in bc)
    assert d.unchanged == 0
    assert d.packages_added == ["cmake"] and "bc" not in d.packages_removed


def test_real_pages_new_version_of_direnv(capsys):
    code, out, _ = run(capsys, "diff", "develop-2024-11-10", "develop-2024-12-15", str(CORPUS),
                       "-f", "json")  # fmt: skip
    data = json.loads(out)
    assert code == 0
    assert data["versions"] == {"direnv": {"added": ["2.35.0"], "removed": ["2.34.0"]}}
    assert data["summary"]["specs"] == {
        "before": 2, "after": 1, "unchanged": 0, "changed": 0, "added": 1, "removed": 2,
    }  # fmt: skip
    stacks = {s["stack"]: (s["before"], s["after"]) for s in data["stacks"]}
    assert stacks == {"developer-tools-darwin": (1, 0), "developer-tools-manylinux2014": (1, 1),
                      "root": (2, 1)}  # fmt: skip


def test_two_loads_each_its_own_catalog(capsys):
    """Two Spack indexes (no PATH: A and B are paths): the same hashes in two catalogs."""
    v7 = str(FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v7.json")
    v8 = str(FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v8.json")
    code, out, _ = run(capsys, "diff", v7, v8, "-f", "json", "--exit-code")
    data = json.loads(out)
    assert code == 1
    assert data["summary"]["before"]["kind"] == "load"
    assert data["summary"]["specs"] == {
        "before": 2, "after": 6, "unchanged": 2, "changed": 0, "added": 4, "removed": 0,
    }  # fmt: skip
    assert data["packages_added"] == ["compiler-wrapper", "gcc-runtime"]
    code, out, _ = run(capsys, "diff", v8, v8, "--exit-code")
    assert code == 0 and "load " in out.splitlines()[0]


def test_specs_without_a_hash_are_the_same_when_every_field_is(capsys):
    """Legacy pages without spec files give specs no hash."""
    page = str(CORPUS / "legacy__zlib__index.md")
    first, second = load([page]).catalog, load([page]).catalog
    assert not any(first.hashes)
    d = diff(load_side(first, "a"), load_side(second, "b"))
    assert d.unchanged == len(first) > 0 and not d.differs


def test_hostile_values_are_escaped(write_page, tmp_path, capsys):
    write_page("x/p.md", page_text("p", "t1", [spec_entry(hash=h("a"))]))
    write_page(
        "y/p.md", page_text("p", "t2", [spec_entry(hash=h("b"), os="evil\x1b]52;c;eA==\x07")])
    )
    for fmt in ("table", "md", "json"):
        code, out, _ = run(capsys, "diff", "t1", "t2", str(tmp_path), "-f", fmt)
        assert code == 0 and "\x1b" not in out and "\x07" not in out
        assert "\\x1b" in out


def test_pair_and_combine_helpers():
    a, b = pair(np.array([5, 5, 7, 9]), np.array([9, 5, 5, 5, 8]))
    assert sorted(zip(a.tolist(), b.tolist())) == [(0, 1), (1, 2), (3, 0)]
    big = np.array([2**40, 1, 2**40], dtype=np.int64)
    key = combine(big, big, np.array([0, 1, 0]))
    assert key[0] == key[2] != key[1]


def test_render_rejects_an_unknown_format(two_tags):
    d = diff(tag_side(two_tags, "t1"), tag_side(two_tags, "t2"))
    with pytest.raises(ValueError):
        render(d, "xml")
