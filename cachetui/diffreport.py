"""``cachetui diff`` as text: the one-screen summary and details as a table, Markdown or JSON,
and the command line (registered in cli_reports.py). UI-free; what changed is computed in
``diff``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Callable

from .diff import Diff, Group, Side, SpecRow, VariantChange, diff, load_side, tag_side
from .diffcodes import column_codes
from .text import visible

if TYPE_CHECKING:
    from .loader import LoadResult

FORMATS = ("table", "json", "md")
EXIT_SAME, EXIT_DIFFERENT, EXIT_USAGE = 0, 1, 2
SUMMARY_GROUPS = 8  # groups of added or removed specs named in the one-screen summary


# -- rendering -------------------------------------------------------------------------------


def _short(full_hash: str) -> str:
    return full_hash[:7] or "-"


def _spec_text(row: SpecRow) -> str:
    return f"{row.package}@{row.version}" if row.version else row.package


def _variant_change(change: VariantChange) -> str:
    if not change.added and not change.removed:
        return "same variants"
    parts = []
    if change.added:
        parts.append("added " + " ".join(change.added))
    if change.removed:
        parts.append("removed " + " ".join(change.removed))
    return "; ".join(parts)


def _where(group: Group) -> str:
    return f"{group.os} {group.target} {group.compiler}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _side_text(side: Side, packages: int) -> str:
    return (
        f"{side.kind} {side.label} ({_count(len(side.ids), 'spec')}, {_count(packages, 'package')})"
    )


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def summary_lines(d: Diff) -> list[str]:
    """The one-screen summary (plain text, not yet escaped)."""
    s = d.summary()
    specs = s["specs"]
    lines = [
        f"before    {_side_text(d.before, d.packages_before)}",
        f"after     {_side_text(d.after, d.packages_after)}",
        f"specs     {specs['before']} -> {specs['after']}: {specs['unchanged']} unchanged, "
        f"{specs['changed']} changed, {specs['added']} added, {specs['removed']} removed",
        f"packages  {d.packages_before} -> {d.packages_after}: "
        f"{len(d.packages_added)} added, {len(d.packages_removed)} removed",
        f"versions  {s['versions']['added']} added, {s['versions']['removed']} removed, "
        f"in {_count(s['versions']['packages'], 'package')} on both sides",
    ]
    for title, found in (("changed", None), ("added", d.added), ("removed", d.removed)):
        if found is None:
            items = [f"{c.count:>6}  {_variant_change(c)}" for c in d.changes]
        else:
            items = [f"{g.count:>6}  {_where(g)}" for g in found]
        if not items:
            lines.append(f"{title:<9} none")
            continue
        more = len(items) - SUMMARY_GROUPS
        items = items[:SUMMARY_GROUPS] + ([f"   ... {more} more"] if more > 0 else [])
        lines += [f"{title if n == 0 else '':<9} {item}" for n, item in enumerate(items)]
    moved = [(stack, n, m) for stack, n, m in d.stacks if n != m]
    if moved:
        moved.sort(key=lambda r: (-abs(r[2] - r[1]), r[0]))
        shown = ", ".join(f"{stack} {n} -> {m}" for stack, n, m in moved[:SUMMARY_GROUPS])
        more = len(moved) - SUMMARY_GROUPS
        lines.append(f"stacks    {shown}" + (f", ... {more} more" if more > 0 else ""))
    else:
        lines.append(f"stacks    {len(d.stacks)} stacks, no count changed")
    return lines


def _aligned(rows: list[list[str]], indent: str = "  ") -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        (indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths))).rstrip() for row in rows
    ]


def _table(d: Diff, summary_only: bool) -> str:
    lines = summary_lines(d)
    if not summary_only and d.differs:
        lines.append("")
        for title, names in (("added", d.packages_added), ("removed", d.packages_removed)):
            if names:
                lines.append(f"packages {title} ({len(names)})")
                lines += [f"  {name}" for name in names]
        names = sorted(set(d.versions_added) | set(d.versions_removed))
        if names:
            lines.append(f"versions ({_count(len(names), 'package')})")
        lines += _aligned([
            [name, " ".join(["+" + v for v in d.versions_added.get(name, [])]
                            + ["-" + v for v in d.versions_removed.get(name, [])])]
            for name in names
        ])  # fmt: skip
        for title, side, groups in (("added", d.after, d.added), ("removed", d.before, d.removed)):
            count = sum(g.count for g in groups)
            if count:
                lines.append(f"specs {title} ({count})")
            for group in groups:
                lines.append(f"  {_where(group)} ({group.count})")
                lines += _aligned(
                    [[_spec_text(r), _short(r.hash), " ".join(r.variants)]
                     for r in d.spec_rows(side, group.ids)],
                    indent="    ",
                )  # fmt: skip
        if d.changed_count:
            lines.append(f"specs changed ({d.changed_count})")
        lines += _aligned([
            [_spec_text(old), os_, target, compiler, f"{_short(old.hash)} -> {_short(new.hash)}",
             _variant_change(change)]
            for old, new, change, os_, target, compiler in d.changed_rows()
        ])  # fmt: skip
    if not summary_only:
        lines.append("stacks")
        lines += _aligned(
            [["STACK", "BEFORE", "AFTER", "CHANGE"]]
            + [
                [stack, str(n), str(m), _signed(m - n) if m != n else ""]
                for stack, n, m in d.stacks
            ]
        )
    return "\n".join(visible(line) for line in lines) + "\n"


def _md_cell(value: str) -> str:
    return visible(value).replace("\\", "\\\\").replace("|", "\\|").replace("`", "\\`")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _md(d: Diff, summary_only: bool) -> str:
    s = d.summary()["specs"]
    lines = [
        f"# {_md_cell(d.before.label)} -> {_md_cell(d.after.label)}",
        "",
        f"- before: {_md_cell(_side_text(d.before, d.packages_before))}",
        f"- after: {_md_cell(_side_text(d.after, d.packages_after))}",
        f"- specs: {s['before']} -> {s['after']}: {s['unchanged']} unchanged, {s['changed']} "
        f"changed, {s['added']} added, {s['removed']} removed",
        f"- packages: {len(d.packages_added)} added, {len(d.packages_removed)} removed",
        f"- versions: {sum(map(len, d.versions_added.values()))} added, "
        f"{sum(map(len, d.versions_removed.values()))} removed",
        "",
    ]
    if d.changes:
        lines += _md_table(["changed", "what changed"],
                           [[str(c.count), _variant_change(c)] for c in d.changes])  # fmt: skip
    for title, groups in (("added", d.added), ("removed", d.removed)):
        if groups:
            lines += _md_table([title, "os", "target", "compiler"],
                               [[str(g.count), g.os, g.target, g.compiler] for g in groups])  # fmt: skip
    if not summary_only:
        for title, names in (("Packages added", d.packages_added),
                             ("Packages removed", d.packages_removed)):  # fmt: skip
            if names:
                lines += [f"## {title} ({len(names)})", ""]
                lines += [f"- {_md_cell(name)}" for name in names] + [""]
        names = sorted(set(d.versions_added) | set(d.versions_removed))
        if names:
            lines += ["## Versions", ""]
            lines += _md_table(["package", "added", "removed"], [
                [name, " ".join(d.versions_added.get(name, [])),
                 " ".join(d.versions_removed.get(name, []))]
                for name in names
            ])  # fmt: skip
        for title, side, groups in (("added", d.after, d.added), ("removed", d.before, d.removed)):
            if groups:
                lines += [f"## Specs {title} ({sum(g.count for g in groups)})", ""]
            for group in groups:
                lines += [f"### {_md_cell(_where(group))} ({group.count})", ""]
                lines += _md_table(["spec", "hash", "variants"], [
                    [_spec_text(r), _short(r.hash), " ".join(r.variants)]
                    for r in d.spec_rows(side, group.ids)
                ])  # fmt: skip
        if d.changed_count:
            lines += [f"## Specs changed ({d.changed_count})", ""]
            lines += _md_table(
                ["spec", "os", "target", "compiler", "before", "after", "what changed"],
                [[_spec_text(old), os_, target, compiler, _short(old.hash), _short(new.hash),
                  _variant_change(change)]
                 for old, new, change, os_, target, compiler in d.changed_rows()],
            )  # fmt: skip
        lines += ["## Stacks", ""]
        lines += _md_table(["stack", "before", "after", "change"], [
            [stack, str(n), str(m), _signed(m - n) if m != n else ""] for stack, n, m in d.stacks
        ])  # fmt: skip
    return "\n".join(lines).rstrip("\n") + "\n"


def render(d: Diff, fmt: str = "table", summary_only: bool = False) -> str:
    """The diff as ``table`` (the summary, then the details), ``md`` or ``json``."""
    if fmt == "json":
        from .export import clean_json

        data = {"summary": d.summary()} if summary_only else d.to_dict()
        return json.dumps(clean_json(data), ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return _md(d, summary_only)
    if fmt == "table":
        return _table(d, summary_only)
    raise ValueError(f"unknown format {fmt!r}")


# -- the command line (registered in cli_reports.py) -----------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("before", metavar="A", help="a tag of what is loaded, or a path or URL")
    parser.add_argument("after", metavar="B", help="a tag, or a path or URL when A is one")


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", "-f", choices=FORMATS, default="table")
    parser.add_argument("--summary", action="store_true", help="print only the summary")
    parser.add_argument(
        "--exit-code", action="store_true", help="exit 1 when they differ (as git diff does)"
    )


def _location(text: str) -> bool:
    return text.startswith(("http://", "https://")) or os.path.exists(text)


def _error(message: str) -> None:
    print(f"cachetui: {visible(message)}", file=sys.stderr)


def _only_the_two_tags(args: argparse.Namespace) -> argparse.Namespace:
    """For a checkout of the site with many tags, only the folders of tags A and B."""
    from .loader import checkout_groups

    if not args.paths:
        return args
    groups = {group.label: group for group in checkout_groups(args.paths) or []}
    if args.before not in groups or args.after not in groups:
        return args
    paths = groups[args.before].paths + groups[args.after].paths
    return argparse.Namespace(**{**vars(args), "paths": list(dict.fromkeys(paths))})


def run(args: argparse.Namespace, load: Callable[[argparse.Namespace], LoadResult]) -> int:
    """``cachetui diff A B [PATH ...]``: tags A and B of what PATHs load (the bundled seeds by
    default); with no PATH, when A and B are both paths or URLs, each is loaded on its own.
    Exit 0, or 1 with ``--exit-code`` when they differ; 2 for an unknown tag or an empty load."""
    if not args.paths and _location(args.before) and _location(args.after):
        sides = []
        for path in (args.before, args.after):
            result = load(argparse.Namespace(**{**vars(args), "paths": [path]}))
            if not len(result.catalog):
                _error(f"nothing loaded from {path}")
                return EXIT_USAGE
            sides.append(load_side(result.catalog, path))
        before, after = sides
    else:
        result = load(_only_the_two_tags(args))
        catalog = result.catalog
        if args.paths and not {args.before, args.after} <= set(column_codes(catalog, "tag")[1]):
            result = load(args)  # a tag folder named otherwise than its pages' tag: all of it
            catalog = result.catalog
        missing = [t for t in (args.before, args.after) if t not in column_codes(catalog, "tag")[1]]
        if missing:
            where = " ".join(args.paths) if args.paths else "the bundled seeds"
            tags = ", ".join(catalog.tags) or "none"
            for tag in missing:
                hint = (
                    ""
                    if args.paths or not _location(tag)
                    else " (a path: give both A and B as paths)"
                )
                _error(f"no tag {tag!r} in {where}{hint}")
            _error(f"the tags are: {tags}")
            return EXIT_USAGE
        before, after = tag_side(catalog, args.before), tag_side(catalog, args.after)
    found = diff(before, after)
    sys.stdout.write(render(found, args.format, args.summary))
    return EXIT_DIFFERENT if args.exit_code and found.differs else EXIT_SAME
