"""docs/stability.md from flake-check results: does the default profile give one verdict table per backend?

    python -m tensorcts.tools.flake -n 20 --backend numpy --json stab-numpy.json
    python -m tensorcts.tools.stability stab-numpy.json stab-torch.json ... --out docs/stability.md

Each input is one ``tools.flake --json`` file (one backend, N seeds; its name, less a ``stab-`` prefix,
names the backend). The page gives, per backend,
the seeds run, the verdict counts (identical on every seed when the table is stable) and every
rule whose verdict differs between seeds, with the seeds of each verdict. Exits 1 if any differs.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
from pathlib import Path

from .flake import unstable_rules

STATUSES = ("pass", "xfail", "fail", "xpass", "blocked", "unsupported", "untested", "flaky")


def backend_section(name: str, results: list[dict]) -> tuple[list[str], int]:
    """The backend's table; seeds whose run wrote no report are named apart, not compared."""
    missing = [r for r in results if not r["verdicts"]]
    results = [r for r in results if r["verdicts"]]
    unstable = unstable_rules(results)
    counts = {r["seed"]: collections.Counter(r["verdicts"].values()) for r in results}
    seconds = sorted(r["seconds"] for r in results)
    lines = [f"### {name}", "",
             f"{len(results)} seeds, {len(results[0]['verdicts']) if results else 0} rules; "
             f"{seconds[0]:.0f}–{seconds[-1]:.0f} s per run (one process each)." if results else "no runs", "",
             "| seed | " + " | ".join(STATUSES) + " |", "|---|" + "---|" * len(STATUSES)]
    for seed, c in counts.items():
        lines.append(f"| {seed} | " + " | ".join(str(c.get(s, 0)) for s in STATUSES) + " |")
    lines.append("")
    if unstable:
        lines.append("Rules whose verdict differs between seeds:")
        lines += [f"- `{rule}`: " + "; ".join(f"{status} on seeds {', '.join(map(str, seeds))}"
                                             for status, seeds in seen.items())
                  for rule, seen in sorted(unstable.items())]
    else:
        lines.append(f"Every seed gave the same verdict for every rule ({len(results)} seeds with a report).")
    for r in missing:
        lines.append(f"Seed {r['seed']} wrote no report (exit {r['exit_code']}); it is not in the comparison.")
    return lines + [""], len(unstable) + len(missing)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", type=Path, help="tools.flake --json files, one per backend")
    parser.add_argument("--out", type=Path, help="write the markdown here (default: stdout)")
    parser.add_argument("--intro", type=Path, help="markdown placed before the tables")
    args = parser.parse_args(argv)
    body, unstable = [], 0
    for path in args.results:
        name = path.stem.removeprefix("stab-")
        section, n = backend_section(name, json.loads(path.read_text()))
        body += section
        unstable += n
    text = (args.intro.read_text() if args.intro else "") + "\n".join(body)
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 1 if unstable else 0


if __name__ == "__main__":
    sys.exit(main())
