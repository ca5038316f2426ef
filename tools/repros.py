"""Run every failure's repro from a conformance report, as a library author would paste it.

    python -m tensorcts.tools.repros report.json
    python -m tensorcts.tools.repros report.json --runs-only     # a mutant adapter's report
    python -m tensorcts.tools.repros report.json --json out.json

Each failing case class in the report (``rules.*.failures``, declared or not) carries
``repro``, code in the backend's own API, and ``shows``, what running it must show. Each
repro runs in a fresh interpreter. Outcomes:

- ``reproduces``: it shows what the report says: it raises the same exception type, or
  returns where an error was required, or its printed result (read through the report's
  adapter) has the observed shape, dtype and exact values.
- ``runs``: the check was not about the printed value (``shows`` is null), and the repro
  runs and prints. It is not checked further.
- ``broken``: it does not run as pasted, or shows something else: an error.

``--runs-only`` is for a mutant adapter's report: the mutant is not the library its repro
imports, so only "runs as pasted" is checked: every statement but the last runs, and the
last is reached (an error there is the real library's answer). Exits 1 on any ``broken``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

TIMEOUT_S = 120

# Runs in a fresh interpreter: argv[1] is a JSON file {code, adapter}; the outcome goes to argv[2]
# (the repro prints to stdout). print is captured so the printed object itself can be observed.
_DRIVER = r"""
import builtins, json, sys, traceback
job = json.load(open(sys.argv[1]))
printed, real_print = [], builtins.print
builtins.print = lambda *args, **kwargs: printed.append(args)
out = {"raised": None, "line": None, "printed": False, "result": None, "observe_error": None}
try:
    exec(compile(job["code"], "<repro>", "exec"), {"__name__": "__main__"})
except BaseException as exc:
    out["raised"], out["error"] = type(exc).__name__, str(exc)[:500]
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<repro>"]
    out["line"] = frames[-1].lineno if frames else None
builtins.print = real_print
if printed and len(printed[-1]) == 1 and job["adapter"]:
    out["printed"] = True
    try:
        from tensorcts.harness.backends import resolve
        from tensorcts.suites.checks import plain_observation
        out["result"] = plain_observation(resolve(job["adapter"]).observe(printed[-1][0]))
    except Exception as exc:
        out["observe_error"] = f"{type(exc).__name__}: {exc}"[:500]
elif printed:
    out["printed"] = True
json.dump(out, open(sys.argv[2], "w"))
"""


@dataclass
class Outcome:
    rule: str
    classes: dict
    outcome: str  # reproduces | runs | broken
    detail: str
    repro: str


def _run(code: str, adapter: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="tensorcts-repro-") as tmp:
        job, result = Path(tmp) / "job.json", Path(tmp) / "out.json"
        job.write_text(json.dumps({"code": code, "adapter": adapter}))
        try:
            proc = subprocess.run([sys.executable, "-c", _DRIVER, str(job), str(result)], cwd=tmp,
                                  capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return {"crashed": f"no result within {TIMEOUT_S} s"}
        if not result.is_file():
            return {"crashed": f"the interpreter exited {proc.returncode}: {proc.stderr[-500:]}"}
        return json.loads(result.read_text())


def judge(shows: dict | None, got: dict, last_line: int, runs_only: bool) -> tuple[str, str]:
    """The outcome of one repro run ``got`` against what the report says it ``shows``."""
    if "crashed" in got:
        return "broken", got["crashed"]
    raised = got["raised"]
    where = f"{raised} at line {got['line']}: {got.get('error', '')}" if raised else ""
    if runs_only:
        if raised and got["line"] != last_line:
            return "broken", f"a statement before the call raised {where}"
        return "runs", "ran to the call" + (f" (which raised {raised})" if raised else "")
    if shows and "raises" in shows:
        if raised == shows["raises"]:
            return "reproduces", f"raises {raised}"
        return "broken", f"expected it to raise {shows['raises']}; " + (f"it raised {where}" if raised else "it ran")
    if raised:
        return "broken", f"it raised {where}"
    if not got["printed"]:
        return "broken", "it printed nothing"
    if shows and shows.get("returns"):
        return "reproduces", "returns a result where the rule requires an error"
    if shows and "result" in shows:
        if got["observe_error"]:
            return "broken", f"its printed value could not be read: {got['observe_error']}"
        if got["result"] == shows["result"]:
            return "reproduces", "prints the observed result"
        return "broken", f"prints {_brief(got['result'])}, the report observed {_brief(shows['result'])}"
    return "runs", "runs and prints (the failure is not about the printed value)"


def _brief(result: dict | None) -> str:
    if result is None:
        return "nothing readable"
    values = result["values"]
    shown = ", ".join(map(str, values[:6])) + (", ..." if len(values) > 6 else "")
    return f"{result['dtype']}{result['shape']} [{shown}]"


def check_report(report: dict, runs_only: bool = False) -> list[Outcome]:
    adapter = None if runs_only else report["backend"].get("adapter")
    outcomes = []
    for rule, entry in sorted(report["rules"].items()):
        for failure in entry.get("failures") or []:
            repro = failure.get("repro")
            if not repro:
                outcomes.append(Outcome(rule, failure["classes"], "broken", "the failure has no repro", ""))
                continue
            got = _run(repro, adapter)
            outcome, detail = judge(failure.get("shows"), got, len(repro.rstrip().splitlines()), runs_only)
            outcomes.append(Outcome(rule, failure["classes"], outcome, detail, repro))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--runs-only", action="store_true", help="check only that each repro runs as pasted")
    parser.add_argument("--json", type=Path, help="write the outcomes here")
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        parser.error(f"cannot read report {args.report}: {exc}")
    outcomes = check_report(report, args.runs_only)
    for o in outcomes:
        classes = ", ".join(f"{k}={v}" for k, v in sorted(o.classes.items()))
        print(f"{o.outcome:10} {o.rule} [{classes}]: {o.detail}")
        if o.outcome == "broken" and o.repro:
            print("\n".join("    " + line for line in o.repro.splitlines()))
    counts = {k: sum(o.outcome == k for o in outcomes) for k in ("reproduces", "runs", "broken")}
    print(f"repros of {report['backend']['name']}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1) + "\n")
    return 1 if counts["broken"] else 0


if __name__ == "__main__":
    sys.exit(main())
