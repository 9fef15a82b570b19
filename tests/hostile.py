"""Helpers for the hostile-input tests: Spack indexes and mirrors built from raw parts, a bounded
hostile HTTP server on 127.0.0.1, and a child process with a memory limit and a timeout.

Risky loads (ones that may hang or eat memory while a defect exists) run in a child process:
``run_child`` gives it an address-space limit (``RLIMIT_AS``) and a wall-clock timeout, so a
test of such a defect fails fast instead of hanging the suite or the machine.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import json
import os
import resource
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from conftest import page_text, spec_entry

GOOD_HASH = "g" * 32
OTHER_HASH = "k" * 32
RESULT_MARK = "\n@@cachetui-test-result@@"

# -- pages and Spack indexes ------------------------------------------------------------------


def write_good_page(folder: Path) -> Path:
    """A page that must load whatever sits beside it: package ``good``, one spec."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "good.md"
    path.write_text(page_text("good", specs=[spec_entry(hash=GOOD_HASH)]))
    return path


def write_big_folder(folder: Path, specs: int = 5000) -> Path:
    """A folder over the index cache's 1 MB threshold: one page of ``specs`` specs."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = [spec_entry(hash=b32(i), versions=[f"1.{i}"]) for i in range(specs)]
    (folder / "big.md").write_text(page_text("big", specs=entries))
    return folder


def b32(number: int) -> str:
    """A distinct, valid 32-character Spack hash for ``number``."""
    digits = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(digits[(number >> (5 * i)) & 31] for i in range(32))


def index_record(name: str, hash_: str, in_buildcache: bool = True, **spec: Any) -> dict:
    """One ``installs`` record of a Spack database (version 8 shape)."""
    node = {
        "name": name,
        "version": "1.0",
        "arch": {"platform": "linux", "platform_os": "ubuntu22.04", "target": "x86_64"},
        "parameters": {"shared": True},
        "hash": hash_,
    }
    node.update(spec)
    return {"spec": node, "in_buildcache": in_buildcache}


def index_document(*records: tuple[str, dict], version: str = "8") -> dict:
    return {"database": {"version": version, "installs": dict(records)}}


def index_bytes(package: str = "mirrored", hash_: str = OTHER_HASH) -> bytes:
    """A small valid index.json with one spec of ``package``."""
    return json.dumps(index_document((hash_, index_record(package, hash_)))).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_v2_mirror(root: Path, index: bytes, hash_text: Optional[str] = None) -> Path:
    """``build_cache/index.json`` and its ``index.json.hash`` (the real sha256 unless given)."""
    folder = root / "build_cache"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.json").write_bytes(index)
    (folder / "index.json.hash").write_text(sha256(index) if hash_text is None else hash_text)
    return root


def manifest_bytes(checksum: str, compression: str = "none", length: int = 0) -> bytes:
    return json.dumps({"version": 3, "data": [{
        "contentLength": length, "mediaType": "application/vnd.spack.db.v8+json",
        "compression": compression, "checksumAlgorithm": "sha256", "checksum": checksum}]}).encode()  # fmt: skip


def write_v3_mirror(
    root: Path, blob: bytes, checksum: Optional[str] = None, compression: str = "none"
) -> Path:
    """A layout v3 mirror: the manifest names ``checksum`` (the blob's real sha256 unless
    given); the blob is stored under its real checksum."""
    real = sha256(blob)
    blob_dir = root / "blobs" / "sha256" / real[:2]
    blob_dir.mkdir(parents=True, exist_ok=True)
    (blob_dir / real).write_bytes(blob)
    index_dir = root / "v3" / "manifests" / "index"
    index_dir.mkdir(parents=True, exist_ok=True)
    manifest = manifest_bytes(real if checksum is None else checksum, compression, len(blob))
    (index_dir / "index.manifest.json").write_bytes(manifest)
    return root


def gzip_bomb(inflated_mb: int) -> bytes:
    """A gzip member of zeros: ~1 KB per MB it inflates to."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    chunk = bytes(1 << 20)
    parts = [compressor.compress(chunk) for _ in range(inflated_mb)]
    parts.append(compressor.flush())
    return b"".join(parts)


def short_temp_dir() -> Path:
    """A folder with a short absolute path (a 64-character "hash" must be able to name it)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="ctui-", dir="/tmp"))


# -- results ----------------------------------------------------------------------------------


def problems_of(result: Any, path: Path | str) -> list:
    return [p for p in result.problems if p.path == str(path)]


def assert_costs_at_most_that_file(result: Any, bad: Path | str) -> None:
    """One bad value costs one file, never the load: the good page loads, nothing else is
    reported, and the bad file has at most one problem, in plain words."""
    good = [s for s in result.catalog.specs() if s.package == "good"]
    assert [s.hash for s in good] == [GOOD_HASH], "the good page loads"
    others = [p for p in result.problems if p.path != str(bad)]
    assert others == [], others
    mine = problems_of(result, bad)
    assert len(mine) <= 1, mine
    for problem in mine:
        assert problem.level in ("error", "warning") and "Traceback" not in problem.reason


# -- a child process with limits --------------------------------------------------------------

_CHILD = r"""
import contextlib, io, json, os, sys, traceback
job = json.loads(sys.stdin.read())
out = {}
try:
    if job["kind"] == "load":
        from cachetui.loader import load
        result = load(job["paths"], **job["kwargs"])
        if job.get("save"):
            result.pending.save()
        out = {"status": "ok",
               "specs": [{"package": s.package, "tag": s.tag, "hash": s.hash, "size": s.size}
                         for s in result.catalog.specs()],
               "problems": [p.to_dict() for p in result.problems]}
    else:
        from cachetui.cli import main
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(job["argv"])
        out = {"status": "ok", "code": code, "stdout": stdout.getvalue()[-100000:],
               "stderr": stderr.getvalue()[-100000:]}
except MemoryError:
    out = {"status": "MemoryError"}
except BaseException as error:
    out = {"status": "exception", "error": f"{type(error).__name__}: {str(error)[:300]}",
           "traceback": traceback.format_exc()[-3000:]}
os.write(1, (__MARK__ + json.dumps(out)).encode())
"""


@dataclass
class Outcome:
    """What a child process did: ``status`` is ok, exception, MemoryError, timeout or died."""

    status: str
    seconds: float
    specs: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    code: Optional[int] = None
    stdout: str = ""
    stderr: str = ""
    error: str = ""

    def problems_for(self, path: Path | str) -> list[dict]:
        return [p for p in self.problems if p["path"] == str(path)]

    def packages(self) -> list[str]:
        return sorted(s["package"] for s in self.specs)

    def __str__(self) -> str:  # shown by pytest when an assertion fails
        return (f"Outcome({self.status}, {self.seconds:.1f} s, error={self.error!r},"
                f" problems={self.problems!r}, code={self.code}, stderr={self.stderr[-500:]!r})")  # fmt: skip


def run_child(job: dict, timeout: float = 20.0, memory_mb: int = 1024) -> Outcome:
    """Run ``job`` (``{"kind": "load", "paths": [...], "kwargs": {...}}`` or ``{"kind": "cli",
    "argv": [...]}``) in a fresh Python with at most ``memory_mb`` of address space, killed
    after ``timeout`` seconds. The environment (the test's private cache folder) is inherited."""
    limit = memory_mb * 1024 * 1024

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    code = _CHILD.replace("__MARK__", repr(RESULT_MARK))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], input=json.dumps(job), capture_output=True,
            text=True, timeout=timeout, preexec_fn=limits, env=env,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Outcome("timeout", time.monotonic() - started, error=f"killed after {timeout} s")
    seconds = time.monotonic() - started
    if RESULT_MARK not in done.stdout:
        return Outcome("died", seconds, error=f"exit {done.returncode}: {done.stderr[-800:]}")
    data = json.loads(done.stdout.rsplit(RESULT_MARK, 1)[1])
    return Outcome(
        data["status"], seconds, data.get("specs", []), data.get("problems", []),
        data.get("code"), data.get("stdout", ""), data.get("stderr", ""),
        data.get("error", "") + ("\n" + data["traceback"] if "traceback" in data else ""),
    )  # fmt: skip


def child_load(paths: list[Any], seconds: float = 20.0, memory_mb: int = 1024,
               save: bool = False, **kwargs: Any) -> Outcome:  # fmt: skip
    """``load(paths, **kwargs)`` in a child (``seconds``: its time limit; ``save``: write the
    index cache after)."""
    job = {"kind": "load", "paths": [str(p) for p in paths], "kwargs": kwargs, "save": save}
    return run_child(job, seconds, memory_mb)


def child_cli(argv: list[str], seconds: float = 20.0, memory_mb: int = 1024) -> Outcome:
    """``cli.main(argv)`` in a child, its stdout and stderr captured."""
    return run_child({"kind": "cli", "argv": argv}, seconds, memory_mb)


# -- a hostile HTTP server --------------------------------------------------------------------

Route = Callable[["HostileHandler"], None]
MAX_REQUESTS = 200  # then every request gets 503: a client in a loop cannot keep it busy
MAX_STREAM_BYTES = 256 << 20  # an "endless" body ends here
MAX_STREAM_SECONDS = 20.0  # a trickling body ends here
LIFETIME = 120.0  # the server shuts itself down after this, whatever the test does


class HostileHandler(http.server.BaseHTTPRequestHandler):
    server: HostileHTTPServer
    protocol_version = "HTTP/1.0"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client gave up: fine
            super().handle()

    def do_GET(self) -> None:  # noqa: N802
        owner = self.server.owner
        with owner.lock:
            owner.requests.append(self.path)
            over = len(owner.requests) > MAX_REQUESTS
        if over:
            self.send_error(503)
            return
        route = owner.routes.get(self.path)
        if route is not None:
            route(self)
            return
        if owner.root is not None:
            target = (owner.root / self.path.lstrip("/")).resolve()
            if target.is_file() and owner.root.resolve() in target.parents:
                send_bytes(target.read_bytes())(self)
                return
        self.send_error(404)

    def stopping(self) -> bool:
        return self.server.owner.stop.is_set()


class HostileHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: HostileServer


class HostileServer:
    """A threaded HTTP server on 127.0.0.1 (port 0) serving ``routes`` (exact request paths)
    and the files under ``root``. Bounded: at most ``MAX_REQUESTS`` answered, streamed bodies
    end after ``MAX_STREAM_BYTES`` or ``MAX_STREAM_SECONDS``, and it shuts itself down after
    ``LIFETIME`` seconds. Use as a context manager."""

    def __init__(self, root: Optional[Path] = None, routes: Optional[dict[str, Route]] = None):
        self.root = root
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.httpd = HostileHTTPServer(("127.0.0.1", 0), HostileHandler)
        self.httpd.owner = self
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._watchdog = threading.Timer(LIFETIME, self.close)
        self._watchdog.daemon = True
        self._closed = False

    def __enter__(self) -> HostileServer:
        self._thread.start()
        self._watchdog.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.stop.set()
        self._watchdog.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()

    def count(self, needle: str) -> int:
        with self.lock:
            return sum(1 for path in self.requests if needle in path)


def send_bytes(data: bytes, status: int = 200, length: Optional[str] = "exact",
               content_type: str = "application/octet-stream") -> Route:  # fmt: skip
    """A body; ``length`` is the Content-Length header to send (``"exact"``, any text, or None
    for none)."""

    def route(handler: HostileHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        if length is not None:
            handler.send_header("Content-Length", str(len(data)) if length == "exact" else length)
        handler.end_headers()
        handler.wfile.write(data)

    return route


def send_endless(chunk: bytes = b" " * 65536) -> Route:
    """A body that never ends (until the server's byte or time bound)."""

    def route(handler: HostileHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        sent, started = 0, time.monotonic()
        while (sent < MAX_STREAM_BYTES and time.monotonic() - started < MAX_STREAM_SECONDS
               and not handler.stopping()):  # fmt: skip
            handler.wfile.write(chunk)
            sent += len(chunk)

    return route


def send_trickle(data: bytes, every: float = 0.2) -> Route:
    """``data`` one byte at a time, a byte every ``every`` seconds (until the time bound)."""

    def route(handler: HostileHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        started = time.monotonic()
        for byte in data:
            if handler.stopping() or time.monotonic() - started > MAX_STREAM_SECONDS:
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            if handler.server.owner.stop.wait(every):
                return

    return route


def send_redirect(location: str, status: int = 302) -> Route:
    def route(handler: HostileHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


@contextlib.contextmanager
def counting_listener() -> Iterator[tuple[int, list[int]]]:
    """A TCP port on 127.0.0.1 that accepts and counts connections, says nothing, and closes
    each at once: a stand-in for a server a client must never contact."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    accepted: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            accepted.append(1)
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(2)
        listener.close()


# -- the index cache --------------------------------------------------------------------------


def index_cache_folder() -> Path:
    """Where the index cache files of this test live (conftest gives each test its own)."""
    return Path(os.environ["CACHETUI_CACHE_DIR"]) / "index"


def index_cache_files() -> list[Path]:
    """The index cache files (not temporary files) written so far."""
    folder = index_cache_folder()
    return (
        sorted(p for p in folder.glob("*.cols") if not p.name.startswith("."))
        if folder.is_dir()
        else []
    )


def forge_index_cache(path: Path, mutate: Callable[[dict], None]) -> None:
    """Rewrite a well-formed index cache file with its JSON document changed by ``mutate``: a
    forgery that any reader of the format accepts unless it checks what the values are."""
    from cachetui.cachefile import rewrite_document

    rewrite_document(str(path), mutate)
