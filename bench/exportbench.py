"""Exports of a whole corpus: ``cachetui list -f FMT`` of every spec, warm index cache, output
to a file. The floor is the same command writing the hashes (the load and the least text any
format writes); each round runs the floor and then every format, so their ratios share the
machine's load at that moment."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT_FORMATS = ("specs", "install", "tsv", "jsonl", "json", "yaml")


def _run(root: Path, corpus: Path, fmt: str, out: str, env: dict) -> float:
    args = [sys.executable, "-m", "cachetui", "list", "--quiet", "--limit", "1000000000",
            "-f", fmt, str(corpus)]  # fmt: skip
    started = time.perf_counter()
    with open(out, "wb") as handle:
        done = subprocess.run(args, stdout=handle, stderr=subprocess.PIPE, cwd=root, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"cachetui list -f {fmt} failed:\n{done.stderr.decode()}")
    return seconds


def bench_export(corpus: Path, repeat: int, work: Path, formats: tuple[str, ...]) -> dict:
    """Median seconds of each format, its ratio to the floor, and the size of its output."""
    root = Path(__file__).resolve().parent.parent
    cache = os.environ.get("CACHETUI_CACHE_DIR") or str(work / "cache")
    env = dict(os.environ, CACHETUI_CACHE_DIR=cache)
    subprocess.run([sys.executable, "-m", "cachetui", "stats", str(corpus)], cwd=root, env=env,
                   capture_output=True, check=True)  # fmt: skip  # the warm cache
    times: dict[str, list[float]] = {name: [] for name in ("hashes", *formats)}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(repeat):
            for name in times:
                out = os.path.join(scratch, name)
                times[name].append(_run(root, corpus, name, out, env))
                sizes[name] = os.path.getsize(out)
    floor = statistics.median(times["hashes"])
    report: dict = {"runs": repeat, "floor_hashes_s": round(floor, 3)}
    for name in formats:
        median = statistics.median(times[name])
        report[name] = {
            "s_median": round(median, 3),
            "over_floor": round(median / floor, 2),
            "beyond_floor_s": round(median - floor, 3),
            "mb": round(sizes[name] / 1e6, 1),
        }
    return report
