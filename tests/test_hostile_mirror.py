"""Hostile Spack mirrors (issue #14), served from 127.0.0.1 or read from a folder: checksums
that are paths, unbounded and trickling bodies, gzip bombs, lying Content-Length headers and
redirects to other schemes. Every load that might hang or eat memory while a defect exists runs
in a child process with a memory limit and a timeout (``hostile.run_child``).

Interfaces the fixes provide (the tests below are written against them):

- ``load(paths, ..., max_download_mb=MB)`` and ``cachetui ... --max-download-mb MB``: a download
  (and what a gzip-compressed index inflates to) over the limit fails with
  "index larger than <MB> MB"; a local mirror's index blob is bounded the same way by
  ``max_bytes`` (``--max-file-mb``).
- ``load(paths, ..., download_deadline=SECONDS)`` and ``--download-deadline SECONDS``: a whole
  download, not each socket read, ends within the deadline, failing with
  "download took longer than <SECONDS> s".
- ``load(paths, ..., cache=False)`` (``--no-cache``) neither reads nor writes the download cache.
- A checksum from a mirror (``index.json.hash``, a v3 manifest's ``checksum``) is a lower-case
  hex string of the algorithm's length, else the mirror is bad (an error whose reason names the
  checksum or ``index.json.hash``), checked before any file is opened or requested with it.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hostile import (
    HostileServer,
    child_cli,
    child_load,
    counting_listener,
    gzip_bomb,
    index_bytes,
    send_bytes,
    send_endless,
    send_redirect,
    send_trickle,
    sha256,
    short_temp_dir,
    write_v2_mirror,
    write_v3_mirror,
)

from cachetui.loader import load


@pytest.fixture
def www(tmp_path: Path) -> Path:
    """A web root with a good v3 mirror at /good3 and a good v2 mirror at /good2."""
    root = tmp_path / "www"
    write_v3_mirror(root / "good3", index_bytes("mirrored"))
    write_v2_mirror(root / "good2", index_bytes("mirrored"))
    return root


@pytest.fixture
def local_index():
    """A local index.json of package ``stolen``, at a short path, that no mirror may reach."""
    folder = short_temp_dir()
    path = folder / "local_index.json"
    path.write_bytes(index_bytes("stolen"))
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def padded(path: Path | str, width: int = 64) -> str:
    """An absolute path made exactly ``width`` characters long by leading slashes."""
    text = str(path)
    assert len(text) <= width
    return "/" * (width - len(text)) + text


def only_error(problems: list, *needles: str) -> None:
    assert len(problems) == 1, problems
    problem = problems[0]
    level = problem["level"] if isinstance(problem, dict) else problem.level
    reason = problem["reason"] if isinstance(problem, dict) else problem.reason
    assert level == "error", problem
    words = re.sub(r"\S*/\S*", "", reason)  # not in a path or URL (the test's folder name)
    assert any(needle in words for needle in needles), reason
    assert "Traceback" not in reason


# -- control: the good mirrors load -----------------------------------------------------------


def test_the_good_mirrors_load(www):
    with HostileServer(www) as server:
        for name in ("good3", "good2"):
            result = load([f"{server.url}/{name}"], timeout=5)
            assert [s.package for s in result.catalog.specs()] == ["mirrored"]
            assert result.errors == []


# -- checksums used as file names -------------------------------------------------------------


def test_v2_hash_that_names_a_local_file_is_refused(www, local_index):
    write_v2_mirror(www / "evil", index_bytes("mirrored"), hash_text=padded(local_index))
    with HostileServer(www) as server:
        result = load([f"{server.url}/evil"], timeout=5)
    assert "stolen" not in {s.package for s in result.catalog.specs()}
    only_error(result.problems, "index.json.hash")


def test_v2_hash_with_a_nul_byte_is_refused(www):
    write_v2_mirror(www / "evil", index_bytes("mirrored"), hash_text="a" * 31 + "\x00" + "a" * 32)
    with HostileServer(www) as server:
        result = load([f"{server.url}/evil"], timeout=5)
    only_error(result.problems, "index.json.hash")


def test_v2_hash_that_does_not_match_is_an_error(www):
    write_v2_mirror(www / "evil", index_bytes("mirrored"), hash_text="0" * 64)
    with HostileServer(www) as server:
        result = load([f"{server.url}/evil"], timeout=5)
    assert len(result.catalog) == 0
    only_error(result.problems, "index.json.hash")


def fifo_in_tmp() -> Path:
    folder = short_temp_dir()
    path = folder / "fifo"
    os.mkfifo(path)
    return path


V3_BAD_CHECKSUMS = [
    pytest.param(lambda blob: "/dev/zero", id="dev-zero"),
    pytest.param(lambda blob: padded(fifo_in_tmp()), id="local-fifo"),
    pytest.param(lambda blob: "ab" + "\x00" * 62, id="nul"),
    pytest.param(lambda blob: sha256(blob).upper(), id="upper-case"),
    pytest.param(lambda blob: sha256(blob)[:63], id="63-hex"),
]  # fmt: skip


@pytest.mark.parametrize("make_checksum", V3_BAD_CHECKSUMS)
def test_v3_bad_checksum_over_http_is_refused_before_any_request(www, make_checksum):
    blob = index_bytes("mirrored")
    checksum = make_checksum(blob)
    try:
        write_v3_mirror(www / "evil", blob, checksum=checksum)
        with HostileServer(www) as server:
            outcome = child_load([f"{server.url}/evil"], seconds=8, memory_mb=768, timeout=3)
            blob_requests = server.count("/blobs/")
    finally:
        if checksum.strip("/").startswith("tmp/ctui-"):
            shutil.rmtree(Path("/" + checksum.strip("/")).parent, ignore_errors=True)
    assert outcome.status == "ok", outcome
    only_error(outcome.problems, "checksum")
    assert outcome.specs == [] and blob_requests == 0


LOCAL_BAD_CHECKSUMS = [
    pytest.param(lambda: "/dev/zero", id="dev-zero"),
    pytest.param(lambda: padded(fifo_in_tmp()), id="fifo-outside"),
    pytest.param(lambda: "ab" + "\x00" * 62, id="nul"),
    pytest.param(lambda: "../" * 21 + "x", id="dot-dot"),
]  # fmt: skip


@pytest.mark.parametrize("make_checksum", LOCAL_BAD_CHECKSUMS)
def test_v3_bad_checksum_in_a_local_mirror_is_refused(tmp_path, make_checksum):
    checksum = make_checksum()
    try:
        mirror = write_v3_mirror(tmp_path / "evil", index_bytes("mirrored"), checksum=checksum)
        outcome = child_load([mirror], seconds=8, memory_mb=768)
    finally:
        if checksum.strip("/").startswith("tmp/ctui-"):
            shutil.rmtree(Path("/" + checksum.strip("/")).parent, ignore_errors=True)
    assert outcome.status == "ok", outcome
    only_error(outcome.problems, "checksum")


# -- sizes and deadlines ----------------------------------------------------------------------


def test_gzip_bomb_over_http_stops_at_the_limit(www):
    write_v3_mirror(www / "bomb", gzip_bomb(64), compression="gzip")
    with HostileServer(www) as server:
        outcome = child_load([f"{server.url}/bomb"], seconds=20, memory_mb=768, timeout=3,
                             max_download_mb=1)  # fmt: skip
    assert outcome.status == "ok", outcome
    only_error(outcome.problems, "index larger than 1 MB")


def test_gzip_bomb_in_a_local_mirror_stops_at_the_file_limit(tmp_path):
    mirror = write_v3_mirror(tmp_path / "bomb", gzip_bomb(64), compression="gzip")
    outcome = child_load([mirror], seconds=20, memory_mb=768, max_bytes=1_000_000)
    assert outcome.status == "ok", outcome
    only_error(outcome.problems, "index larger than 1 MB")


def test_endless_body_stops_at_the_limit(www):
    routes = {"/endless/build_cache/index.json": send_endless()}
    with HostileServer(www, routes) as server:
        outcome = child_load([f"{server.url}/endless/build_cache/index.json"], seconds=20,
                             memory_mb=768, timeout=3, max_download_mb=2)  # fmt: skip
    assert outcome.status == "ok", outcome
    only_error(outcome.problems, "index larger than 2 MB")
    assert outcome.seconds < 15


def test_endless_body_stops_at_the_limit_given_on_the_command_line(www):
    routes = {"/endless/build_cache/index.json": send_endless()}
    with HostileServer(www, routes) as server:
        url = f"{server.url}/endless/build_cache/index.json"
        outcome = child_cli(["list", url, "--max-download-mb", "2", "--timeout", "3"],
                            seconds=20, memory_mb=768)  # fmt: skip
    assert outcome.status == "ok", outcome
    assert outcome.code == 1 and "index larger than 2 MB" in outcome.stderr


def test_trickling_body_ends_at_the_deadline(www):
    routes = {"/slow/build_cache/index.json": send_trickle(index_bytes("mirrored"), every=0.2)}
    with HostileServer(www, routes) as server:
        outcome = child_load([f"{server.url}/slow/build_cache/index.json"], seconds=15,
                             timeout=1, download_deadline=2)  # fmt: skip
    assert outcome.status == "ok", outcome
    only_error(outcome.problems, "download took longer than 2 s")
    assert outcome.seconds < 10


def test_trickling_body_ends_at_the_deadline_given_on_the_command_line(www):
    routes = {"/slow/build_cache/index.json": send_trickle(index_bytes("mirrored"), every=0.2)}
    with HostileServer(www, routes) as server:
        url = f"{server.url}/slow/build_cache/index.json"
        outcome = child_cli(["list", url, "--timeout", "1", "--download-deadline", "2"], seconds=15)
    assert outcome.status == "ok", outcome
    assert outcome.code == 1 and "download took longer than 2 s" in outcome.stderr


# -- Content-Length that lies -----------------------------------------------------------------


def serve_index(www: Path, length: str) -> HostileServer:
    return HostileServer(www, {"/cl/build_cache/index.json": send_bytes(index_bytes("mirrored"), length=length)})  # fmt: skip


def test_content_length_larger_than_the_body_is_a_cut_short_download(www):
    with serve_index(www, str(len(index_bytes("mirrored")) + 1000)) as server:
        result = load([f"{server.url}/cl/build_cache/index.json"], timeout=3)
    assert len(result.catalog) == 0
    only_error(result.problems, "cut short")


def test_content_length_smaller_than_the_body_is_an_error(www):
    with serve_index(www, "10") as server:
        result = load([f"{server.url}/cl/build_cache/index.json"], timeout=3)
    assert len(result.catalog) == 0
    only_error(result.problems, "not valid JSON")


def test_negative_content_length_is_ignored(www):
    with serve_index(www, "-5") as server:
        result = load([f"{server.url}/cl/build_cache/index.json"], timeout=3)
    assert [s.package for s in result.catalog.specs()] == ["mirrored"]


@pytest.mark.parametrize(
    "length",
    [
        pytest.param("\u00b2", id="superscript-two"),
        pytest.param("9" * 5000, id="5000-digits"),
    ],
)  # fmt: skip
def test_content_length_that_is_not_a_number_is_ignored(www, length):
    with serve_index(www, length) as server:
        result = load([f"{server.url}/cl/build_cache/index.json"], timeout=3)
    assert [s.package for s in result.catalog.specs()] == ["mirrored"]


# -- redirects --------------------------------------------------------------------------------


def test_redirect_within_http_is_followed(www):
    routes = {"/moved/build_cache/index.json": send_redirect("/good2/build_cache/index.json")}
    with HostileServer(www, routes) as server:
        result = load([f"{server.url}/moved/build_cache/index.json"], timeout=3)
    assert [s.package for s in result.catalog.specs()] == ["mirrored"]


def test_redirect_to_a_local_file_is_refused(www, local_index):
    routes = {"/evil/build_cache/index.json": send_redirect(f"file://{local_index}")}
    with HostileServer(www, routes) as server:
        result = load([f"{server.url}/evil/build_cache/index.json"], timeout=3)
    assert len(result.catalog) == 0
    only_error(result.problems, "HTTP 30", "redirect")


def test_redirect_to_ftp_is_refused_without_a_connection(www):
    with counting_listener() as (port, accepted):
        routes = {"/evil/build_cache/index.json": send_redirect(f"ftp://127.0.0.1:{port}/index.json")}  # fmt: skip
        with HostileServer(www, routes) as server:
            result = load([f"{server.url}/evil/build_cache/index.json"], timeout=2)
    assert accepted == []
    assert len(result.catalog) == 0
    only_error(result.problems, "redirect")


def test_redirect_loop_ends(www):
    routes = {"/loop/build_cache/index.json": send_redirect("/loop/build_cache/index.json")}
    with HostileServer(www, routes) as server:
        result = load([f"{server.url}/loop/build_cache/index.json"], timeout=3)
        requests = server.count("/loop/")
    assert len(result.catalog) == 0 and requests < 30
    only_error(result.problems, "HTTP 30", "redirect")


# -- the download cache -----------------------------------------------------------------------


def test_no_cache_bypasses_the_download_cache(www):
    downloads = Path(os.environ["CACHETUI_CACHE_DIR"]) / "downloads"
    with HostileServer(www) as server:
        for _ in range(2):
            result = load([f"{server.url}/good3"], timeout=5, cache=False)
            assert [s.package for s in result.catalog.specs()] == ["mirrored"]
        blob_requests = server.count("/blobs/")
    assert blob_requests == 2
    assert not downloads.exists() or list(downloads.iterdir()) == []
