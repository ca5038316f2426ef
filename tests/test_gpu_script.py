"""bench/gpu.sh, testable without a GPU through --device cpu."""

import json
import subprocess
import sys
from pathlib import Path

from tensorcts.harness.spec import load_rules

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "gpu.sh"


def _run(*args, cwd):
    return subprocess.run(["bash", str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable})


def test_cpu_run_writes_a_complete_report_and_summary(tmp_path):
    proc = _run("--device", "cpu", "--out", "out", "--", "--rule", "elementwise.neg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rules = json.loads((tmp_path / "out" / "torch-cpu.json").read_text())["rules"]
    assert set(rules) == set(load_rules()) and rules["elementwise.neg"]["status"] == "pass"
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "| torch | cpu |" in summary and "pass 1" in summary


def test_bad_arguments_exit_2(tmp_path):
    assert _run("--device", "tpu", cwd=tmp_path).returncode == 2
    assert _run("--frobnicate", cwd=tmp_path).returncode == 2
