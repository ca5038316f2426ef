"""tools.accuracy's half-precision table, and the measurement it reads from a report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tensorcts.tools.accuracy import half_section

ROOT = Path(__file__).resolve().parent.parent


def _report(name: str, measurements: dict, failures: list | None = None) -> dict:
    return {"backend": {"name": name, "version": "1.0"}, "run": {"profile": "default", "seed": 7},
            "rules": {"half.sum": {"measurements": measurements, "failures": failures or []}}}


def test_the_half_table_marks_each_cell_against_the_bound_and_names_declared_dtypes():
    beyond = {"value": 3.5, "repro": "import lib\nprint(lib.sum(a))", "test": "suites/test_half.py::test_sum[cpu]"}
    good = _report("good", {"bound-use.float16": {"value": 0.25, "repro": "", "test": "t"}})
    bad = _report("bad", {"bound-use.float16": beyond},
                  [{"declared": True, "classes": {"dtype": "float16", "values": "band"}},
                   {"declared": False, "classes": {"dtype": "bfloat16"}}, {"declared": True, "classes": {}}])
    text = "\n".join(half_section([good, bad]))
    assert "| half.sum | float16 | 0.25 ✓ | 3.5 ✗, *declared* |" in text
    assert "| half.sum | bfloat16 | — | — |" in text  # nothing measured
    assert "half.sum float16 on bad: 3.5 times the bound" in text and "print(lib.sum(a))" in text
    assert "good 1.0 (default profile, seed 7)" in text


def test_a_float16_sum_accumulated_in_float16_is_measured_beyond_the_bound(tmp_path):
    """The suites record bound-use.<dtype> for half.sum; a half accumulator (a mutant) reads above 1."""
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pytest", "suites/test_half.py", "-k", "sum", "-q", "-p", "no:cacheprovider",
           "-p", "no:xdist", "--backend=tensorcts.adapters.mutants.half:HalfSumAccumulatesInHalf",
           "--hypothesis-profile=ci", f"--conformance-report={report}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert report.is_file(), proc.stdout[-3000:] + proc.stderr[-2000:]
    entry = json.loads(report.read_text())["rules"]["half.sum"]
    assert entry["status"] == "fail"
    assert entry["measurements"]["bound-use.float16"]["value"] > 1, entry["measurements"]
