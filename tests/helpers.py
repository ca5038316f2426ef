"""Running the suites in a subprocess, as a user would, and reading the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    output: str
    report: dict | None

    def status(self, rule: str) -> str:
        return self.report["rules"][rule]["status"]


def run_suites(tmp_path: Path, *args: str, env: dict | None = None, timeout: float = 300) -> Run:
    """``python -m pytest suites ARGS`` with the ci profile; the report is read back if written."""
    report = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--hypothesis-profile=ci",
           f"--conformance-report={report}", *args]
    if not any(a.startswith("suites") for a in args):
        cmd.insert(3, "suites")
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=full_env)
    data = json.loads(report.read_text()) if report.is_file() else None
    return Run(done.returncode, done.stdout + done.stderr, data)
