"""The user's Spack install tree and what its install database says is installed. UI-free.

``config:install_tree`` is resolved as ``spack.store.parse_install_tree`` does (padding
included), and ``<root>/.spack-db/index.json`` is read as untrusted JSON.
"""

from __future__ import annotations

import os
import re
from typing import Any, Mapping, Optional

from .model import Problem
from .spackpaths import canonical_path
from .untrusted import read_json

MAX_DB_BYTES = 512 * 1024 * 1024  # a big install db is a few MB; leave a lot of headroom
DEFAULT_INSTALL_ROOT = "$spack/opt/spack"
# spack.util.path.SPACK_MAX_INSTALL_PATH_LENGTH: what `padded_length: true` leaves for prefixes
SPACK_MAX_INSTALL_PATH_LENGTH = 300
SPACK_PATH_PADDING_CHARS = "__spack_path_placeholder__"
_HASH = re.compile(r"[a-z2-7]{32}")
_OLD_PADDING = re.compile(r"\$padding(:\d+)?|\$\{padding(:\d+)?\}")


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
    ok, db = read_json(path, MAX_DB_BYTES if limit is None else limit, problems)
    if not ok:
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


__all__ = ["DEFAULT_INSTALL_ROOT", "MAX_DB_BYTES", "install_root_of", "read_installed"]
