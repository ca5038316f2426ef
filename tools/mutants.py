"""Run every mutant adapter against its own rule's tests: each must be killed under that rule.

    python -m tensorcts.tools.mutants            # all mutants, CI mode (kill profile, own rule only)
    python -m tensorcts.tools.mutants --json out.json -k elementwise
    python -m tensorcts.tools.mutants --full     # the cross-kill table (tox -e mutants, outside CI)

CI mode: a mutant is killed when the report lists its rule as ``fail`` (a mutant marked
``killed_unless_pass``, whose operation never runs, when the rule is anything but ``pass``). Runs pytest
in this process, once per mutant, so the backend and the suites are imported once.
Then every killing failure's repro is run (``tools.repros --runs-only``): it must run
as pasted up to its call.

Full mode: every mutant against the whole suite, two at a time (``--jobs``), each in
its own process stopped at its first failure (``-x``); the table says whether it was
killed, by which rule's test, and how long that took.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import pytest
from tensorcts.adapters.mutants import discover, spec_of

from .repros import check_failures

ROOT = Path(__file__).resolve().parent.parent


def run_one(cls: type, workdir: Path, extra: list[str]) -> dict:
    report_path = workdir / f"{cls.__qualname__}.json"
    args = [str(ROOT / "suites"), f"--backend={spec_of(cls)}", f"--rule={cls.breaks}",
            "--hypothesis-profile=kill", f"--conformance-report={report_path}", "-q", "-x",
            "-p", "no:cacheprovider", "--rootdir", str(ROOT), *extra]
    t0 = time.monotonic()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = pytest.main(args)
    elapsed = time.monotonic() - t0
    status, failures = None, []
    if report_path.is_file():
        entry = json.loads(report_path.read_text())["rules"].get(cls.breaks, {})
        status, failures = entry.get("status"), entry.get("failures") or []
    # a vacuous-pass mutant (the operation never runs) is killed by any verdict but pass
    killed = status != "pass" if getattr(cls, "killed_unless_pass", False) else status == "fail"
    return {"mutant": spec_of(cls), "rule": cls.breaks, "status": status, "killed": killed,
            "exit_code": int(code), "seconds": round(elapsed, 2),
            "output_tail": out.getvalue()[-1500:] if not killed else "", "failures": failures}


def check_repros(results: list[dict], mutants: list[type]) -> None:
    """Each killing failure's repro must run as pasted (tools.repros --runs-only): a mutant is not the
    library its repro imports. A mutant that only replaces torch.Tensor in-place methods is checked in full:
    its repros run with those methods patched in, and must show what the report observed (so inputs
    recorded after a write would not reproduce). Adds ``repros`` (outcome, detail, repro) to each result."""
    by_spec = {spec_of(m): m for m in mutants}
    plain = [r for r in results if not inplace_overrides(by_spec[r["mutant"]])]
    outcomes = iter(check_failures([(r["rule"], f) for r in plain for f in r["failures"]], None, runs_only=True))
    for r in plain:
        r["repros"] = [(o.outcome, o.detail, o.repro) for o in (next(outcomes) for _ in r["failures"])]
    for r in results:
        patch = inplace_overrides(by_spec[r["mutant"]])
        if patch:
            pairs = [(r["rule"], f) for f in r["failures"]]
            r["repros"] = [(o.outcome, o.detail, o.repro)
                           for o in check_failures(pairs, r["mutant"], runs_only=False, patch=patch)]


def inplace_overrides(cls: type) -> tuple[str, ...]:
    """The torch in-place methods (``add_``, ``fill_``, ...) a mutant replaces, if it replaces nothing else."""
    own = {name for klass in cls.__mro__ if klass.__module__.startswith("tensorcts.adapters.mutants")
           for name, value in vars(klass).items() if callable(value) and not name.startswith("__")}
    return tuple(sorted(own)) if own and all(n.endswith("_") and not n.startswith("_") for n in own) else ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutants whose name or rule contains this text")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--full", action="store_true", help="cross-kill: each mutant against the whole suite")
    parser.add_argument("--jobs", type=int, default=2, help="mutants run at once in --full mode (default 2)")
    parser.add_argument("--profile", default="kill", help="Hypothesis profile in --full mode (default kill)")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = parser.parse_args(argv)
    mutants = [m for m in discover() if args.k in spec_of(m) or args.k in m.breaks]
    if not mutants:
        print(f"no mutants match {args.k!r}", file=sys.stderr)
        return 2
    if args.full:
        from .crosskill import run_full
        return run_full(mutants, args.jobs, args.profile, args.pytest_args, args.json)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, cls in enumerate(mutants, start=1):
            result = run_one(cls, Path(tmp), args.pytest_args)
            results.append(result)
            verdict = "killed" if result["killed"] else f"SURVIVED (rule status {result['status']})"
            print(f"[{n}/{len(mutants)}] {result['mutant']} ({result['rule']}): {verdict} "
                  f"in {result['seconds']}s", flush=True)
            if not result["killed"]:
                print(result["output_tail"], flush=True)
    check_repros(results, mutants)
    broken = [(r["mutant"], detail, repro) for r in results for outcome, detail, repro in r["repros"]
              if outcome == "broken"]
    for mutant, detail, repro in broken:
        print(f"repro of {mutant}'s failure does not run as pasted: {detail}\n" + repro, flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    survivors = [r for r in results if not r["killed"]]
    print(f"mutants: {len(results) - len(survivors)} killed, {len(survivors)} survived, "
          f"{sum(r['seconds'] for r in results):.1f}s; {sum(len(r['repros']) for r in results)} repros, "
          f"{len(broken)} that do not run as pasted")
    return 1 if survivors or broken else 0


if __name__ == "__main__":
    sys.exit(main())
