"""Link/run closure figures on a synthetic Spack index.

    python bench/closure.py --specs 100000 [--deps 8] [--seed 1]

Writes a database-v8 ``index.json`` of ``--specs`` records in the build cache, in environments
of 600 (a stack's DAG), each depending on up to ``--deps`` earlier records of its environment
(link, run, build and build+link edges, one of them among the environment's first 20: its
"runtimes", like gcc-runtime or zlib), 1 in 500 records needing a hash that is not in the cache;
loads it with the loader (no index cache) and times ``closure_mask`` over every spec,
``closure_of`` on 1,000 specs, ``check`` on 100 hash prefixes and ``why_paths`` (the browser's
``w``) on 100 specs, against ``closure_of`` on the same specs as the floor.
Not a test: figures vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from cachetui.closure import closure_mask, closure_of, known_specs  # noqa: E402
from cachetui.closurecheck import check  # noqa: E402
from cachetui.deptree import why_paths  # noqa: E402
from cachetui.loader import load  # noqa: E402

B32 = "abcdefghijklmnopqrstuvwxyz234567"
KINDS = (["link"], ["run"], ["build"], ["build", "link"])
ENVIRONMENT = 600  # specs per environment (an e4s stack concretizes ~600 packages)


def write_index(path: Path, specs: int, deps: int, seed: int) -> None:
    rng = random.Random(seed)
    hashes = ["".join(rng.choices(B32, k=32)) for _ in range(specs)]
    installs = {}
    for n, full_hash in enumerate(hashes):
        edges = []
        first = n - n % ENVIRONMENT  # deps within the spec's environment, like a stack's DAG
        if n > first:
            core = min(n, first + 20)  # its runtimes: gcc-runtime, zlib, ...
            targets = {rng.randrange(first, core)}
            targets |= {rng.randrange(first, n) for _ in range(deps - 1)}
            for target in sorted(targets):
                edges.append({"name": f"p{target}", "hash": hashes[target],
                              "parameters": {"deptypes": rng.choice(KINDS), "virtuals": []}})  # fmt: skip
        if rng.random() < 0.002:
            edges.append({"name": "gone", "hash": "7" * 32,
                          "parameters": {"deptypes": ["link"], "virtuals": []}})  # fmt: skip
        installs[full_hash] = {
            "spec": {
                "name": f"p{n}",
                "version": "1.0",
                "hash": full_hash,
                "arch": {"platform": "linux", "platform_os": "rhel9", "target": "zen3"},
                "dependencies": edges,
            },  # fmt: skip
            "in_buildcache": True,
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"database": {"version": "8", "installs": installs}}))


def timed(function, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=100_000)
    parser.add_argument("--deps", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        index = Path(work) / "mirror" / "build_cache" / "index.json"
        write_index(index, args.specs, args.deps, args.seed)
        size = index.stat().st_size
        started = time.perf_counter()
        catalog = load([index], max_bytes=size + 1, cache=False).catalog
        loaded = time.perf_counter() - started
    edges = sum(len(d) for d in catalog.deps)
    print(
        f"{len(catalog):,} specs, {edges:,} edges, index {size / 1e6:.0f} MB, load {loaded:.2f} s"
    )
    seconds, mask = timed(lambda: closure_mask(catalog))
    counts = {v: int((mask == v).sum()) for v in (1, 0, -1)}
    print(f"closure_mask: {seconds:.2f} s median of 3; complete/incomplete/unknown {counts}")
    known = known_specs(catalog)
    rng = random.Random(args.seed)
    sample = [rng.randrange(len(catalog)) for _ in range(1000)]
    catalog.by_hash_prefix("a")  # the catalog's hash index, built once for every lookup
    seconds, closures = timed(lambda: [closure_of(catalog, i, known) for i in sample], runs=1)
    sizes = sorted(len(c.present) for c in closures)
    print(f"closure_of: {seconds / len(sample) * 1000:.1f} ms per spec "
          f"(closure sizes: median {sizes[len(sizes) // 2]}, max {sizes[-1]})")  # fmt: skip
    agree = all(c.mask_value == mask[i] for c, i in zip(closures, sample))
    print(f"closure_of agrees with closure_mask on the sample: {agree}")
    prefixes = [catalog.hashes[i][:8] for i in sample[:100]]
    seconds, report = timed(lambda: check(catalog, prefixes), runs=1)
    print(f"check of 100 prefixes: {seconds:.2f} s, exit code {report.exit_code}")
    seconds, _ = timed(lambda: catalog.dependents(""), runs=1)
    print(f"dependents index (built once, on the first why): {seconds:.2f} s")
    few = sample[:100]
    floor, _ = timed(lambda: [closure_of(catalog, i, known) for i in few])
    seconds, results = timed(lambda: [why_paths(catalog, i) for i in few])
    roots = sorted(r.roots for r in results)
    print(f"why_paths: {seconds / len(few) * 1000:.1f} ms per spec, {seconds / floor:.2f}x"
          f" closure_of on the same specs ({floor / len(few) * 1000:.1f} ms); roots per spec:"
          f" median {roots[len(roots) // 2]}, max {roots[-1]}")  # fmt: skip


if __name__ == "__main__":
    main()
