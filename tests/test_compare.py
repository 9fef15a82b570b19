"""cachetui compare: specs side by side, the fields that differ marked."""

from __future__ import annotations

import json

import pytest
from conftest import CORPUS, FORMATS, page_text, spec_entry

from cachetui.cli import main
from cachetui.compare import PrefixError, compare, render, resolve
from cachetui.loader import load

V8 = str(FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v8.json")


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(comparison):
    return {row.field: (row.values, row.differs) for row in comparison.rows}


def test_real_bc_builds_differ_in_target_stacks_and_tags():
    catalog = load([str(CORPUS)]).catalog
    specs = [resolve(catalog, p) for p in ("silxz2v", "/q6v22ff", "kegjoar")]
    rows = rows_of(compare(specs))
    assert rows["package"] == (("bc", "bc", "bc"), False)
    assert rows["compiler"] == (("gcc@11.4.0",) * 3, False)  # gcc@=11.4.0 and gcc@11.4.0
    assert rows["target"] == (("neoverse_v2", "neoverse_v2", "x86_64_v3"), True)
    assert rows["variant build_system"] == (("autotools",) * 3, False)
    assert rows["tags"] == (
        ("develop-2025-03-23", "develop-2025-07-13", "develop-2025-07-13"),
        True,
    )
    assert rows["stacks"][1] is True
    assert compare(specs).differing == ["target", "stacks", "tags"]


def test_cli_table_marks_the_differing_fields(capsys):
    code, out, err = run(capsys, "compare", "silxz2v", "q6v22ff", str(CORPUS))
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["FIELD", "silxz2v", "q6v22ff"]
    marked = {line.split()[1] for line in lines[1:-1] if line.startswith("*")}
    assert marked == {"tags"}
    assert lines[-1] == "1 of 9 fields differ (*)"
    # the columns line up
    assert len({line.index("silxz2v") for line in lines[:1]} | {lines[1].index("bc")}) == 1
    _, out, _ = run(capsys, "compare", "silxz2v", "q6v22ff", str(CORPUS), "--differences")
    assert [line.split()[1] for line in out.splitlines()[1:-1]] == ["tags"]


def test_json_shape(capsys):
    code, out, _ = run(capsys, "compare", "u5uz3dc", "sk2gqqz", V8, "--format", "json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"specs", "rows", "differing"}
    assert [s["hash"][:7] for s in data["specs"]] == ["u5uz3dc", "sk2gqqz"]
    assert set(data["specs"][0]) == {"hash", "package", "spec", "tags"}
    assert all(set(row) == {"field", "values", "differs"} for row in data["rows"])
    rows = {row["field"]: row for row in data["rows"]}
    assert rows["target"] == {"field": "target", "values": ["m1", "core2"], "differs": True}
    # dependencies from the Spack index, by name
    assert rows["dependency libelf"]["differs"] is True
    assert [v.split()[0] for v in rows["dependency libelf"]["values"]] == ["0.8.13", "0.8.13"]
    assert "dependency libelf" in data["differing"]


def test_variants_by_name_and_absent_ones(write_page, tmp_path):
    write_page("t/p.md", page_text("p", "t", [
        spec_entry(hash="a" * 32, variants=["+mpi", "build_system=cmake", "patches:=abc1234"]),
        spec_entry(hash="b" * 32, variants=["~mpi", "build_system=cmake"]),
    ]))  # fmt: skip
    catalog = load([str(tmp_path)]).catalog
    rows = rows_of(compare([resolve(catalog, "a"), resolve(catalog, "b")]))
    assert rows["variant mpi"] == (("+mpi", "~mpi"), True)
    assert rows["variant build_system"] == (("cmake", "cmake"), False)
    assert rows["variant patches"] == (("abc1234", None), True)
    assert not any(field.startswith("dependency") for field in rows)
    table = render(compare([resolve(catalog, "a"), resolve(catalog, "b")]))
    assert any(line.split() == ["*", "variant", "patches", "abc1234", "-"]
               for line in table.splitlines())  # fmt: skip


def test_one_binary_in_several_tags_is_one_spec(write_page, tmp_path):
    write_page("t1/p.md", page_text("p", "t1", [spec_entry(hash="a" * 32, stacks=["e4s"])]))
    write_page("t2/p.md", page_text("p", "t2", [spec_entry(hash="a" * 32, stacks=["hep"]),
                                                spec_entry(hash="b" * 32)]))  # fmt: skip
    catalog = load([str(tmp_path)]).catalog
    same = resolve(catalog, "aaaa")
    assert same.tags == ("t1", "t2") and same.stacks == ("e4s", "hep")
    rows = rows_of(compare([same, resolve(catalog, "bbbb")]))
    assert rows["tags"] == (("t1,t2", "t2"), True)


def test_ambiguous_unknown_and_too_few_prefixes_exit_2(capsys):
    code, out, err = run(capsys, "compare", "a", "silxz2v", str(CORPUS))
    assert code == 2 and out == ""
    assert "'a' is ambiguous: 9 hashes start with it" in err
    assert "ammxpvjdhr7gicpgmti3slx6kfkjajy6" in err  # every candidate listed
    code, out, err = run(capsys, "compare", "zzzzzz", "silxz2v", str(CORPUS))
    assert code == 2 and "no spec has a hash starting with 'zzzzzz'" in err
    code, _, err = run(capsys, "compare", "silxz2v", str(CORPUS))
    assert code == 2 and "two or more" in err
    code, _, err = run(capsys, "compare", "silxz2v", "not-a-hash!", str(CORPUS))
    assert code == 2 and "neither a hash prefix nor an existing path" in err
    catalog = load([str(CORPUS)]).catalog
    with pytest.raises(PrefixError) as error:
        resolve(catalog, "/")
    assert error.value.total == 0


def test_hostile_values_are_escaped(write_page, tmp_path, capsys):
    evil = "ubuntu\x1b]52;c;eA==\x07"
    write_page("t/p.md", page_text("p", "t", [spec_entry(hash="a" * 32, os=evil),
                                              spec_entry(hash="b" * 32)]))  # fmt: skip
    for fmt in ("table", "json"):
        code, out, _ = run(capsys, "compare", "aaaa", "bbbb", str(tmp_path), "-f", fmt)
        assert code == 0 and "\x1b" not in out and "\x07" not in out and "\\x1b" in out
