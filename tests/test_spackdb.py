"""Spack's own build cache indexes: index.json (db 6-8), layout v2 and v3 mirrors, spec files,
and http(s) mirrors served from 127.0.0.1."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.server
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from apphelpers import settle
from conftest import FORMATS

from cachetui.loader import load
from cachetui.spackdb import strip_clearsign, variants_of
from cachetui.ui.app import CacheApp
from cachetui.ui.widgets.detail_panel import DetailPanel
from cachetui.ui.widgets.spec_table import SpecTable

DB6 = FORMATS / "spack_test-data_legacy_yaml_index.db-v6.json"
DB7 = FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v7.json"
DB8 = FORMATS / "spack_test-data_v2_layout_unsigned_index.db-v8.json"
SPEC_JSON = FORMATS / "spack_test-data_v2_layout_unsigned_libdwarf-u5uz3dc.spec.json"
SPEC_SIG = FORMATS / "spack_test-data_signed_json_zlib-g7otk5d.spec.json.sig"


@pytest.fixture(autouse=True)
def download_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CACHETUI_CACHE_DIR", str(tmp_path / "cache"))


def specs_of(result):
    return {s.package + "@" + s.version + " " + s.target: s for s in result.catalog.specs()}


@pytest.mark.parametrize(("path", "count"), [(DB6, 1), (DB7, 2), (DB8, 6)])
def test_saved_indexes_load_with_the_right_count(path, count):
    result = load([path])
    assert len(result.catalog) == count and result.problems == []


def test_db6_fields():
    (spec,) = load([DB6]).catalog.specs()
    assert (spec.package, spec.version, spec.hash) == (
        "zlib",
        "1.2.11",
        "t5mczux3tfqpxwmg7egp7axy2jvyulqk",
    )
    assert (spec.compiler, spec.os, spec.platform, spec.target) == (
        "gcc@=4.5.0",
        "debian6",
        "test",
        "core2",
    )
    assert spec.variants == ("+optimize", "+pic", "+shared")  # empty flag lists left out


def test_db8_compiler_from_the_c_provider_and_the_external_gcc_left_out():
    result = load([DB8])
    packages = sorted(s.package for s in result.catalog.specs())
    assert packages == [
        "compiler-wrapper",
        "gcc-runtime",
        "libdwarf",
        "libdwarf",
        "libelf",
        "libelf",
    ]
    dwarf = [s for s in result.catalog.specs() if s.hash.startswith("u5uz3dc")][0]
    assert dwarf.compiler == "gcc@=10.2.1"  # the gcc dependency providing c and cxx
    assert dwarf.target == "m1"  # the target's name, from a dict
    deps = {d.name: d for d in dwarf.dependencies}
    assert set(deps) == {"compiler-wrapper", "gcc", "gcc-runtime", "libelf"}
    assert deps["libelf"].deptypes == ("build", "link") and deps["libelf"].short_hash == "jr3yipy"
    assert deps["gcc"].version == "10.2.1"  # resolved from the record not in the cache
    wrapper = [s for s in result.catalog.specs() if s.package == "compiler-wrapper"][0]
    assert wrapper.compiler == "none"
    elf = [s for s in result.catalog.specs() if s.hash.startswith("rqh2vuf")][0]
    assert elf.compiler == "gcc@=10.2.1"  # from annotations.compiler
    needed_by = result.catalog.dependents(elf.hash)
    assert [result.catalog.spec(i).hash[:7] for i in needed_by] == ["sk2gqqz"]


def test_variant_rendering():
    assert variants_of({"shared": True, "pic": False, "libs": ["shared", "static"], "cflags": [],
                        "build_system": "cmake", "patches": ["0d38234384870bfd", "abcdef0123"]}) == (
        "build_system=cmake", "libs=shared,static", "patches=0d38234,abcdef0", "~pic", "+shared")  # fmt: skip


def test_spec_files():
    (dwarf,) = load([SPEC_JSON]).catalog.specs()
    assert dwarf.hash == "u5uz3dcch5if4eve4sef67o2rf2lbfgh" and len(dwarf.dependencies) == 4
    (zlib,) = load([SPEC_SIG]).catalog.specs()
    assert (zlib.package, zlib.version, zlib.compiler, zlib.target) == (
        "zlib",
        "1.2.12",
        "gcc@=8.4.0",
        "haswell",
    )
    assert "patches=0d38234" in zlib.variants


def test_clearsign_armour_is_stripped():
    text = SPEC_SIG.read_text()
    assert json.loads(strip_clearsign(text))["spec"]["nodes"][0]["name"] == "zlib"


def test_tag_override_and_json_export_with_dependencies(capsys):
    from cachetui.cli import main

    assert main(["list", str(DB8), "--tag", "mymirror", "-f", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert {r["tag"] for r in records} == {"mymirror"}
    dwarf = [r for r in records if r["hash"].startswith("u5uz3dc")][0]
    assert {d["name"] for d in dwarf["dependencies"]} == {
        "compiler-wrapper",
        "gcc",
        "gcc-runtime",
        "libelf",
    }


# -- mirrors ----------------------------------------------------------------------------------


def make_v2_mirror(root: Path, db: Path = DB8) -> Path:
    (root / "build_cache").mkdir(parents=True)
    data = db.read_bytes()
    (root / "build_cache" / "index.json").write_bytes(data)
    (root / "build_cache" / "index.json.hash").write_text(hashlib.sha256(data).hexdigest())
    shutil.copy(SPEC_JSON, root / "build_cache" / SPEC_JSON.name)  # must not be read twice
    return root


def make_v3_mirror(root: Path, compress: bool = True, signed: bool = False, db: Path = DB8) -> Path:
    raw = db.read_bytes()
    blob = gzip.compress(raw) if compress else raw
    checksum = hashlib.sha256(blob).hexdigest()
    blob_dir = root / "blobs" / "sha256" / checksum[:2]
    blob_dir.mkdir(parents=True)
    (blob_dir / checksum).write_bytes(blob)
    manifest = json.dumps({"version": 3, "data": [{
        "contentLength": len(blob), "mediaType": "application/vnd.spack.db.v8+json",
        "compression": "gzip" if compress else "none", "checksumAlgorithm": "sha256",
        "checksum": checksum}]}, indent=2)  # fmt: skip
    if signed:
        manifest = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + manifest
                    + "\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n-----END PGP SIGNATURE-----\n")  # fmt: skip
    index_dir = root / "v3" / "manifests" / "index"
    index_dir.mkdir(parents=True)
    (index_dir / "index.manifest.json").write_text(manifest)
    (root / "v3" / "layout.json").write_text('{"signing": "gpg"}')
    return root


@pytest.mark.parametrize(("compress", "signed"), [(True, False), (False, False), (True, True)])
def test_v3_mirror_folder(tmp_path, compress, signed):
    mirror = make_v3_mirror(tmp_path / "site-mirror", compress, signed)
    result = load([mirror])
    assert len(result.catalog) == 6 and result.problems == []
    assert result.catalog.tags == ["site-mirror"]
    manifest = mirror / "v3" / "manifests" / "index" / "index.manifest.json"
    assert len(load([manifest]).catalog) == 6


def test_v3_blob_checksum_is_verified(tmp_path):
    mirror = make_v3_mirror(tmp_path / "m")
    blob = next((mirror / "blobs").rglob("*"))
    while blob.is_dir():
        blob = next(blob.iterdir())
    blob.write_bytes(gzip.compress(b'{"database": {"version": "8", "installs": {}}}'))
    (problem,) = load([mirror]).problems
    assert problem.level == "error" and "checksum mismatch" in problem.reason


def test_v2_mirror_folder_reads_the_index_once(tmp_path):
    mirror = make_v2_mirror(tmp_path / "old-mirror")
    result = load([mirror])
    assert len(result.catalog) == 6 and result.catalog.tags == ["old-mirror"]
    assert len(load([mirror / "build_cache"]).catalog) == 6


def test_mirrors_found_in_a_folder_walk(tmp_path):
    make_v2_mirror(tmp_path / "all" / "a")
    make_v3_mirror(tmp_path / "all" / "b", db=DB7)
    result = load([tmp_path / "all"])
    assert sorted(result.catalog.tags) == ["a", "b"] and len(result.catalog) == 8
    assert result.problems == []


def test_dependency_tree_jumps_in_the_app(tmp_path):
    import asyncio

    from cachetui.ui.widgets.dependency_tree import DependencyTree

    def labels(app) -> list[str]:
        tree = app.screen.query_one(DependencyTree)
        return [str(tree.get_node_at_line(y).label) for y in range(tree.last_line + 1)]

    async def run():
        app = CacheApp([str(DB8)])
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("slash", *"libdwarf target=m1", "enter")
            await settle(pilot)
            tree = app.query_one(DependencyTree)
            assert tree.display
            rows = labels(app)
            assert rows[0] == "depends on (4)" and any("libelf@0.8.13  /jr3yipy" in x for x in rows)
            tree.focus()
            await pilot.press("end", "enter")  # the last row: libelf
            await settle(pilot)
            table = app.query_one(SpecTable)
            assert app.catalog.spec(table.current_spec).hash.startswith("jr3yipy")
            assert "needed by (1)" in labels(app)  # the reverse: what depends on libelf
            tree = app.query_one(DependencyTree)
            tree.focus()
            await pilot.press("home", "down", "enter")  # the first dependency: compiler-wrapper
            await settle(pilot)
            assert app.catalog.spec(table.current_spec).package == "compiler-wrapper"
            gcc = [
                d
                for d in app.catalog.spec(app.catalog.by_hash_prefix("u5uz3dc")[0]).dependencies
                if d.name == "gcc"
            ][0]
            app.screen.post_message(DetailPanel.JumpRequested(gcc.hash))
            await settle(pilot)
            assert any("not in the loaded caches" in n.message for n in app._notifications)

    asyncio.run(run())


# -- http -------------------------------------------------------------------------------------


class MirrorHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; a few paths misbehave on purpose."""

    requests: list[str] = []

    def handle(self):
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            super().handle()

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):  # noqa: N802
        MirrorHandler.requests.append(self.path)
        if self.path.startswith("/slow/"):
            time.sleep(2)
        if self.path.startswith("/broken/"):
            self.send_response(500, "Internal Server Error")
            self.end_headers()
            return
        if self.path.startswith("/partial/"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'{"database": {')
            self.wfile.flush()
            return
        self.path = self.path.replace("/slow/", "/", 1).replace("/develop/e4s/", "/v3mirror/", 1)
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    make_v3_mirror(root / "v3mirror")
    make_v2_mirror(root / "v2mirror")
    handler = lambda *args, **kw: MirrorHandler(*args, directory=str(root), **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    MirrorHandler.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_v3_mirror_and_download_cache(server):
    result = load([f"{server}/develop/e4s"])
    assert len(result.catalog) == 6 and result.problems == []
    assert result.catalog.tags == ["develop"]
    assert {s.stacks for s in result.catalog.specs()} == {("e4s",)}
    blob_requests = [p for p in MirrorHandler.requests if "/blobs/" in p]
    assert len(blob_requests) == 1
    again = load([f"{server}/develop/e4s"])
    assert len(again.catalog) == 6
    assert [
        p for p in MirrorHandler.requests if "/blobs/" in p
    ] == blob_requests  # not fetched again
    assert "download cache" in again.problems[0].reason and again.problems[0].level == "warning"


def test_http_v2_mirror_verified_and_cached(server):
    result = load([f"{server}/v2mirror"], tag="site")
    assert len(result.catalog) == 6 and result.catalog.tags == ["site"]
    fetched = [p for p in MirrorHandler.requests if p.endswith("build_cache/index.json")]
    load([f"{server}/v2mirror"])
    assert [p for p in MirrorHandler.requests if p.endswith("build_cache/index.json")] == fetched


def test_http_index_file_url(server):
    assert len(load([f"{server}/v2mirror/build_cache/index.json"]).catalog) == 6
    manifest = f"{server}/v3mirror/v3/manifests/index/index.manifest.json"
    assert len(load([manifest]).catalog) == 6


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/nothing-here", "HTTP 404"),
        ("/broken/mirror", "HTTP 500"),
        ("/partial/build_cache/index.json", "cut short"),
    ],
)
def test_http_errors(server, path, reason):
    result = load([server + path], timeout=5)
    (problem,) = result.problems
    assert problem.level == "error" and reason in problem.reason and len(result.catalog) == 0


def test_http_timeout(server):
    started = time.monotonic()
    (problem,) = load([f"{server}/slow/v2mirror"], timeout=0.5).problems
    assert "timed out after 0.5 s" in problem.reason
    assert time.monotonic() - started < 5


def test_bad_tls(server):
    (problem,) = load([server.replace("http://", "https://") + "/v2mirror"], timeout=5).problems
    assert "TLS error" in problem.reason


def test_unreachable_host():
    (problem,) = load(["http://127.0.0.1:9/mirror"], timeout=2).problems
    assert "cannot reach 127.0.0.1:9" in problem.reason


def test_database_version_9_is_read(tmp_path):
    """Spack 1.x writes database version 9 with the same record shape as version 8."""
    document = json.loads(DB8.read_text())
    document["database"]["version"] = "9"
    path = tmp_path / "index.json"
    path.write_text(json.dumps(document))
    result = load([path])
    assert len(result.catalog) == 6 and result.problems == []


def test_index_problems_are_reported_not_raised(tmp_path):
    bad = tmp_path / "index.json"
    bad.write_text(
        '{"database": {"version": "8", "installs": {"abc": 5, "def": {"spec": {"name": "x"}, "in_buildcache": true}}}}'
    )
    result = load([bad])
    assert len(result.catalog) == 1
    (problem,) = result.problems
    assert problem.level == "warning" and "record abc has no spec" in problem.reason
    bad.write_text('{"database": []}')
    (problem,) = load([bad]).problems
    assert problem.level == "error" and "no 'database' object" in problem.reason
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    (problem,) = load([bad]).problems
    assert "cannot be decompressed" in problem.reason
