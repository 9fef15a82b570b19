"""The detail panel's closure section: can the spec be installed from the loaded caches alone
(``spack install --cache-only``)? The verdict of ``closure.closure_of``, and each missing
dependency with who needs it and the path from the spec. Text pieces only: data is never markup.
"""

from __future__ import annotations

from rich.text import Text

from ...catalog import Catalog
from ...closure import COMPLETE, INCOMPLETE, Closure
from ...closurecheck import describe
from ...text import visible

LABEL = "closure   "  # as wide as the detail panel's other labels
MAX_MISSING = 20  # missing dependencies listed; the count says how many there are
MAX_UNKNOWN = 5


def pending_text() -> Text:
    return Text.assemble((LABEL, "bold"), ("…", "dim"))


def closure_text(catalog: Catalog, closure: Closure) -> Text:
    text = Text()
    text.append(LABEL, "bold")
    verdict = closure.verdict
    present = len(closure.present)
    if verdict == COMPLETE:
        text.append("complete", "bold green")
        text.append(f": every link/run dependency is loaded ({present})\n", "green")
        return text
    if verdict == INCOMPLETE:
        text.append(f"incomplete: {len(closure.missing)} missing", "bold red")
        text.append(f" ({present} present)\n")
        for miss in closure.missing[:MAX_MISSING]:
            dep = miss.dependency
            what = f"{dep.name}@{dep.version}" if dep.version else dep.name
            chain = " → ".join(describe(catalog, spec_id) for spec_id in miss.path)
            text.append("  ✗ ", "red")
            text.append(visible(f"{what}/{dep.short_hash or '-'}"), "bold")
            text.append(f" ({visible(','.join(dep.deptypes)) or 'no deptypes'})", "dim")
            text.append(f", needed by {visible(chain)}\n")
        if len(closure.missing) > MAX_MISSING:
            text.append(f"  … {len(closure.missing) - MAX_MISSING} more (cachetui check)\n", "dim")
        return text
    text.append("unknown", "bold yellow")
    if closure.unknown == [closure.root]:
        text.append(": its dependencies are not known (the site's pages list none)\n")
        return text
    text.append(": the dependencies of these are not known (from the site's pages):\n")
    for spec_id in closure.unknown[:MAX_UNKNOWN]:
        text.append(f"  ? {visible(describe(catalog, spec_id))}\n", "yellow")
    if len(closure.unknown) > MAX_UNKNOWN:
        text.append(f"  … {len(closure.unknown) - MAX_UNKNOWN} more\n", "dim")
    return text
