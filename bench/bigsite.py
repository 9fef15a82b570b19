"""Benchmark parts for big sites (`bench.py --only site`, `--only floor`): the shared site index
and the floors warm loads are judged against, each measured in the same run.

    python bench/bench.py --specs 1000000 --only site
    python bench/bench.py --specs 10000000 --tags 40 --only site --repeat 1

Floor of a warm load: a fresh Python process that imports numpy and reads the cache file(s)
(every byte, from the page cache): no load of the same files can be faster.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FLOOR_CHILD = """
import json, sys, time
started = time.perf_counter()
import numpy
total = 0
for name in {files!r}:
    with open(name, "rb", buffering=0) as handle:
        while True:
            block = handle.read(1 << 24)
            if not block:
                break
            total += len(block)
print(json.dumps({{"seconds": time.perf_counter() - started, "bytes": total}}))
"""

INDEX_LOAD_CHILD = """
import json, os, resource, time
os.environ["CACHETUI_INDEX"] = {index!r}
os.environ["CACHETUI_CACHE_DIR"] = {cache_dir!r}
started = time.perf_counter()
from cachetui.loader import load, made_to_last
with made_to_last():
    result = load([{path!r}])
elapsed = time.perf_counter() - started
assert "snapshot" in result.cache_notes[0], result.cache_notes
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "specs": len(result.catalog), "rss_mb": rss}}))
"""

# Inside a browser benchmark child's ``async def main`` (``{stamps}``, here and in bench.py's
# UI_CHILD): time to the frame on screen, not to Pilot's own idle waits. Every frame the app
# hands to its driver is stamped, and every view result it applies.
STAMPS = """    display, apply_view = app._display, app.browser.apply_view

    def stamped_display(screen, renderable):
        if renderable is not None:
            frames.append(time.perf_counter())
        return display(screen, renderable)

    def stamped_apply(*args):
        apply_view(*args)
        applied.append(time.perf_counter())

    app._display, app.browser.apply_view = stamped_display, stamped_apply

    def frame_after(moment):
        return next((f for f in frames if f >= moment), time.perf_counter())
"""

# The browser on the site index, tags loaded one at a time (as it opens a big checkout): first
# paint (the tag list and the first tag's rows), keystrokes in the filter, then a search that
# loads every tag, and keystrokes over all of them.
SITE_UI_CHILD = """
import asyncio, json, os, resource, statistics, time
os.environ["CACHETUI_INDEX"] = {index!r}
os.environ["CACHETUI_CACHE_DIR"] = {cache_dir!r}
started = time.perf_counter()
from cachetui.ui.app import CacheApp
from cachetui.ui.widgets.package_tree import PackageTree
from cachetui.ui.widgets.spec_table import SpecTable

frames, applied = [], []

async def main():
    app = CacheApp([{path!r}])
{stamps}
    async def keys(names):
        times = []
        for key in names:
            before = len(applied)
            t = time.perf_counter()
            await pilot.press(key)
            while len(applied) == before and time.perf_counter() - t < 60:
                await asyncio.sleep(0.001)
            if len(applied) == before:
                raise SystemExit(f"no view applied after {{key!r}}")
            await pilot.pause(0.05)
            times.append(frame_after(applied[before]) - t)
        return times

    out = {{}}
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one(PackageTree)
        table = app.query_one(SpecTable)
        while len(tree.root.children) < 2:
            await asyncio.sleep(0.01)
        await pilot.pause()
        out["tag_list_s"] = time.perf_counter() - started
        out["tags"] = len(tree.root.children)
        await pilot.press("down", "down")  # the first tag: its rows are the first paint
        label = tree.cursor_node.data.scope.tag
        while label in app.session.pending_tags() or table.row_count == 0:
            await asyncio.sleep(0.01)
        out["first_paint_s"] = frame_after(time.perf_counter()) - started
        out["first_tag_rows"] = table.row_count
        await pilot.press("slash")
        one = await keys(list("gcc"))
        await keys(["backspace"] * 3)
        table.focus()
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("a", "slash", *"%gcc@13")
        typed = time.perf_counter()
        while app.session.pending() or app.session.loading:
            await asyncio.sleep(0.05)
        out["search_all_tags_s"] = time.perf_counter() - t
        out["search_all_tags_after_last_key_s"] = time.perf_counter() - typed
        out["specs_after_search"] = len(app.catalog)
        await pilot.pause(0.5)
        every = await keys(["backspace"] * 3 + list("13"))
        out["keystroke_one_tag_ms_median"] = statistics.median(one) * 1000
        out["keystroke_all_tags_ms_median"] = statistics.median(every) * 1000
        out["keystroke_all_tags_ms_max"] = max(every) * 1000
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))

try:
    asyncio.run(main())
except BaseException:
    import traceback
    traceback.print_exc()
    raise SystemExit(1)
"""


def _child(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=HERE.parent)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def floor_seconds(files: list[str]) -> dict:
    return _child(FLOOR_CHILD.format(files=files))


def cache_files(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*.cols"))


def build_index(path: Path, out: Path) -> dict:
    """``cachetui index build`` in a fresh process: the cold load, for every user at once."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c",
         "import resource, sys; from cachetui.cli import main; code = main(sys.argv[1:]);"
         "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr);"
         "sys.exit(code)", "index", "build", str(path), "--out", str(out)],
        capture_output=True, text=True, cwd=HERE.parent,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"index build failed:\n{done.stderr[-4000:]}")
    manifest = json.loads((out / "cachetui-index.json").read_text())
    whole = next(e for e in manifest["loads"].values() if e["paths"] == [str(path)])
    return {
        "build_s": round(time.perf_counter() - started, 2),
        "build_peak_rss_mb": round(float(done.stderr.strip().splitlines()[-1])),
        "index_mb": round(sum(os.path.getsize(f) for f in cache_files(out)) / 1e6),
        "whole_file": next(n for n, e in manifest["loads"].items() if e is whole),
    }


def bench_site(path: Path, repeat: int, work: Path, reuse: bool = False) -> dict:
    """The site index of ``path``: built once, then a warm load from it against the floor
    (interleaved runs), and the browser on it."""
    path = path.resolve()
    index = work / f"site-index-{path.name}"
    saved = index / "bench-build.json"  # an index built by an earlier run of this code
    if reuse and saved.exists():
        report = json.loads(saved.read_text())
    else:
        report = build_index(path, index)
        saved.write_text(json.dumps(report))
    whole = [str(index / report.pop("whole_file"))]
    cache_dir = str(work / "site-user-cache")
    loads, floors = [], []
    for _ in range(repeat):
        floors.append(floor_seconds(whole)["seconds"])
        loads.append(_child(INDEX_LOAD_CHILD.format(index=str(index), path=str(path),
                                                    cache_dir=cache_dir)))  # fmt: skip
    warm = statistics.median(r["seconds"] for r in loads)
    floor = statistics.median(floors)
    report.update(
        specs=loads[0]["specs"],
        warm_load_s_median=round(warm, 3),
        floor_numpy_and_read_s_median=round(floor, 3),
        warm_over_floor=round(warm / floor, 2),
        warm_peak_rss_mb=round(max(r["rss_mb"] for r in loads)),
    )
    ui = _child(
        SITE_UI_CHILD.format(index=str(index), path=str(path), cache_dir=cache_dir, stamps=STAMPS)
    )
    report["browser"] = {k: round(v, 3) if isinstance(v, float) else v for k, v in ui.items()}
    return report
