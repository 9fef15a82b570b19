"""Reading the user's Spack setup from a fake Spack installation, its scopes and install db."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from cachetui import spackconfig, spackinstall, spackpaths
from cachetui.spackconfig import (
    Mirror,
    config_scopes,
    find_spack,
    merge_yaml,
    read_spack_setup,
)

HASH_A = "a" * 32
HASH_B = "b2" * 16
HASH_GONE = "c3" * 16  # in the db, but uninstalled

DEFAULT_CONFIG = "config:\n  install_tree:\n    root: $spack/opt/spack\n"
DEFAULT_MIRRORS = "mirrors:\n  spack-public:\n    binary: false\n    url: https://mirror.spack.io\n"
SITE_MIRRORS = """\
mirrors:
  site-cache:
    fetch: https://cache.example.org/site
    push:
      url: s3://bucket/site
    signed: false
  shared:
    url: https://site.example.org/shared
    binary: true
"""
USER_MIRRORS = """\
mirrors:
  mine: ./caches/mine
  shared:
    fetch: https://user.example.org/shared
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def write_db(root: Path, installs: dict) -> Path:
    return write(
        root / ".spack-db" / "index.json",
        json.dumps({"database": {"version": "8", "installs": installs}}),
    )


class FakeSpack:
    def __init__(self, base: Path) -> None:
        self.root = base / "spack"
        self.home = base / "home"
        self.system = base / "system"
        self.user = self.home / ".spack"
        spack = write(self.root / "bin" / "spack", "#!/bin/sh\nexit 1\n")
        spack.chmod(0o755)
        self.defaults = self.root / "etc" / "spack" / "defaults"
        self.site = self.root / "etc" / "spack"
        write(self.defaults / "config.yaml", DEFAULT_CONFIG)
        write(self.defaults / "mirrors.yaml", DEFAULT_MIRRORS)
        write(self.site / "mirrors.yaml", SITE_MIRRORS)
        write(self.user / "mirrors.yaml", USER_MIRRORS)
        self.system.mkdir()
        record = {"spec": {"name": "zlib"}, "path": "/x", "ref_count": 0}
        write_db(
            self.root / "opt" / "spack",
            {
                HASH_A: {**record, "installed": True},
                HASH_B: {**record, "installed": True, "explicit": True},
                HASH_GONE: {**record, "installed": False},
            },
        )
        self.env = {
            "SPACK_ROOT": str(self.root),
            "SPACK_SYSTEM_CONFIG_PATH": str(self.system),
            "PATH": "",
        }

    def read(self, **extra: str):
        return read_spack_setup(env={**self.env, **extra}, home=str(self.home))


@pytest.fixture
def spack(tmp_path) -> FakeSpack:
    return FakeSpack(tmp_path)


def by_name(setup) -> dict[str, Mirror]:
    return {mirror.name: mirror for mirror in setup.mirrors}


def reasons(setup) -> list[str]:
    return [f"{Path(p.path).name}: {p.reason}" for p in setup.problems]


# -- finding Spack ----------------------------------------------------------------------------


def test_find_spack_prefers_spack_root(spack, tmp_path):
    assert find_spack({"SPACK_ROOT": str(spack.root), "PATH": ""}) == str(spack.root)


def test_find_spack_resolves_spack_on_path_through_links(spack, tmp_path):
    links = tmp_path / "links"
    links.mkdir()
    (links / "spack").symlink_to(spack.root / "bin" / "spack")
    path = os.pathsep.join([str(tmp_path / "nowhere"), str(links)])
    assert find_spack({"PATH": path}) == str(spack.root)


def test_find_spack_none_without_spack_or_with_a_wrapper_outside_bin(tmp_path):
    assert find_spack({"PATH": str(tmp_path)}) is None
    wrapper = write(tmp_path / "tools" / "spack", "#!/bin/sh\n")
    wrapper.chmod(0o755)
    assert find_spack({"PATH": str(wrapper.parent)}) is None
    assert find_spack({"SPACK_ROOT": str(tmp_path / "missing"), "PATH": ""}) is None


# -- scopes -----------------------------------------------------------------------------------


def test_scopes_in_spack_precedence_order(spack):
    scopes = config_scopes(str(spack.root), spack.env, str(spack.home))
    assert scopes == [
        ("defaults", str(spack.defaults)),
        ("system", str(spack.system)),
        ("site", str(spack.site)),
        ("user", str(spack.user)),
    ]


def test_default_system_and_user_paths(spack):
    scopes = dict(config_scopes(str(spack.root), {}, "/home/u"))
    assert scopes["system"] == "/etc/spack"
    assert scopes["user"] == "/home/u/.spack"


def test_disable_local_config_drops_system_and_user(spack):
    scopes = config_scopes(str(spack.root), {"SPACK_DISABLE_LOCAL_CONFIG": ""}, "/h")
    assert [name for name, _ in scopes] == ["defaults", "site"]
    setup = spack.read(SPACK_DISABLE_LOCAL_CONFIG="1")
    assert set(by_name(setup)) == {"site-cache", "shared"}
    assert by_name(setup)["shared"].fetch_url == "https://site.example.org/shared"


def test_user_config_path_moves_the_user_scope(spack, tmp_path):
    elsewhere = tmp_path / "cfg"
    write(elsewhere / "mirrors.yaml", "mirrors:\n  other: https://other.example.org\n")
    setup = spack.read(SPACK_USER_CONFIG_PATH=str(elsewhere))
    assert "other" in by_name(setup) and "mine" not in by_name(setup)
    assert str(elsewhere) in setup.scopes and str(spack.user) not in setup.scopes


# -- mirrors ----------------------------------------------------------------------------------


def test_binary_mirrors_merged_across_scopes(spack):
    setup = spack.read()
    assert setup.root == str(spack.root)
    assert setup.scopes == [
        str(spack.defaults),
        str(spack.system),
        str(spack.site),
        str(spack.user),
    ]
    # Higher scopes first, as Spack tries them.
    assert [m.name for m in setup.mirrors] == ["mine", "shared", "site-cache"]
    mirrors = by_name(setup)
    assert mirrors["site-cache"] == Mirror(
        "site-cache",
        "https://cache.example.org/site",
        "s3://bucket/site",
        str(spack.site / "mirrors.yaml"),
    )
    # The user's fetch URL merges over the site's url, which is still the push URL.
    assert mirrors["shared"].fetch_url == "https://user.example.org/shared"
    assert mirrors["shared"].push_url == "https://site.example.org/shared"
    assert mirrors["shared"].scope_path == str(spack.user / "mirrors.yaml")
    assert mirrors["shared"].fetch_path is None


def test_relative_mirror_path_is_taken_from_its_file(spack):
    mine = by_name(spack.read())["mine"]
    expected = spack.user / "caches" / "mine"
    assert mine.fetch_url == "file://" + str(expected)
    assert mine.push_url == mine.fetch_url
    assert mine.fetch_path == str(expected)


def test_source_only_mirror_is_skipped_with_a_note(spack):
    setup = spack.read()
    assert "spack-public" not in by_name(setup)
    notes = [p for p in setup.problems if "spack-public" in p.reason]
    assert len(notes) == 1 and notes[0].level == "warning"
    assert notes[0].path == str(spack.defaults / "mirrors.yaml")


def test_double_colon_replaces_lower_scopes(spack):
    write(spack.user / "mirrors.yaml", "mirrors::\n  only: https://only.example.org\n")
    setup = spack.read()
    assert by_name(setup) == {
        "only": Mirror(
            "only",
            "https://only.example.org",
            "https://only.example.org",
            str(spack.user / "mirrors.yaml"),
        )
    }
    assert not any("spack-public" in p.reason for p in setup.problems)


def test_double_colon_on_one_mirror_replaces_instead_of_merging(spack):
    write(spack.user / "mirrors.yaml", "mirrors:\n  shared::\n    fetch: https://u.example.org\n")
    shared = by_name(spack.read())["shared"]
    # Without the site's url there is no push URL of its own: Spack falls back to fetch.
    assert shared.fetch_url == shared.push_url == "https://u.example.org"


def test_env_and_home_substitutions_in_mirror_paths(spack, tmp_path):
    write(
        spack.user / "mirrors.yaml",
        "mirrors:\n  a: $CACHES/a\n  b: ~/b\n  c: ${spack}/c\n  d: $spack/d\n  e: $tempdir/e\n",
    )
    mirrors = by_name(spack.read(CACHES=str(tmp_path / "caches")))
    assert mirrors["a"].fetch_path == str(tmp_path / "caches" / "a")
    assert mirrors["b"].fetch_path == str(spack.home / "b")
    assert mirrors["c"].fetch_path == str(spack.root / "c")
    assert mirrors["d"].fetch_path == str(spack.root / "d")
    assert mirrors["e"].fetch_path == os.path.join(tempfile.gettempdir(), "e")


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("[1, 2]", "a list, not a URL or mapping"),
        ("\n    binary: false", "sources only"),
        ("\n    binary: maybe", "'binary' is not true or false"),
        ("\n    push: https://p.example.org", "has no fetch URL"),
        ("\n    url: 42", "has no fetch URL"),
    ],
)
def test_odd_mirror_entries_are_problems(spack, entry, reason):
    write(spack.user / "mirrors.yaml", f"mirrors:\n  odd: {entry}\n  fine: https://f.org\n")
    setup = spack.read()
    assert "odd" not in by_name(setup) and "fine" in by_name(setup)
    assert any(reason in p.reason and "odd" in p.reason for p in setup.problems)


def test_merge_yaml_follows_spack():
    lower = {"a": {"x": 1, "y": 2}, "l": [1, 2], "s": "low"}
    higher = {"a": {"x": 9}, "l": [3, 1], "s": "high"}
    assert merge_yaml(lower, higher) == {"a": {"x": 9, "y": 2}, "l": [3, 1, 2], "s": "high"}
    assert list(merge_yaml({"old": 1}, {"new": 2})) == ["new", "old"]
    assert merge_yaml(lower, None) == lower


# -- install tree -----------------------------------------------------------------------------


def test_installed_hashes_from_the_default_install_tree(spack):
    setup = spack.read()
    assert setup.install_root == str(spack.root / "opt" / "spack")
    assert setup.installed == frozenset({HASH_A, HASH_B})
    assert setup.problems == [p for p in setup.problems if p.level == "warning"]


def test_install_tree_root_in_user_config(spack, tmp_path):
    tree = tmp_path / "tree"
    write_db(tree, {HASH_B: {"installed": True}})
    write(spack.user / "config.yaml", f"config:\n  install_tree:\n    root: {tree}/\n")
    setup = spack.read()
    assert setup.install_root == str(tree)
    assert setup.installed == frozenset({HASH_B})


def test_old_string_install_tree_and_user_variable(spack, tmp_path):
    user = spackpaths.user_name({})
    write(spack.user / "config.yaml", f"config:\n  install_tree: {tmp_path}/$user/tree\n")
    assert spack.read().install_root == str(tmp_path / user / "tree")


def test_padded_install_root(spack, tmp_path):
    write(
        spack.user / "config.yaml",
        f"config:\n  install_tree:\n    root: {tmp_path}/t\n    padded_length: 128\n",
    )
    root = spack.read().install_root
    assert root is not None and len(root) == 128
    assert root.startswith(str(tmp_path / "t" / "__spack_path_placeholder__"))


def test_without_spack_user_mirrors_still_read(spack):
    setup = read_spack_setup(
        env={"PATH": "", "SPACK_SYSTEM_CONFIG_PATH": str(spack.system)}, home=str(spack.home)
    )
    assert setup.root is None and setup.install_root is None
    assert set(by_name(setup)) == {"mine", "shared"}
    assert setup.installed == frozenset()


# -- untrusted bytes --------------------------------------------------------------------------


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


BAD_FILES = {
    "bad yaml": (lambda p: p.write_text("mirrors: {a: [\n"), "not valid YAML"),
    "a list": (lambda p: p.write_text("- a\n- b\n"), "is a list, not a mapping"),
    "mirrors a list": (lambda p: p.write_text("mirrors: [a, b]\n"), "'mirrors' is a list"),
    "alias": (
        lambda p: p.write_text("mirrors:\n  a: &u https://x.org\n  b: *u\n"),
        "aliases are not allowed",
    ),
    "not utf-8": (lambda p: p.write_bytes(b"mirrors:\n  a: \xff\n"), "not UTF-8"),
    "folder": (_folder, "is a folder"),
    "fifo": (lambda p: (p.unlink(), os.mkfifo(p)), "is a FIFO"),
    "too large": (
        lambda p: p.write_text("#" * 5000 + "\nmirrors: {}\n"),
        "larger than 4096 bytes",
    ),
    "list key": (lambda p: p.write_text("mirrors:\n  ? [a]\n  : x\n"), "not valid YAML"),
    "deep": (lambda p: p.write_text("mirrors: " + "[" * 100 + "]" * 100 + "\n"), "nested"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_user_mirrors_file_is_a_problem_and_the_rest_reads(spack, monkeypatch, case):
    monkeypatch.setattr(spackconfig, "MAX_CONFIG_BYTES", 4096)
    make, reason = BAD_FILES[case]
    path = spack.user / "mirrors.yaml"
    make(path)
    setup = spack.read()
    bad = [p for p in setup.problems if p.path == str(path)]
    assert len(bad) == 1 and reason in bad[0].reason, setup.problems
    assert bad[0].level == "error"
    assert set(by_name(setup)) == {"site-cache", "shared"}  # the lower scopes still count
    assert setup.installed == frozenset({HASH_A, HASH_B})


def test_bad_config_yaml_keeps_the_default_install_tree(spack):
    write(spack.user / "config.yaml", "config:\n  install_tree: [1]\n")
    setup = spack.read()
    assert setup.install_root == str(spack.root / "opt" / "spack")
    assert any("install_tree" in p.reason for p in setup.problems)


def test_missing_section_key_is_a_warning(spack):
    write(spack.user / "mirrors.yaml", "config: {}\n")
    setup = spack.read()
    assert any(p.level == "warning" and "no 'mirrors:' key" in p.reason for p in setup.problems)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "is not JSON"),
        (b"[1, 2]", "has no database.installs mapping"),
        (b'{"database": {"installs": [1]}}', "has no database.installs mapping"),
        (b"[" * 100_000 + b"]" * 100_000, "is not JSON: nested too deeply"),
        (b'{"database": {"installs": {"\xff": 1}}}', "is not JSON: not utf-8 text (byte 28)"),
    ],
)
def test_bad_install_db(spack, content, reason):
    db = spack.root / "opt" / "spack" / ".spack-db" / "index.json"
    db.write_bytes(content)
    setup = spack.read()
    assert setup.installed == frozenset()
    assert [p.path for p in setup.problems if reason in p.reason] == [str(db)]
    assert "site-cache" in by_name(setup)


def test_install_db_fifo_is_never_opened(spack):
    db = spack.root / "opt" / "spack" / ".spack-db" / "index.json"
    db.unlink()
    os.mkfifo(db)
    setup = spack.read()  # would block forever if the FIFO were opened
    assert setup.installed == frozenset()
    assert any(p.path == str(db) and "FIFO" in p.reason for p in setup.problems)


def test_odd_install_records_are_counted_not_fatal(spack):
    write_db(
        spack.root / "opt" / "spack",
        {HASH_A: {"installed": True}, "short": {"installed": True}, HASH_B: [1], HASH_GONE: {}},
    )
    setup = spack.read()
    assert setup.installed == frozenset({HASH_A})
    assert any("2 install records" in p.reason for p in setup.problems)


def test_install_db_over_the_size_limit_is_skipped(spack, monkeypatch):
    monkeypatch.setattr(spackinstall, "MAX_DB_BYTES", 64)
    setup = spack.read()
    assert setup.installed == frozenset()
    assert any(
        p.path.endswith("index.json") and "larger than 64 bytes" in p.reason for p in setup.problems
    )
