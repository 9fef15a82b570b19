"""cachetui benchmark: generate a synthetic corpus of any size and measure the hot paths.

    python bench/bench.py --specs 100000            # load + CLI figures
    python bench/bench.py --specs 1000000 --only load
    python bench/bench.py --specs 100000 --parsers  # json vs libyaml vs pure-Python yaml

Each load runs in a fresh process (cold: nothing imported, nothing cached) and reports wall time,
specs/s and peak RSS. Corpora are cached under --work (default: $TMPDIR/cachetui-bench).
Not a test: figures vary with the machine; README's Performance section records ours.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

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
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=HERE.parent
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


LOAD_CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from cachetui.loader import load
result = load([{path!r}])
elapsed = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "specs": len(result.catalog), "pages": result.pages,
                  "problems": len(result.problems), "rss_mb": rss}}))
"""


def bench_load(path: Path, repeat: int) -> dict:
    runs = [run_child(LOAD_CHILD.format(path=str(path))) for _ in range(repeat)]
    best = min(runs, key=lambda r: r["seconds"])
    size_mb = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
    return {
        "specs": best["specs"],
        "pages": best["pages"],
        "corpus_mb": round(size_mb, 1),
        "load_s_median": round(statistics.median(r["seconds"] for r in runs), 3),
        "load_s_best": round(best["seconds"], 3),
        "specs_per_s": int(best["specs"] / best["seconds"]),
        "peak_rss_mb": round(max(r["rss_mb"] for r in runs)),
        "problems": best["problems"],
    }


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
    parser.add_argument("--only", choices=["load", "cli"], action="append")
    parser.add_argument("--parsers", action="store_true", help="also compare page parsers")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    path = corpus(args.work, args.specs, args.seed, args.tags)
    report: dict = {"python": sys.version.split()[0], "cpus": os.cpu_count()}
    only = set(args.only or ["load", "cli"])
    if "load" in only:
        report["load"] = bench_load(path, args.repeat)
    if "cli" in only:
        report["cli"] = bench_cli(path)
    if args.parsers:
        report["parsers"] = bench_parsers(path)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
