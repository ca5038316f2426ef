"""Run every failure's repro from a conformance report, as a library author would paste it.

    python -m tensorcts.tools.repros report.json
    python -m tensorcts.tools.repros report.json --runs-only     # a mutant adapter's report
    python -m tensorcts.tools.repros report.json --json out.json

Each failing case class in the report (``rules.*.failures``, declared or not) carries
``repro``, code in the backend's own API, and ``shows``, what running it must show. The
repros run in a fresh interpreter, each in fresh globals. Outcomes:

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
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

TIMEOUT_S = 120

# Runs in a fresh interpreter: argv[1] is a JSON file {codes, adapter}; the outcomes go to argv[2] (the
# repros print to stdout). Each code runs in fresh globals; print is captured so the printed object itself
# can be observed. One interpreter runs a report's repros (imports are paid once); if it dies, each repro
# is run again alone, so a crash belongs to the repro that caused it.
_DRIVER = r"""
import builtins, json, sys, traceback
job = json.load(open(sys.argv[1]))
real_print = builtins.print
observe = None
if job["adapter"]:
    from tensorcts.harness.backends import resolve
    from tensorcts.suites.checks import plain_observation
    adapter = resolve(job["adapter"])
    observe = lambda obj: plain_observation(adapter.observe(obj))
    for name in job["patch"]:  # a mutant's in-place methods stand in for torch's own (re-entry: the real one)
        import torch
        real, busy = getattr(torch.Tensor, name), []
        def patched(self, *args, _name=name, _real=real, _busy=busy, **kwargs):
            if _busy:
                return _real(self, *args, **kwargs)
            _busy.append(1)
            try:
                return getattr(adapter, _name)(self, *args, **kwargs)
            finally:
                _busy.pop()
        setattr(torch.Tensor, name, patched)
outcomes = []
for code in job["codes"]:
    printed = []
    builtins.print = lambda *args, **kwargs: printed.append(args)
    out = {"raised": None, "line": None, "printed": False, "result": None, "observe_error": None}
    try:
        exec(compile(code, "<repro>", "exec"), {"__name__": "__main__"})
    except BaseException as exc:
        out["raised"], out["error"] = type(exc).__name__, str(exc)[:500]
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<repro>"]
        out["line"] = frames[-1].lineno if frames else None
    builtins.print = real_print
    out["printed"] = bool(printed)
    if printed and len(printed[-1]) == 1 and observe is not None:
        try:
            out["result"] = observe(printed[-1][0])
        except Exception as exc:
            out["observe_error"] = f"{type(exc).__name__}: {exc}"[:500]
    outcomes.append(out)
json.dump(outcomes, open(sys.argv[2], "w"))
"""


@dataclass
class Outcome:
    rule: str
    classes: dict
    outcome: str  # reproduces | runs | broken
    detail: str
    repro: str


def run_repros(codes: list[str], adapter: str | None, patch: tuple[str, ...] = ()) -> list[dict]:
    """Each repro's run: what it raised (and at which line), whether it printed, and the printed result.
    ``patch`` names torch.Tensor methods the adapter (a mutant of the torch adapter) replaces while they run."""
    if not codes:
        return []
    # a repro that sets up the process (XLA_FLAGS before ``import jax``) needs an interpreter of its own,
    # as it has when pasted
    alone = [i for i, code in enumerate(codes) if "os.environ[" in code]
    shared = [i for i in range(len(codes)) if i not in alone]
    got: list[dict | None] = [None] * len(codes)
    batch = _run_batch([codes[i] for i in shared], adapter, patch, TIMEOUT_S + 2 * len(shared)) if shared else []
    if batch is None:
        alone = list(range(len(codes)))
    else:
        for i, r in zip(shared, batch):
            got[i] = r
    for i in alone:
        got[i] = (_run_batch([codes[i]], adapter, patch, TIMEOUT_S, _environment_of(codes[i]))
                  or [{"crashed": _crash}])[0]
    return [r if r is not None else {"crashed": _crash} for r in got]


_crash = f"the interpreter died or gave no result within {TIMEOUT_S} s"


def _environment_of(code: str) -> dict[str, str]:
    """The variables a repro sets with ``os.environ['NAME'] = 'value'``: the driver imports the adapter (and so
    the library) before it runs the repro, so they must be in its environment from the start."""
    return {m[2]: m[4] for m in re.finditer(r"os\.environ\[(['\"])(\w+)\1\]\s*=\s*(['\"])(.*?)\3", code)}


def _run_batch(codes: list[str], adapter: str | None, patch: tuple[str, ...], timeout: float,
               environment: dict[str, str] | None = None) -> list[dict] | None:
    with tempfile.TemporaryDirectory(prefix="tensorcts-repro-") as tmp:
        job, result = Path(tmp) / "job.json", Path(tmp) / "out.json"
        job.write_text(json.dumps({"codes": codes, "adapter": adapter, "patch": list(patch)}))
        try:
            subprocess.run([sys.executable, "-c", _DRIVER, str(job), str(result)], cwd=tmp,
                           capture_output=True, text=True, timeout=timeout, env={**os.environ, **(environment or {})})
        except subprocess.TimeoutExpired:
            return None
        return json.loads(result.read_text()) if result.is_file() else None


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


def failures_of(report: dict) -> list[tuple[str, dict]]:
    """(rule, failure) for every failing case class the report lists, declared or not."""
    return [(rule, f) for rule, entry in sorted(report["rules"].items()) for f in entry.get("failures") or []]


def check_report(report: dict, runs_only: bool = False) -> list[Outcome]:
    adapter = None if runs_only else report["backend"].get("adapter")
    return check_failures(failures_of(report), adapter, runs_only)


def check_failures(failures: list[tuple[str, dict]], adapter: str | None, runs_only: bool,
                   patch: tuple[str, ...] = ()) -> list[Outcome]:
    with_repro = [(rule, f) for rule, f in failures if f.get("repro")]
    runs = iter(run_repros([f["repro"] for _, f in with_repro], adapter, patch))
    outcomes = []
    for rule, failure in failures:
        repro = failure.get("repro")
        if not repro:
            outcomes.append(Outcome(rule, failure["classes"], "broken", "the failure has no repro", ""))
            continue
        outcome, detail = judge(failure.get("shows"), next(runs), len(repro.rstrip().splitlines()), runs_only)
        outcomes.append(Outcome(rule, failure["classes"], outcome, detail, repro))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    return {k: sum(o.outcome == k for o in outcomes) for k in ("reproduces", "runs", "broken")}


def print_outcomes(outcomes: list[Outcome], verbose: bool = True) -> None:
    for o in outcomes:
        if not verbose and o.outcome != "broken":
            continue
        classes = ", ".join(f"{k}={v}" for k, v in sorted(o.classes.items()))
        print(f"{o.outcome:10} {o.rule} [{classes}]: {o.detail}")
        if o.outcome == "broken" and o.repro:
            print("\n".join("    " + line for line in o.repro.splitlines()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--runs-only", action="store_true", help="check only that each repro runs as pasted")
    parser.add_argument("--json", type=Path, help="write the outcomes here")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the broken repros and the counts")
    args = parser.parse_args(argv)
    try:
        report = json.loads(args.report.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        parser.error(f"cannot read report {args.report}: {exc}")
    outcomes = check_report(report, args.runs_only)
    print_outcomes(outcomes, verbose=not args.quiet)
    counts = summary(outcomes)
    print(f"repros of {report['backend']['name']}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1) + "\n")
    return 1 if counts["broken"] else 0


if __name__ == "__main__":
    sys.exit(main())
