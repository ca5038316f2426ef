"""A backend call that crashes the process or hangs loses only its own test; the run goes on and the
report is complete and says what was lost (issue 11, item 4).

The suite runs in a subprocess under pytest-xdist with a short pytest-timeout, against
adapters that abort (like a segfaulting kernel) or never return in one operation.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = Path(__file__).resolve().parent / "isolation_adapters.py"
ELEMENTWISE = ROOT / "suites" / "test_elementwise.py"

pytest_plugins = ["pytester"]


def _run(backend: str, report: Path, xdist: list[str], target: Path = ELEMENTWISE) -> tuple[dict, str]:
    cmd = [sys.executable, "-m", "pytest", str(target), f"--backend={backend}", "--device=cpu",
           "--hypothesis-profile=ci", "--timeout=5", f"--conformance-report={report}", "-q",
           "-p", "no:cacheprovider", *xdist]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert report.is_file(), f"no report written (exit {proc.returncode}):\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}"
    return json.loads(report.read_text()), proc.stdout


@pytest.mark.parametrize(("adapter", "rule", "xdist"), [
    ("AbortsInPow", "elementwise.pow-int", ["-n", "2"]),
    ("HangsInNeg", "elementwise.neg", ["-n", "1"]),
])
def test_crash_or_hang_loses_only_its_tests_and_the_report_is_complete(tmp_path, adapter, rule, xdist):
    report, out = _run(f"{ADAPTERS}:{adapter}", tmp_path / "report.json", xdist)
    clean, _ = _run("reference", tmp_path / "clean.json", [])
    entry = report["rules"][rule]
    assert entry["status"] == "untested", out[-4000:]
    assert entry["lost"] and "crashed" in entry["lost"][0]["reason"] and entry["message"]
    assert report["run"]["completed"] is True and not report["run"]["not_run"]
    assert {lost["test"] for lost in report["run"]["lost"]} == {lost["test"] for lost in entry["lost"]}
    others = {r: e["status"] for r, e in report["rules"].items() if r != rule}
    assert others == {r: e["status"] for r, e in clean["rules"].items() if r != rule}  # every other rule: its true status
    assert f"LOST  {entry['lost'][0]['test']}" in out


def test_a_hang_in_a_one_process_run_writes_the_report_before_the_process_ends(tmp_path):
    """Without xdist a hung test ends the run; the report still says what ran, what hung and what never ran."""
    report, out = _run(f"{ADAPTERS}:HangsInNeg", tmp_path / "report.json", ["-p", "no:xdist"])
    lost = "suites/test_elementwise.py::test_neg[cpu]"
    assert report["run"]["completed"] is False
    assert [entry["test"] for entry in report["run"]["lost"]] == [lost]
    neg = report["rules"]["elementwise.neg"]
    assert neg["status"] == "untested" and "timeout" in neg["lost"][0]["reason"]
    never = "suites/test_elementwise.py::test_pow_int[cpu]"  # after test_neg in the module
    assert never in report["run"]["not_run"]
    pow_int = report["rules"]["elementwise.pow-int"]
    assert pow_int["status"] == "untested" and "never ran" in pow_int["why"] and never in pow_int["message"]
    ran_before = report["rules"]["elementwise.add"]  # test_add comes before test_neg in the module
    assert ran_before["status"] == "pass", ran_before
    assert f"LOST {lost}" in out


@pytest.mark.parametrize("xdist", [["-p", "no:xdist"], ["-n", "1"]])
def test_a_failure_still_shrinking_at_half_the_timeout_is_reported_as_a_failure(tmp_path, xdist):
    """A slow backend's shrinking used to run into the timeout: the test was lost as hung and a real
    failure read ``untested``. At half the timeout the failure found so far is reported."""
    report, out = _run(f"{ADAPTERS}:SlowWrongNeg", tmp_path / "report.json", xdist)
    neg = report["rules"]["elementwise.neg"]
    assert neg["status"] == "fail" and not neg["lost"], out[-4000:]
    assert "still shrinking" in out and neg["failures"][0]["repro"]
    assert report["run"]["completed"] is True and not report["run"]["lost"]


def test_tests_deselected_with_k_are_not_reported_as_never_run(tmp_path):
    report, out = _run("reference", tmp_path / "report.json", ["-p", "no:xdist", "-k", "test_add"])
    assert report["run"]["completed"] is True and report["run"]["not_run"] == [], out[-2000:]
    assert report["rules"]["elementwise.add"]["status"] == "pass"


def test_many_crashed_workers_are_all_replaced(pytester):
    """xdist's own default gives up after 4 crashes per worker; a long run must not."""
    pytester.makepyfile(test_crashes=textwrap.dedent("""
        import os
        import pytest

        @pytest.mark.rule("elementwise.neg")
        @pytest.mark.parametrize("n", range(10))
        def test_abort(backend, n):
            os.abort()

        @pytest.mark.rule("elementwise.add")
        def test_fine(backend):
            from tensorcts.suites.checks import Case
            Case(backend, "cpu", "int64").run("{ns}.add(1, 2)", lambda: 3)
    """))
    report_path = pytester.path / "report.json"
    result = pytester.runpytest_subprocess("--backend", "reference", "-n", "2", "-p", "no:cacheprovider",
                                           f"--conformance-report={report_path}", timeout=280)
    report = json.loads(report_path.read_text())
    assert "maximum crashed workers reached" not in result.stdout.str()
    assert len(report["run"]["lost"]) == 10 and report["run"]["completed"] is True
    assert report["rules"]["elementwise.neg"]["status"] == "untested"
    assert report["rules"]["elementwise.add"]["status"] == "pass"
