"""The index cache file layout (``cachefile``): mapped without copies, checked on open."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from conftest import page_text, spec_entry

import cachetui.indexcache as indexcache
from cachetui.cachefile import ALIGN, MAGIC, PREFIX, read_columns, rewrite_document, write_columns
from cachetui.errors import CacheInvalid
from cachetui.hashcol import TemplateTable
from cachetui.loader import DEFAULT_MAX_BYTES, load
from cachetui.tarballs import template


@pytest.fixture(autouse=True)
def cache_small_inputs(monkeypatch):
    monkeypatch.setattr(indexcache, "CACHE_MIN_BYTES", 0)


def h(n: int) -> str:
    return f"{n:032d}".translate(str.maketrans("0123456789", "abcdefghij"))


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "site"
    for p in range(3):
        specs = [spec_entry(hash=h(10 * p + i), versions=[f"1.{i}"]) for i in range(5)]
        for i, spec in enumerate(specs):
            spec["tarball"] = f"https://x/pkg{p}-1.{i}-{spec['hash']}.spack"
        path = root / f"pkg{p}" / "specs.md"
        path.parent.mkdir(parents=True)
        path.write_text(page_text(f"pkg{p}", specs=specs))
    return root


def cache_of(folder):
    return indexcache.cache_file(str(folder), DEFAULT_MAX_BYTES, None)


def warm(folder):
    load([folder]).pending.save()
    result = load([folder])
    assert result.cache_notes == ["index cache: 3 files unchanged, nothing parsed"]
    return result


def test_columns_round_trip_aligned_and_read_only(tmp_path):
    arrays = {"a": np.arange(5, dtype="<i4"), "b": np.array([b"x" * 32], dtype="S32"),
              "c": np.zeros(0, dtype="<i8"), "d": np.frombuffer(b"text", dtype=np.uint8)}  # fmt: skip
    path = tmp_path / "f"
    with open(path, "wb") as out:
        write_columns(out, {"k": [1]}, arrays)
    with open(path, "rb") as handle:
        doc, read = read_columns(handle, {n: a.dtype.str for n, a in arrays.items()})
    assert doc == {"k": [1]}
    for name, values in arrays.items():
        assert read[name].tolist() == values.tolist() and not read[name].flags.writeable
    raw = path.read_bytes()
    offsets = [
        entry[2] for entry in json.loads(raw[PREFIX.unpack_from(raw)[1] :])["arrays"].values()
    ]
    assert all(offset % ALIGN == 0 for offset in offsets)


def test_a_warm_catalog_maps_its_columns_instead_of_copying_them(folder):
    catalog = warm(folder).catalog
    for column in ("versions", "os", "variants"):
        codes = catalog.column(column).codes
        assert not codes.flags.writeable and not codes.flags.owndata  # a view of the mapping
    assert not catalog.sizes.flags.writeable and not catalog.hashes.raw.flags.writeable
    assert isinstance(catalog.tarballs.templates, TemplateTable)
    tarballs = [s.tarball for s in catalog.specs()]
    assert tarballs == [s.tarball for s in load([folder], cache=False).catalog.specs()]


def test_a_warm_builder_grows_when_pages_change(folder):
    warm(folder)
    (folder / "pkg1" / "specs.md").write_text(page_text("pkg1", specs=[spec_entry(hash=h(99))]))
    result = load([folder])
    assert "1 changed" in result.cache_notes[0]
    assert sorted(s.hash for s in result.catalog.specs()) == sorted(
        s.hash for s in load([folder], cache=False).catalog.specs()
    )


@pytest.mark.parametrize(
    "shapes",
    [[None, ("https://x/a.spack",), ("https://x/ü-", ".spack"), ("", ""), ("\ud800", "x")]],
)
def test_templates_pack_and_come_back_as_given(shapes):
    table = TemplateTable.pack(shapes)
    table.check()
    assert list(table) == shapes and len(table) == len(shapes)
    assert template("https://x/ab.spack", "ab") == ("https://x/", ".spack")


def forged_directory(folder, change):
    """The cache file with its array directory changed by ``change``, the arrays as they were."""
    path = cache_of(folder)
    raw = bytearray(path.read_bytes())
    _magic, at, length = PREFIX.unpack_from(raw)
    doc = json.loads(bytes(raw[at : at + length]))
    change(doc)
    body = json.dumps(doc).encode()
    struct.pack_into("<QQ", raw, 16, at, len(body))
    path.write_bytes(bytes(raw[:at]) + body)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d["arrays"]["sizes"].__setitem__(0, "<f8"), "array sizes"),
        (lambda d: d["arrays"]["sizes"].__setitem__(1, 10**9), "array sizes outside"),
        (lambda d: d["arrays"]["sizes"].__setitem__(2, 65), "array sizes outside"),
        (lambda d: d["arrays"]["sizes"].__setitem__(2, 64), "outside"),  # overlaps another
        (lambda d: d["arrays"].__setitem__("evil", ["|O", 1, 64]), "array evil"),
        (lambda d: d["arrays"].pop("tarball_cuts"), "array tarball_cuts missing"),
        (lambda d: d["arrays"]["codes_os"].__setitem__(1, 1), "inconsistent"),
        (lambda d: d["arrays"]["tarball_bounds"].__setitem__(1, 1), "unreadable (ValueError)"),
    ],
    ids=["dtype", "past-the-end", "misaligned", "overlap", "object", "missing", "short", "bounds"],
)
def test_a_forged_directory_is_rebuilt_never_trusted(folder, change, reason):
    warm(folder)
    forged_directory(folder, change)
    result = load([folder])
    assert result.cache_notes[0].startswith("index cache rebuilt (")
    assert reason in result.cache_notes[0]
    assert len(result.catalog) == 15


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:20],  # inside the prefix
        lambda raw: raw[: len(raw) // 2],  # the document gone
        lambda raw: raw[:-1],
        lambda raw: b"\x00" * 16 + raw[16:],  # another magic
        lambda raw: raw[:16] + struct.pack("<QQ", 2**63, 5) + raw[32:],
        lambda raw: raw[: PREFIX.unpack_from(raw)[1]] + b"{not json" + b" " * 10,
    ],
    ids=["prefix", "half", "one-byte", "magic", "offset", "document"],
)
def test_a_truncated_or_damaged_file_is_rebuilt(folder, damage):
    warm(folder)
    path = cache_of(folder)
    path.write_bytes(damage(path.read_bytes()))
    result = load([folder])
    assert result.cache_notes[0].startswith("index cache rebuilt (unreadable")
    assert len(result.catalog) == 15
    result.pending.save()
    assert load([folder]).cache_notes[0].endswith("nothing parsed")


def test_the_magic_names_the_format():
    assert MAGIC.startswith(b"\x93CACHETUI") and len(MAGIC) == 16 and PREFIX.size == 32


def test_rewrite_keeps_a_readable_file(folder):
    warm(folder)
    rewrite_document(str(cache_of(folder)), lambda doc: None)
    assert load([folder]).cache_notes[0].endswith("nothing parsed")


def test_reading_checks_the_arrays_it_is_given(tmp_path):
    path = tmp_path / "f"
    with open(path, "wb") as out:
        write_columns(out, {}, {"a": np.arange(3, dtype="<i8")})
    for expected in ({"a": "<i4"}, {}):
        with open(path, "rb") as handle, pytest.raises(CacheInvalid, match="array a"):
            read_columns(handle, expected)


def test_chained_tables_pack_by_joining_them():
    from cachetui.hashcol import TemplateChain

    first = TemplateTable.pack([None, ("a-", ".spack")])
    second = TemplateTable.pack([("https://y/z.spack",), ("ü", "")])
    chain = TemplateChain([first, TemplateChain([second])])
    packed = TemplateTable.pack(chain)
    packed.check()
    assert list(packed) == list(chain) == list(first) + list(second)
    assert chain[3] == ("ü", "") and len(chain) == 4
    with pytest.raises(IndexError):
        chain[4]
