"""Read the user's own Spack setup: its binary mirrors and the hashes it has installed. UI-free.

Spack is never run (it can take seconds to start on a login node): its YAML is read the way
Spack reads it. Scopes, lowest precedence first: ``defaults`` (``$spack/etc/spack/defaults``),
``system`` (``$SPACK_SYSTEM_CONFIG_PATH`` or ``/etc/spack``), ``site`` (``$spack/etc/spack``),
``user`` (``$SPACK_USER_CONFIG_PATH`` or ``~/.spack``); ``SPACK_DISABLE_LOCAL_CONFIG`` (set to
anything) drops ``system`` and ``user``. Sections merge as Spack's ``merge_yaml`` does: dicts
merge key by key with the higher scope first, lists concatenate higher first, anything else is
replaced, and a key written ``key::`` replaces the lower scopes' value instead of merging.

Every file is untrusted and read by ``untrusted`` (no special files, size limits, no YAML
aliases); each trouble becomes a ``Problem`` naming the file, the rest still reads and nothing
raises. Paths follow ``spackpaths``; the install tree and its database are ``spackinstall``'s.
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from .model import Problem
from .spackinstall import install_root_of, read_installed
from .spackpaths import canonical_path, expand_home, find_spack
from .untrusted import read_yaml as _read_yaml_value

MAX_CONFIG_BYTES = 4 * 1024 * 1024  # Spack config files are a few KB; more is not a config
# spack.mirrors.mirror.supported_url_schemes: anything else is a local path
URL_SCHEMES = frozenset(
    ("file", "http", "https", "sftp", "ftp", "s3", "gs", "oci", "oci+http", "ssh", "scp")
)


@dataclass(frozen=True)
class Mirror:
    """A binary mirror of the user's configuration. URLs are Spack's: a local path becomes a
    ``file://`` URL. ``scope_path`` is the mirrors.yaml of the highest scope that names it."""

    name: str
    fetch_url: str
    push_url: str
    scope_path: str

    @property
    def fetch_path(self) -> Optional[str]:
        """The local folder of a ``file://`` fetch URL; None for remote mirrors."""
        parsed = urllib.parse.urlparse(self.fetch_url)
        if parsed.scheme != "file":
            return None
        return urllib.request.url2pathname(parsed.path)


@dataclass
class SpackSetup:
    root: Optional[str]  # the Spack installation; None when none was found
    scopes: list[str] = field(default_factory=list)  # scope folders read, lowest precedence first
    mirrors: list[Mirror] = field(default_factory=list)  # in Spack's order: higher scopes first
    install_root: Optional[str] = None
    installed: frozenset = frozenset()  # full hashes of specs installed in install_root
    problems: list[Problem] = field(default_factory=list)


class _Override(str):
    """A key written ``key::``: equal to the plain key, but replaces instead of merging."""


class _Text(str):
    """A string from a config file, remembering the file: Spack resolves a relative path in a
    config value against the folder of the file that holds it."""

    origin: str = ""


# -- scopes -----------------------------------------------------------------------------------


def config_scopes(root: Optional[str], env: Mapping[str, str], home: str) -> list[tuple[str, str]]:
    """``(name, folder)`` of each configuration scope, lowest precedence first
    (``spack.config.create_incremental``)."""
    local = "SPACK_DISABLE_LOCAL_CONFIG" not in env
    scopes: list[tuple[str, str]] = []
    if root:
        scopes.append(("defaults", os.path.join(root, "etc", "spack", "defaults")))
    if local:
        system = env.get("SPACK_SYSTEM_CONFIG_PATH") or os.path.join(os.sep, "etc", "spack")
        scopes.append(("system", expand_home(system, home)))
    if root:
        scopes.append(("site", os.path.join(root, "etc", "spack")))
    if local:
        user = env.get("SPACK_USER_CONFIG_PATH") or os.path.join("~", ".spack")
        scopes.append(("user", expand_home(user, home)))
    return scopes


def _annotate(value: Any, origin: str) -> Any:
    """Mark ``key::`` keys as overrides and strings with their file, as Spack's loader does."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(":"):
                key = _Override(key[:-1])
            result[key] = _annotate(item, origin)
        return result
    if isinstance(value, list):
        return [_annotate(item, origin) for item in value]
    if isinstance(value, str):
        text = _Text(value)
        text.origin = origin
        return text
    return value


def read_yaml(path: str, problems: list[Problem], limit: Optional[int] = None) -> Any:
    """One config file, annotated; None when absent or unreadable (with a Problem)."""
    loaded = _read_yaml_value(path, MAX_CONFIG_BYTES if limit is None else limit, problems)
    return None if loaded is None else _annotate(loaded, path)


# -- merging as Spack does --------------------------------------------------------------------


def merge_yaml(dest: Any, source: Any) -> Any:
    """``source`` (higher precedence) over ``dest``, as ``spack.schema.merge_yaml``: source keys
    come first, so higher scopes' mirrors are tried first."""
    if source is None:
        return dest
    if isinstance(dest, dict) and isinstance(source, dict):
        result: dict = {}
        for key, value in source.items():
            if isinstance(key, _Override) or key not in dest:
                result[key] = value
            else:
                result[key] = merge_yaml(dest[key], value)
        for key, value in dest.items():
            if key not in result:
                result[key] = value
        return result
    if isinstance(dest, list) and isinstance(source, list):
        return source + [item for item in dest if item not in source]
    return source


def _section(data: Any, section: str, path: str, problems: list[Problem]) -> Optional[dict]:
    """``{section: value}`` of one file, or None when it has none usable."""
    if data is None:
        return None
    if not isinstance(data, dict):
        problems.append(Problem(path, f"is a {_type_name(data)}, not a mapping; ignored"))
        return None
    if section not in data:
        problems.append(Problem(path, f"has no '{section}:' key; ignored", level="warning"))
        return None
    key = next(k for k in data if k == section)  # keeps the override mark
    value = data[section]
    if value is not None and not isinstance(value, dict):
        problems.append(Problem(path, f"'{section}' is a {_type_name(value)}, not a mapping"))
        return None
    return {key: value}


def _type_name(value: Any) -> str:
    names = {dict: "mapping", list: "list", str: "string", bool: "boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


# -- mirrors ----------------------------------------------------------------------------------


def _mirror_url(text: str, root: Optional[str], env: Mapping[str, str], home: str) -> str:
    """``spack.mirrors.mirror._url_or_path_to_url``: URLs as written, paths as file:// URLs."""
    if urllib.parse.urlparse(text).scheme in URL_SCHEMES:
        return str(text)
    path = canonical_path(text, root, env, home)
    return "file://" + urllib.request.pathname2url(path)


def _url_of(entry: Any, direction: str) -> Any:
    """``Mirror.get_url``: the top-level ``url``, overridden by ``fetch``/``push`` (a URL or a
    dict with ``url``)."""
    if isinstance(entry, str):
        return entry
    url = entry.get("url")
    info = entry.get(direction)
    if isinstance(info, str):
        url = info
    elif isinstance(info, dict) and "url" in info:
        url = info["url"]
    return url


def mirrors_of(
    merged: dict,
    scope_of: Mapping[str, str],
    root: Optional[str],
    env: Mapping[str, str],
    home: str,
    problems: list[Problem],
) -> list[Mirror]:
    """The binary mirrors of the merged ``mirrors`` section, in Spack's order."""
    mirrors: list[Mirror] = []
    for name, entry in merged.items():
        where = scope_of.get(str(name), "mirrors.yaml")
        if not isinstance(name, str) or not name:
            problems.append(Problem(where, f"mirror name {name!r} is not a name; skipped"))
            continue
        if not isinstance(entry, (str, dict)):
            problems.append(
                Problem(where, f"mirror {name}: a {_type_name(entry)}, not a URL or mapping")
            )
            continue
        if isinstance(entry, dict):
            binary = entry.get("binary", True)
            if not isinstance(binary, bool):
                problems.append(Problem(where, f"mirror {name}: 'binary' is not true or false"))
                continue
            if not binary:
                problems.append(
                    Problem(where, f"mirror {name} is for sources only; skipped", level="warning")
                )
                continue
        urls = []
        for direction in ("fetch", "push"):
            url = _url_of(entry, direction)
            if not isinstance(url, str) or not url.strip():
                urls.append(None)
            else:
                urls.append(_mirror_url(url, root, env, home))
        fetch, push = urls
        if fetch is None:
            problems.append(Problem(where, f"mirror {name} has no fetch URL; skipped"))
            continue
        mirrors.append(Mirror(str(name), fetch, push or fetch, where))
    return mirrors


# -- everything -------------------------------------------------------------------------------


def read_spack_setup(
    env: Optional[Mapping[str, str]] = None, home: Optional[str] = None
) -> SpackSetup:
    """The user's Spack: its root, scopes, binary mirrors, install root and installed hashes."""
    env = dict(os.environ) if env is None else env
    home = home if home is not None else (env.get("HOME") or os.path.expanduser("~"))
    problems: list[Problem] = []
    root = find_spack(env)
    setup = SpackSetup(root=root, problems=problems)
    mirrors: dict = {}
    config: dict = {}
    mirror_scope: dict[str, str] = {}  # mirror name -> mirrors.yaml of the highest scope
    config_where = ""
    for _name, folder in config_scopes(root, env, home):
        if not os.path.isdir(folder):
            continue
        setup.scopes.append(folder)
        path = os.path.join(folder, "mirrors.yaml")
        section = _section(read_yaml(path, problems), "mirrors", path, problems)
        if section is not None:
            key, value = next(iter(section.items()))
            if isinstance(key, _Override):
                mirror_scope.clear()
            for name in value or {}:
                mirror_scope[str(name)] = path
            mirrors = merge_yaml(mirrors, section)
        path = os.path.join(folder, "config.yaml")
        section = _section(read_yaml(path, problems), "config", path, problems)
        if section is not None:
            value = next(iter(section.values())) or {}
            if "install_tree" in value:
                config_where = path
            config = merge_yaml(config, section)
    setup.mirrors = mirrors_of(
        mirrors.get("mirrors") or {}, mirror_scope, root, env, home, problems
    )
    setup.install_root = install_root_of(
        config.get("config") or {}, root, env, home, problems, config_where or "config.yaml"
    )
    if setup.install_root is not None:
        setup.installed = read_installed(setup.install_root, problems)
    return setup


__all__ = [
    "MAX_CONFIG_BYTES",
    "Mirror",
    "SpackSetup",
    "config_scopes",
    "find_spack",
    "merge_yaml",
    "mirrors_of",
    "read_spack_setup",
    "read_yaml",
]
