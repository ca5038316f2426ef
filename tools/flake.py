"""The flake check: the full suite under N distinct default-profile seeds; any failure is reported with its seed.

    python -m tensorcts.tools.flake                 # 20 random seeds against torch
    python -m tensorcts.tools.flake -n 5 --backend reference --jobs 2
    python -m tensorcts.tools.flake --seeds 17,42   # repeat given seeds

Each seed runs in its own pytest process, in a fresh working directory, so the
Hypothesis example database of one run cannot replay into another: a failure
belongs to the seed printed next to it and reproduces with
``pytest suites --backend B --hypothesis-profile default --hypothesis-seed SEED``.
Each seed's verdict table (rule -> status) is kept; a rule whose verdict differs between
seeds is listed with the seeds of each verdict (docs/stability.md). Exits 1 if any run
failed or any verdict differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_seed(seed: int, backend: str, profile: str, extra: list[str], keep: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="tensorcts-flake-") as tmp:
        report_path = Path(tmp) / "report.json"
        cmd = [sys.executable, "-m", "pytest", str(ROOT / "suites"), f"--backend={backend}",
               f"--hypothesis-profile={profile}", f"--hypothesis-seed={seed}", f"--conformance-report={report_path}",
               "-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT), "-c", str(ROOT / "pyproject.toml"), *extra]
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, env=_env())
        wall = time.monotonic() - t0
        failed, verdicts = [], {}
        if report_path.is_file():
            rules = json.loads(report_path.read_text())["rules"]
            failed = [(r, (e.get("message") or "")[:1500]) for r, e in rules.items() if e["status"] in ("fail", "xpass")]
            verdicts = {r: e["status"] for r, e in rules.items()}
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(report_path, keep / f"{backend}-{seed}.json")
    ok = proc.returncode == 0 and not failed
    tail = "" if ok else proc.stdout[-3000:] + proc.stderr[-1500:]
    return {"seed": seed, "ok": ok, "exit_code": proc.returncode, "failed_rules": failed,
            "verdicts": verdicts, "seconds": round(wall, 1), "output_tail": tail}


def unstable_rules(results: list[dict]) -> dict[str, dict[str, list[int]]]:
    """Rules whose verdict differs between seeds: rule -> {status: [seeds that gave it]}."""
    by_rule: dict[str, dict[str, list[int]]] = {}
    for r in results:
        for rule, status in r["verdicts"].items():
            by_rule.setdefault(rule, {}).setdefault(status, []).append(r["seed"])
    missing = [r["seed"] for r in results if not r["verdicts"]]
    return {rule: {**seen, **({"no report": missing} if missing else {})}
            for rule, seen in by_rule.items() if len(seen) > 1 or missing}


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="number of seeds (default 20)")
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--seeds", default=None, help="comma-separated seeds to run instead of random ones")
    parser.add_argument("--jobs", type=int, default=1, help="seeds run at once (default 1)")
    parser.add_argument("--profile", default="default", help="Hypothesis profile (default: default)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--keep-reports", type=Path, metavar="DIR",
                        help="keep each seed's conformance report as DIR/<backend>-<seed>.json")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    if args.seeds:
        seeds = [int(s) for s in args.seeds.split(",")]
    else:
        rng = random.SystemRandom()
        seeds = []
        while len(seeds) < args.n:
            s = rng.randrange(2 ** 32)
            if s not in seeds:
                seeds.append(s)
    print(f"flake check: {len(seeds)} seeds, backend {args.backend}, profile {args.profile}, {args.jobs} at a time",
          flush=True)
    t0 = time.monotonic()
    results = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_seed, s, args.backend, args.profile, args.pytest_args, args.keep_reports) for s in seeds]
        for done, future in enumerate(as_completed(futures), start=1):
            r = future.result()
            results.append(r)
            verdict = "ok" if r["ok"] else ("FAILED " + ", ".join(rule for rule, _ in r["failed_rules"])
                                            if r["failed_rules"] else f"FAILED (exit {r['exit_code']})")
            print(f"[{done}/{len(seeds)}] seed {r['seed']}: {verdict} ({r['seconds']}s)", flush=True)
            if args.json:  # after every seed: a long run stopped early keeps the seeds it finished
                args.json.write_text(json.dumps(results, indent=1) + "\n")
    bad = [r for r in results if not r["ok"]]
    for r in bad:
        print(f"\n--- seed {r['seed']}: reproduce with\n    python -m pytest suites --backend {args.backend} "
              f"--hypothesis-profile {args.profile} --hypothesis-seed {r['seed']}")
        for rule, message in r["failed_rules"]:
            print(f"  {rule}:\n" + "\n".join("    " + line for line in message.splitlines()))
        if not r["failed_rules"]:
            print(r["output_tail"])
    unstable = unstable_rules(results)
    for rule, seen in sorted(unstable.items()):
        print(f"verdict of {rule} differs between seeds: "
              + "; ".join(f"{status} on {len(s)} ({', '.join(map(str, s))})" for status, s in seen.items()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    times = [r["seconds"] for r in results]
    print(f"flake check: {len(results) - len(bad)}/{len(results)} seeds passed, {len(bad)} failed; "
          f"{len(unstable)} rules with a verdict that differs between seeds"
          + (f" (seeds {', '.join(str(r['seed']) for r in bad)})" if bad else "")
          + f"; {min(times):.0f}-{max(times):.0f}s per run, {time.monotonic() - t0:.0f}s wall", flush=True)
    return 1 if bad or unstable else 0


if __name__ == "__main__":
    sys.exit(main())
