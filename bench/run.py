"""Benchmark the suite: wall time per area, examples per second, reference versus backend share.

    python bench/run.py                              # torch and reference, default profile, -n 2
    python bench/run.py --profiles ci --jobs 0       # the ci profile in one process
    python bench/run.py --scaling 15,30,60,120       # run time against max_examples (torch)
    python bench/run.py --caps                       # reference cost against tensor size

Each configuration runs twice in a subprocess: plainly (the wall time that counts
against the targets) and instrumented (bench/timing.py: per-test time, Hypothesis
examples, exact backend time from harness/proxy.py, the rest split by a stack sampler).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZONES = ("reference", "hypothesis", "checks", "other")  # the sampled split of the non-backend time


def pytest_cmd(backend: str, profile: str, jobs: int, extra: list[str]) -> list[str]:
    cmd = [sys.executable, "-m", "pytest", "suites", f"--backend={backend}", f"--hypothesis-profile={profile}",
           "-q", "-p", "no:cacheprovider", *extra]
    return cmd + (["-n", str(jobs)] if jobs else [])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_plain(backend: str, profile: str, jobs: int, extra: list[str]) -> tuple[float, int, float]:
    """(wall seconds, exit code, CPU seconds of the run and its workers)."""
    t0, cpu0 = time.monotonic(), _children_cpu()
    proc = subprocess.run(pytest_cmd(backend, profile, jobs, extra), cwd=ROOT, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
    return time.monotonic() - t0, proc.returncode, _children_cpu() - cpu0


def run_instrumented(backend: str, profile: str, jobs: int, extra: list[str],
                     max_examples: int | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TENSORCTS_BENCH_OUT=tmp, TENSORCTS_TIME_CALLS="1")
        if max_examples:
            env["TENSORCTS_BENCH_MAX_EXAMPLES"] = str(max_examples)
        t0, cpu0 = time.monotonic(), _children_cpu()
        proc = subprocess.run(pytest_cmd(backend, profile, jobs, ["-p", "bench.timing", *extra]), cwd=ROOT,
                              capture_output=True, text=True, env=env)
        wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
        tests = []
        for path in sorted(Path(tmp).glob("bench-*.json")):
            tests += json.loads(path.read_text())["tests"]
    if not tests:
        raise SystemExit(f"no timings from {backend}/{profile} (exit {proc.returncode}):\n{proc.stdout[-3000:]}"
                         f"{proc.stderr[-2000:]}")
    return {"wall_s": wall, "cpu_s": cpu, "exit_code": proc.returncode, "tests": tests}


def by_area(tests: list[dict]) -> dict[str, dict]:
    areas: dict[str, dict] = {}
    for t in tests:
        area = t["nodeid"].split("::")[0].removeprefix("suites/test_").removesuffix(".py")
        a = areas.setdefault(area, {"tests": 0, "seconds": 0.0, "examples": 0, "backend_s": 0.0, "samples": {}})
        a["tests"] += 1
        a["seconds"] += t["seconds"]
        a["examples"] += t["examples"]
        a["backend_s"] += t["backend_s"]
        for zone, n in t["samples"].items():
            a["samples"][zone] = a["samples"].get(zone, 0) + n
    total = {"tests": 0, "seconds": 0.0, "examples": 0, "backend_s": 0.0, "samples": {}}
    for a in areas.values():
        for key in ("tests", "seconds", "examples", "backend_s"):
            total[key] += a[key]
        for zone, n in a["samples"].items():
            total["samples"][zone] = total["samples"].get(zone, 0) + n
    areas["TOTAL"] = total
    return areas


def shares(a: dict) -> dict[str, float]:
    """Percent of test time: backend exactly (timed calls), the rest split as the samples outside it."""
    backend = min(100.0, 100.0 * a["backend_s"] / a["seconds"]) if a["seconds"] else 0.0
    n = sum(a["samples"].get(z, 0) for z in ZONES) or 1
    return {"backend": backend, **{z: (100.0 - backend) * a["samples"].get(z, 0) / n for z in ZONES}}


def area_table(areas: dict[str, dict]) -> str:
    lines = ["| area | tests | test time (s) | examples | examples/s | backend | reference | hypothesis | checks "
             "| other |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, a in areas.items():
        s = shares(a)
        rate = a["examples"] / a["seconds"] if a["seconds"] else 0.0
        lines.append(f"| {name} | {a['tests']} | {a['seconds']:.1f} | {a['examples']} | {rate:.0f} | "
                     + " | ".join(f"{s[z]:.0f}%" for z in ("backend", *ZONES)) + " |")
    return "\n".join(lines)


def caps_benchmark() -> str:
    """The reference's cost per example against tensor size: elementwise add and sum by numel, matmul by MACs."""
    sys.path.insert(0, str(ROOT))
    import random
    import struct
    from fractions import Fraction

    import tensorcts.reference as R
    from tensorcts.reference.tensor import Tensor

    rng = random.Random(0)

    def tensor(n, shape, dtype=R.float32):
        # float32 values in the band, as the strategies make them (dyadic rationals)
        values = [Fraction(struct.unpack("f", struct.pack("f", rng.uniform(-1e3, 1e3)))[0]) for _ in range(n)]
        return Tensor.from_flat(values, shape, dtype, exact=True)

    def timeit(fn, repeat=5) -> float:
        best = float("inf")
        for _ in range(repeat):  # CPU time: the machine may be shared
            t0 = time.process_time()
            fn()
            best = min(best, time.process_time() - t0)
        return best * 1e3

    lines = ["| size | add (ms) | sum (ms) | matmul (n,k)@(k,n) | MACs | matmul (ms) |", "|---:|---:|---:|---|---:|---:|"]
    for n, side in ((16, 2), (64, 4), (256, 8), (1024, 16)):
        a, b = tensor(n, (n,)), tensor(n, (n,))
        x, y = tensor(side * side, (side, side)), tensor(side * side, (side, side))
        add_ms = timeit(lambda a=a, b=b: R.add(a, b))
        sum_ms = timeit(lambda a=a: R.sum(a))
        matmul_ms = timeit(lambda x=x, y=y: R.matmul(x, y))
        lines.append(f"| {n} | {add_ms:.2f} | {sum_ms:.2f} | ({side},{side})@({side},{side}) | {side ** 3} | "
                     f"{matmul_ms:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="torch,reference")
    parser.add_argument("--profiles", default="default")
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers (0: one process)")
    parser.add_argument("--no-plain", action="store_true", help="skip the uninstrumented wall-time run")
    parser.add_argument("--scaling", default=None, help="max_examples values to time against (torch, --jobs)")
    parser.add_argument("--caps", action="store_true", help="time the reference against tensor size")
    parser.add_argument("--json", type=Path, help="write every measurement here")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args(argv)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.1f}", flush=True)
    results: dict = {}
    if not args.scaling and not args.caps or args.profiles != "default" or args.backends != "torch,reference":
        for profile in args.profiles.split(","):
            for backend in args.backends.split(","):
                key = f"{backend}/{profile}/-n {args.jobs}"
                plain = None if args.no_plain else run_plain(backend, profile, args.jobs, args.pytest_args)
                inst = run_instrumented(backend, profile, args.jobs, args.pytest_args)
                areas = by_area(inst["tests"])
                results[key] = {"plain_wall_s": plain and plain[0], "plain_exit": plain and plain[1],
                                "plain_cpu_s": plain and plain[2], "instrumented_wall_s": inst["wall_s"],
                                "areas": areas}
                head = (f"\n### {backend}, profile {profile}, " + (f"-n {args.jobs}" if args.jobs else "one process")
                        + (f": {plain[0]:.1f} s wall, {plain[2]:.1f} s CPU (exit {plain[1]})" if plain else "")
                        + f"; instrumented run {inst['wall_s']:.1f} s")
                failed = [t["nodeid"] for t in inst["tests"] if t.get("failed")]
                if failed:
                    head += f"\n\nfailed in the instrumented run: {', '.join(failed)}"
                print(head + "\n\n" + area_table(areas), flush=True)
    if args.scaling:
        rows = ["| max_examples | wall (s) | CPU (s) | test time (s) | examples | examples/s |",
                "|---:|---:|---:|---:|---:|---:|"]
        for n in [int(v) for v in args.scaling.split(",")]:
            inst = run_instrumented("torch", "default", args.jobs, args.pytest_args, max_examples=n)
            total = by_area(inst["tests"])["TOTAL"]
            results[f"scaling/{n}"] = {"wall_s": inst["wall_s"], "cpu_s": inst["cpu_s"], "total": total}
            rows.append(f"| {n} | {inst['wall_s']:.1f} | {inst['cpu_s']:.1f} | {total['seconds']:.1f} | {total['examples']} | "
                        f"{total['examples'] / total['seconds']:.0f} |")
            print(rows[-1], flush=True)
        print("\n### run time against max_examples (torch)\n\n" + "\n".join(rows), flush=True)
    if args.caps:
        print("\n### reference cost against size (best of 5)\n\n" + caps_benchmark(), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
