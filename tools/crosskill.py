"""The cross-kill table: every mutant against the whole suite, a few at a time, each stopped at its first failure.

Run by ``python -m tensorcts.tools.mutants --full`` (``tox -e mutants``). Each mutant runs in its own
pytest process (``-x``); its conformance report says which rule's test failed first. The
unmutated torch adapter runs alongside as a baseline: a rule it fails kills every mutant
that reaches it, so such kills are no evidence and the summary says so.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tensorcts.adapters.mutants import spec_of

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "torch"
KILLING = ("fail", "xpass")  # rule statuses that end a mutant


def run_against_suite(backend: str, workdir: Path, profile: str, extra: list[str],
                      vacuous_rule: str | None = None) -> dict:
    """One pytest process over suites/ against ``backend``, stopped at the first failure. ``vacuous_rule``: the
    rule of a mutant whose operation never runs (``killed_unless_pass``), killed as in CI mode when that rule
    reads anything but pass and no failure came first (no test fails then, so -x never stops the run)."""
    report_path = workdir / (backend.replace(":", "_").replace("/", "_") + ".json")
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "suites"), f"--backend={backend}", "-x", "-q",
           f"--hypothesis-profile={profile}", f"--conformance-report={report_path}", "-p", "no:cacheprovider",
           "--rootdir", str(ROOT), *extra]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - t0
    killers, duration = [], None
    if report_path.is_file():
        report = json.loads(report_path.read_text())
        killers = sorted(r for r, e in report["rules"].items() if e["status"] in KILLING)
        if not killers and vacuous_rule and report["rules"].get(vacuous_rule, {}).get("status", "pass") != "pass":
            killers = [vacuous_rule]
        duration = report["run"]["duration_s"]
    return {"backend": backend, "killed": bool(killers), "killed_by": killers, "exit_code": proc.returncode,
            "seconds": round(duration if duration is not None else wall, 2), "wall_s": round(wall, 2),
            "output_tail": "" if killers else (proc.stdout[-1500:] + proc.stderr[-1500:])}


def _line(r: dict, width: int) -> str:
    if r.get("rule") is None:
        verdict = "FAILS" if r["killed"] else "passes"
        return f"{'(baseline) ' + r['backend']:{width}}  {'-':28}  {verdict:8}  {', '.join(r['killed_by']) or '-'}"
    by = ", ".join(r["killed_by"]) or "-"
    own = "" if not r["killed"] else (" (own rule)" if r["rule"] in r["killed_by"] else " (another rule)")
    verdict = "killed" if r["killed"] else "SURVIVED"
    return f"{r['mutant']:{width}}  {r['rule']:28}  {verdict:8}  {by + own:44}  {r['seconds']:7.2f}s"


def run_full(mutants: list[type], jobs: int, profile: str, extra: list[str], json_path: Path | None) -> int:
    t0 = time.monotonic()
    jobs_list = [(None, BASELINE)] + [(cls, spec_of(cls)) for cls in mutants]
    results: list[dict] = []
    print(f"cross-kill: {len(mutants)} mutants against the whole suite, {jobs} at a time, profile {profile}, "
          f"plus the baseline ({BASELINE})", flush=True)
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(run_against_suite, backend, Path(tmp), profile, extra,
                               cls.breaks if getattr(cls, "killed_unless_pass", False) else None): cls
                   for cls, backend in jobs_list}
        for done, future in enumerate(as_completed(futures), start=1):
            cls = futures[future]
            r = future.result()
            r["mutant"] = spec_of(cls).removeprefix("tensorcts.adapters.mutants.") if cls else None
            r["rule"] = cls.breaks if cls else None
            results.append(r)
            if cls is None:
                what = f"baseline {BASELINE}: " + ("fails " + ", ".join(r["killed_by"]) if r["killed"] else "passes")
            else:
                what = (f"{r['mutant']}: killed by {', '.join(r['killed_by'])}" if r["killed"]
                        else f"{r['mutant']}: SURVIVED")
            print(f"[{done}/{len(jobs_list)}] {what} ({r['seconds']}s)", flush=True)
    baseline = next(r for r in results if r["rule"] is None)
    rows = sorted((r for r in results if r["rule"] is not None), key=lambda r: (r["rule"], r["mutant"]))
    width = max([len(r["mutant"]) for r in rows] + [len(BASELINE) + 11, 6])
    print(f"\n{'mutant':{width}}  {'breaks':28}  {'verdict':8}  {'killed by':44}  time to kill")
    for r in rows:
        print(_line(r, width))
    print(_line(baseline, width))
    for r in rows + [baseline]:
        if not r["killed"] and r["rule"] is not None and r["output_tail"]:
            print(f"\n--- {r['mutant']} (exit {r['exit_code']}):\n{r['output_tail']}")
    if json_path:
        json_path.write_text(json.dumps({"baseline": baseline, "mutants": rows}, indent=1) + "\n")
    killed = [r for r in rows if r["killed"]]
    own = [r for r in killed if r["rule"] in r["killed_by"]]
    suspect = [r for r in killed if set(r["killed_by"]) <= set(baseline["killed_by"])]
    summary = (f"cross-kill: {len(killed)}/{len(rows)} mutants killed ({len(own)} by their own rule's tests), "
               f"{len(rows) - len(killed)} survived; baseline {BASELINE} "
               + ("passes" if not baseline["killed"] else f"FAILS {', '.join(baseline['killed_by'])} "
                  f"({len(suspect)} kills only by those rules are no evidence)")
               + f"; {time.monotonic() - t0:.0f}s wall")
    print(summary, flush=True)
    return 0 if len(killed) == len(rows) and not baseline["killed"] else 1
