import json
import subprocess
import sys

import pytest
import yaml
from conftest import CORPUS, DOCUMENTED_KEYS, ROOT, SEEDS, page_text, spec_entry

from cachetui.cli import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_table_default_is_the_seeds(capsys):
    code, out, err = run(capsys, "list")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].split() == [
        "HASH",
        "PACKAGE",
        "VERSION",
        "COMPILER",
        "OS",
        "TARGET",
        "STACKS",
        "TAG",
    ]
    assert len(lines) == 286


def test_list_json_objects_carry_every_field(capsys):
    code, out, _ = run(capsys, "list", str(SEEDS), "--format", "json")
    records = json.loads(out)
    assert code == 0 and len(records) == 285
    assert set(records[0]) == DOCUMENTED_KEYS
    assert {r["package"] for r in records} == {
        "py-msgpack",
        "py-multidict",
        "py-mpi4py",
        "py-ml-dtypes",
    }


def test_list_jsonl_hashes_specs_install_and_limit(capsys):
    _, out, _ = run(capsys, "list", "--format", "jsonl", "--limit", "3")
    assert [json.loads(line)["hash"][:7] for line in out.splitlines()] == [
        "255hkvj",
        "2eh3w57",
        "43rqkoz",
    ]
    _, out, _ = run(capsys, "list", "-f", "hashes", "-n", "2")
    assert out == "/255hkvjjlmt7je7ljqabxkt4rcdwlcbh\n/2eh3w574zywras4nh5hjssuciqdwkwuq\n"
    _, out, _ = run(capsys, "list", "-f", "install", "-n", "1")
    assert out == "spack install /255hkvjjlmt7je7ljqabxkt4rcdwlcbh\n"
    _, out, _ = run(capsys, "list", "-f", "specs", "-n", "1")
    assert (
        out
        == "py-msgpack@1.0.3%gcc@=7.5.0 build_system=python_pip arch=linux-ubuntu18.04-x86_64_v3\n"
    )


def test_list_yaml_and_tsv(capsys):
    _, out, _ = run(capsys, "list", "-f", "yaml", "-n", "2")
    assert [r["hash"][:7] for r in yaml.safe_load(out)] == ["255hkvj", "2eh3w57"]
    _, out, _ = run(capsys, "list", "-f", "tsv", "-n", "1")
    header, row = out.splitlines()
    assert header.split("\t")[:3] == ["hash", "package", "tag"]
    assert row.split("\t")[:3] == ["255hkvjjlmt7je7ljqabxkt4rcdwlcbh", "py-msgpack", "develop"]


def test_hashes_format_reports_specs_without_hash(capsys):
    code, out, err = run(capsys, "list", str(CORPUS / "legacy__zlib__specs.md"), "-f", "hashes")
    assert code == 0 and out == ""
    assert "54 spec(s) have no hash" in err


def test_stats_json(capsys):
    code, out, _ = run(capsys, "stats", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["files_read"], data["pages"], data["packages"], data["specs"]) == (4, 4, 4, 285)
    assert data["tags"] == {"develop": 285}
    assert data["facets"]["platform"] == {"linux": 255, "darwin": 30}
    assert data["problems"] == []


def test_stats_text_lists_bad_files(capsys, write_page, tmp_path):
    write_page("good.md", page_text("good"))
    write_page("bad.md", "---\nlayout: cache\ntitle: x\nmeta: {\n")
    code, out, err = run(capsys, "stats", str(tmp_path))
    assert code == 0
    assert "specs       1" in out
    assert "1 error(s)" in out and "bad.md" in out
    assert "bad.md" in err and "never closed" in err


def test_exit_1_when_nothing_loads(capsys, tmp_path):
    code, _, err = run(capsys, "list", str(tmp_path / "missing"))
    assert code == 1
    assert "missing: error: no such file or directory" in err
    code, _, err = run(capsys, "stats", str(tmp_path))
    assert code == 1 and "no build cache pages found" in err


def test_exit_0_with_bad_files_reported_on_stderr(capsys, write_page, tmp_path):
    write_page("good.md", page_text("good", specs=[spec_entry(), spec_entry(hash="c" * 32)]))
    write_page("bad.md", "---\nlayout: cache\nspec_details: 12\n---\n")
    code, out, err = run(capsys, "list", str(tmp_path), "-f", "hashes")
    assert code == 0 and len(out.splitlines()) == 2
    assert "bad.md" in err and "spec_details is int, not a list" in err


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--format", "xml"],
        ["list", "--limit", "x"],
        ["--nope"],
        ["stats", "--max-file-mb", "-1"],
    ],
)
def test_usage_errors_exit_2(capsys, args):
    try:
        code = main(args)
    except SystemExit as exit:
        code = exit.code
    assert code == 2


def test_module_entry_point_and_help():
    out = subprocess.run(
        [sys.executable, "-m", "cachetui", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0
    assert "list" in out.stdout and "stats" in out.stdout and "PATH" in out.stdout


def test_output_to_a_closed_pipe_is_not_an_error():
    proc = subprocess.run(
        f"{sys.executable} -m cachetui list -f specs {CORPUS} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_list_query(capsys):
    code, out, _ = run(capsys, "list", "-q", "mpi4py os=ubuntu24.04 target=aarch64", "-f", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and records
    assert {(r["package"], r["os"], r["target"]) for r in records} == {
        ("py-mpi4py", "ubuntu24.04", "aarch64")
    }


def test_list_bad_query_is_a_usage_error(capsys):
    code, out, err = run(capsys, "list", "-q", "nope=1")
    assert code == 2 and out == "" and "unknown key 'nope'" in err


def test_find_hash_prefix_and_fuzzy(capsys):
    code, out, _ = run(capsys, "find", "255hk")
    assert code == 0 and "py-msgpack" in out and "255hkvj" in out and "fuzzy" not in out
    code, out, _ = run(capsys, "find", "255hxvjj", "--json")
    data = json.loads(out)
    assert data["hashes"][0]["hash"] == "255hkvjjlmt7je7ljqabxkt4rcdwlcbh"
    assert data["hashes"][0]["match"] == "fuzzy" and data["hashes"][0]["tag"] == "develop"


def test_find_package_names(capsys):
    code, out, _ = run(capsys, "find", "msgpak", "--json")
    data = json.loads(out)
    assert code == 0 and data["packages"][0]["name"] == "py-msgpack"
    assert data["packages"][0]["tags"] == {"develop": 67}


def test_find_nothing_exits_1(capsys):
    code, out, err = run(capsys, "find", "/zzzzzzzz")
    assert code == 1 and out == "" and "nothing matches" in err


@pytest.mark.parametrize("limit", ["0", "-1", "x"])
def test_list_limit_below_one_is_a_usage_error(limit, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["list", str(SEEDS), "--limit", limit])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "--limit" in err


def test_find_without_text_names_text_alone(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["find"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "required: TEXT" in err and "PATH" not in err.split("required:")[1]


def test_cache_clear_json(capsys):
    assert main(["cache", "clear", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["removed"] >= 0 and data["path"]


def test_a_second_reason_is_said_not_counted():
    from cachetui.reading import _one_problem

    reason = _one_problem("p.md", ["first reason", "second reason"]).reason
    assert "second reason" in reason and "more" not in reason
    assert "(and 2 more)" in _one_problem("p.md", ["a", "b", "c"]).reason
