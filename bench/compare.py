"""tensorcts against array-api-tests, both testing NumPy, timed side by side in one run.

    python bench/compare.py /path/to/array-api-tests [--rounds 3] [--profile default]

array-api-tests is not on PyPI: clone it with its submodule
(``git clone --recurse-submodules https://github.com/data-apis/array-api-tests``) and
``pip install ndindex pytest-json-report``; nothing of it is copied here. Each round runs both suites in turn, in
one process each (no xdist), so both see the same machine load; the medians and their ratio
are printed. Only public tools are used: ``subprocess``, ``time`` and ``resource``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, pytest's last line) of one run."""
    t0, cpu0 = time.monotonic(), _children_cpu()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    lines = proc.stdout.strip().splitlines()
    if proc.returncode not in (0, 1):  # 1: tests failed (verdicts); anything else: the run itself broke
        sys.exit(f"{' '.join(cmd[:6])}... in {cwd} exited {proc.returncode}:\n{proc.stdout[-1500:]}{proc.stderr[-1500:]}")
    return wall, cpu, lines[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("array_api_tests", type=Path, help="a checkout of array-api-tests (with its submodule)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="default", help="tensorcts' Hypothesis profile")
    args = parser.parse_args(argv)
    checkout = args.array_api_tests.resolve()
    if not (checkout / "array_api_tests").is_dir():
        parser.error(f"{checkout} is not an array-api-tests checkout")
    env = dict(os.environ, PYTHONHASHSEED="0")
    runs = {
        "tensorcts": ([sys.executable, "-m", "pytest", "--pyargs", "tensorcts.suites", "--backend", "numpy",
                       f"--hypothesis-profile={args.profile}", "-q", "-p", "no:cacheprovider"], Path.cwd(), env),
        "array-api-tests": ([sys.executable, "-m", "pytest", "array_api_tests", "-q", "-p", "no:cacheprovider"],
                            checkout, dict(env, ARRAY_API_TESTS_MODULE="numpy")),
    }
    walls: dict[str, list[float]] = {name: [] for name in runs}
    cpus: dict[str, list[float]] = {name: [] for name in runs}
    for n in range(args.rounds):
        for name, (cmd, cwd, run_env) in runs.items():
            wall, cpu, last = timed(cmd, cwd, run_env)
            walls[name].append(wall)
            cpus[name].append(cpu)
            print(f"round {n + 1} {name}: {wall:.1f} s wall, {cpu:.1f} s CPU ({last})", flush=True)
    load = os.getloadavg()[0]
    print(f"\nmedians over {args.rounds} round(s), load average {load:.1f}:")
    for name in runs:
        print(f"  {name}: {statistics.median(walls[name]):.1f} s wall, {statistics.median(cpus[name]):.1f} s CPU")
    ratio_wall = statistics.median(walls["tensorcts"]) / statistics.median(walls["array-api-tests"])
    ratio_cpu = statistics.median(cpus["tensorcts"]) / statistics.median(cpus["array-api-tests"])
    print(f"tensorcts / array-api-tests vs NumPy: {ratio_wall:.2f} (wall), {ratio_cpu:.2f} (CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
