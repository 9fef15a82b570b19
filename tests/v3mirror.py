"""A synthetic layout v3 mirror, as Spack writes it: an index manifest naming a gzip blob of the
database, a spec manifest per binary (``v3/manifests/spec/<name>/<name>-<version>-<hash>
.spec.manifest.json``) listing its tarball with a ``contentLength``, and build cache views
(``v3/manifests/index/<view>/index.manifest.json``)."""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
from pathlib import Path
from typing import Optional

from conftest import FORMATS

DB8 = FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v8.json"
LIBDWARF = "u5uz3dcch5if4eve4sef67o2rf2lbfgh"  # links libelf jr3yipy and gcc-runtime izgzpze
LIBELF = "jr3yipyxyjulcdvckwwwjrrumis7glpa"  # links gcc-runtime
GCC_RUNTIME = "izgzpzeljwairalfjm3k6fntbb64nt6n"
LIBELF_OLD = "rqh2vuf6fqwkmipzgi2wjx352mq7y7ez"
LIBDWARF_OLD = "sk2gqqz4n5njmvktycnd25wq25jxiqkr"  # links libelf rqh2vuf
WRAPPER = "qeehcxyvluwnihsc2qxstmpomtxo3lrc"
SIZES = {
    LIBDWARF: 3_000_000,
    LIBELF: 200_000,
    GCC_RUNTIME: 40_000_000,
    LIBELF_OLD: 150_000,
    LIBDWARF_OLD: 2_500_000,
    WRAPPER: 9_000,
}
TARBALL = "application/vnd.spack.install.v2.tar+gzip"
SPEC = "application/vnd.spack.spec.v5+json"


def database() -> dict:
    return json.loads(DB8.read_text())


def record(size: int, media: str, checksum: str = "0" * 64) -> dict:
    return {"contentLength": size, "mediaType": media, "compression": "gzip",
            "checksumAlgorithm": "sha256", "checksum": checksum}  # fmt: skip


def write_index(root: Path, document: dict, view: Optional[str] = None) -> None:
    blob = gzip.compress(json.dumps(document).encode())
    checksum = hashlib.sha256(blob).hexdigest()
    folder = root / "blobs" / "sha256" / checksum[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / checksum).write_bytes(blob)
    manifest = root / "v3" / "manifests" / "index" / (view or "") / "index.manifest.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    data = [record(len(blob), "application/vnd.spack.db.v8+json", checksum)]
    manifest.write_text(json.dumps({"version": 3, "data": data}))


def manifest_path(root: Path, name: str, version: str, full_hash: str) -> Path:
    return (root / "v3" / "manifests" / "spec" / name
            / f"{name}-{version}-{full_hash}.spec.manifest.json")  # fmt: skip


def write_spec_manifest(root: Path, name: str, version: str, full_hash: str, body: str) -> Path:
    path = manifest_path(root, name, version, full_hash)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    return path


def spec_manifest(size: int, signed: bool = False) -> str:
    body = json.dumps({"version": 3, "data": [record(size, TARBALL), record(812, SPEC)]},
                      indent=0, separators=(",", ":"))  # fmt: skip
    if signed:
        return ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + body
                + "\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n")  # fmt: skip
    return body


def make_mirror(root: Path, document: Optional[dict] = None, sizes: Optional[dict] = None,
                views: Optional[dict[str, list[str]]] = None, signed: bool = False) -> Path:  # fmt: skip
    """The mirror, with a spec manifest for each binary in ``sizes`` and each view holding
    only its hashes (the other records kept, not in the build cache, as Spack's indexes keep
    dependencies)."""
    document = database() if document is None else document
    sizes = SIZES if sizes is None else sizes
    write_index(root, document)
    for full_hash, entry in document["database"]["installs"].items():
        if full_hash in sizes and entry.get("in_buildcache"):
            spec = entry["spec"]
            write_spec_manifest(root, spec["name"], spec["version"], full_hash,
                                spec_manifest(sizes[full_hash], signed))  # fmt: skip
    for view, hashes in (views or {}).items():
        subset = copy.deepcopy(document)
        for full_hash, entry in subset["database"]["installs"].items():
            entry["in_buildcache"] = bool(entry.get("in_buildcache")) and full_hash in hashes
        write_index(root, subset, view)
    return root
