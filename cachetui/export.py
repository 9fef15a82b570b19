"""Render specs as text: hashes, install lines, spec strings, JSON, JSONL, YAML, TSV, a table,
a Spack environment and the commands that set up its mirrors.

Every format passes values through ``visible`` so a hostile value cannot carry a control
character or escape sequence into a terminal, a file, a pipe or the clipboard. UI-free.
"""

from __future__ import annotations

import errno
import json
import os
import shlex
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .model import Spec
from .text import cut_middle, visible

TABLE_COLUMNS = ("hash", "package", "version", "compiler", "os", "target", "stacks", "tag")
TABLE_CELL_MAX = 80  # every real value fits; tsv and json keep values whole
LINE_NAMES = ("jsonl", "hashes", "install", "specs", "tsv")  # ``render_lines`` streams these
MIRROR_MARKERS = ("build_cache", "v3")  # the folder of a mirror's index under its root
KEYS_COMMAND = "spack buildcache keys --install --trust"
TSV_COLUMNS = (
    "hash", "package", "tag", "version", "versions", "compiler", "os", "platform", "target",
    "variants", "stacks", "size", "tarball", "source",
)  # fmt: skip


def clean_json(value: Any) -> Any:
    """Escape control characters inside any string of a JSON-like value."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {visible(str(k)): clean_json(v) for k, v in value.items()}
    return value


def spec_record(spec: Spec) -> dict[str, Any]:
    return clean_json(spec.to_dict())


def _json_line(record: dict[str, Any]) -> str:
    # ensure_ascii=False keeps names readable; clean_json already escaped every control character.
    return json.dumps(record, ensure_ascii=False)


def _cell(spec: Spec, column: str) -> str:
    value: Any = {
        "hash": spec.short_hash or "-",
        "stacks": ",".join(spec.stacks),
        "version": spec.version,
    }.get(column)
    if value is None:
        value = getattr(spec, column)
    return visible(str(value))


def _tsv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ",".join(value)
    return visible(str(value))


def _capped(text: str) -> str:
    return text if len(text) <= TABLE_CELL_MAX else text[: TABLE_CELL_MAX - 1] + "…"


TABLE_GAP = 2
TABLE_MIN_COLUMN = 7  # a cut column keeps this much: "x86_64…", "develo…"


def render_table(specs: Sequence[Spec], width: Optional[int] = None) -> str:
    """An aligned table. A cell is cut at ``TABLE_CELL_MAX`` characters (shown with "…"), as
    the browser cuts its columns: one huge value cannot widen every row. With ``width`` (a
    terminal's), the widest columns are narrowed until a row fits, their cells cut with "…"."""
    rows = [[_capped(_cell(s, c)) for c in TABLE_COLUMNS] for s in specs]
    header = [c.upper() for c in TABLE_COLUMNS]
    widths = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(len(header))]
    if width is not None:
        widths = fit_widths(widths, width - TABLE_GAP * (len(widths) - 1))
    lines = [_table_line(header, widths)] + [_table_line(row, widths) for row in rows]
    return "\n".join(lines) + "\n"


# Cut in the middle, as the browser cuts them (``view.COLUMNS``' cut_middle, which a test
# keeps equal; importing view here would load numpy for ``--help``): they differ at the end.
TABLE_CUT_MIDDLE = frozenset({"version", "compiler", "os", "target", "tag"})
_MIDDLE = tuple(c in TABLE_CUT_MIDDLE for c in TABLE_COLUMNS)


def _table_line(cells: Sequence[str], widths: Sequence[int]) -> str:
    cut = [
        c if len(c) <= w else cut_middle(c, w) if middle else c[: w - 1] + "…"
        for c, w, middle in zip(cells, widths, _MIDDLE)
    ]
    return (" " * TABLE_GAP).join(c.ljust(w) for c, w in zip(cut, widths)).rstrip()


def fit_widths(widths: Sequence[int], room: int) -> list[int]:
    """Column widths that add up to at most ``room``: the widest columns give way first, none
    below ``TABLE_MIN_COLUMN`` (or its own width, when that is less); if even that does not
    fit, every column is at that floor and the line is wider than ``room``."""
    fitted = list(widths)
    floors = [min(w, TABLE_MIN_COLUMN) for w in widths]
    excess = sum(fitted) - room
    while excess > 0:
        widest = max(range(len(fitted)), key=lambda i: fitted[i] - floors[i])
        spare = fitted[widest] - floors[widest]
        if spare <= 0:
            break
        # One cell at a time (a few hundred steps at most): tied columns shrink evenly.
        fitted[widest] -= 1
        excess -= 1
    return fitted


def render_lines(specs: Iterable[Spec], fmt: str) -> Iterable[str]:
    """Stream the specs in a line-oriented format (every format except table, json, yaml)."""
    if fmt == "jsonl":
        for spec in specs:
            yield _json_line(spec_record(spec)) + "\n"
    elif fmt == "hashes":
        for spec in specs:
            if spec.hash:
                yield "/" + visible(spec.hash) + "\n"
    elif fmt == "install":
        for spec in specs:
            yield visible(spec.install_command) + "\n"
    elif fmt == "specs":
        for spec in specs:
            yield visible(spec.spec_string) + "\n"
    elif fmt == "tsv":
        yield "\t".join(TSV_COLUMNS) + "\n"
        for spec in specs:
            record = spec.to_dict()
            yield "\t".join(_tsv_cell(record[c]) for c in TSV_COLUMNS) + "\n"
    else:
        raise ValueError(f"not a line format: {fmt}")


def mirror_root(source: str) -> Optional[str]:
    """The mirror a spec was read from, by its source: a mirror folder or URL as given, or the
    root above an index or spec file's ``build_cache``/``v3`` folder; None for a site page."""
    if not source:
        return None
    url = source.startswith(("http://", "https://"))
    trimmed = source.rstrip("/")
    if trimmed.endswith((".json", ".sig")):
        parts = trimmed.split("/")
        marks = [i for i, part in enumerate(parts) if part in MIRROR_MARKERS and i > 0]
        if not marks or (url and marks[-1] < 3):  # ``https:``, ``""``, host come first
            return None
        root = "/".join(parts[: marks[-1]])
        return root if url else os.path.abspath(root)
    if url:
        return trimmed
    return os.path.abspath(source) if os.path.isdir(source) else None


def mirrors_of(specs: Iterable[Spec]) -> dict[str, str]:
    """``{name: url}`` of the mirrors the specs were read from, named by their tags (the mirror's
    name, or a folder's); a second mirror with a taken name gets ``-2``, ``-3``, ..."""
    named: dict[str, str] = {}
    roots: dict[str, str] = {}  # root -> name
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        if (spec.source, spec.tag) in seen:
            continue
        seen.add((spec.source, spec.tag))
        root = mirror_root(spec.source)
        if root is None or root in roots:
            continue
        base = visible(spec.tag) or "mirror"
        name, number = base, 1
        while name in named:
            number += 1
            name = f"{base}-{number}"
        named[name] = visible(root)
        roots[root] = name
    return named


def _spec_list(specs: Sequence[Spec]) -> list[str]:
    """``/hash`` of each spec once (by spec string when it has none)."""
    return list(dict.fromkeys(visible(f"/{s.hash}" if s.hash else s.spec_string) for s in specs))


def render_spack_yaml(specs: Sequence[Spec]) -> str:
    """A Spack environment of the specs by hash, with the mirrors they were read from."""
    import yaml

    environment: dict[str, Any] = {"specs": _spec_list(specs)}
    mirrors = mirrors_of(specs)
    if mirrors:
        environment["mirrors"] = mirrors
    return yaml.safe_dump({"spack": environment}, sort_keys=False, allow_unicode=True,
                          default_flow_style=False, width=10_000)  # fmt: skip


def render_mirror_setup(specs: Sequence[Spec]) -> str:
    """Shell commands adding the mirrors the specs were read from, and trusting their keys."""
    mirrors = mirrors_of(specs)
    lines = [
        f"spack mirror add {shlex.quote(name)} {shlex.quote(url)}" for name, url in mirrors.items()
    ]
    if not mirrors:
        lines.append("# no mirror is known for these specs: spack mirror add NAME URL")
    lines.append(KEYS_COMMAND)
    return "\n".join(lines) + "\n"


def install_line(specs: Iterable[Spec]) -> str:
    """One ready ``spack install`` line for every spec (no newline: pasted into a shell it waits
    for enter): by hash when known (each hash once), else by spec string."""
    args = dict.fromkeys(f"/{s.hash}" if s.hash else s.spec_string for s in specs)
    return visible(" ".join(["spack install", *args]))


def render(specs: Sequence[Spec], fmt: str) -> str:
    """The whole export as one string."""
    if fmt == "table":
        return render_table(specs)
    if fmt == "spack.yaml":
        return render_spack_yaml(specs)
    if fmt == "mirror-setup":
        return render_mirror_setup(specs)
    if fmt == "json":
        return json.dumps([spec_record(s) for s in specs], ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(
            [spec_record(s) for s in specs], sort_keys=False, allow_unicode=True, width=10_000
        )
    return "".join(render_lines(specs, fmt))


def _whole(fmt: str) -> Callable[[Sequence[Spec]], Iterable[str]]:
    # Formats that need every spec before the first byte (a padded table, one JSON array).
    return lambda specs: [render(specs, fmt)]


def _streamed(fmt: str) -> Callable[[Sequence[Spec]], Iterable[str]]:
    return lambda specs: render_lines(specs, fmt)


@dataclass(frozen=True)
class ExportFormat:
    name: str
    extension: str  # of the file the export dialog proposes
    description: str  # one line, in the export dialog and the CLI's help
    writer: Callable[[Sequence[Spec]], Iterable[str]]  # the text, in pieces
    printable: bool = True  # offered by --print (a picker's output: no padded table)
    in_dialog: bool = True  # offered by the export dialog


# fmt: off
REGISTRY: tuple[ExportFormat, ...] = (
    ExportFormat("install", "sh", "spack install /<hash> lines", _streamed("install")),
    ExportFormat("hashes", "txt", "/<hash> per line", _streamed("hashes")),
    ExportFormat("specs", "txt", "Spack spec strings", _streamed("specs")),
    ExportFormat("yaml", "yaml", "YAML, every field", _whole("yaml")),
    ExportFormat("json", "json", "JSON, every field", _whole("json")),
    ExportFormat("tsv", "tsv", "TSV with a header", _streamed("tsv")),
    ExportFormat("spack.yaml", "yaml", "a Spack environment: specs and mirrors", _whole("spack.yaml")),
    ExportFormat("mirror-setup", "sh", "spack mirror add lines, then trust the keys", _whole("mirror-setup")),
    ExportFormat("jsonl", "jsonl", "JSON, one spec per line", _streamed("jsonl"), in_dialog=False),
    ExportFormat("table", "txt", "an aligned table", _whole("table"), printable=False, in_dialog=False),
)
# fmt: on
BY_NAME = {f.name: f for f in REGISTRY}
ALL_NAMES = tuple(f.name for f in REGISTRY)  # ``list --format``
PRINT_NAMES = tuple(f.name for f in REGISTRY if f.printable)  # ``--print --format``
DIALOG_FORMATS = tuple(f for f in REGISTRY if f.in_dialog)  # the export dialog


class NotARegularFile(OSError):
    """The export's path exists but is a FIFO, a device or a socket: never written."""


def check_export_path(path: str) -> None:
    """Raise ``NotARegularFile`` when ``path`` exists and is not a regular file (writing to a
    FIFO would block until someone reads it)."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return  # absent (or not a valid path: open says why)
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFile(f"{path} is not a regular file")


def write_file(path: str, specs: Sequence[Spec], fmt: str, overwrite: bool = False) -> None:
    """Write the export to ``path``; never replaces an existing file unless ``overwrite``, and
    never writes into anything but a regular file (the file is opened non-blocking and checked
    once open, so a FIFO swapped in meanwhile cannot block the write).
    Raises ``OSError`` (a missing folder, no permission, the file exists, not a regular file)."""
    writer = BY_NAME[fmt].writer
    check_export_path(path)
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NONBLOCK", 0)
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    try:
        descriptor = os.open(path, flags, 0o666)
    except OSError as error:
        if error.errno == errno.ENXIO:  # a FIFO with no reader, opened non-blocking
            raise NotARegularFile(f"{path} is not a regular file") from None
        raise
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise NotARegularFile(f"{path} is not a regular file")
    if getattr(os, "O_NONBLOCK", 0):
        os.set_blocking(descriptor, True)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(writer(specs))
