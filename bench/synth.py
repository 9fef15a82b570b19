"""Generate a synthetic build cache site of any size, shaped like the real one.

Distributions follow the real ``_cache/`` tree: many tags, thousands of packages per tag, a
long-tailed number of specs per page (most pages list a handful, a few list hundreds), a dozen
stacks, compilers written ``gcc@=11.4.0`` (era A/B) or ``gcc@11.4.0``/``none`` (era B), era A pages
carrying a tarball URL per spec, and a sprinkle of legacy pages.

    python bench/synth.py OUT_DIR --specs 100000 [--seed 1] [--tags 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string

B32 = string.ascii_lowercase + "234567"
SYLLABLES = (
    "ab ad al am an ar as at ba be bi bo bu ca ce ci co cu da de di do du el en er es "
    "fa fe fi fo ga ge gi go ha he hi ho ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no "
    "nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo xa xe yo za ze zo"
)
SYLLABLES_L = SYLLABLES.split()
PREFIXES = [("", 0.55), ("py-", 0.25), ("r-", 0.1), ("perl-", 0.05), ("lib", 0.05)]
COMPILERS_A = [
    ("gcc@=11.4.0", 40),
    ("gcc@=13.2.0", 20),
    ("gcc@=12.3.0", 8),
    ("oneapi@=2024.2.1", 6),
    ("apple-clang@=16.0.0", 5),
    ("gcc@=7.5.0", 4),
    ("cce@=15.0.1", 2),
    ("gcc@=10.5.0", 3),
]
COMPILERS_B = [
    ("gcc@11.4.0", 40),
    ("gcc@13.2.0", 20),
    ("none", 18),
    ("gcc@12.3.0", 6),
    ("intel-oneapi-compilers@2025.1.0", 5),
    ("apple-clang@16.0.0", 5),
    ("gcc@13.3.0", 3),
]
OSES = [
    ("ubuntu22.04", 40),
    ("ubuntu24.04", 30),
    ("rhel8", 8),
    ("amzn2", 6),
    ("centos7", 5),
    ("sequoia", 6),
    ("ubuntu20.04", 5),
]
TARGETS = {
    "linux": [
        ("x86_64_v3", 60),
        ("aarch64", 15),
        ("neoverse_v2", 10),
        ("neoverse_v1", 5),
        ("x86_64_v4", 4),
        ("zen4", 3),
        ("ppc64le", 3),
    ],
    "darwin": [("aarch64", 80), ("m1", 20)],
}
STACKS = [
    ("e4s", 30),
    ("e4s-neoverse-v2", 8),
    ("e4s-oneapi", 8),
    ("e4s-rocm-external", 6),
    ("ml-linux-x86_64-cpu", 8),
    ("ml-linux-x86_64-cuda", 8),
    ("ml-linux-aarch64-cuda", 5),
    ("developer-tools", 6),
    ("data-vis-sdk", 5),
    ("radiuss", 5),
    ("tutorial", 4),
    ("aws-pcluster-x86_64_v4", 3),
    ("hep", 3),
    ("build_systems", 3),
]
BUILD_SYSTEMS = ["cmake", "autotools", "python_pip", "makefile", "meson", "generic"]
VARIANT_NAMES = [
    "mpi",
    "shared",
    "cuda",
    "rocm",
    "openmp",
    "fortran",
    "pic",
    "ipo",
    "debug",
    "python",
    "tests",
    "static",
    "threads",
]


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def package_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        prefix = pick(rng, [(p, int(w * 100)) for p, w in PREFIXES])
        name = prefix + "".join(rng.choice(SYLLABLES_L) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.15:
            name += "-" + rng.choice(["utils", "core", "tools", "io", "mpi", "cuda", "py"])
        if name not in taken:
            taken.add(name)
            return name


def specs_per_page(rng: random.Random) -> int:
    # Long tail: median ~20, mean ~40, 1% of pages over 300 (cmake, hdf5, py-numpy ...).
    return max(1, min(1500, int(rng.lognormvariate(3.0, 1.15))))


class Package:
    def __init__(self, rng: random.Random, name: str) -> None:
        self.name = name
        major = rng.randint(0, 12)
        self.versions = sorted(
            {f"{major}.{rng.randint(0, 20)}.{rng.randint(0, 9)}" for _ in range(rng.randint(1, 4))}
        )
        self.build_system = rng.choice(BUILD_SYSTEMS)
        self.bools = rng.sample(VARIANT_NAMES, rng.randint(0, 4))
        self.patches = "".join(rng.choice(B32[:16]) for _ in range(7)) if rng.random() < 0.1 else ""


def spec_entry(rng: random.Random, pkg: Package, tag: str, era: str) -> dict:
    os_ = pick(rng, OSES)
    platform = "darwin" if os_ == "sequoia" else "linux"
    target = pick(rng, TARGETS[platform])
    compiler = pick(rng, COMPILERS_A if era == "A" else COMPILERS_B)
    if platform == "darwin" and compiler != "none":
        compiler = "apple-clang@=16.0.0" if era == "A" else "apple-clang@16.0.0"
    variants = [f"build_system={pkg.build_system}"]
    variants += [("+" if rng.random() < 0.6 else "~") + b for b in pkg.bools]
    if pkg.patches:
        variants.append(("patches=" if era == "A" else "patches:=") + pkg.patches)
    stacks = sorted({pick(rng, STACKS) for _ in range(rng.choice([1, 1, 1, 2, 3]))} | {"root"})
    if era == "A":
        rng.shuffle(stacks)
    entry = {
        "compiler": compiler,
        "hash": "".join(rng.choice(B32) for _ in range(32)),
        "os": os_,
        "platform": platform,
        "size": "-",
        "stacks": stacks,
        "target": target,
        "variants": variants,
        "versions": [rng.choice(pkg.versions)],
    }
    if era == "A":
        version = entry["versions"][0]
        arch = f"{platform}-{os_}-{target}"
        comp = compiler.replace("@=", "-")
        entry["tarball"] = (
            f"https://binaries.spack.io/{tag}/build_cache/{arch}/{comp}/{pkg.name}-{version}/"
            f"{arch}-{comp}-{pkg.name}-{version}-{entry['hash']}.spack"
        )
        keys = [
            "hash",
            "compiler",
            "versions",
            "os",
            "platform",
            "target",
            "variants",
            "stacks",
            "size",
            "tarball",
        ]
        entry = {k: entry[k] for k in keys}
    return entry


def page_text(pkg: Package, tag: str, era: str, specs: list[dict]) -> str:
    by_stack: dict[str, int] = {}
    for spec in specs:
        for stack in spec["stacks"]:
            by_stack[stack] = by_stack.get(stack, 0) + 1
    meta = {
        "compilers": sorted({s["compiler"] for s in specs}),
        "num_specs": len(specs),
        "num_specs_by_stack": dict(sorted(by_stack.items())),
        "oss": sorted({s["os"] for s in specs}),
        "platforms": sorted({s["platform"] for s in specs}),
        "stacks": sorted(by_stack),
        "targets": sorted({s["target"] for s in specs}),
        "versions": sorted({v for s in specs for v in s["versions"]}),
    }
    return (
        f'---\ntitle: "{pkg.name}"\nlayout: cache\ncategories: [package, {tag}]\n'
        f"meta: {json.dumps(meta)}\nspec_details: {json.dumps(specs)}\n---\n"
    )


def legacy_text(pkg: Package, specs: list[dict]) -> str:
    lines = [
        "---",
        f'title: "{pkg.name}"',
        "layout: cache",
        "category: package",
        "meta: "
        + json.dumps(
            {"versions": pkg.versions, "compilers": sorted({s["compiler"] for s in specs})}
        ),
        "spec_files: ",
    ]
    for n, s in enumerate(specs):
        compiler = s["compiler"].replace("@=", "@")
        spec = (
            f"{pkg.name}@{s['versions'][0]}%{compiler} build_system={pkg.build_system}"
            f" arch={s['platform']}-{s['os']}-{s['target']}"
        )
        lines.append(f' - "{spec}": spec-{n}.json')
    return "\n".join(lines) + "\n---\n"


def generate(out: str, total: int, seed: int = 1, tags: int = 0) -> dict:
    """Write pages holding ``total`` specs under ``out``; returns counts."""
    rng = random.Random(seed)
    n_tags = tags or max(1, min(100, total // 50_000 + 1))
    # weekly snapshots, as the site has them: develop-YYYY-MM-DD, all distinct
    tag_names = ["develop"] + [
        f"develop-{2023 + i // 48}-{(i // 4) % 12 + 1:02d}-{(i % 4) * 7 + 1:02d}"
        for i in range(1, max(1, n_tags - 3))
    ]
    tag_names += ["v0.22.1", "v0.21.2"][: max(0, n_tags - len(tag_names))]
    tag_names = tag_names[:n_tags]
    taken: set[str] = set()
    packages: list[Package] = []
    written = pages = 0
    legacy_dir = os.path.join(out, "_cache")
    while written < total:
        for tag in tag_names:
            if written >= total:
                break
            era = "A" if tag.startswith("v") or "-20" in tag and tag < "develop-2025-03" else "B"
            if len(packages) < 12_000 and (not packages or rng.random() < 0.5):
                packages.append(Package(rng, package_name(rng, taken)))
            pkg = rng.choice(packages)
            count = min(specs_per_page(rng), total - written)
            specs = [spec_entry(rng, pkg, tag, era) for _ in range(count)]
            directory = os.path.join(out, "_cache", tag, pkg.name)
            legacy = rng.random() < 0.01
            if legacy:
                directory = os.path.join(legacy_dir, pkg.name)
            os.makedirs(directory, exist_ok=True)
            name = "index.md" if legacy else "specs.md"
            path = os.path.join(directory, name)
            if os.path.exists(path):  # same package drawn twice for a tag: keep one page
                continue
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(legacy_text(pkg, specs) if legacy else page_text(pkg, tag, era, specs))
            written += count
            pages += 1
    return {"specs": written, "pages": pages, "tags": len(tag_names), "packages": len(packages)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--specs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tags", type=int, default=0)
    args = parser.parse_args()
    print(generate(args.out, args.specs, args.seed, args.tags))


if __name__ == "__main__":
    main()
