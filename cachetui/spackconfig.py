"""Read the user's own Spack setup: its binary mirrors and the hashes it has installed. UI-free.

Spack is never run (it can take seconds to start on a login node): its YAML is read the way
Spack reads it. Scopes, lowest precedence first: ``defaults`` (``$spack/etc/spack/defaults``),
``system`` (``$SPACK_SYSTEM_CONFIG_PATH`` or ``/etc/spack``), ``site`` (``$spack/etc/spack``),
``user`` (``$SPACK_USER_CONFIG_PATH`` or ``~/.spack``); ``SPACK_DISABLE_LOCAL_CONFIG`` (set to
anything) drops ``system`` and ``user``. Sections merge as Spack's ``merge_yaml`` does: dicts
merge key by key with the higher scope first, lists concatenate higher first, anything else is
replaced, and a key written ``key::`` replaces the lower scopes' value instead of merging.

Every byte is untrusted: files are stat()ed before they are opened (a FIFO would block forever),
size-limited, and YAML aliases are refused. Each trouble becomes a ``Problem`` naming the file;
the rest still reads and nothing raises.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

import yaml

from .model import Problem

try:  # libyaml is there on every mainstream platform; the pure-Python loader is the fallback
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

MAX_CONFIG_BYTES = 4 * 1024 * 1024  # Spack config files are a few KB; more is not a config
MAX_DB_BYTES = 512 * 1024 * 1024  # a big install db is a few MB; leave a lot of headroom
MAX_DEPTH = 64
DEFAULT_INSTALL_ROOT = "$spack/opt/spack"
# spack.util.path.SPACK_MAX_INSTALL_PATH_LENGTH: what `padded_length: true` leaves for prefixes
SPACK_MAX_INSTALL_PATH_LENGTH = 300
SPACK_PATH_PADDING_CHARS = "__spack_path_placeholder__"
# spack.mirrors.mirror.supported_url_schemes: anything else is a local path
URL_SCHEMES = frozenset(
    ("file", "http", "https", "sftp", "ftp", "s3", "gs", "oci", "oci+http", "ssh", "scp")
)
_HASH = re.compile(r"[a-z2-7]{32}")
_CONFIG_VARIABLE = re.compile(r"(\$\w+\b|\$\{\w+\})")
_ENV_VARIABLE = re.compile(r"\$(\w+|\{[^}$]*\})")
_OLD_PADDING = re.compile(r"\$padding(:\d+)?|\$\{padding(:\d+)?\}")


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


# -- finding Spack and its scopes -------------------------------------------------------------


def find_spack(env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The Spack installation: ``$SPACK_ROOT``, else ``spack`` on ``PATH`` (``root/bin/spack``,
    links resolved). None when there is none."""
    env = os.environ if env is None else env
    root = env.get("SPACK_ROOT", "")
    if root and os.path.isdir(root):
        return os.path.abspath(root)
    for folder in env.get("PATH", "").split(os.pathsep):
        if not folder:
            continue
        candidate = os.path.join(folder, "spack")
        if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
            continue
        bin_dir = os.path.dirname(os.path.realpath(candidate))
        if os.path.basename(bin_dir) != "bin":
            continue  # a wrapper script somewhere else: its root cannot be known
        found = os.path.dirname(bin_dir)
        if os.path.isdir(os.path.join(found, "etc", "spack")) or os.path.isdir(
            os.path.join(found, "lib", "spack")
        ):
            return found
    return None


def _expand_home(path: str, home: str) -> str:
    if path == "~" or path.startswith("~/"):
        return home + path[1:]
    return os.path.expanduser(path) if path.startswith("~") else path


def config_scopes(root: Optional[str], env: Mapping[str, str], home: str) -> list[tuple[str, str]]:
    """``(name, folder)`` of each configuration scope, lowest precedence first
    (``spack.config.create_incremental``)."""
    local = "SPACK_DISABLE_LOCAL_CONFIG" not in env
    scopes: list[tuple[str, str]] = []
    if root:
        scopes.append(("defaults", os.path.join(root, "etc", "spack", "defaults")))
    if local:
        system = env.get("SPACK_SYSTEM_CONFIG_PATH") or os.path.join(os.sep, "etc", "spack")
        scopes.append(("system", _expand_home(system, home)))
    if root:
        scopes.append(("site", os.path.join(root, "etc", "spack")))
    if local:
        user = env.get("SPACK_USER_CONFIG_PATH") or os.path.join("~", ".spack")
        scopes.append(("user", _expand_home(user, home)))
    return scopes


# -- reading files safely ---------------------------------------------------------------------


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _size_text(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size} bytes"


def read_bytes(path: str, limit: int, problems: list[Problem]) -> Optional[bytes]:
    """The file's bytes; None (and a Problem unless it is simply absent) when it cannot be read.
    Only regular files are opened, non-blocking, and checked again once open (the path may have
    been swapped for a FIFO in between)."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
        return None
    except ValueError:  # a NUL byte in a configured path
        problems.append(Problem(path, "is not a valid path"))
        return None
    if not stat.S_ISREG(info.st_mode):
        problems.append(Problem(path, f"is {_kind(info.st_mode)}, not a file"))
        return None
    if info.st_size > limit:
        problems.append(Problem(path, f"is larger than {_size_text(limit)}; skipped"))
        return None
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        if error.errno == errno.ENOENT:
            return None
        problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
        return None
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            problems.append(Problem(path, "is not a regular file"))
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, min(1024 * 1024, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        problems.append(Problem(path, f"cannot be read: {error.strerror or error}"))
        return None
    finally:
        os.close(handle)
    if size > limit:
        problems.append(Problem(path, f"is larger than {_size_text(limit)}; skipped"))
        return None
    return b"".join(chunks)


def _check_yaml(text: str) -> Optional[tuple[str, Optional[int]]]:
    """Why the YAML must not be constructed (aliases, absurd nesting, bad syntax), or None."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                return "YAML aliases are not allowed", _line(event)
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return f"nested more than {MAX_DEPTH} levels deep", _line(event)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError as error:
        return _yaml_reason(error)
    return None


def _line(event: Any) -> Optional[int]:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _yaml_reason(error: yaml.YAMLError) -> tuple[str, Optional[int]]:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"not valid YAML: {problem}", (mark.line + 1 if mark is not None else None)


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
    data = read_bytes(path, MAX_CONFIG_BYTES if limit is None else limit, problems)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(Problem(path, f"is not UTF-8 text (byte {error.start})"))
        return None
    refused = _check_yaml(text)
    if refused is not None:
        problems.append(Problem(path, refused[0], line=refused[1]))
        return None
    try:
        loaded = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:  # e.g. a list used as a key
        reason, line = _yaml_reason(error)
        problems.append(Problem(path, reason, line=line))
        return None
    except RecursionError:
        problems.append(Problem(path, "is nested too deeply"))
        return None
    return _annotate(loaded, path)


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


# -- paths ------------------------------------------------------------------------------------


def _user_name(env: Mapping[str, str]) -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError, AttributeError):
        return env.get("USER") or env.get("USERNAME") or ""


def substitute(text: str, root: Optional[str], env: Mapping[str, str], home: str) -> str:
    """``spack.util.path.substitute_path_variables``: Spack's ``$variables`` (case-insensitive,
    ``$x`` or ``${x}``), then environment variables, then ``~``. A variable Spack would take from
    its running state (``$env``, ``$arch``, ...) is left as written."""
    values: dict[str, Callable[[], Optional[str]]] = {
        "spack": lambda: root,
        "user": lambda: _user_name(env),
        "tempdir": tempfile.gettempdir,
        "default_install_root": lambda: os.path.join(root, "opt", "spack") if root else None,
        "user_cache_path": lambda: _expand_home(
            env.get("SPACK_USER_CACHE_PATH") or os.path.join("~", ".spack"), home
        ),
    }

    def config_value(match: re.Match) -> str:
        name = match.group(0).strip("${}").lower()
        value = values.get(name, lambda: None)()
        return match.group(0) if value is None else value

    def env_value(match: re.Match) -> str:
        name = match.group(1).strip("{}")
        return env.get(name, match.group(0))

    text = _CONFIG_VARIABLE.sub(config_value, text)
    text = _ENV_VARIABLE.sub(env_value, text)
    return _expand_home(text, home)


def canonical_path(
    text: str, root: Optional[str], env: Mapping[str, str], home: str, cwd: Optional[str] = None
) -> str:
    """``spack.util.path.canonicalize_path``: substituted, absolute (a relative path is taken
    from the folder of the config file that holds it), normalized; remote URLs unchanged."""
    origin = getattr(text, "origin", "")
    path = substitute(str(text), root, env, home)
    parsed = urllib.parse.urlparse(path)
    if parsed.scheme and len(parsed.scheme) > 1:  # one letter would be a Windows drive
        if parsed.scheme != "file":
            return path
        path = urllib.request.url2pathname(parsed.path)
    if os.path.isabs(path):
        return os.path.normpath(path)
    base = os.path.dirname(origin) if origin else (cwd or os.getcwd())
    return os.path.normpath(os.path.join(base, path))


def _mirror_url(text: str, root: Optional[str], env: Mapping[str, str], home: str) -> str:
    """``spack.mirrors.mirror._url_or_path_to_url``: URLs as written, paths as file:// URLs."""
    if urllib.parse.urlparse(text).scheme in URL_SCHEMES:
        return str(text)
    path = canonical_path(text, root, env, home)
    return "file://" + urllib.request.pathname2url(path)


# -- mirrors ----------------------------------------------------------------------------------


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


# -- the install tree -------------------------------------------------------------------------


def _path_max() -> int:
    try:
        return int(os.pathconf(os.sep, "PC_PATH_MAX"))
    except (OSError, ValueError, AttributeError):
        return 256  # spack.util.path.get_system_path_max's fallback


def _add_padding(path: str, length: int) -> str:
    """``spack.util.path.add_padding``: placeholder folders until ``length`` characters."""
    missing = length - len(path)
    if missing <= 0:
        return path
    size = len(SPACK_PATH_PADDING_CHARS)
    missing -= 1
    parts = [SPACK_PATH_PADDING_CHARS] * (missing // (size + 1))
    parts.append(SPACK_PATH_PADDING_CHARS[: missing % (size + 1)])
    padding = os.sep.join(parts)
    if padding.endswith(os.sep):
        padding = padding[:-1] + "_"
    return os.path.join(path, padding)


def install_root_of(
    config: dict,
    root: Optional[str],
    env: Mapping[str, str],
    home: str,
    problems: list[Problem],
    where: str,
) -> Optional[str]:
    """``spack.store.parse_install_tree``: the folder that holds ``.spack-db``."""
    tree = config.get("install_tree", {})
    padded: Any = False
    if isinstance(tree, str):  # the old form, a plain path
        written: Any = tree
    elif isinstance(tree, dict):
        written = tree.get("root", DEFAULT_INSTALL_ROOT)
        padded = tree.get("padded_length", False)
    else:
        problems.append(Problem(where, "config:install_tree is neither a path nor a mapping"))
        written = DEFAULT_INSTALL_ROOT
    if not isinstance(written, str) or not written:
        problems.append(Problem(where, "config:install_tree:root is not a path"))
        written = DEFAULT_INSTALL_ROOT
    if not isinstance(padded, (bool, int)) or padded < 0:
        problems.append(Problem(where, "config:install_tree:padded_length is not a length"))
        padded = False
    if root is None and re.search(r"\$\{?spack\b", written, re.IGNORECASE):
        return None  # no Spack installation to resolve $spack against
    unpadded = canonical_path(written, root, env, home)
    old = _OLD_PADDING.search(unpadded)
    if old:
        unpadded = unpadded.replace(old.group(0), "")
        if not padded:
            digits = old.group(1) or old.group(2)
            padded = int(digits[1:]) if digits else True
    if padded is True:
        padded = _path_max() - SPACK_MAX_INSTALL_PATH_LENGTH
    unpadded = unpadded.rstrip(os.sep) or os.sep
    return _add_padding(unpadded, padded) if padded else unpadded


def read_installed(
    install_root: str, problems: list[Problem], limit: Optional[int] = None
) -> frozenset:
    """Full hashes of the records of ``<root>/.spack-db/index.json`` that are installed."""
    path = os.path.join(install_root, ".spack-db", "index.json")
    data = read_bytes(path, MAX_DB_BYTES if limit is None else limit, problems)
    if data is None:
        return frozenset()
    try:
        db = json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
        problems.append(Problem(path, f"is not JSON: {reason}"))
        return frozenset()
    installs = db.get("database") if isinstance(db, dict) else None
    installs = installs.get("installs") if isinstance(installs, dict) else None
    if not isinstance(installs, dict):
        problems.append(Problem(path, "has no database.installs mapping"))
        return frozenset()
    found = []
    odd = 0
    for key, record in installs.items():
        if not isinstance(record, dict) or not _HASH.fullmatch(key):
            odd += 1
        elif record.get("installed") is True:
            found.append(key)
    if odd:
        problems.append(
            Problem(path, f"{odd} install records are not hash: record pairs", level="warning")
        )
    return frozenset(found)


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
    "Mirror",
    "SpackSetup",
    "config_scopes",
    "find_spack",
    "read_spack_setup",
]
