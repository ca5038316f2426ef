"""Run every mutant adapter against its own rule's tests: each must be killed under that rule.

    python -m tensorcts.tools.mutants            # all mutants, CI mode (kill profile, own rule only)
    python -m tensorcts.tools.mutants --json out.json -k elementwise
    python -m tensorcts.tools.mutants --full     # the cross-kill table (tox -e mutants, outside CI)

CI mode: a mutant is killed when the report lists its rule as ``fail``. Runs pytest
in this process, once per mutant, so the backend and the suites are imported once.

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
    status = None
    if report_path.is_file():
        status = json.loads(report_path.read_text())["rules"].get(cls.breaks, {}).get("status")
    return {"mutant": spec_of(cls), "rule": cls.breaks, "status": status, "killed": status == "fail",
            "exit_code": int(code), "seconds": round(elapsed, 2),
            "output_tail": out.getvalue()[-1500:] if status != "fail" else ""}


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
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    survivors = [r for r in results if not r["killed"]]
    print(f"mutants: {len(results) - len(survivors)} killed, {len(survivors)} survived, "
          f"{sum(r['seconds'] for r in results):.1f}s")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
