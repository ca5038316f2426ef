"""The conformance matrix: several reports merged into rules × backends (Markdown and a heatmap).

    python -m tensorcts.tools.matrix reports/*.json --out docs/conformance.md --picture docs/conformance.svg
    python -m tensorcts.tools.matrix diff reports/torch.json reports/jax.json

The first form writes a Markdown page (per-backend totals with core and torch
levels counted apart, versions and run times, then one table per area, then each
backend's declared divergences with their reasons) and, with ``--picture``, a
heatmap of the same statuses (needs matplotlib). The second lists the rules on
which two reports disagree: "what changes if I move from torch to jax?".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tensorcts.harness.report import SCHEMA, STATUSES

#: the order of areas in docs/design.md; an area not listed here comes after them, alphabetically
AREAS = ("creation", "random", "attributes", "interop", "elementwise", "broadcasting", "promotion",
         "reduction", "view", "matmul", "inplace", "indexing", "autograd", "device")
LEVELS = ("core", "torch")
#: how a status reads in a Markdown cell (a rule a report does not know reads "n/a")
CELL = {"pass": "pass", "fail": "**FAIL**", "xfail": "xfail", "xpass": "**XPASS**", "flaky": "flaky",
        "unsupported": "unsup.", "untested": "·"}
#: heatmap colours, one per status, plus "missing" for a rule a report does not list
COLOURS = {"pass": "#4daf4a", "xfail": "#ffbf00", "fail": "#e41a1c", "xpass": "#984ea3", "flaky": "#f781bf",
           "unsupported": "#bdbdbd", "untested": "#f0f0f0", "missing": "#ffffff"}


class MatrixError(ValueError):
    """A report cannot be read or is not a tensorcts report."""


def load(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise MatrixError(f"{path}: cannot read a report: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise MatrixError(f"{path}: not a {SCHEMA} report (schema {data.get('schema') if isinstance(data, dict) else None!r})")
    return data


def area_of(rule_id: str) -> str:
    return rule_id.split(".", 1)[0]


def _area_key(area: str):
    return (AREAS.index(area), "") if area in AREAS else (len(AREAS), area)


def rules_by_area(reports: Sequence[dict]) -> dict[str, list[tuple[str, dict]]]:
    """Every rule any report lists, grouped by area in docs/design.md's order: {area: [(id, entry)]}."""
    known: dict[str, dict] = {}
    for report in reports:
        for rule_id, entry in report["rules"].items():
            known.setdefault(rule_id, entry)
    grouped: dict[str, list[tuple[str, dict]]] = {}
    for rule_id in sorted(known, key=lambda r: (_area_key(area_of(r)), r)):
        grouped.setdefault(area_of(rule_id), []).append((rule_id, known[rule_id]))
    return grouped


def status(report: dict, rule_id: str) -> str:
    entry = report["rules"].get(rule_id)
    return entry["status"] if entry else "missing"


def _label(report: dict) -> str:
    return report["backend"]["name"]


# ---- Markdown ------------------------------------------------------------------------------------


def _totals_table(reports: Sequence[dict]) -> list[str]:
    shown = [s for s in STATUSES if any(r["summary"][lvl][s] for r in reports for lvl in LEVELS)]
    head = ["backend", "version", "level", *shown, "devices", "profile", "run time"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in reports:
        b, run = r["backend"], r["run"]
        for n, level in enumerate(LEVELS):
            counts = [str(r["summary"][level][s]) for s in shown]
            ident = [f"**{b['name']}**", f"`{b['version']}`"] if n == 0 else ["", ""]
            extra = ([", ".join(b.get("devices") or []), run.get("profile") or "?", f"{run['duration_s']:.0f} s"]
                     if n == 0 else ["", "", ""])
            lines.append("| " + " | ".join([*ident, level, *counts, *extra]) + " |")
    return lines


def _area_table(rules: list[tuple[str, dict]], reports: Sequence[dict]) -> list[str]:
    head = ["rule", "level", *(_label(r) for r in reports)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rule_id, entry in rules:
        cells = [CELL.get(status(r, rule_id), "n/a") for r in reports]
        lines.append(f"| `{rule_id}` — {entry.get('title', '')} | {entry['level']} | " + " | ".join(cells) + " |")
    return lines


def _divergences(report: dict) -> list[str]:
    lines = []
    for rule_id, entry in report["rules"].items():
        for e in entry.get("expectation") or []:
            narrowing = "".join(f" ({k}: {', '.join(e[k])})" for k in ("devices", "dtypes") if e.get(k))
            link = f" [{_link_text(e['link'])}]({e['link']})" if e.get("link") else ""
            lines.append(f"- `{rule_id}` — {entry['status']}, declared {e['status']}{narrowing}: "
                         f"{_one_line(e['reason'])}{link}")
    return lines


def _link_text(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def markdown(reports: Sequence[dict], picture: str | None = None) -> str:
    """The conformance page for ``reports`` (``picture``: a path relative to the page)."""
    out = ["# Conformance matrix", "",
           "Generated by `python -m tensorcts.tools.matrix` from the conformance reports of real runs "
           "(`--conformance-report`); do not edit by hand. Statuses: pass; xfail = a divergence "
           "declared in the backend's expectations file, with its reason below; **FAIL** = an "
           "undeclared failure; **XPASS** = a declared failure that passed; unsup. = the backend "
           "lacks the operation or capability; · = no test ran for the rule. Core rules bind any "
           "tensor library; torch rules are PyTorch conventions another library may reasonably "
           "not follow, so the two levels are counted apart.", ""]
    if picture:
        out += [f"![conformance heatmap: rules by backend]({picture})", ""]
    out += ["## Backends", "", *_totals_table(reports), ""]
    suite_versions = sorted({r["run"].get("suite_version", "?") for r in reports})
    pythons = sorted({r["run"].get("python", "?") for r in reports})
    out += [f"Suite version {', '.join(suite_versions)}; Python {', '.join(pythons)}; "
            f"platform {reports[0]['run'].get('platform', '?') if reports else '?'}.", ""]
    for area, rules in rules_by_area(reports).items():
        out += [f"## {area}", "", *_area_table(rules, reports), ""]
    out += ["## Declared divergences", ""]
    for r in reports:
        lines = _divergences(r)
        out += [f"### {_label(r)} {r['backend']['version']}", ""]
        out += (lines or ["None declared."]) + [""]
    return "\n".join(out).rstrip() + "\n"


# ---- the heatmap -------------------------------------------------------------------------------------


def picture(reports: Sequence[dict], path: Path) -> None:
    """A heatmap of rules (rows, grouped by area) × backends (columns), coloured by status."""
    try:
        import matplotlib
    except ImportError:
        raise MatrixError("the picture needs matplotlib: pip install -e '.[matrix]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    matplotlib.rcParams["svg.hashsalt"] = "tensorcts"  # the same reports give the same file
    order = list(COLOURS)
    grouped = rules_by_area(reports)
    rows = [rule_id for rules in grouped.values() for rule_id, _ in rules]
    grid = [[order.index(status(r, rule_id)) for r in reports] for rule_id in rows]
    height = 1.5 + 0.17 * len(rows)
    fig, ax = plt.subplots(figsize=(2.6 + 1.15 * len(reports), height))
    ax.imshow(grid, cmap=ListedColormap([COLOURS[s] for s in order]), vmin=0, vmax=len(order) - 1,
              aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(reports)), [f"{_label(r)}\n{r['backend']['version']}" for r in reports], fontsize=7)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(rows)), rows, fontsize=6)
    start = 0
    for rules in grouped.values():  # a line between areas
        start += len(rules)
        if start < len(rows):
            ax.axhline(start - 0.5, color="black", linewidth=0.8)
    for x in range(1, len(reports)):
        ax.axvline(x - 0.5, color="white", linewidth=1.5)
    used = [s for s in order if any(s == status(r, rule_id) for r in reports for rule_id in rows)]
    ax.legend(handles=[Patch(facecolor=COLOURS[s], edgecolor="grey", label=s) for s in used],
              loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=min(4, len(used)), fontsize=7, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)


# ---- diff ---------------------------------------------------------------------------------------------------


def diff(a: dict, b: dict) -> list[tuple[str, str, str, str]]:
    """(rule, level, status in a, status in b) for every rule whose status differs."""
    rows = []
    for rules in rules_by_area([a, b]).values():
        for rule_id, entry in rules:
            sa, sb = status(a, rule_id), status(b, rule_id)
            if sa != sb:
                rows.append((rule_id, entry["level"], sa, sb))
    return rows


def diff_text(a: dict, b: dict) -> str:
    rows = diff(a, b)
    name_a, name_b = f"{_label(a)} {a['backend']['version']}", f"{_label(b)} {b['backend']['version']}"
    if not rows:
        return f"{name_a} and {name_b} agree on every rule.\n"
    width = max(len(r[0]) for r in rows)
    lines = [f"{len(rows)} rules differ between {name_a} and {name_b}:",
             f"{'rule'.ljust(width)}  level  {_label(a):>12}  {_label(b):>12}"]
    lines += [f"{rule.ljust(width)}  {level:5}  {sa:>12}  {sb:>12}" for rule, level, sa, sb in rows]
    return "\n".join(lines) + "\n"


# ---- command line ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv[:1] == ["diff"]:
            parser = argparse.ArgumentParser(prog="python -m tensorcts.tools.matrix diff",
                                             description="List the rules on which two reports disagree.")
            parser.add_argument("a", metavar="A.json")
            parser.add_argument("b", metavar="B.json")
            args = parser.parse_args(argv[1:])
            sys.stdout.write(diff_text(load(args.a), load(args.b)))
            return 0
        parser = argparse.ArgumentParser(prog="python -m tensorcts.tools.matrix",
                                         description="Merge conformance reports into a rules × backends matrix.")
        parser.add_argument("reports", nargs="+", metavar="REPORT.json")
        parser.add_argument("--out", metavar="PATH", help="write the Markdown page here (default: stdout)")
        parser.add_argument("--picture", metavar="PATH", help="also draw the heatmap here (.svg or .png)")
        args = parser.parse_args(argv)
        reports = [load(p) for p in args.reports]
        link = None
        if args.picture:
            picture(reports, Path(args.picture))
            base = Path(args.out).parent if args.out else Path(".")
            link = Path(os.path.relpath(args.picture, base)).as_posix()
        page = markdown(reports, link)
        if args.out:
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(page, encoding="utf-8")
        else:
            sys.stdout.write(page)
        return 0
    except MatrixError as exc:
        sys.stderr.write(f"tensorcts.tools.matrix: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
