"""The settings file: reading it as untrusted input, `cachetui config`, and the default --host."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, run_cli

from cachetui.settings import (
    MAX_CONFIG_BYTES,
    config_path,
    load_settings,
    parse_settings,
    remember_theme,
    remembered_theme,
    state_path,
)
from cachetui.ui.actions import ACTIONS, check_keymap


@pytest.fixture
def config(tmp_path, monkeypatch):
    """Write the config file that cachetui reads (via $CACHETUI_CONFIG)."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("CACHETUI_CONFIG", str(path))

    def write(text: str | bytes) -> Path:
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


def readme_example() -> str:
    """The commented example config of the README's Settings section: the one definition."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Settings\n", 1)[1]
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


def test_the_path_follows_xdg_and_the_override(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_path() == tmp_path / "xdg" / "cachetui" / "config.toml"
    code, out, _ = run_cli(capsys, "config", "path")
    assert (code, out) == (0, f"{tmp_path / 'xdg' / 'cachetui' / 'config.toml'}\n")
    monkeypatch.setenv("CACHETUI_CONFIG", str(tmp_path / "elsewhere.toml"))
    code, out, _ = run_cli(capsys, "config", "path")
    assert out == f"{tmp_path / 'elsewhere.toml'}\n"


def test_no_file_means_the_defaults_quietly(capsys):
    settings = load_settings()
    assert (settings.theme, settings.host, settings.columns, settings.keys) == (
        None,
        None,
        None,
        {},
    )
    assert settings.problems == ()
    code, out, err = run_cli(capsys, "config", "show")
    assert code == 0 and err == ""
    assert "(none: every setting is at its default)" in out
    assert re.search(r"^  browser\.facets +f$", out, re.M)


def test_the_readme_example_parses_and_applies(config, capsys):
    config(readme_example())
    settings = load_settings()
    assert settings.problems == ()
    assert settings.theme == "gruvbox"
    assert settings.host is not None and settings.host.target == "zen4"
    assert settings.columns == (
        "hash",
        "runs",
        "package",
        "version",
        "os",
        "target",
        "compiler",
        "tag",
    )
    keymap, messages = check_keymap(settings.keys, str(settings.path))
    assert messages == []
    assert keymap == {"browser.facets": "F", "table.sort_next": "o,ctrl+s"}
    code, out, err = run_cli(capsys, "config", "show", "--json")
    data = json.loads(out)
    assert (code, err) == (0, "")
    assert data["theme"] == "gruvbox" and data["host"] == "zen4,rhel8"
    assert data["keys"]["browser.facets"] == {"section": "Anywhere", "default": "f", "keys": "F"}
    assert data["keys"]["table.sort_next"]["keys"] == "o ctrl+s"
    assert data["problems"] == []
    code, out, _ = run_cli(capsys, "config", "show")
    assert re.search(r"^  browser\.facets +F  \(default f\)$", out, re.M)


def test_quoted_and_unquoted_binding_ids_mean_the_same(tmp_path):
    quoted = parse_settings('[keys]\n"browser.facets" = "F"\n', tmp_path / "c.toml")
    dotted = parse_settings('[keys]\nbrowser.facets = "F"\n', tmp_path / "c.toml")
    section = parse_settings('[keys.browser]\nfacets = "F"\n', tmp_path / "c.toml")
    assert quoted.keys == dotted.keys == section.keys == {"browser.facets": "F"}
    deep = parse_settings('[keys]\na.b.c.d = "F"\n', tmp_path / "c.toml")
    assert "keys.a.b.c: the keys must be text" in deep.messages()[0]


def test_config_show_lists_every_binding_id(capsys):
    code, out, _ = run_cli(capsys, "config", "show", "--json")
    assert list(json.loads(out)["keys"]) == [a.id for a in ACTIONS]


def test_the_config_host_is_the_default_for_host(config, capsys):
    config('host = "skylake_avx512,ubuntu18.04"\n')
    args = ["list", str(SEEDS), "-q", "/255hkvj", "-f", "json"]
    code, out, err = run_cli(capsys, *args)
    assert code == 0 and err == ""
    assert json.loads(out)[0]["runs_here"] == "yes"  # x86_64_v3 on ubuntu18.04 runs there
    code, out, _ = run_cli(capsys, *args, "--host", "zen3,rhel8")
    assert json.loads(out)[0]["runs_here"] == "no"  # --host wins


# -- bad files: each a message naming the file and the reason; the rest still applies ----------

BAD = {
    "syntax": ('theme = "nord"\nhost = \n', "not valid TOML", None),
    "theme type": (
        'theme = 3\nhost = "zen4"\n',
        "theme must be a theme name (text), not a number",
        "host",
    ),
    "unknown setting": (
        'colour = "red"\nhost = "zen4"\n',
        "unknown setting 'colour' ignored",
        "host",
    ),
    "keys not a table": ('keys = "F"\nhost = "zen4"\n', "keys must be a table", "host"),
    "key not text": (
        'host = "zen4"\n[keys]\n"browser.facets" = 1\n',
        "keys.browser.facets: the keys must be text",
        "host",
    ),
    "empty key name": (
        'host = "zen4"\n[keys]\n"browser.facets" = "F,,g"\n',
        "is not a list of up to 8 key names",
        "host",
    ),
    "bad host": ('host = "zen99"\ntheme = "nord"\n', "host: unknown target 'zen99'", "theme"),
    "host type": ('host = ["zen4"]\ntheme = "nord"\n', "host must be TARGET[,OS]", "theme"),
    "unknown column": (
        'columns = ["hash", "colour"]\ntheme = "nord"\n',
        "unknown column(s) 'colour' ignored",
        "theme",
    ),
    "columns type": (
        'columns = "hash"\ntheme = "nord"\n',
        "columns must be a list of column names",
        "theme",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_setting_is_named_and_the_rest_applies(config, capsys, case):
    text, reason, kept = BAD[case]
    path = config(text)
    settings = load_settings()
    assert [p.path for p in settings.problems] == [str(path)]
    assert reason in settings.messages()[0]
    if kept == "host":
        assert settings.host is not None and settings.host.target == "zen4"
    elif kept == "theme":
        assert settings.theme == "nord"
    # The CLI says so on stderr, once per problem, and still works.
    code, out, err = run_cli(capsys, "list", str(SEEDS), "-n", "1", "-f", "hashes")
    assert code == 0 and out.startswith("/")
    assert err.count(str(path)) == 1 and reason in err


def test_a_syntax_error_names_the_line(config):
    config('theme = "nord"\n\nhost = \n')
    settings = load_settings()
    assert settings.theme is None  # nothing is half-read
    assert "line 3" in settings.messages()[0]
    assert "every setting is at its default" in settings.messages()[0]


def test_a_huge_file_is_not_read(config, capsys):
    path = config(b"# " + b"x" * MAX_CONFIG_BYTES + b"\n")
    settings = load_settings()
    assert (
        settings.messages()
        == [f"{path}: warning: is larger than 64 KB; skipped; every setting is at its default"]
        or "larger than" in settings.messages()[0]
    )
    code, _, err = run_cli(capsys, "list", str(SEEDS), "-n", "1")
    assert code == 0 and str(path) in err and "larger than" in err


def test_a_file_that_is_not_utf8(config):
    path = config(b'theme = "\xff"\n')
    settings = load_settings()
    assert settings.messages() == [
        f"{path}: warning: is not UTF-8 text (byte 9); every setting is at its default"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_not_opened(tmp_path, monkeypatch):
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    monkeypatch.setenv("CACHETUI_CONFIG", str(fifo))
    settings = load_settings()  # returns: a FIFO would block forever if opened
    assert "is a FIFO" in settings.messages()[0]


KEYMAP_BAD = {
    "unknown binding id": (
        {"browser.facet": "F"},
        "unknown binding id 'browser.facet' ignored (did you mean 'browser.facets'?",
    ),
    "no such key": ({"browser.facets": "ctrl+nosuchkey"}, "no key is called 'ctrl+nosuchkey'"),
    "bad modifier": ({"browser.facets": "cmd+f"}, "no key is called 'cmd+f'"),
    "bound twice": (
        {"table.sort_next": "j"},
        "'j' would be bound twice in 'Spec table' (table.cursor_down and table.sort_next); table.sort_next keeps its default",
    ),
    "two remapped to one key": (
        {"browser.facets": "z", "browser.copy": "z"},
        "'z' would be bound twice in 'Anywhere'",
    ),
}


@pytest.mark.parametrize("case", KEYMAP_BAD)
def test_a_bad_keymap_entry_is_named_and_the_rest_applies(case):
    keys, reason = KEYMAP_BAD[case]
    keymap, messages = check_keymap({**keys, "browser.help": "?"}, "/x/config.toml")
    assert len(messages) == 1 and messages[0].startswith("/x/config.toml: keys")
    assert reason in messages[0]
    assert keymap == {"browser.help": "question_mark"}  # the good entry, in Textual's names


def test_config_show_names_a_bad_keymap_on_stderr(config, capsys):
    path = config('[keys]\n"table.sort_next" = "j"\n')
    code, out, err = run_cli(capsys, "config", "show")
    assert code == 0
    assert re.search(r"^  table\.sort_next +s$", out, re.M)  # the default stays
    assert f"cachetui: {path}: keys: 'j' would be bound twice" in err


def test_the_default_keys_never_clash():
    assert check_keymap({}, "x") == ({}, [])
    every = {a.id: a.keys for a in ACTIONS}
    assert check_keymap(every, "x")[1] == []


# -- the remembered theme ----------------------------------------------------------------------


def test_the_remembered_theme_wins_until_the_config_theme_is_edited(tmp_path):
    settings = parse_settings('theme = "nord"\n', tmp_path / "c.toml")
    assert remembered_theme(settings) == "nord"
    assert remember_theme("gruvbox", settings) is None
    assert json.loads(state_path().read_text()) == {"theme": "gruvbox", "config_theme": "nord"}
    assert remembered_theme(settings) == "gruvbox"
    edited = parse_settings('theme = "dracula"\n', tmp_path / "c.toml")
    assert remembered_theme(edited) == "dracula"
    assert [p.name for p in state_path().parent.iterdir()] == ["state.json"]  # no temporary left


@pytest.mark.parametrize("text", ["{", "[1, 2]", '{"theme": 3, "config_theme": null}', ""])
def test_a_bad_state_file_is_ignored(tmp_path, text):
    state_path().parent.mkdir(parents=True, exist_ok=True)
    state_path().write_text(text)
    settings = parse_settings('theme = "nord"\n', tmp_path / "c.toml")
    assert remembered_theme(settings) == "nord"


def test_a_state_folder_that_cannot_be_written_says_why(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # a file where a folder should be
    failed = remember_theme("nord", parse_settings("", tmp_path / "c.toml"))
    assert failed is not None and str(blocker) in failed


def test_an_anywhere_key_that_a_pane_uses_is_bound_twice():
    """The focused table would take `j` before the browser: facets on `j` would never run."""
    keymap, messages = check_keymap({"browser.facets": "j"}, "c.toml")
    assert keymap == {}
    assert messages == [
        "c.toml: keys: 'j' would be bound twice in 'Anywhere' and 'Spec table' "
        "(browser.facets and table.cursor_down); browser.facets keeps its default"
    ]
    # A pane's key may be another pane's: only one of them has focus.
    assert check_keymap({"tree.toggle_node": "s"}, "c.toml") == ({"tree.toggle_node": "s"}, [])


def test_config_show_names_an_unknown_theme(config, capsys):
    path = config('theme = "solarised"\n')
    code, out, err = run_cli(capsys, "config", "show")
    assert code == 0 and re.search(r"^theme +solarised$", out, re.M)
    assert f"cachetui: {path}: no theme named 'solarised' (themes: " in err
    assert "solarized-dark" in err
