"""``--spack`` and ``cachetui check`` against a fake Spack installation: its scopes name local
v2 and v3 mirrors (made from the saved Spack indexes), and its install database some hashes."""

from __future__ import annotations

import gzip
import hashlib
import json
import shlex
from pathlib import Path

import pytest
import yaml
from conftest import DOCUMENTED_KEYS, FORMATS

from cachetui.cli import main
from cachetui.export import BY_NAME, DIALOG_FORMATS, mirror_root, render
from cachetui.model import Spec

DB7 = FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v7.json"
DB8 = FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v8.json"
LIBELF_7 = "rqh2vuf6fqwkmipzgi2wjx352mq7y7ez"  # DB7: libelf, and libdwarf sk2gqqz linking it
LIBDWARF_7 = "sk2gqqz4n5njmvktycnd25wq25jxiqkr"
LIBDWARF_8 = "u5uz3dcch5if4eve4sef67o2rf2lbfgh"  # DB8: links libelf jr3yipy and gcc-runtime
LIBELF_8 = "jr3yipyxyjulcdvckwwwjrrumis7glpa"  # left out of the v3 mirror: missing


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def make_v2_mirror(root: Path, db: Path) -> Path:
    write(root / "build_cache" / "index.json", db.read_text())
    return root


def make_v3_mirror(root: Path, database: dict) -> Path:
    blob = gzip.compress(json.dumps(database).encode())
    checksum = hashlib.sha256(blob).hexdigest()
    (root / "blobs" / "sha256" / checksum[:2]).mkdir(parents=True)
    (root / "blobs" / "sha256" / checksum[:2] / checksum).write_bytes(blob)
    record = {"contentLength": len(blob), "mediaType": "application/vnd.spack.db.v8+json",
              "compression": "gzip", "checksumAlgorithm": "sha256", "checksum": checksum}  # fmt: skip
    write(root / "v3" / "manifests" / "index" / "index.manifest.json",
          json.dumps({"version": 3, "data": [record]}))  # fmt: skip
    return root


def without(db: Path, full_hash: str) -> dict:
    database = json.loads(db.read_text())
    del database["database"]["installs"][full_hash]
    return database


def write_db(install_root: Path, installed: dict[str, bool]) -> None:
    record = {"spec": {"name": "x"}, "path": "/x", "ref_count": 0}
    installs = {h: {**record, "installed": flag} for h, flag in installed.items()}
    write(install_root / ".spack-db" / "index.json",
          json.dumps({"database": {"version": "8", "installs": installs}}))  # fmt: skip


class FakeSpack:
    """A Spack root with a site scope naming two local mirrors, a user scope naming an s3 one."""

    def __init__(self, base: Path) -> None:
        self.root = base / "spack"
        self.site = self.root / "etc" / "spack"
        self.user = base / "home" / ".spack"
        self.v2 = make_v2_mirror(base / "mirrors" / "folder-two", DB7)
        self.v3 = make_v3_mirror(base / "mirrors" / "folder-three", without(DB8, LIBELF_8))
        write(self.site / "mirrors.yaml",
              f"mirrors:\n  main: {self.v2}\n  partial:\n    url: file://{self.v3}\n")  # fmt: skip
        write(self.user / "mirrors.yaml", "mirrors:\n  cloud: s3://bucket/cache\n")
        self.install_root = self.root / "opt" / "spack"
        write_db(self.install_root, {LIBELF_7: True, LIBDWARF_7: False})


@pytest.fixture
def spack(tmp_path, monkeypatch) -> FakeSpack:
    fake = FakeSpack(tmp_path)
    for name in ("SPACK_USER_CONFIG_PATH", "SPACK_DISABLE_LOCAL_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SPACK_ROOT", str(fake.root))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SPACK_SYSTEM_CONFIG_PATH", str(tmp_path / "no-system"))
    monkeypatch.setenv("CACHETUI_CACHE_DIR", str(tmp_path / "cache"))
    return fake


@pytest.fixture
def no_spack(tmp_path, monkeypatch):
    monkeypatch.delenv("SPACK_ROOT", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SPACK_SYSTEM_CONFIG_PATH", str(tmp_path / "no-system"))
    monkeypatch.setenv("CACHETUI_CACHE_DIR", str(tmp_path / "cache"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def records(capsys, *argv: str) -> list[dict]:
    code, out, _ = run(capsys, "list", "--spack", "--format", "json", *argv)
    assert code == 0
    return json.loads(out)


# -- --spack ------------------------------------------------------------------------------------


def test_list_spack_tags_every_mirror_by_its_name(spack, capsys):
    found = records(capsys)
    by_tag: dict[str, set[str]] = {}
    for record in found:
        by_tag.setdefault(record["tag"], set()).add(record["hash"])
    assert by_tag == {
        "main": {LIBELF_7, LIBDWARF_7},
        "partial": {r["hash"] for r in found if r["tag"] == "partial"},
    }
    assert len(by_tag["partial"]) == 5 and LIBDWARF_8 in by_tag["partial"]


def test_spack_mirrors_are_added_to_the_paths_given(spack, capsys, tmp_path):
    extra = make_v2_mirror(tmp_path / "extra", DB7)
    found = records(capsys, str(extra))
    assert {r["tag"] for r in found} == {"extra", "main", "partial"}


def test_installed_in_json_output(spack, capsys):
    found = records(capsys)
    assert set(found[0]) == DOCUMENTED_KEYS
    installed = {r["hash"]: r["installed"] for r in found}
    assert installed[LIBELF_7] is True
    assert installed[LIBDWARF_7] is False  # in the database, but uninstalled
    assert installed[LIBDWARF_8] is False


def test_installed_is_null_without_spack(capsys):
    code, out, _ = run(capsys, "list", "--format", "json", "--limit", "3")
    assert code == 0 and {r["installed"] for r in json.loads(out)} == {None}


def test_installed_query_token(spack, capsys):
    code, out, _ = run(capsys, "list", "--spack", "-q", "installed=yes", "--format", "hashes")
    assert (code, out) == (0, f"/{LIBELF_7}\n" * 2)  # in both mirrors
    code, out, _ = run(capsys, "list", "--spack", "-q", "installed=no libdwarf", "-f", "hashes")
    assert set(out.split()) == {f"/{LIBDWARF_7}", f"/{LIBDWARF_8}"}


def test_installed_query_without_spack_matches_nothing_and_says_why(capsys):
    for query in ("installed=yes", "installed=no", "!installed=yes"):
        code, out, err = run(capsys, "list", "-q", query, "--format", "hashes")
        assert (code, out) == (0, "") and "not known" in err
    code, _, err = run(capsys, "list", "-q", "installed=maybe")
    assert code == 2 and "installed= takes yes or no" in err


def test_unsupported_mirror_is_reported_and_the_rest_loads(spack, capsys):
    code, out, err = run(capsys, "stats", "--spack", "--json")
    assert code == 0
    assert json.loads(out)["tags"] == {"main": 2, "partial": 5}
    (line,) = [line for line in err.splitlines() if "cloud" in line]
    assert str(spack.user / "mirrors.yaml") in line
    assert "mirror cloud: s3:// is not supported" in line


def test_bad_mirrors_yaml_is_reported_and_the_rest_loads(spack, capsys):
    write(spack.user / "mirrors.yaml", "mirrors: [not, a, mapping]\n")
    code, out, err = run(capsys, "stats", "--spack", "--json")
    assert code == 0 and json.loads(out)["tags"] == {"main": 2, "partial": 5}
    assert f"{spack.user / 'mirrors.yaml'}: error: 'mirrors' is a list, not a mapping" in err
    write(spack.user / "mirrors.yaml", "mirrors: {unclosed\n")
    code, _, err = run(capsys, "stats", "--spack")
    assert code == 0 and str(spack.user / "mirrors.yaml") in err


def test_spack_without_spack_or_config_exits_1(no_spack, capsys):
    code, out, err = run(capsys, "list", "--spack")
    assert (code, out) == (1, "")
    assert "no Spack found" in err and "SPACK_ROOT" in err


def test_spack_without_a_readable_mirror_loads_nothing_not_the_seeds(spack, capsys):
    write(spack.site / "mirrors.yaml", "mirrors:\n  only: gs://bucket/x\n")
    code, out, err = run(capsys, "list", "--spack")
    assert (code, out) == (1, "")
    assert "mirror only: gs:// is not supported" in err and "no specs loaded" in err


def test_spack_on_diff_and_find(spack, capsys):
    code, out, _ = run(capsys, "diff", "main", "partial", "--spack", "--format", "json")
    assert code == 0 and json.loads(out)
    code, out, _ = run(capsys, "find", "/sk2gqq", "--spack", "--json")
    assert code == 0 and json.loads(out)["hashes"][0]["tag"] == "main"


# -- check --------------------------------------------------------------------------------------


def test_check_complete(spack, capsys):
    code, out, _ = run(capsys, "check", "/" + LIBDWARF_7[:7], "--spack")
    assert code == 0
    assert out.startswith(f"libdwarf@20130729/{LIBDWARF_7[:7]}: complete")


def test_check_missing_dependency_names_it_and_who_needs_it(spack, capsys):
    code, out, _ = run(capsys, "check", LIBDWARF_8[:7], "/" + LIBDWARF_7[:9], "--spack")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"libdwarf@20130729/{LIBDWARF_8[:7]}: incomplete (1 dependencies present)"
    # The edge names no version, and the missing record is nowhere: name and hash only.
    assert lines[1].startswith(f"  missing libelf/{LIBELF_8[:7]} (build,link), needed by")
    assert lines[1].endswith(f"libdwarf@20130729/{LIBDWARF_8[:7]}")
    code, out, _ = run(capsys, "check", LIBDWARF_8[:7], "--spack", "--json")
    (result,) = json.loads(out)["results"]
    assert (code, result["verdict"]) == (1, "incomplete")
    (missing,) = result["missing"]
    assert (missing["name"], missing["hash"]) == ("libelf", LIBELF_8)
    assert missing["needed_by"][-1]["hash"] == LIBDWARF_8


def test_check_no_such_spec_exits_2(spack, capsys):
    code, out, _ = run(capsys, "check", "/zzzzzzz", LIBDWARF_7[:7], "--spack")
    assert code == 2 and "/zzzzzzz: no such spec" in out


def test_check_usage_errors(spack, capsys):
    assert run(capsys, "check", "--spack")[0] == 2
    code, _, err = run(capsys, "check", "not-a-hash!", "--spack")
    assert code == 2 and "neither a hash prefix nor an existing path" in err


def test_check_counts_what_is_installed_here(spack, capsys):
    write_db(spack.install_root, {LIBELF_8: True})  # Spack reuses it: not needed from a cache
    code, out, _ = run(capsys, "check", LIBDWARF_8[:7], "--spack")
    assert code == 0
    assert ": complete" in out.splitlines()[0]
    assert f"  installed here: /{LIBELF_8[:7]}" in out


def test_check_a_path_without_spack(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CACHETUI_CACHE_DIR", str(tmp_path / "cache"))
    mirror = make_v2_mirror(tmp_path / "m", DB7)
    code, out, _ = run(capsys, "check", LIBDWARF_7[:7], str(mirror), "--json")
    assert code == 0 and json.loads(out)["results"][0]["verdict"] == "complete"


def test_check_values_are_escaped(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("CACHETUI_CACHE_DIR", str(tmp_path / "cache"))
    database = json.loads(DB7.read_text())
    database["database"]["installs"][LIBDWARF_7]["spec"]["name"] = "evil\x1b[31m"
    database["database"]["installs"][LIBDWARF_7]["spec"]["dependencies"][0]["name"] = "dep\x07"
    del database["database"]["installs"][LIBELF_7]
    mirror = make_v3_mirror(tmp_path / "m", database)
    code, out, _ = run(capsys, "check", LIBDWARF_7[:7], str(mirror))
    assert code == 1 and "\x1b" not in out and "\x07" not in out


# -- exports ------------------------------------------------------------------------------------


def test_spack_yaml_export(spack, capsys):
    code, out, _ = run(capsys, "list", "--spack", "--format", "spack.yaml")
    assert code == 0
    environment = yaml.safe_load(out)["spack"]
    assert f"/{LIBELF_7}" in environment["specs"] and len(environment["specs"]) == 5  # distinct
    assert environment["mirrors"] == {"main": str(spack.v2), "partial": str(spack.v3)}


def test_spack_yaml_without_known_mirrors_lists_specs_only(capsys):
    code, out, _ = run(capsys, "list", "--format", "spack.yaml", "--limit", "2")
    environment = yaml.safe_load(out)["spack"]
    assert code == 0 and list(environment) == ["specs"] and len(environment["specs"]) == 2


def test_mirror_setup_export(spack, capsys):
    code, out, _ = run(capsys, "list", "--spack", "--format", "mirror-setup")
    assert code == 0
    assert [shlex.split(line) for line in out.splitlines()] == [
        ["spack", "mirror", "add", "main", str(spack.v2)],
        ["spack", "mirror", "add", "partial", str(spack.v3)],
        ["spack", "buildcache", "keys", "--install", "--trust"],
    ]


def test_spack_exports_are_in_the_registry_and_the_dialog():
    assert {"spack.yaml", "mirror-setup"} <= {f.name for f in DIALOG_FORMATS}
    assert BY_NAME["spack.yaml"].extension == "yaml"


def test_mirror_names_and_urls_are_quoted_and_unique():
    def spec(tag: str, source: str) -> Spec:
        return Spec("a" * 32, "p", tag, ("1",), "gcc", "os", "linux", "x86_64", source=source)

    specs = [
        spec("bad; rm -rf ~", "https://h.example/x/build_cache/index.json"),
        spec("same", "https://one.example/m"),
        spec("same", "https://two.example/m/v3/manifests/index/index.manifest.json"),
        spec("page", "/nowhere/page.md"),
    ]
    lines = render(specs, "mirror-setup").splitlines()
    assert [shlex.split(line)[3:] for line in lines[:-1]] == [
        ["bad; rm -rf ~", "https://h.example/x"],
        ["same", "https://one.example/m"],
        ["same-2", "https://two.example/m"],
    ]
    assert mirror_root("https://build_cache/index.json") is None
    assert yaml.safe_load(render(specs, "spack.yaml"))["spack"]["specs"] == ["/" + "a" * 32]


# -- the browser --------------------------------------------------------------------------------


async def test_browser_tags_mirrors_and_filters_installed(spack, tmp_path):
    from apphelpers import settle

    from cachetui.ui.app import CacheApp
    from cachetui.ui.widgets.filter_box import FilterBox
    from cachetui.ui.widgets.spec_table import SpecTable

    paths = [str(spack.v2), str(spack.v3)]
    tags = {paths[0]: "main", paths[1]: "partial"}
    app = CacheApp(paths, tags=tags, installed=frozenset({LIBELF_7}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.catalog.tags == ["main", "partial"]
        await pilot.press("slash", *"installed=yes", "enter")
        await settle(pilot)
        table = app.query_one(SpecTable)
        assert app.query_one(FilterBox).value == "installed=yes"
        assert {app.catalog.spec(i).hash for i in table.ids} == {LIBELF_7}
