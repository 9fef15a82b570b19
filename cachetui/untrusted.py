"""Read small files that nobody vouches for: config files, a Spack install database. UI-free.

A file is stat()ed before it is opened, and only a regular file is opened (a FIFO would block
forever, a device would never end), non-blocking, then checked again once open. Sizes are
limited before and while reading. YAML goes through the safe loader only, after a pass over its
events that refuses aliases (a "billion laughs" file) and absurd nesting. Each trouble becomes a
``Problem`` naming the file and nothing raises.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from typing import Any, Optional

import yaml

from .model import Problem

try:  # libyaml is there on every mainstream platform; the pure-Python loader is the fallback
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

MAX_DEPTH = 64


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words ("a FIFO")."""
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
        problems.append(Problem(path, f"is {file_kind(info.st_mode)}, not a file"))
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


def read_yaml(path: str, limit: int, problems: list[Problem]) -> Any:
    """The file's YAML value; None when absent, empty or refused (with a Problem)."""
    data = read_bytes(path, limit, problems)
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
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:  # e.g. a list used as a key
        reason, line = _yaml_reason(error)
        problems.append(Problem(path, reason, line=line))
        return None
    except RecursionError:
        problems.append(Problem(path, "is nested too deeply"))
        return None


def read_json(path: str, limit: int, problems: list[Problem]) -> tuple[bool, Any]:
    """``(True, value)`` of a JSON file; ``(False, None)`` when it is absent or unreadable (with
    a Problem unless absent). JSON nested past Python's recursion limit is refused."""
    data = read_bytes(path, limit, problems)
    if data is None:
        return False, None
    try:
        return True, json.loads(data)
    except UnicodeDecodeError as error:  # json.loads guesses UTF-8/16/32 from the first bytes
        problems.append(
            Problem(path, f"is not JSON: not {error.encoding} text (byte {error.start})")
        )
    except json.JSONDecodeError as error:
        problems.append(Problem(path, f"is not JSON: {error.msg}"))
    except (ValueError, RecursionError):
        problems.append(Problem(path, "is not JSON: nested too deeply"))
    return False, None


__all__ = ["MAX_DEPTH", "file_kind", "read_bytes", "read_json", "read_yaml"]
