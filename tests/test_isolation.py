"""A backend call that crashes the process or hangs fails only its own test; the run and report go on.

The suite runs in a subprocess under pytest-xdist with a short pytest-timeout, against
adapters that abort (like a segfaulting kernel) or never return in one operation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = Path(__file__).resolve().parent / "isolation_adapters.py"


def _run(adapter: str, report: Path, xdist: list[str]) -> tuple[dict, str]:
    cmd = [sys.executable, "-m", "pytest", str(ROOT / "suites" / "test_elementwise.py"),
           f"--backend={ADAPTERS}:{adapter}", "--device=cpu", "--hypothesis-profile=ci", "--timeout=5",
           f"--conformance-report={report}", "-q", "-p", "no:cacheprovider", *xdist]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert report.is_file(), f"no report written (exit {proc.returncode}):\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}"
    return json.loads(report.read_text()), proc.stdout


@pytest.mark.parametrize(("adapter", "rule", "xdist"), [
    ("AbortsInPow", "elementwise.pow-int", ["-n", "2"]),
    ("HangsInNeg", "elementwise.neg", ["-n", "1", "--max-worker-restart=2"]),
])
def test_crash_or_hang_fails_only_its_rule(tmp_path, adapter, rule, xdist):
    report, out = _run(adapter, tmp_path / "report.json", xdist)
    statuses = {r: entry["status"] for r, entry in report["rules"].items() if r.startswith("elementwise.")}
    assert statuses.pop(rule) == "fail", out[-4000:]
    assert "crashed" in report["rules"][rule]["message"]
    assert report["rules"][rule]["tests"]["failed"] >= 1
    assert set(statuses.values()) == {"pass"}, (statuses, out[-4000:])
    assert report["summary"]["total"]["fail"] == 1
