"""A corpus of hostile and broken inputs, each with its expected outcome.

For every case a good page sits next to the bad input. The good page must load; the bad input is
reported once, with its path and a plain reason (or, where the case says so, loads cleanly or is
quietly not a page); nothing hangs; memory stays bounded.
"""

from __future__ import annotations

import json
import os
import threading
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pytest
from conftest import page_text, spec_entry

from cachetui.loader import load

GOOD_HASH = "g" * 32
MAX_BYTES = 2_000_000  # small, so the size-limit case stays cheap to generate
PEAK_MB = 150


def entry(**kw) -> dict:
    return spec_entry(hash=kw.pop("hash", "h" * 32), **kw)


def page(specs=None, **kw) -> str:
    return page_text(kw.pop("title", "bad"), specs=[entry()] if specs is None else specs, **kw)


def raw_page(spec_details: str, meta: str = '{"num_specs": 1}', title: str = '"bad"') -> str:
    return f"---\ntitle: {title}\nlayout: cache\ncategories: [package, develop]\nmeta: {meta}\nspec_details: {spec_details}\n---\n"


@dataclass
class Case:
    name: str
    make: Callable[[Path], Path]  # creates the bad input, returns the path a problem should name
    outcome: str  # "error", "warning", "clean" or "not-page"
    reason: str = ""  # a part of the reason
    specs: int = 0  # specs expected from the bad input
    skip: Optional[Callable[[], Optional[str]]] = None


def text(name: str, content: str | bytes) -> Callable[[Path], Path]:
    def make(root: Path) -> Path:
        path = root / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return path

    return make


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def big_page(root: Path) -> Path:
    path = root / "big.md"
    specs = [entry(hash=f"{i:032d}") for i in range(9000)]
    path.write_text(page(specs))
    assert path.stat().st_size > MAX_BYTES
    return path


def symlink_loop(root: Path) -> Path:
    (root / "sub").mkdir()
    os.symlink(root / "sub", root / "sub" / "loop")
    return root / "sub" / "loop"


def fifo(root: Path) -> Path:
    path = root / "pipe.md"
    os.mkfifo(path)
    return path


def broken_link(root: Path) -> Path:
    path = root / "dangling.md"
    os.symlink(root / "nowhere.md", path)
    return path


def unreadable(root: Path) -> Path:
    path = root / "secret.md"
    path.write_text(page())
    path.chmod(0)
    return path


def other_tag_same_hash(root: Path) -> Path:
    path = root / "zz-other-tag.md"
    path.write_text(page([entry(hash=GOOD_HASH)], tag="v0.22.1"))
    return path


def same_tag_same_hash(root: Path) -> Path:
    path = root / "zz-same-tag.md"
    path.write_text(page([entry(hash=GOOD_HASH)], title="other"))
    return path


def not_root() -> Optional[str]:
    return "root reads files without read permission" if os.geteuid() == 0 else None


CASES = [
    Case("empty file", text("empty.md", b""), "error", "empty file"),
    Case("only ---", text("dashes.md", "---\n"), "error", "never closed"),
    Case(
        "front matter never closed",
        text("open.md", "---\nlayout: cache\ntitle: x\nspec_details: []\n"),
        "error",
        "never closed",
    ),
    Case(
        "layout other than cache",
        text("post.md", "---\nlayout: post\ntitle: x\n---\nhello\n"),
        "not-page",
    ),
    Case("no front matter", text("notes.md", "# notes\n"), "not-page"),
    Case(
        "meta neither JSON nor YAML",
        text("meta.md", raw_page(json.dumps([entry()]), meta='{"a": [1, }')),
        "warning",
        "meta (line 5) meta is not valid JSON",
        1,
    ),
    Case(
        "spec_details neither JSON nor YAML",
        text("details.md", raw_page("a: b: c")),
        "error",
        "not valid JSON or YAML",
    ),
    Case(
        "truncated JSON",
        text("trunc.md", raw_page(json.dumps([entry()])[:-20])),
        "error",
        "spec_details is not valid JSON",
    ),
    Case(
        "spec_details a mapping",
        text("map.md", raw_page('{"hash": "x"}')),
        "error",
        "spec_details is a mapping, not a list",
    ),
    Case(
        "spec_details a string",
        text("str.md", raw_page('"specs"')),
        "error",
        "spec_details is str, not a list",
    ),
    Case(
        "entries with missing keys",
        text("missing.md", page([{"hash": "m" * 32, "versions": ["1"]}])),
        "warning",
        "spec 1: compiler is missing",
        1,
    ),
    Case(
        "nulls",
        text("nulls.md", page([entry(os=None, stacks=None)])),
        "warning",
        "spec 1: os is null",
        1,
    ),
    Case(
        "numbers where strings belong",
        text("numbers.md", page([entry(target=86, compiler=13.2)])),
        "warning",
        "is a number",
        1,
    ),
    Case(
        "lists where strings belong",
        text("lists.md", page([entry(os=["a", "b"]), entry(hash="k" * 32)])),
        "warning",
        "spec 1: os is a list, not text; skipped",
        1,
    ),
    Case(
        "empty lists",
        text("emptylists.md", page([entry(versions=[], variants=[], stacks=[])])),
        "clean",
        specs=1,
    ),
    Case(
        "empty spec list",
        text("nospecs.md", page([], meta={"num_specs": 0})),
        "warning",
        "the page lists no specs",
    ),
    Case(
        "hash of the wrong length",
        text("short.md", page([entry(hash="abc")])),
        "warning",
        "not a 32-character Spack hash",
        1,
    ),
    Case(
        "hash of the wrong alphabet",
        text("alpha.md", page([entry(hash="0" * 32)])),
        "warning",
        "not a 32-character Spack hash",
        1,
    ),
    Case(
        "version not a string",
        text("version.md", page([entry(versions=[1.1])])),
        "warning",
        "versions has a float item",
        1,
    ),
    Case(
        "duplicate hashes within a page",
        text("dups.md", page([entry(), entry()], meta={"num_specs": 2})),
        "warning",
        "listed more than once",
        2,
    ),
    Case(
        "duplicate hash across pages of a tag",
        same_tag_same_hash,
        "warning",
        "also on another page of tag 'develop'",
        1,
    ),
    Case("same hash in two tags", other_tag_same_hash, "clean", specs=1),
    Case(
        "non-UTF-8 bytes",
        text(
            "latin1.md", page([entry(os="caf\u00e9")]).encode().replace(b"caf\\u00e9", b"caf\xe9")
        ),
        "warning",
        "not valid UTF-8",
        1,
    ),
    Case("UTF-8 BOM", text("bom.md", "\ufeff" + page()), "clean", specs=1),
    Case("CRLF line endings", text("crlf.md", page().replace("\n", "\r\n")), "clean", specs=1),
    Case("NUL byte", text("nul.md", page().encode() + b"\x00\x01\x02"), "error", "binary file"),
    Case("binary file", text("blob.md", b"---\x00" + os.urandom(512)), "error", "binary file"),
    Case(
        "10,000-character variant",
        text("long.md", page([entry(variants=["x=" + "v" * 10_000])])),
        "clean",
        specs=1,
    ),
    Case(
        "wide and right-to-left names",
        text(
            "wide.md",
            page(
                [entry(os="\u05e2\u05d1\u05e8\u05d9\u05ea\u202e")],
                title="\u5bbd\u5b57\u7b26-\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
            ),
        ),
        "clean",
        specs=1,
    ),
    Case(
        "YAML alias bomb",
        text(
            "bomb.md",
            "---\nlayout: cache\ntitle: x\nspec_files:\n - &a [x, x, x, x, x, x, x, x, x]\n - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n - &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n - &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n - [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n---\n",
        ),
        "error",
        "aliases are not allowed",
    ),
    Case("deeply nested JSON", text("deep.md", raw_page(nested_json(100_000))), "error", "nested"),
    Case(
        "deeply nested YAML",
        text(
            "deepy.md",
            "---\nlayout: cache\ntitle: x\nspec_files:\n"
            + "".join(" " * (i + 1) + "- \n" for i in range(200))
            + "---\n",
        ),
        "error",
        "nested",
    ),
    Case("file over the size limit", big_page, "error", "over the size limit"),
    Case("directory symlink loop", symlink_loop, "warning", "link loop"),
    Case("file without read permission", unreadable, "error", "cannot be read", skip=not_root),
    Case("dangling symlink", broken_link, "error", "cannot be read"),
    Case("FIFO in the tree", fifo, "error", "a FIFO"),
    Case(
        "key given twice",
        text("twice.md", page().replace("layout: cache\n", 'layout: cache\ntitle: "one"\n')),
        "warning",
        "title is given more than once",
        1,
    ),
    Case(
        "front matter garbage line",
        text("garbage.md", "---\nlayout: cache\nthis is not yaml\n---\n"),
        "error",
        "expected 'key: value'",
    ),
    Case(
        "markup and escapes in values",
        text(
            "markup.md",
            page(
                [entry(os="[b]x[/b]", variants=["[@click=app.quit]", "\x1b]52;c;aGk=\x07"])],
                title="[red]evil",
            ),
        ),
        "clean",
        specs=1,
    ),
]


def run_with_timeout(fn, seconds: float):
    result: dict = {}

    def target():
        try:
            result["value"] = fn()
        except BaseException as error:  # re-raised below, in the test's thread
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"load still running after {seconds}s"
    if "error" in result:
        raise result["error"]
    return result["value"]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path):
    if case.skip and case.skip():
        pytest.skip(case.skip())
    (tmp_path / "good.md").write_text(page_text("good", specs=[spec_entry(hash=GOOD_HASH)]))
    bad = case.make(tmp_path)
    tracemalloc.start()
    try:
        result = run_with_timeout(lambda: load([tmp_path], max_bytes=MAX_BYTES), 30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    catalog = result.catalog
    good = [s for s in catalog.specs() if s.package == "good"]
    assert len(good) == 1 and good[0].hash == GOOD_HASH, "the good page loads"
    mine = [p for p in result.problems if p.path == str(bad)]
    others = [p for p in result.problems if p.path != str(bad)]
    if case.name == "duplicate hash across pages of a tag":
        others = []  # the second page of the pair is the one reported
    assert others == [], others
    if case.outcome in ("clean", "not-page"):
        assert mine == []
    else:
        assert len(mine) == 1, mine
        assert mine[0].level == case.outcome
        assert case.reason in mine[0].reason or any(case.reason in d for d in mine[0].details), (
            mine[0]
        )
        assert "Traceback" not in mine[0].reason
    from_bad = [s for s in catalog.specs() if s.source == str(bad)]
    assert len(from_bad) == case.specs
    if case.outcome == "not-page":
        assert result.not_pages >= 1
    assert peak < PEAK_MB * 1e6
