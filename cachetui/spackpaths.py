"""Where Spack is, and how it spells paths in its config files. UI-free.

Spack is never run (it can take seconds to start on a login node): its path rules are
reproduced here, ``spack.util.path`` first of all.
"""

from __future__ import annotations

import os
import re
import tempfile
import urllib.parse
import urllib.request
from typing import Callable, Mapping, Optional

_CONFIG_VARIABLE = re.compile(r"(\$\w+\b|\$\{\w+\})")
_ENV_VARIABLE = re.compile(r"\$(\w+|\{[^}$]*\})")


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


def expand_home(path: str, home: str) -> str:
    """``~`` and ``~/...`` against ``home``; ``~user`` as the system knows it."""
    if path == "~" or path.startswith("~/"):
        return home + path[1:]
    return os.path.expanduser(path) if path.startswith("~") else path


def user_name(env: Mapping[str, str]) -> str:
    """Spack's ``$user``: the effective user's login name."""
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
        "user": lambda: user_name(env),
        "tempdir": tempfile.gettempdir,
        "default_install_root": lambda: os.path.join(root, "opt", "spack") if root else None,
        "user_cache_path": lambda: expand_home(
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
    return expand_home(text, home)


def canonical_path(
    text: str, root: Optional[str], env: Mapping[str, str], home: str, cwd: Optional[str] = None
) -> str:
    """``spack.util.path.canonicalize_path``: substituted, absolute (a relative path is taken
    from the folder of the config file that holds it, its ``origin``), normalized; remote URLs
    unchanged."""
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


__all__ = ["canonical_path", "expand_home", "find_spack", "substitute", "user_name"]
