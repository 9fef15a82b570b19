"""The cold-load floor: a fresh process that reads every page of a corpus and decodes its JSON
lines (``meta`` and ``spec_details``) into typed structs with msgspec, checking nothing else.
A practical Python floor for parsing the pages: the loader's cold load is reported against it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FLOOR_CHILD = """
import json, os, sys, time
started = time.perf_counter()
from typing import Optional, Union
import msgspec

class Entry(msgspec.Struct):
    hash: str
    compiler: str
    os: str
    platform: str
    target: str
    versions: list[str]
    variants: list[str]
    stacks: list[str]
    size: Union[str, int, None] = None
    tarball: Optional[str] = None

class Meta(msgspec.Struct):
    num_specs: int = 0
    num_specs_by_stack: dict[str, int] = {}

entries, meta = msgspec.json.Decoder(list[Entry]), msgspec.json.Decoder(Meta)
specs = pages = 0
for root, folders, files in os.walk(sys.argv[1]):
    folders[:] = [f for f in folders if not f.startswith(".")]
    for name in files:
        if name.startswith("."):
            continue
        with open(os.path.join(root, name), "rb", buffering=0) as handle:
            data = handle.read()
        for line in data.split(b"\\n", 7)[:7]:
            if line.startswith(b"spec_details: "):
                specs += len(entries.decode(line[14:]))
                pages += 1
            elif line.startswith(b"meta: "):
                meta.decode(line[6:])
print(json.dumps({"seconds": time.perf_counter() - started, "specs": specs, "pages": pages}))
"""


def floor_seconds(path: Path) -> dict:
    """One floor run in a fresh process: seconds, and the specs and pages it decoded."""
    out = subprocess.run([sys.executable, "-c", FLOOR_CHILD, str(path)], capture_output=True,
                         text=True, check=True)  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])
