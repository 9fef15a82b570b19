"""cachetui benchmark: generate a synthetic corpus of any size and measure the hot paths.

    python bench/bench.py --specs 100000            # load + CLI figures
    python bench/bench.py --specs 1000000 --only load
    python bench/bench.py --specs 100000 --parsers  # json vs libyaml vs pure-Python yaml
    python bench/bench.py --specs 100000 --only diff  # two tags of 100k specs each: cachetui diff
    python bench/bench.py --specs 1000000 --only export --export-format specs --export-format tsv
    python bench/bench.py --specs 10000000 --tags 40 --only site --site-baseline 1000000
                                                      # the site index, 10M specs against 1M

Each load runs in a fresh process (cold: nothing imported, nothing cached) and reports wall time,
specs/s and peak RSS. Corpora are cached under --work (default: $TMPDIR/cachetui-bench).
Not a test: figures vary with the machine; README's Performance section records ours.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bigsite import STAMPS, bench_site, cache_files  # noqa: E402
from bigsite import floor_seconds as read_floor_seconds  # noqa: E402
from exportbench import TEXT_FORMATS, bench_export  # noqa: E402
from msgspecfloor import floor_seconds  # noqa: E402
from synth import generate  # noqa: E402


def corpus(work: Path, specs: int, seed: int, tags: int) -> Path:
    path = work / f"corpus-{specs}-s{seed}-t{tags}"
    done = path / ".complete"
    if not done.exists():
        started = time.perf_counter()
        info = generate(str(path), specs, seed, tags)
        done.write_text(json.dumps(info))
        print(f"generated {info} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


def run_child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=HERE.parent
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


LOAD_CHILD = """
import json, os, resource, sys, time
os.environ["CACHETUI_CACHE_DIR"] = {cache_dir!r}
started = time.perf_counter()
from cachetui.loader import load, made_to_last
with made_to_last():  # as the CLI and the browser load
    result = load([{path!r}], cache={cache!r}, jobs={jobs!r})
elapsed = time.perf_counter() - started
if {save!r}:
    saving = time.perf_counter()
    result.pending.save()
    print("saved in", time.perf_counter() - saving, file=sys.stderr)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "specs": len(result.catalog), "pages": result.pages,
                  "problems": len(result.problems), "rss_mb": rss}}))
"""


def bench_load(path: Path, repeat: int, work: Path, jobs: int = 1) -> dict:
    """Cold: no index cache. Warm: the index cache written by a first load, then read."""
    cache_dir = str(work / "cache")
    # The cold load's floor (bench/msgspecfloor.py), each run next to a cold load.
    # With --jobs N, a cold load in N worker processes too.
    cold, floors, shared = [], [], []
    for _ in range(repeat):
        floors.append(floor_seconds(path)["seconds"])
        cold.append(run_child(LOAD_CHILD.format(path=str(path), cache=False, save=False,
                                                cache_dir=cache_dir, jobs=1)))  # fmt: skip
        if jobs > 1:
            shared.append(run_child(LOAD_CHILD.format(path=str(path), cache=False, save=False,
                                                      cache_dir=cache_dir, jobs=jobs)))  # fmt: skip
    run_child(LOAD_CHILD.format(path=str(path), cache=True, save=True, cache_dir=cache_dir, jobs=1))
    # The warm floor: a process that imports numpy and reads this load's cache file, interleaved.
    newest = max(cache_files(Path(cache_dir)), key=os.path.getmtime)
    warm, read_floors = [], []
    for _ in range(repeat):
        read_floors.append(read_floor_seconds([newest])["seconds"])
        warm.append(run_child(LOAD_CHILD.format(path=str(path), cache=True, save=False,
                                                cache_dir=cache_dir, jobs=1)))  # fmt: skip
    best = min(cold, key=lambda r: r["seconds"])
    size_mb = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
    return {
        "specs": best["specs"],
        "pages": best["pages"],
        "corpus_mb": round(size_mb, 1),
        "cold_s_median": round(statistics.median(r["seconds"] for r in cold), 3),
        "cold_s_best": round(best["seconds"], 3),
        "specs_per_s": int(best["specs"] / best["seconds"]),
        "cold_peak_rss_mb": round(max(r["rss_mb"] for r in cold)),
        "floor_msgspec_s_median": round(statistics.median(floors), 3),
        "cold_over_floor": round(
            statistics.median(r["seconds"] for r in cold) / statistics.median(floors), 2
        ),  # fmt: skip
        "warm_s_median": round(statistics.median(r["seconds"] for r in warm), 3),
        "warm_peak_rss_mb": round(max(r["rss_mb"] for r in warm)),
        "cache_file_mb": round(os.path.getsize(newest) / 1e6),
        "floor_numpy_and_read_s_median": round(statistics.median(read_floors), 3),
        "warm_over_floor": round(
            statistics.median(r["seconds"] for r in warm) / statistics.median(read_floors), 2
        ),  # fmt: skip
        "problems": best["problems"],
        **(
            {
                f"cold_jobs{jobs}_s_median": round(
                    statistics.median(r["seconds"] for r in shared), 3
                ),
                f"cold_jobs{jobs}_over_serial": round(
                    statistics.median(r["seconds"] for r in shared)
                    / statistics.median(r["seconds"] for r in cold),
                    2,
                ),
            }
            if shared
            else {}
        ),
    }


UI_CHILD = """
import asyncio, json, os, resource, statistics, time
os.environ["CACHETUI_CACHE_DIR"] = {cache_dir!r}
started = time.perf_counter()
from cachetui.loader import BackgroundLoad, made_to_last
preload = BackgroundLoad([{path!r}], around=made_to_last)  # as the CLI does: the load runs while Textual starts
from cachetui.ui.app import CacheApp
from cachetui.ui.widgets.spec_table import SpecTable

# Time to the frame on screen, not to Pilot's own idle waits: stamp every frame the app hands to
# its driver, and every view result it applies.
frames, applied = [], []

async def main():
    app = CacheApp([{path!r}], lazy=False, preload=preload)  # every spec (lazy: bench_lazy)
{stamps}
    out = {{}}
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(SpecTable)
        while not applied:  # a coarse poll: a busy one would steal the GIL from the loader
            await asyncio.sleep(0.05)
        await pilot.pause(0.1)
        out["first_paint_s"] = frame_after(applied[0]) - started
        out["rows"] = table.row_count
        await app.workers.wait_for_complete()
        await pilot.pause()
        times = []
        for _ in range(7):
            await pilot.press("g")
            await pilot.pause(0.05)
            t = time.perf_counter()
            await pilot.press("G")
            await pilot.pause(0.05)
            assert table.cursor_row == table.row_count - 1
            times.append(frame_after(t) - t)
        out["jump_to_last_ms_median"] = statistics.median(times) * 1000
        await pilot.press("slash")
        times = []
        for key in {keys!r}:
            before = len(applied)
            t = time.perf_counter()
            await pilot.press(key)
            while len(applied) == before:
                await asyncio.sleep(0.001)
            await pilot.pause(0.05)
            times.append(frame_after(applied[before]) - t)
        out["keystroke_ms_median"] = statistics.median(times) * 1000
        out["keystroke_ms_max"] = max(times) * 1000
        out["keystrokes"] = len(times)
        out["final_rows"] = table.row_count
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))

asyncio.run(main())
"""

SEARCH_CHILD = """
import json, random, statistics, time
from cachetui.loader import load
from cachetui.query import run_query
from cachetui.search import find_hashes, find_packages
catalog = load([{path!r}], cache=False).catalog
rng = random.Random(7)
out = {{"specs": len(catalog)}}
t = time.perf_counter(); catalog.by_hash_prefix("a"); out["hash_index_build_s"] = time.perf_counter() - t

def median_ms(fn, inputs):
    times = []
    for item in inputs:
        t = time.perf_counter(); fn(item); times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000

def typo(text):
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice("swap drop add".split())
    c = rng.choice("abcdefghijklmnopqrstuvwxyz234567")
    return {{"swap": text[:i] + c + text[i + 1:], "drop": text[:i] + text[i + 1:], "add": text[:i] + c + text[i:]}}[kind]

hashed = [h for h in catalog.hashes if h]  # legacy specs may have none
picks = [hashed[rng.randrange(len(hashed))] for _ in range(200)]
out["hash_prefix_ms_median"] = median_ms(lambda h: catalog.by_hash_prefix(h[: rng.randint(4, 8)]), picks)
fragments = [typo(h[:8]) for h in picks[:60]]
found = sum(1 for f, h in zip(fragments, picks) if any(catalog.hashes[x.spec_id] == h for x in find_hashes(catalog, f, limit=None)))
out["fuzzy_hash_ms_median"] = median_ms(lambda f: find_hashes(catalog, f), fragments)
out["fuzzy_hash_found"] = f"{{found}}/{{len(fragments)}}"
names = catalog.package_names
name_typos = [typo(n) for n in rng.sample(names, 60) if len(n) > 4]
out["fuzzy_name_ms_median"] = median_ms(lambda n: find_packages(catalog, n), name_typos)
queries = ["%gcc@13 os=ubuntu22.04", "stack=e4s* target=x86_64_v3", "!%gcc +mpi", "@1.2 platform=linux",
           names[5][:4], "build_system=cmake ~cuda", "/" + picks[0][:5], "tag=develop os=rhel8"]
out["query_ms_median"] = median_ms(lambda q: run_query(catalog, q), queries * 3)
# Spack's target order and "runs here" against a fixed host, each token on a fresh evaluator
# (no cached verdicts), next to an exact os= token measured in the same run: the floor.
from cachetui.host import Host
host = Host("linux", "ubuntu22.04", "zen3")
def token_ms(token):
    return median_ms(lambda q: run_query(catalog, q, host=host), [token] * 15)
out["token_os_exact_ms_median"] = token_ms("os=ubuntu22.04")
out["token_target_range_ms_median"] = token_ms("target=x86_64_v3:")
out["token_target_list_ms_median"] = token_ms("target=zen2,skylake,neoverse_v1")
out["token_runs_here_ms_median"] = token_ms("runs=yes")
out["target_range_vs_os_ratio"] = out["token_target_range_ms_median"] / out["token_os_exact_ms_median"]
out["runs_here_vs_os_ratio"] = out["token_runs_here_ms_median"] / out["token_os_exact_ms_median"]
print(json.dumps(out))
"""


def bench_search(path: Path) -> dict:
    result = run_child(SEARCH_CHILD.format(path=str(path)))
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}


LAZY_CHILD = """
import asyncio, json, os, resource, time
os.environ["CACHETUI_CACHE_DIR"] = {cache_dir!r}
started = time.perf_counter()
from cachetui.ui.app import CacheApp
from cachetui.ui.widgets.package_tree import PackageTree
from cachetui.ui.widgets.spec_table import SpecTable

async def main():
    app = CacheApp([{path!r}])
    out = {{}}
    async with app.run_test(size=(160, 48)) as pilot:
        tree = app.query_one(PackageTree)
        while len(tree.root.children) < 2:
            await asyncio.sleep(0.01)
        await pilot.pause()
        out["tag_list_s"] = time.perf_counter() - started
        out["tags"] = len(tree.root.children)
        t = time.perf_counter()
        await pilot.press("down", "down")
        label = tree.cursor_node.data.scope.tag
        while label in app.session.pending_tags() or app.query_one(SpecTable).row_count == 0:
            await asyncio.sleep(0.01)
        out["one_tag_s"] = time.perf_counter() - t
        out["one_tag_specs"] = app.query_one(SpecTable).row_count
        t = time.perf_counter()
        await pilot.press("a", "slash", *"%gcc@13")
        typed = time.perf_counter()
        while app.session.pending() or app.session.loading:
            await asyncio.sleep(0.05)
        out["search_all_tags_s"] = time.perf_counter() - t
        out["search_all_tags_after_last_key_s"] = time.perf_counter() - typed
        out["specs_after_search"] = len(app.catalog)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))

asyncio.run(main())
"""


def bench_lazy(path: Path, work: Path) -> dict:
    """Lazy tags: cold (fresh cache folder), then warm (the per-tag caches the first wrote)."""
    cache_dir = tempfile.mkdtemp(dir=work, prefix="lazy-cache-")
    cold = run_child(LAZY_CHILD.format(path=str(path), cache_dir=cache_dir))
    from cachetui.loader import tag_groups  # write every tag's cache, as the app does

    groups = tag_groups(str(path)) or []
    every = [p for g in groups for p in g.paths]  # in a child: see bench_ui
    run_child(LOAD_CHILD.replace("[{path!r}]", "{path!r}").format(
        path=every, cache=True, save=True, cache_dir=cache_dir))  # fmt: skip
    warm = run_child(LAZY_CHILD.format(path=str(path), cache_dir=cache_dir))
    rounded = lambda d: {k: round(v, 3) if isinstance(v, float) else v for k, v in d.items()}  # noqa: E731
    return {"cold": rounded(cold), "warm": rounded(warm)}


FILTER_KEYS = list("gcc") + ["space"] + list("os=ubuntu22.04") + ["backspace"] * 6 + list("*")


def bench_ui(path: Path, repeat: int, work: Path) -> dict:
    """First paint cold (a fresh cache folder each run), then warm (the index cache the app
    writes after its first paint, read at the next start); keys and G on the first cold run."""
    colds, warms = [], []
    for run in range(repeat):
        cache_dir = tempfile.mkdtemp(dir=work, prefix="ui-cache-")
        keys = FILTER_KEYS if run == 0 else FILTER_KEYS[:1]
        colds.append(run_child(UI_CHILD.format(path=str(path), keys=keys, cache_dir=cache_dir,
                                               stamps=STAMPS)))  # fmt: skip
        shutil.rmtree(cache_dir)
    cache_dir = tempfile.mkdtemp(dir=work, prefix="ui-cache-")
    # Written by a child: a child's peak RSS starts at its parent's RSS when it was forked
    # (Linux keeps the high-water mark across exec), so the parent must not load anything.
    run_child(LOAD_CHILD.format(path=str(path), cache=True, save=True, cache_dir=cache_dir, jobs=1))
    for _ in range(repeat):
        warms.append(run_child(UI_CHILD.format(path=str(path), keys=FILTER_KEYS[:1],
                                               cache_dir=cache_dir, stamps=STAMPS)))  # fmt: skip
    shutil.rmtree(cache_dir)
    result = dict(colds[0])
    del result["first_paint_s"], result["peak_rss_mb"]
    for name, runs in (("cold", colds), ("warm", warms)):
        result[f"peak_rss_{name}_mb"] = max(r["peak_rss_mb"] for r in runs)
        paints = [r["first_paint_s"] for r in runs]
        result[f"first_paint_{name}_s_median"] = statistics.median(paints)
        result[f"first_paint_{name}_s_best"] = min(paints)
    result["runs"] = repeat
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}


def bench_cli(path: Path) -> dict:
    def timed(args: list[str]) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "cachetui", *args],
                capture_output=True,
                cwd=HERE.parent,
                check=False,
            )
            times.append(time.perf_counter() - started)
        return round(statistics.median(times), 3)

    imports = run_child(
        "import json, sys, cachetui.cli, cachetui.loader, cachetui.export;"
        "print(json.dumps({'textual': 'textual' in sys.modules}))"
    )
    return {
        "help_s": timed(["--help"]),
        "stats_s": timed(["stats", str(path)]),
        "core_imports_textual": imports["textual"],
    }


def diff_corpus(work: Path, specs: int, seed: int) -> Path:
    """Two tags of ``specs`` specs each, as weekly snapshots differ: tag ``develop`` from synth,
    and ``develop-next`` made from it: most specs kept, many rebuilt (new hash), some with a
    variant flipped, some dropped, a few new versions and packages, some pages gone."""
    import random

    path = work / f"diff-{specs}-s{seed}"
    done = path / ".complete"
    if done.exists():
        return path
    started = time.perf_counter()
    generate(str(path), specs, seed, 1)
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    new_hash = lambda: "".join(rng.choice(alphabet) for _ in range(32))  # noqa: E731
    for page in sorted((path / "_cache" / "develop").rglob("specs.md")):
        if rng.random() < 0.02:
            continue  # the package is gone
        lines = page.read_text().split("\n")
        name = page.parent.name + ("-ng" if rng.random() < 0.01 else "")
        out = []
        for line in lines:
            if line.startswith("categories:"):
                line = "categories: [package, develop-next]"
            elif line.startswith("title:"):
                line = f'title: "{name}"'
            elif line.startswith("spec_details: "):
                entries = []
                for entry in json.loads(line[len("spec_details: ") :]):
                    roll = rng.random()
                    if roll < 0.03:
                        continue  # dropped
                    if roll < 0.25:
                        entry["hash"] = new_hash()  # rebuilt
                    elif roll < 0.28:
                        entry["hash"] = new_hash()
                        flip = {"+": "~", "~": "+"}
                        entry["variants"] = [flip[v[0]] + v[1:] if v[0] in flip else v
                                             for v in entry["variants"]]  # fmt: skip
                    elif roll < 0.30:
                        entry = dict(entry, hash=new_hash(), versions=[entry["versions"][0] + ".1"])
                    entries.append(entry)
                line = "spec_details: " + json.dumps(entries)
            out.append(line)
        target = path / "_cache" / "develop-next" / name / "specs.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(out))
    done.write_text("{}")
    print(f"generated the diff corpus in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


DIFF_CHILD = """
import json, os, statistics, time
import numpy as np
os.environ["CACHETUI_CACHE_DIR"] = {cache_dir!r}
from cachetui.diff import diff, tag_side
from cachetui.diffreport import render
from cachetui.loader import load
catalog = load([{path!r}]).catalog

def best_and_median(fn, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t)
    return out, min(times), statistics.median(times)

a, b = tag_side(catalog, "develop"), tag_side(catalog, "develop-next")
ha = np.array([catalog.hashes[i] for i in a.ids.tolist()], dtype=str)
hb = np.array([catalog.hashes[i] for i in b.ids.tolist()], dtype=str)
_, floor_best, floor_median = best_and_median(lambda: (np.isin(ha, hb), np.isin(hb, ha)))
found, diff_best, diff_median = best_and_median(lambda: diff(tag_side(catalog, "develop"),
                                                             tag_side(catalog, "develop-next")))
_, table_best, _ = best_and_median(lambda: render(found, "table"), 3)
_, summary_best, _ = best_and_median(lambda: render(found, "table", True), 3)
_, json_best, _ = best_and_median(lambda: render(found, "json"), 3)
print(json.dumps({{
    "specs_before": len(a.ids), "specs_after": len(b.ids), "summary": found.summary()["specs"],
    "changes": len(found.changes), "groups_added": len(found.added),
    "diff_s_best": diff_best, "diff_s_median": diff_median,
    "floor_isin_s_best": floor_best, "floor_isin_s_median": floor_median,
    "diff_over_floor": diff_median / floor_median,
    "render_summary_s": summary_best, "render_table_s": table_best, "render_json_s": json_best,
}}))
"""


def bench_diff(work: Path, specs: int, seed: int) -> dict:
    """``diff`` of two tags of ``specs`` specs each, against a floor measured in the same
    process: ``np.isin`` both ways over the two tags' hash arrays (the least any hash-based
    diff does)."""
    path = diff_corpus(work, specs, seed)
    cache_dir = tempfile.mkdtemp(dir=work, prefix="diff-cache-")
    result = run_child(DIFF_CHILD.format(path=str(path), cache_dir=cache_dir))
    shutil.rmtree(cache_dir)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


CLOSEST_CHILD = """
import json, os, statistics, time
import numpy as np
os.environ["CACHETUI_CACHE_DIR"] = {cache_dir!r}
from cachetui.closest import closest
from cachetui.closestrequest import parse_request
from cachetui.closestreport import render
from cachetui.loader import load
catalog = load([{path!r}]).catalog

def best_and_median(fn, n=7):
    times = []
    for _ in range(n):
        t = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t)
    return out, min(times), statistics.median(times)

package = catalog.column("package")
counts = np.bincount(package.codes, minlength=len(package.values))
biggest = package.values[int(counts.argmax())]
version = catalog.column("version").cell(int(np.flatnonzero(package.codes == counts.argmax())[0]))
request = parse_request(f"{{biggest}}@{{version}} +mpi %gcc@13 target=zen3 os=rhel8")
_, floor_best, floor_median = best_and_median(lambda: np.flatnonzero(package.mask_equal(biggest)))
found, best, median = best_and_median(lambda: closest(catalog, request))
_, all_best, all_median = best_and_median(lambda: closest(catalog, request, limit=None), 3)
_, table_best, _ = best_and_median(lambda: render(catalog, found), 3)
_, json_best, _ = best_and_median(lambda: render(catalog, found, "json"), 3)
_, unknown_best, _ = best_and_median(lambda: closest(catalog, parse_request("hdf55 +mpi")), 3)
print(json.dumps({{
    "specs": len(catalog), "request": request.text, "package_specs": int(counts.max()),
    "binaries": found.binaries, "exact": found.exact,
    "closest_s_best": best, "closest_s_median": median,
    "closest_all_s_best": all_best, "closest_all_s_median": all_median,
    "floor_package_mask_s_median": floor_median,
    "render_table_s": table_best, "render_json_s": json_best, "unknown_name_s": unknown_best,
}}))
"""


def bench_closest(path: Path, work: Path) -> dict:
    """``closest`` for the package with the most specs (limit 10 and all of them), against a
    floor: the package's mask alone."""
    cache_dir = tempfile.mkdtemp(dir=work, prefix="closest-cache-")
    result = run_child(CLOSEST_CHILD.format(path=str(path), cache_dir=cache_dir))
    shutil.rmtree(cache_dir)
    return {
        k.replace("_s", "_ms") if isinstance(v, float) else k: (
            round(v * 1000, 3) if isinstance(v, float) else v
        )
        for k, v in result.items()
    }


def bench_parsers(path: Path, pages: int = 200) -> dict:
    """The same page values decoded three ways (the trap the loader avoids)."""
    import yaml

    files = sorted(path.rglob("specs.md"))[:pages]
    texts = [f.read_text() for f in files]
    specs = 0

    def front(text: str) -> str:
        return text.split("\n---", 1)[0][4:]

    started = time.perf_counter()
    for text in texts:
        for line in front(text).split("\n"):
            if line.startswith(("meta: ", "spec_details: ")):
                value = json.loads(line.split(": ", 1)[1])
                specs += len(value) if isinstance(value, list) else 0
    json_s = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        yaml.load(front(text), Loader=yaml.CSafeLoader)
    c_s = time.perf_counter() - started
    sample = texts[: max(1, len(texts) // 10)]
    started = time.perf_counter()
    for text in sample:
        yaml.safe_load(front(text))
    py_s = (time.perf_counter() - started) * len(texts) / len(sample)
    return {
        "pages": len(texts),
        "specs": specs,
        "json_s": round(json_s, 3),
        "yaml_CSafeLoader_s": round(c_s, 3),
        "yaml_safe_load_s_est": round(py_s, 2),
        "safe_load_over_json": round(py_s / json_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="cachetui benchmark")
    parser.add_argument("--specs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tags", type=int, default=0, help="number of tags (0: by size)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cachetui-bench")
    parser.add_argument(
        "--only",
        choices=["load", "cli", "ui", "search", "lazy", "diff", "closest", "site", "export"],
        action="append",
    )
    parser.add_argument("--export-format", choices=TEXT_FORMATS, action="append",
                        help="with --only export: the formats timed (default: all)")  # fmt: skip
    parser.add_argument("--reuse-index", action="store_true",
                        help="with --only site: reuse the site index an earlier run built")  # fmt: skip
    parser.add_argument(
        "--site-baseline", type=int, default=0, metavar="SPECS",
        help="with --only site: the same on a corpus of SPECS specs, and the first-paint ratio",
    )  # fmt: skip
    parser.add_argument("--parsers", action="store_true", help="also compare page parsers")
    parser.add_argument("--jobs", type=int, default=1, help="also a cold load in N processes")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ["load", "cli", "ui", "search"])
    report: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    if "diff" in only:  # its own corpus: two tags of --specs specs each
        report["diff"] = bench_diff(args.work, args.specs, args.seed)
        if only == {"diff"}:
            print(json.dumps(report, indent=2))
            return
    path = corpus(args.work, args.specs, args.seed, args.tags)
    if "load" in only:
        report["load"] = bench_load(path, args.repeat, args.work, args.jobs)
    if "cli" in only:
        report["cli"] = bench_cli(path)
    if "search" in only:
        report["search"] = bench_search(path)
    if "ui" in only:
        report["ui"] = bench_ui(path, args.repeat, args.work)
    if "lazy" in only:
        report["lazy"] = bench_lazy(path, args.work)
    if "export" in only:
        formats = tuple(args.export_format or TEXT_FORMATS)
        report["export"] = bench_export(path, args.repeat, args.work, formats)
    if "closest" in only:
        report["closest"] = bench_closest(path, args.work)
    if "site" in only:
        report["site"] = bench_site(path, args.repeat, args.work, args.reuse_index)
        if args.site_baseline:
            base = corpus(args.work, args.site_baseline, args.seed, 0)
            report["site_baseline"] = bench_site(base, args.repeat, args.work, args.reuse_index)
            report["first_paint_over_baseline"] = round(
                report["site"]["browser"]["first_paint_s"]
                / report["site_baseline"]["browser"]["first_paint_s"], 2)  # fmt: skip
    if args.parsers:
        report["parsers"] = bench_parsers(path)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
