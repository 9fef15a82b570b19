"""A bad file never stops the load: each gives one clear problem naming the file."""

import os

import pytest
from conftest import page_text, spec_entry

from cachetui.loader import load


def load_with_good(tmp_path, write_page, name, content):
    write_page("good.md", page_text("good"))
    bad = write_page(name, content)
    result = load([tmp_path])
    assert [p.name for p in result.catalog.package_list()] == ["good"], "the good page still loads"
    return bad, result


def only_problem(result, path):
    problems = [p for p in result.problems if p.path == str(path)]
    assert len(problems) == 1, result.problems
    return problems[0]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("---\nlayout: cache\ntitle: x\n", "never closed"),
        ("---\nlayout: cache\ntitle: x\nmeta: {}\n---\n", "neither spec_details nor spec_files"),
        (
            '---\nlayout: cache\nspec_details: {"a": 1}\n---\n',
            "spec_details is a mapping, not a list",
        ),
        (
            '---\nlayout: cache\nspec_details: [{"hash": \n---\n',
            "spec_details is not valid JSON (Expecting value",
        ),
        ("---\nlayout: cache\n  indented: 1\nspec_details: []\n---\n", None),
        (
            b"---\nlayout: cache\nspec_details: []\n\x00\x01\x02---\n",
            "binary file (NUL byte at offset 35)",
        ),
    ],
)
def test_broken_pages_are_reported(tmp_path, write_page, content, reason):
    bad, result = load_with_good(tmp_path, write_page, "bad.md", content)
    problem = only_problem(result, bad)
    assert problem.level == "error"
    if reason:
        assert reason in problem.reason


def test_non_utf8_bytes_load_with_a_warning(tmp_path, write_page):
    text = page_text("caf", specs=[spec_entry(os="ubuntuX")]).encode("utf-8")
    text = text.replace(b"ubuntuX", b"ubuntu\xe9")
    write_page("latin1.md", text)
    result = load([tmp_path])
    assert len(result.catalog) == 1
    assert result.catalog.spec(0).os == "ubuntu\ufffd"
    (problem,) = result.problems
    assert problem.level == "warning" and "not valid UTF-8 (byte 0xe9" in problem.reason
    assert problem.line == 6


def test_wrong_types_in_entries_are_repaired_or_skipped(tmp_path, write_page):
    specs = [
        spec_entry(hash="a" * 32),
        spec_entry(hash="b" * 32, versions="2.0"),
        spec_entry(hash="c" * 32, os=22.04),
        spec_entry(hash="d" * 32, variants={"mpi": True}),
        "not a mapping",
        spec_entry(hash="e" * 32, target=None),
    ]
    path = write_page("p.md", page_text("p", specs=specs, meta={"num_specs": 6}))
    result = load([path])
    catalog = result.catalog
    assert [s.hash[0] for s in catalog.specs()] == ["a", "b", "c", "e"]
    assert catalog.spec(1).versions == ("2.0",)
    assert catalog.spec(2).os == "22.04"
    assert catalog.spec(3).target == ""
    warning = [p for p in result.problems if p.path == str(path) and p.details][0]
    text = " | ".join(warning.details)
    assert "spec 2: versions is str, not a list" in text
    assert "spec 3: os is a number" in text
    assert "spec 4: variants is a mapping, not a list; skipped" in text
    assert "spec 5: is str, not a mapping; skipped" in text
    assert "spec 6: target is null" in text


def test_missing_path_empty_folder_and_folder_without_pages(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    (other / "readme.txt").write_text("hello")
    result = load([tmp_path / "nope", empty, other])
    assert len(result.catalog) == 0
    reasons = {os.path.basename(p.path): p.reason for p in result.problems}
    assert reasons == {
        "nope": "no such file or directory",
        "empty": "no build cache pages found in this folder",
        "other": "no build cache pages found in this folder",
    }


def test_explicit_file_that_is_not_a_page(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{}")
    result = load([path])
    (problem,) = result.problems
    assert "not a build cache page, Spack index" in problem.reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_unreadable_file(tmp_path, write_page):
    write_page("good.md", page_text("good"))
    bad = write_page("secret.md", page_text("secret"))
    bad.chmod(0)
    result = load([tmp_path])
    assert "cannot be read" in only_problem(result, bad).reason


def test_read_error_is_reported_even_as_root(tmp_path, write_page, monkeypatch):
    import cachetui.reading as reading

    write_page("good.md", page_text("good"))
    bad = write_page("secret.md", page_text("secret"))
    real_read = reading.read_file

    def read(path, explicit, max_bytes):
        if path.endswith("secret.md"):
            raise PermissionError(13, "Permission denied", path)
        return real_read(path, explicit, max_bytes)

    monkeypatch.setattr(reading, "read_file", read)
    result = load([tmp_path])
    assert only_problem(result, bad).reason == "cannot be read: Permission denied"
    assert len(result.catalog) == 1


def test_yaml_alias_bomb_is_refused(tmp_path, write_page):
    bomb = "---\nlayout: cache\ntitle: x\nspec_files:\n - &a [x, x]\n - &b [*a, *a]\n - [*b, *b]\n---\n"
    bad, result = load_with_good(tmp_path, write_page, "bomb.md", bomb)
    assert "aliases are not allowed" in only_problem(result, bad).reason


def test_size_limit(tmp_path, write_page):
    bad, result = None, None
    write_page("good.md", page_text("good"))
    bad = write_page("big.md", page_text("big", specs=[spec_entry()] * 200))
    result = load([tmp_path], max_bytes=10_000)
    assert "over the size limit" in only_problem(result, bad).reason
    assert len(result.catalog) == 1


def test_fifo_does_not_hang(tmp_path, write_page):
    write_page("good.md", page_text("good"))
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    result = load([tmp_path])
    assert "a FIFO" in only_problem(result, fifo).reason
    assert len(result.catalog) == 1


def test_directory_symlink_loop(tmp_path, write_page):
    write_page("d/good.md", page_text("good"))
    os.symlink(tmp_path / "d", tmp_path / "d" / "loop")
    result = load([tmp_path])
    assert len(result.catalog) == 1
    assert any("link loop" in p.reason for p in result.problems)


def test_bom_and_crlf(tmp_path, write_page):
    text = "\ufeff" + page_text("crlf").replace("\n", "\r\n")
    write_page("crlf.md", text.encode("utf-8"))
    result = load([tmp_path])
    assert result.problems == []
    assert result.catalog.spec(0).package == "crlf"
