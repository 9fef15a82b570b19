"""Decode Spack's own build cache documents: ``index.json`` (database versions 6 to 9), the
layout v3 index manifest and its blob, and single spec files (``.spec.json``, ``.spec.json.sig``).
Bytes in, rows out: where the bytes come from (a folder, a URL, a cache) is ``sources``'s job.
UI-free.

Only records with ``in_buildcache: true`` become specs; every record still resolves dependency
hashes (an external gcc is not in the cache, but it names the compiler of the specs it built).
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

from .errors import IndexError_
from .limits import DEFAULT_MAX_DOWNLOAD_MB, MB
from .rows import SpecRow, make_row

FLAG_KEYS = {"cflags", "cppflags", "cxxflags", "fflags", "ldflags", "ldlibs"}
GZIP_MAGIC = b"\x1f\x8b"
ARMOR_BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----"
ARMOR_SIGNATURE = "-----BEGIN PGP SIGNATURE-----"
# The hex digest length of each checksum algorithm a mirror may name (only sha256 is read).
DIGEST_LENGTHS = {"sha256": 64}
_LOWER_HEX = re.compile(r"[0-9a-f]+")


@dataclass(frozen=True)
class Dependency:
    name: str
    version: str
    hash: str
    deptypes: tuple[str, ...]

    @property
    def short_hash(self) -> str:
        return self.hash[:7]


@dataclass
class IndexData:
    """The specs of one index: rows as the page parser makes them, plus dependencies."""

    rows: list[SpecRow] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the package of each row
    deps: list[tuple[Dependency, ...]] = field(default_factory=list)
    packages: dict[str, int] = field(default_factory=dict)  # name -> specs, in first-seen order
    version: str = ""
    records: int = 0
    warnings: list[str] = field(default_factory=list)


def strip_clearsign(text: str) -> str:
    """The signed text of a PGP clear-signed message (or the text itself when not signed)."""
    if ARMOR_BEGIN not in text:
        return text
    body = text.split(ARMOR_BEGIN, 1)[1]
    body = body.split(ARMOR_SIGNATURE, 1)[0]
    head, _, rest = body.partition("\n\n")  # armour headers ("Hash: SHA512"), a blank line
    lines = rest.splitlines() if rest else head.splitlines()
    return "\n".join(line[2:] if line.startswith("- ") else line for line in lines)  # dash-escaping


def too_large(limit: int) -> str:
    """The reason for an index over the byte limit."""
    return f"index larger than {limit / MB:.4g} MB"


def inflate(data: bytes, limit: int, what: str) -> bytes:
    """The content of gzip ``data`` (members one after another), never more than ``limit``
    bytes of it: a gzip bomb stops at the limit instead of filling memory."""
    out: list[bytes] = []
    total = 0
    while data[:2] == GZIP_MAGIC:
        stream = zlib.decompressobj(31)
        try:
            piece = stream.decompress(data, limit - total + 1)
        except zlib.error as error:
            raise IndexError_(
                f"{what} is gzip-compressed but cannot be decompressed: {error}"
            ) from None
        total += len(piece)
        if total > limit:
            raise IndexError_(f"{too_large(limit)} when decompressed: {what}")
        out.append(piece)
        if not stream.eof:
            raise IndexError_(f"{what} is gzip-compressed but cannot be decompressed: cut short")
        data = stream.unused_data
    if data.strip(b"\x00"):
        raise IndexError_(f"{what} has bytes after its gzip data")
    return b"".join(out)


def decode_json(data: bytes, what: str, limit: int = int(DEFAULT_MAX_DOWNLOAD_MB * MB)) -> Any:
    """A JSON document (gzip-compressed or clear-signed, or plain), inflated to at most
    ``limit`` bytes. Any defect is an ``IndexError_`` with a plain reason."""
    if data[:2] == GZIP_MAGIC:
        data = inflate(data, limit, what)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise IndexError_(f"{what} is not UTF-8 text (byte at offset {error.start})") from None
    try:
        return json.loads(strip_clearsign(text))
    except RecursionError:
        raise IndexError_(f"{what} is nested too deeply") from None
    except json.JSONDecodeError as error:
        raise IndexError_(f"{what} is not valid JSON ({error.msg}, line {error.lineno})") from None
    except ValueError as error:  # an integer over CPython's digit limit
        raise IndexError_(f"{what} holds a value that cannot be read: {str(error)[:80]}") from None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def index_blob_record(manifest: Any) -> dict:
    """The index's entry in a layout v3 manifest: its checksum, compression and media type."""
    data = manifest.get("data") if isinstance(manifest, dict) else None
    if not isinstance(data, list):
        raise IndexError_("index manifest has no data list")
    for record in data:
        if isinstance(record, dict) and str(record.get("mediaType", "")).startswith(
            "application/vnd.spack.db."
        ):
            checksum = record.get("checksum")
            if not isinstance(checksum, str) or not checksum:
                raise IndexError_("index manifest names no checksum for the index")
            algorithm = record.get("checksumAlgorithm", "sha256")
            if algorithm != "sha256":
                raise IndexError_(
                    f"index manifest uses checksum {str(algorithm)[:20]!r}; only sha256 is read"
                )
            check_checksum(checksum, "sha256", "the index manifest's checksum")
            return record
    raise IndexError_("index manifest lists no database index blob")


def is_checksum(text: object, algorithm: str = "sha256") -> bool:
    """Whether ``text`` is a lower-case hex digest of ``algorithm``'s length."""
    return (isinstance(text, str) and len(text) == DIGEST_LENGTHS.get(algorithm, -1)
            and _LOWER_HEX.fullmatch(text) is not None)  # fmt: skip


def check_checksum(text: object, algorithm: str, what: str) -> str:
    """``text`` if it is a lower-case hex ``algorithm`` digest, else an ``IndexError_``: a
    checksum names files and URLs, so nothing else is ever used."""
    if not is_checksum(text, algorithm):
        raise IndexError_(
            f"{what} is not a {algorithm} checksum ({DIGEST_LENGTHS.get(algorithm, 0)}"
            f" lower-case hex characters): {str(text)[:80]!r}"
        )
    return str(text)


def open_blob(data: bytes, record: dict, limit: int = int(DEFAULT_MAX_DOWNLOAD_MB * MB)) -> bytes:
    """Verify a blob against its manifest record and decompress it (to at most ``limit``
    bytes)."""
    digest = sha256(data)
    if digest != record["checksum"]:
        raise IndexError_(
            f"index blob checksum mismatch: manifest says {record['checksum'][:12]}…, blob is {digest[:12]}…"
        )
    compression = record.get("compression", "none")
    if compression == "gzip" or data[:2] == GZIP_MAGIC:
        if data[:2] != GZIP_MAGIC:
            raise IndexError_("index blob cannot be decompressed: not gzip data")
        return inflate(data, limit, "index blob")
    return data


# -- spec nodes -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def node_hash(node: dict) -> str:
    for key in ("hash", "_hash", "full_hash"):
        if isinstance(node.get(key), str):
            return node[key]
    return ""


def _target(arch: dict) -> str:
    target = arch.get("target")
    if isinstance(target, dict):
        return _text(target.get("name"))
    return _text(target)


def variants_of(parameters: Any) -> tuple[str, ...]:
    """Variants as Spack writes them: +x/~x, key=value, lists key=a,b, patches as 7-character
    prefixes; empty flag lists left out."""
    if not isinstance(parameters, dict):
        return ()
    out = []
    for key in sorted(parameters):
        value = parameters[key]
        if isinstance(value, bool):
            out.append(("+" if value else "~") + key)
        elif isinstance(value, list):
            if not value and key in FLAG_KEYS:
                continue
            items = [_text(v)[:7] if key == "patches" else _text(v) for v in value]
            out.append(f"{key}={','.join(items)}")
        elif value is not None:
            out.append(f"{key}={_text(value)}")
    return tuple(out)


def _texts(value: Any) -> tuple[str, ...]:
    """A list of names as text: a lone string is one name; anything else that is not a list
    (a number, a mapping, null) names none."""
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, (list, tuple)):
        return tuple(_text(item) for item in value if isinstance(item, (str, int, float)))
    return ()


def _dependencies(node: dict) -> list[dict]:
    """Dependency entries as ``{name, hash, deptypes, virtuals}``: a list in db >= 7, a mapping
    of name to ``{hash, type}`` in older records."""
    deps = node.get("dependencies")
    found = []
    if isinstance(deps, list):
        for dep in deps:
            if not isinstance(dep, dict):
                continue
            parameters = dep.get("parameters") if isinstance(dep.get("parameters"), dict) else {}
            deptypes = parameters.get("deptypes", dep.get("type", ()))
            found.append({"name": _text(dep.get("name")), "hash": node_hash(dep),
                          "deptypes": _texts(deptypes),
                          "virtuals": _texts(parameters.get("virtuals", ()))})  # fmt: skip
    elif isinstance(deps, dict):
        for name, dep in deps.items():
            if isinstance(dep, dict):
                found.append({"name": _text(name), "hash": node_hash(dep),
                              "deptypes": _texts(dep.get("type", ())), "virtuals": ()})  # fmt: skip
    return found


def compiler_of(node: dict, nodes_by_hash: dict[str, dict]) -> str:
    """db <= 7: the ``compiler`` field; db 8+: the build dependency providing c or cxx; else
    ``annotations.compiler``; else none."""
    compiler = node.get("compiler")
    if isinstance(compiler, dict) and compiler.get("name"):
        version = _text(compiler.get("version"))
        return f"{compiler['name']}@={version}" if version else _text(compiler["name"])
    if isinstance(compiler, str) and compiler:
        return compiler
    for dep in _dependencies(node):
        if {"c", "cxx"} & set(dep["virtuals"]):
            provider = nodes_by_hash.get(dep["hash"])
            version = _text(provider.get("version")) if provider else ""
            return f"{dep['name']}@={version}" if version else dep["name"]
    annotations = node.get("annotations")
    if isinstance(annotations, dict) and isinstance(annotations.get("compiler"), str):
        return annotations["compiler"]
    return "none"


def node_row(
    node: dict, nodes_by_hash: dict[str, dict], stacks: tuple[str, ...] = ()
) -> tuple[SpecRow, tuple[Dependency, ...]]:
    arch = node.get("arch") if isinstance(node.get("arch"), dict) else {}
    version = _text(node.get("version"))
    row = make_row(
        node_hash(node),
        (version,) if version else (),
        compiler_of(node, nodes_by_hash),
        _text(arch.get("platform_os")),
        _text(arch.get("platform")),
        _target(arch),
        variants_of(node.get("parameters")),
        stacks=stacks,
    )
    deps = []
    for dep in _dependencies(node):
        provider = nodes_by_hash.get(dep["hash"])
        deps.append(Dependency(dep["name"], _text(provider.get("version")) if provider else "",
                               dep["hash"], dep["deptypes"]))  # fmt: skip
    return row, tuple(deps)


# -- whole files ------------------------------------------------------------------------------


def read_database(document: Any, stacks: tuple[str, ...] = ()) -> IndexData:
    """The specs of a Spack database document (``{"database": {"version", "installs"}}``)."""
    database = document.get("database") if isinstance(document, dict) else None
    if not isinstance(database, dict):
        raise IndexError_("not a Spack index: no 'database' object")
    installs = database.get("installs")
    if not isinstance(installs, dict):
        raise IndexError_("Spack index has no 'installs' mapping")
    data = IndexData(version=_text(database.get("version")), records=len(installs))
    nodes_by_hash: dict[str, dict] = {}
    for key, record in installs.items():
        if isinstance(record, dict) and isinstance(record.get("spec"), dict):
            nodes_by_hash[key] = record["spec"]
    for key, record in installs.items():
        if not isinstance(record, dict) or not isinstance(record.get("spec"), dict):
            data.warnings.append(f"record {str(key)[:32]} has no spec; skipped")
            continue
        if record.get("in_buildcache") is not True:
            continue
        node = dict(record["spec"])
        node.setdefault("hash", key)
        row, deps = node_row(node, nodes_by_hash, stacks)
        data.rows.append(row)
        data.deps.append(deps)
        name = _text(node.get("name")) or "(unnamed)"
        data.names.append(name)
        data.packages[name] = data.packages.get(name, 0) + 1
    return data


def spec_nodes(document: Any) -> list[dict]:
    """A spec file's nodes as flat mappings, the root first (``{name: {...}}`` unwrapped)."""
    spec = document.get("spec") if isinstance(document, dict) else None
    nodes = spec.get("nodes") if isinstance(spec, dict) else spec
    if not isinstance(nodes, list) or not nodes or not isinstance(nodes[0], dict):
        raise IndexError_("not a Spack spec file: no spec nodes")
    flat = []
    for node in nodes:
        if (
            isinstance(node, dict)
            and len(node) == 1
            and isinstance(next(iter(node.values())), dict)
        ):
            name, body = next(iter(node.items()))  # the old {name: {...}} form
            node = dict(body, name=name)
        if isinstance(node, dict):
            flat.append(node)
    return flat


def spec_file_hash(document: Any) -> str:
    """The hash of a spec file's root spec ("" when it names none)."""
    return node_hash(spec_nodes(document)[0])


def read_spec_file(document: Any, stacks: tuple[str, ...] = ()) -> IndexData:
    """A single spec file: its root node is the spec; the other nodes resolve its dependencies."""
    flat = spec_nodes(document)
    nodes_by_hash = {node_hash(n): n for n in flat if node_hash(n)}
    root = flat[0]
    row, deps = node_row(root, nodes_by_hash, stacks)
    name = _text(root.get("name")) or "(unnamed)"
    return IndexData(rows=[row], names=[name], deps=[deps], packages={name: 1}, records=len(flat))
