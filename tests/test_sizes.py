"""Download sizes from layout v3 spec manifests: the manifest's path and contents checked as
untrusted input, read from a folder or over http from 127.0.0.1 (and cached), summed over a
closure less what is installed, and ``cachetui check --sizes``."""

from __future__ import annotations

import json
import os

import pytest
from conftest import SEEDS
from hostile import HostileServer, send_bytes, send_endless
from v3mirror import (
    GCC_RUNTIME,
    LIBDWARF,
    LIBELF,
    SIZES,
    make_mirror,
    manifest_path,
    spec_manifest,
    write_spec_manifest,
)

from cachetui.cli import main
from cachetui.errors import IndexError_
from cachetui.loader import load
from cachetui.provenance import NOT_FROM_A_MIRROR, closure_download, download, size_of
from cachetui.sizes import MANIFEST_LIMIT, SizeReader, human, manifest_parts, tarball_size

CLOSURE = SIZES[LIBDWARF] + SIZES[LIBELF] + SIZES[GCC_RUNTIME]  # 43.2 MB


@pytest.fixture
def mirror(tmp_path):
    return make_mirror(tmp_path / "mirror")


def spec_id(catalog, full_hash: str) -> int:
    return catalog.by_hash(full_hash)[0]


# -- the manifest, as untrusted input -------------------------------------------------------


def test_manifest_path_is_spacks():
    assert manifest_parts("libdwarf", "20130729", LIBDWARF) == (
        "v3", "manifests", "spec", "libdwarf", f"libdwarf-20130729-{LIBDWARF}.spec.manifest.json"
    )  # fmt: skip
    # a separator inside a version becomes "_", as Spack's format_path makes it
    assert manifest_parts("x", "a/b", LIBDWARF)[-1] == f"x-a_b-{LIBDWARF}.spec.manifest.json"


@pytest.mark.parametrize(
    "name, version, full_hash",
    [("../etc", "1", LIBDWARF), ("x", "..", LIBDWARF), ("x", "1", "../" + LIBDWARF[3:]),
     ("x", "1", LIBDWARF.upper()), ("", "1", LIBDWARF), ("x", "1\n2", LIBDWARF),
     ("x", "", LIBDWARF), ("x/y", "1", LIBDWARF)],
)  # fmt: skip
def test_names_that_would_leave_the_folder_are_refused(name, version, full_hash):
    with pytest.raises(IndexError_):
        manifest_parts(name, version, full_hash)


def test_plain_and_clear_signed_manifests():
    assert tarball_size(spec_manifest(1234).encode(), "m") == 1234
    assert tarball_size(spec_manifest(99, signed=True).encode(), "m") == 99


@pytest.mark.parametrize(
    "body, reason",
    [(b"not json", "m"), (b"[]", "no data list"), (b'{"version": 2, "data": []}', "version 2"),
     (b'{"version": 3, "data": [{"mediaType": "application/pgp-keys"}]}', "lists no tarball"),
     (b'{"version": 3, "data": [1, "x", null]}', "lists no tarball")],
)  # fmt: skip
def test_bad_manifests_say_why(body, reason):
    with pytest.raises(IndexError_) as error:
        tarball_size(body, "m")
    assert reason in error.value.reason


@pytest.mark.parametrize("length", [-1, True, "12", 1.5, 1 << 60, None])
def test_content_length_must_be_a_sane_integer(length):
    body = json.dumps({"version": 3, "data": [
        {"mediaType": "application/vnd.spack.install.v2.tar+gzip", "contentLength": length}]})  # fmt: skip
    with pytest.raises(IndexError_, match="contentLength is not a size"):
        tarball_size(body.encode(), "m")


def test_human_sizes():
    assert [human(None), human(999), human(43_200_000), human(2_500_000_000)] == [
        "-", "999 B", "43.2 MB", "2.5 GB"]  # fmt: skip


# -- a local mirror -------------------------------------------------------------------------


def test_one_spec_and_its_closure(mirror):
    catalog = load([str(mirror)]).catalog
    reader = SizeReader()
    assert size_of(catalog, spec_id(catalog, LIBDWARF), reader).size == SIZES[LIBDWARF]
    total = closure_download(catalog, spec_id(catalog, LIBDWARF), reader)
    assert (total.bytes, total.known, total.failed) == (CLOSURE, 3, [])


def test_what_is_installed_is_not_downloaded(mirror):
    catalog = load([str(mirror)]).catalog
    total = closure_download(catalog, spec_id(catalog, LIBDWARF), SizeReader(),
                             installed=frozenset({GCC_RUNTIME}))  # fmt: skip
    assert (total.bytes, total.known) == (SIZES[LIBDWARF] + SIZES[LIBELF], 2)


def test_a_missing_manifest_is_named_and_the_rest_still_adds_up(mirror):
    manifest_path(mirror, "libelf", "0.8.13", LIBELF).unlink()
    catalog = load([str(mirror)]).catalog
    total = closure_download(catalog, spec_id(catalog, LIBDWARF), SizeReader())
    assert (total.bytes, total.known) == (SIZES[LIBDWARF] + SIZES[GCC_RUNTIME], 2)
    [failed] = total.failed
    assert failed.hash == LIBELF and "no spec manifest" in failed.error and LIBELF in failed.error


def test_a_bad_manifest_is_named_and_the_rest_still_adds_up(mirror):
    write_spec_manifest(mirror, "libelf", "0.8.13", LIBELF, '{"version": 3, "data": "x"}')
    catalog = load([str(mirror)]).catalog
    total = closure_download(catalog, spec_id(catalog, LIBDWARF), SizeReader())
    assert total.known == 2 and "not a spec manifest" in total.failed[0].error


def test_a_manifest_symlinked_out_of_the_mirror_is_refused(mirror, tmp_path):
    outside = tmp_path / "outside.json"
    outside.write_text(spec_manifest(5))
    path = manifest_path(mirror, "libelf", "0.8.13", LIBELF)
    path.unlink()
    os.symlink(outside, path)
    catalog = load([str(mirror)]).catalog
    size = size_of(catalog, spec_id(catalog, LIBELF), SizeReader())
    assert size.size is None and "leaves the mirror folder" in size.error


def test_a_huge_local_manifest_is_not_read(mirror):
    write_spec_manifest(mirror, "libelf", "0.8.13", LIBELF, " " * (MANIFEST_LIMIT + 1))
    catalog = load([str(mirror)]).catalog
    size = size_of(catalog, spec_id(catalog, LIBELF), SizeReader())
    assert size.size is None and "larger than" in size.error


def test_a_spec_from_a_site_page_has_no_size(tmp_path):
    catalog = load([str(SEEDS)]).catalog  # site pages
    total = download(catalog, range(3), SizeReader())
    assert total.known == 0 and {f.error for f in total.failed} == {NOT_FROM_A_MIRROR}


def test_each_hash_is_asked_once_and_the_answer_kept(mirror, monkeypatch):
    catalog = load([str(mirror), str(mirror / "v3" / "manifests" / "index" /
                                    "index.manifest.json")]).catalog  # fmt: skip
    reader = SizeReader()
    asked = []
    original = reader._read
    monkeypatch.setattr(reader, "_read", lambda *a: asked.append(a[3]) or original(*a))
    ids = catalog.by_hash(LIBDWARF)
    assert len(ids) == 2  # the same binary read twice
    assert download(catalog, ids, reader).known == 1
    download(catalog, ids, reader)
    assert asked == [LIBDWARF]


# -- over http ------------------------------------------------------------------------------


def test_sizes_over_http_are_cached_on_disk(mirror):
    with HostileServer(mirror.parent) as server:
        url = f"{server.url}/mirror"
        catalog = load([url]).catalog
        total = closure_download(catalog, spec_id(catalog, LIBDWARF), SizeReader())
        assert (total.bytes, total.known) == (CLOSURE, 3)
        assert server.count(".spec.manifest.json") == 3
        again = closure_download(catalog, spec_id(catalog, LIBDWARF), SizeReader())
        assert again.bytes == CLOSURE
        assert server.count(".spec.manifest.json") == 3  # a new reader: from the disk cache
        no_cache = closure_download(
            catalog, spec_id(catalog, LIBDWARF), SizeReader(use_cache=False)
        )
        assert no_cache.bytes == CLOSURE and server.count(".spec.manifest.json") == 6


def test_bad_and_endless_manifests_over_http(mirror):
    bad = "/mirror/" + "/".join(manifest_parts("libelf", "0.8.13", LIBELF))
    endless = "/mirror/" + "/".join(manifest_parts("gcc-runtime", "10.2.1", GCC_RUNTIME))
    routes = {bad: send_bytes(b'{"version": 3, "data": [{"mediaType": 5}]}'),
              endless: send_endless()}  # fmt: skip
    with HostileServer(mirror.parent, routes) as server:
        catalog = load([f"{server.url}/mirror"]).catalog
        total = closure_download(catalog, spec_id(catalog, LIBDWARF), SizeReader())
    assert (total.bytes, total.known) == (SIZES[LIBDWARF], 1)
    reasons = {f.hash: f.error for f in total.failed}
    assert "lists no tarball" in reasons[LIBELF]
    assert "larger than" in reasons[GCC_RUNTIME]


def test_a_404_says_so(mirror):
    manifest_path(mirror, "libelf", "0.8.13", LIBELF).unlink()
    with HostileServer(mirror.parent) as server:
        catalog = load([f"{server.url}/mirror"]).catalog
        size = size_of(catalog, spec_id(catalog, LIBELF), SizeReader())
    assert size.size is None and "HTTP 404" in size.error


# -- cachetui check --sizes -------------------------------------------------------------------


def test_check_sizes_prints_the_download(mirror, capsys):
    code = main(["check", "/u5uz3dc", str(mirror), "--sizes"])
    out = capsys.readouterr().out
    assert code == 0
    assert "u5uz3dc: download 43.2 MB for 3 specs" in out


def test_check_sizes_json_names_what_is_unknown(mirror, capsys):
    manifest_path(mirror, "libelf", "0.8.13", LIBELF).unlink()
    assert main(["check", "u5uz3dc", str(mirror), "--sizes", "--json"]) == 0
    [download_] = json.loads(capsys.readouterr().out)["downloads"]
    assert download_["bytes"] == SIZES[LIBDWARF] + SIZES[GCC_RUNTIME]
    assert download_["specs"] == 2 and download_["unknown"][0]["hash"] == LIBELF


def test_check_without_sizes_reads_no_manifest(mirror, capsys, monkeypatch):
    monkeypatch.setattr(SizeReader, "_read", lambda *a: pytest.fail("a manifest was read"))
    assert main(["check", "u5uz3dc", str(mirror)]) == 0
    assert "download" not in capsys.readouterr().out


def test_loading_reads_no_spec_manifest(mirror):
    with HostileServer(mirror.parent) as server:
        assert len(load([f"{server.url}/mirror"]).catalog) == 6
        assert server.count(".spec.manifest.json") == 0
