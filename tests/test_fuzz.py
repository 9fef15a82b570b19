"""A fuzzing harness over every decoder (issue #14): page text, Spack index.json, v3 manifests,
spec files, the index cache file and query strings. The property: a ``Problem`` or a clean
error (``QueryError`` for queries), never another exception, in bounded time (each example has
a deadline) and bounded memory (every generated input is small).

Each test starts with the reproduced defects as explicit examples (``@example``), then random
inputs. Runs are derandomized, so CI sees the same inputs every time. Sizes are kept small
(40 to 300 examples per test, a 5 s deadline per example) so the harness stays well inside the
2-minute CI budget.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import struct
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import SEEDS, page_text, spec_entry
from hostile import OTHER_HASH, b32, index_cache_files, sha256, write_big_folder
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cachetui.cli_listing import find_data
from cachetui.cli_stats import stats_data
from cachetui.loader import load
from cachetui.model import Problem
from cachetui.query import run_query
from cachetui.querysyntax import QueryError

BIG = "@@BIG@@"  # stands for a 5,000-digit integer in the JSON text (json.dumps cannot write one)
BIG_DIGITS = "9" * 5000
FUZZ = settings(
    max_examples=120,
    deadline=timedelta(seconds=5),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def dumps(value: object) -> str:
    return json.dumps(value).replace(json.dumps(BIG), BIG_DIGITS)


def check(result) -> None:
    """The property every load must keep."""
    for problem in result.problems:
        assert isinstance(problem, Problem) and problem.reason
        assert problem.level in ("error", "warning") and "Traceback" not in problem.reason
    for spec in result.catalog.specs():  # every spec can be made and shown
        assert isinstance(spec.package, str) and isinstance(spec.spec_string, str)


def load_bytes(name: str, data: bytes, **options):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        return load([path], cache=False, **options)


# -- values -----------------------------------------------------------------------------------

TRICKY_TEXT = st.sampled_from([
    "", "-", "\u00b2", "2001-13-45", "2024-02-29", "2024-02-30", "12:30:00", "0x1F", "1e400",
    "yes", "~", "null", ".inf", "[b]x[/b]", "\x1b]52;c;aGk=\x07", "a\u202eb", "../../etc/passwd",
    "/dev/zero", "gcc@=13.2.0", "@1:2", BIG,
])  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12), TRICKY_TEXT,
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)  # fmt: skip
SPEC_KEYS = ("compiler", "hash", "os", "platform", "size", "stacks", "target", "variants", "versions", "tarball")  # fmt: skip


@st.composite
def spec_entries(draw) -> dict:
    """A valid spec entry with some of its fields replaced by anything."""
    entry = spec_entry(hash=b32(draw(st.integers(0, 1 << 20))))
    for key in draw(st.lists(st.sampled_from(SPEC_KEYS), max_size=3, unique=True)):
        entry[key] = draw(JSON)
    return entry


YAML_VALUES = st.sampled_from([
    "2001-13-45", "2024-02-29", "{when: 2024-02-30}", "{when: 2024-02-29}", "[package, develop]",
    "[package, 2024-01-01]", "2048", "1.10", "yes", "~", "&a [1, *a]", "!!binary aGk=",
    "!!python/object/apply:os.system ['true']", "{a: [}", ">-\n  folded\n  text", "|\n  x",
    "- a\n - b", "'unterminated", '"\\ud800"', BIG,
])  # fmt: skip


@st.composite
def pages(draw) -> str:
    fields = {
        "title": draw(st.one_of(st.just('"pkg"'), YAML_VALUES, JSON.map(dumps))),
        "layout": draw(st.sampled_from(["cache", "cache", "cache", "post", "[cache]", "2024-01-01"])),
        "categories": draw(st.one_of(st.just("[package, develop]"), YAML_VALUES, JSON.map(dumps))),
        "meta": draw(st.one_of(st.just('{"num_specs": 1}'), YAML_VALUES, JSON.map(dumps))),
    }  # fmt: skip
    if draw(st.booleans()):
        fields["spec_details"] = dumps(draw(st.lists(spec_entries(), max_size=4)))
    else:
        files = draw(st.lists(st.one_of(
            st.builds(lambda s, f: {s: f}, st.sampled_from(["zlib@1.2%gcc@9 arch=linux-x-y", "x@@@", ""]), SCALARS),
            JSON,
        ), max_size=3))  # fmt: skip
        fields["spec_files"] = dumps(files)
    keys = draw(st.permutations(list(fields)))
    lines = [f"{key}: {fields[key]}" for key in keys]
    return "---\n" + "\n".join(lines) + "\n---\n"


# -- page text --------------------------------------------------------------------------------


@FUZZ
@given(text=pages())
@example(text=page_text().replace('title: "pkg"', "title: 2001-13-45"))
@example(text=page_text().replace('"num_specs": 1', f'"num_specs": {BIG_DIGITS}'))
@example(text=page_text(specs=[spec_entry(size="\u00b2")]))
def test_fuzz_page_text(text):
    check(load_bytes("page.md", text.encode("utf-8", errors="surrogatepass")))


# -- Spack indexes and spec files -------------------------------------------------------------

NODE_KEYS = ("name", "version", "arch", "compiler", "parameters", "dependencies", "hash", "annotations")  # fmt: skip


@st.composite
def nodes(draw, hash_: str) -> dict:
    node = {
        "name": "app", "version": "1.0", "hash": hash_,
        "arch": {"platform": "linux", "platform_os": "ubuntu22.04", "target": {"name": "x86_64"}},
        "parameters": {"shared": True, "cflags": []},
        "dependencies": [{"name": "dep", "hash": b32(7),
                          "parameters": {"deptypes": ["build", "link"], "virtuals": ["c"]}}],
    }  # fmt: skip
    for key in draw(st.lists(st.sampled_from(NODE_KEYS), max_size=3, unique=True)):
        node[key] = draw(JSON)
    if draw(st.booleans()):  # deep inside a dependency
        dep = node["dependencies"][0] if isinstance(node.get("dependencies"), list) and node["dependencies"] else None  # fmt: skip
        if isinstance(dep, dict) and isinstance(dep.get("parameters"), dict):
            dep["parameters"][draw(st.sampled_from(["deptypes", "virtuals"]))] = draw(JSON)
    return node


@st.composite
def index_documents(draw) -> str:
    installs = {}
    for number in range(draw(st.integers(0, 3))):
        record = {"spec": draw(nodes(b32(number))), "in_buildcache": draw(st.one_of(st.just(True), JSON))}  # fmt: skip
        installs[b32(number)] = record if draw(st.integers(0, 5)) else draw(JSON)
    database: dict = {"version": draw(st.sampled_from(["6", "7", "8", "9", BIG])), "installs": installs}  # fmt: skip
    if not draw(st.integers(0, 8)):
        database["installs"] = draw(JSON)
    return dumps({"database": database})


def dependency_index(dependencies: object) -> str:
    node = {"name": "app", "version": "1.0", "hash": OTHER_HASH, "dependencies": dependencies}
    return dumps({"database": {"version": "8", "installs": {OTHER_HASH: {"spec": node, "in_buildcache": True}}}})  # fmt: skip


@FUZZ
@given(text=index_documents())
@example(text=dependency_index([{"name": "d", "hash": "h", "parameters": {"deptypes": 5}}]))
@example(text=dependency_index({"d": {"hash": "h", "type": 3}}))
@example(text=dumps({"database": {"version": "8", "installs": {"x": {"spec": {"name": "a", "version": BIG}, "in_buildcache": True}}}}))  # fmt: skip
def test_fuzz_index_json(text):
    check(load_bytes("index.json", text.encode()))


@FUZZ
@given(
    node=nodes(OTHER_HASH),
    others=st.lists(JSON, max_size=2),
    signed=st.booleans(),
    compressed=st.booleans(),
)
@example(
    node={"name": "a", "hash": OTHER_HASH, "dependencies": [{"name": "d", "parameters": {"deptypes": 5}}]},
    others=[], signed=False, compressed=False,
)  # fmt: skip
def test_fuzz_spec_files(node, others, signed, compressed):
    text = dumps({"spec": {"_meta": {"version": 5}, "nodes": [node, *others]}})
    if signed:
        text = f"-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n{text}\n-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n"  # fmt: skip
    data = gzip.compress(text.encode()) if compressed else text.encode()
    check(load_bytes("app.spec.json" + (".sig" if signed else ""), data))


# -- v3 manifests -----------------------------------------------------------------------------

# No "/" in generated checksums: a checksum naming /dev/zero or a FIFO would hang this process
# while that defect exists (test_hostile_mirror covers those in a child process).
CHECKSUM = st.one_of(
    st.just("real"),
    st.text(st.sampled_from("0123456789abcdefABCDEF.-\x00 g"), max_size=70),
    JSON,
)
BLOBS = st.sampled_from(["index", "gzip", "garbage", "gzip-garbage", "empty"])


def blob_bytes(kind: str) -> bytes:
    index = dependency_index([{"name": "d", "hash": b32(7), "parameters": {"deptypes": ["link"], "virtuals": []}}]).encode()  # fmt: skip
    return {
        "index": index, "gzip": gzip.compress(index), "garbage": b"\xff\xfe not json",
        "gzip-garbage": b"\x1f\x8b\x08\x00garbage", "empty": b"",
    }[kind]  # fmt: skip


@FUZZ
@given(
    checksum=CHECKSUM,
    blob=BLOBS,
    record=st.dictionaries(
        st.sampled_from(["mediaType", "compression", "checksumAlgorithm", "contentLength"]),
        JSON,
        max_size=2,
    ),
    wrap=st.sampled_from(["list", "object", "empty", "not-a-list"]),
)
@example(checksum="ab" + "\x00" * 62, blob="index", record={}, wrap="list")
def test_fuzz_manifests(checksum, blob, record, wrap):
    data = blob_bytes(blob)
    real = sha256(data)
    entry = {
        "mediaType": "application/vnd.spack.db.v8+json", "checksumAlgorithm": "sha256",
        "compression": "gzip" if blob.startswith("gzip") else "none",
        "checksum": real if checksum == "real" else checksum,
    }  # fmt: skip
    entry.update(record)
    manifest = {"list": {"version": 3, "data": [entry]}, "object": {"version": 3, "data": entry},
                "empty": {"version": 3, "data": []}, "not-a-list": {"version": 3, "data": "x"}}[wrap]  # fmt: skip
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "mirror"
        blob_dir = root / "blobs" / "sha256" / real[:2]
        blob_dir.mkdir(parents=True)
        (blob_dir / real).write_bytes(data)
        index_dir = root / "v3" / "manifests" / "index"
        index_dir.mkdir(parents=True)
        (index_dir / "index.manifest.json").write_text(dumps(manifest))
        check(load([root], cache=False))


# -- the index cache file ---------------------------------------------------------------------

CACHE_TARGETS = st.sampled_from([
    ("pages", 0, 0), ("pages", 0, 1), ("pages", 0, 2), ("pages", 0, 3), ("pages", 0, 4),
    ("pages", 0, 5), ("pages", 0, 6), ("pages", 0), ("pages",), ("tables", "os"), ("tables",),
    ("files",), ("files", 0), ("problems",), ("deps",), ("specs",), ("hashes",), ("metas",),
    ("root",), ("format",), ("arrays",), ("arrays", "sizes"), ("arrays", "sizes", 1),
    ("arrays", "sizes", 2), ("arrays", "codes_os", 0), ("arrays", "tarball_bounds", 1),
    ("arrays", "hashes_s32", 2),
])  # fmt: skip


def set_at(document: object, path: tuple, value: object) -> None:
    *parents, last = path
    target = document
    for key in parents:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return
    with contextlib.suppress(KeyError, IndexError, TypeError):
        target[last] = value


@pytest.fixture
def cache_under_test(tmp_path):
    folder = write_big_folder(tmp_path / "big")
    load([folder]).pending.save()
    (cache,) = index_cache_files()
    return folder, cache, cache.read_bytes()


@settings(FUZZ, max_examples=40)
@given(
    edits=st.lists(st.tuples(CACHE_TARGETS, JSON), max_size=2),
    flips=st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(1, 255)), max_size=2),
)
@example(edits=[(("pages", 0, 0), 12345)], flips=[])
@example(edits=[(("pages", 0, 6), "e4s")], flips=[])
def test_fuzz_index_cache_file(cache_under_test, edits, flips):
    """A forged or damaged cache file is used or rebuilt; whatever is loaded can be shown."""
    from cachetui.cachefile import PREFIX

    folder, cache, original = cache_under_test
    cache.write_bytes(original)
    if edits:  # the document, and the array directory in it, edited; the arrays as they were
        data = bytearray(original)
        _magic, at, length = PREFIX.unpack_from(data)
        document = json.loads(bytes(data[at : at + length]).decode("utf-8"))
        for path, value in edits:
            set_at(document, path, value)
        body = dumps(document).encode("utf-8")
        struct.pack_into("<QQ", data, 16, at, len(body))
        cache.write_bytes(bytes(data[:at]) + body)
    if flips:
        data = bytearray(cache.read_bytes())
        for at, xor in flips:
            data[at % len(data)] ^= xor
        cache.write_bytes(bytes(data))
    result = load([folder])
    check(result)
    stats_data(result)
    find_data(result, "big", 5)
    assert len(result.catalog) == 5000


# -- query strings ----------------------------------------------------------------------------

QUERY_WORDS = st.sampled_from([
    "@", "@=", "@1:2", "@:", ":", "%", "%gcc@", "%gcc@13:", "/", "/abc", "!", "+", "~", "+mpi~x",
    "=", "os=", "tag=v0*", "stack=*", "package=", "build_system=cmake", "patches:=abc", "'", '"',
    "*", "\\", "\x00", "\u202e", "9" * 40, "@" + BIG_DIGITS + ":", "py", "numpy",
])  # fmt: skip
QUERIES = st.lists(st.one_of(QUERY_WORDS, st.text(max_size=8)), max_size=5).map(" ".join)


@pytest.fixture(scope="module")
def seeds_catalog():
    return load([SEEDS], cache=False).catalog


@settings(FUZZ, max_examples=300)
@given(text=QUERIES)
@example(text="@" + BIG_DIGITS + ":")
def test_fuzz_query_strings(seeds_catalog, text):
    try:
        ids, notes = run_query(seeds_catalog, text)
    except QueryError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert all(0 <= i < len(seeds_catalog) for i in ids)
    assert all(isinstance(note, str) for note in notes)
