"""The conformance matrix tool (tools/matrix.py): Markdown page, heatmap, diff mode."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from tensorcts.harness.expectations import Expectation
from tensorcts.harness.report import build, run_info
from tensorcts.harness.spec import load_rules
from tensorcts.harness.tally import Tally
from tensorcts.harness.verdict import RuleEvidence
from tensorcts.tools import matrix

from tests.helpers import ROOT

RULES = load_rules()


def _report(name: str, statuses: dict[str, str], *, version: str = "1.0", seconds: float = 12.0,
            reasons: dict[str, str] | None = None) -> dict:
    """A report as the plugin builds it, where each named rule ends with the given status."""
    tally, expectations = Tally(), {}
    for rule_id, status in statuses.items():
        ev = tally.evidence.setdefault(rule_id, RuleEvidence())
        cpu = {"device": "cpu", "dtype": "float32"}
        if status == "pass":
            ev.held.append((cpu, 3))
        elif status == "fail":
            ev.failures.append({"classes": cpu, "message": "rule broken", "repro": None, "test": "t"})
        elif status == "xfail":
            ev.failures.append({"classes": cpu, "message": "known", "repro": None, "test": "t"})
            expectations[rule_id] = [Expectation(rule_id, "fail", (reasons or {}).get(rule_id, "known"),
                                                 link="https://example.org/issue/1", dtypes=("float32",))]
        elif status == "unsupported":
            ev.unsupported.append({"op": "neg", "message": f"{name} does not offer neg", "test": "t"})
        elif status == "blocked":
            ev.blocked.append({"op": "expand", "rule": "view.expand", "message": "setup step expand failed",
                               "test": "t"})
    backend = {"name": name, "version": version, "adapter": f"adapters.{name}:X", "devices": ["cpu"],
               "capabilities": []}
    report = build(RULES, tally, expectations, backend, run_info("2026-01-01T00:00:00+00:00", seconds,
                                                                 "default", 1, "0.1.0"))
    for rule_id, status in statuses.items():
        assert report["rules"][rule_id]["status"] == status  # the fixture builds what it claims
    return report


ADD, BOOL, DIV = "elementwise.add", "elementwise.bool", "elementwise.div"


def test_page_has_every_rule_grouped_by_area_in_design_order():
    torch = _report("torch", {ADD: "pass", BOOL: "pass"})
    page = matrix.markdown([torch])
    areas = [line[3:] for line in page.splitlines() if line.startswith("## ")]
    listed = [a for a in areas if a in matrix.AREAS]
    assert listed == [a for a in matrix.AREAS if a in listed]
    for rule_id in RULES:
        assert f"`{rule_id}`" in page


def test_page_counts_core_and_torch_levels_apart_with_versions_and_run_times():
    numpy = _report("numpy", {ADD: "pass", DIV: "xfail", BOOL: "fail"}, version="2.4.6", seconds=41.2)
    page = matrix.markdown([numpy])
    lines = page.splitlines()
    head = next(line for line in lines if line.startswith("| backend"))
    columns = [c.strip() for c in head.strip("|").split("|")]
    core = next(line for line in lines if "**numpy**" in line)
    torch_level = lines[lines.index(core) + 1]
    core_cells = dict(zip(columns, (c.strip() for c in core.strip("|").split("|")), strict=True))
    torch_cells = dict(zip(columns, (c.strip() for c in torch_level.strip("|").split("|")), strict=True))
    assert core_cells["version"] == "`2.4.6`" and core_cells["run time"] == "41 s"
    assert (core_cells["level"], core_cells["pass"], core_cells["xfail"]) == ("core", "1", "1")
    assert (torch_cells["level"], torch_cells["fail"]) == ("torch", "1")  # elementwise.bool is torch level


def test_cells_show_each_status_and_declared_divergences_give_reason_and_link():
    torch = _report("torch", {ADD: "pass", DIV: "pass"})
    jax = _report("jax", {ADD: "fail", DIV: "xfail"}, reasons={DIV: "XLA divides by a reciprocal"})
    page = matrix.markdown([torch, jax])
    row = next(line for line in page.splitlines() if line.startswith(f"| `{DIV}`"))
    assert row.endswith("| pass | xfail |")
    assert next(line for line in page.splitlines() if line.startswith(f"| `{ADD}`")).endswith("| pass | **FAIL** |")
    divergence = next(line for line in page.splitlines() if line.startswith(f"- `{DIV}`"))
    assert "XLA divides by a reciprocal" in divergence and "(dtype: float32)" in divergence
    assert "(https://example.org/issue/1)" in divergence


def test_diff_lists_exactly_the_rules_that_disagree():
    torch = _report("torch", {ADD: "pass", DIV: "pass", BOOL: "pass"})
    jax = _report("jax", {ADD: "pass", DIV: "xfail", BOOL: "unsupported"})
    assert matrix.diff(torch, jax) == [(BOOL, "torch", "pass", "unsupported"), (DIV, "core", "pass", "xfail")]
    text = matrix.diff_text(torch, jax)
    assert text.startswith("2 rules differ between torch 1.0 and jax 1.0")
    assert "agree on every rule" in matrix.diff_text(torch, torch)


def test_a_rule_missing_from_one_report_is_shown_not_dropped():
    old = _report("old", {ADD: "pass"})
    del old["rules"][ADD]
    new = _report("new", {ADD: "pass"})
    assert (ADD, "core", "missing", "pass") in matrix.diff(old, new)
    assert next(line for line in matrix.markdown([old, new]).splitlines()
                if line.startswith(f"| `{ADD}`")).endswith("| n/a | pass |")


def test_command_line_writes_page_and_picture_and_diffs(tmp_path):
    pytest.importorskip("matplotlib")
    a, b = tmp_path / "torch.json", tmp_path / "numpy.json"
    a.write_text(json.dumps(_report("torch", {ADD: "pass", DIV: "pass"})))
    b.write_text(json.dumps(_report("numpy", {ADD: "pass", DIV: "xfail"})))
    out, svg = tmp_path / "docs" / "conformance.md", tmp_path / "docs" / "conformance.svg"
    cmd = [sys.executable, "-m", "tensorcts.tools.matrix", str(a), str(b), "--out", str(out), "--picture", str(svg)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "](conformance.svg)" in out.read_text()  # the link is relative to the page
    assert svg.read_text().lstrip().startswith("<?xml") and DIV in svg.read_text()
    first = svg.read_bytes()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert svg.read_bytes() == first  # regenerating from the same reports changes nothing
    done = subprocess.run([sys.executable, "-m", "tensorcts.tools.matrix", "diff", str(a), str(b)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and DIV in done.stdout and ADD not in done.stdout


def test_a_file_that_is_not_a_report_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "something-else"}))
    done = subprocess.run([sys.executable, "-m", "tensorcts.tools.matrix", str(bad)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "not a tensorcts-report/2 report" in done.stderr


def test_unsupported_and_blocked_cells_name_the_operation_and_the_picture_has_blocked():
    numpy = _report("numpy", {ADD: "unsupported", DIV: "blocked"})
    page = matrix.markdown([numpy])
    assert next(line for line in page.splitlines() if line.startswith(f"| `{ADD}`")).endswith("| unsup.: `neg` |")
    assert next(line for line in page.splitlines()
                if line.startswith(f"| `{DIV}`")).endswith("| blocked: `expand (view.expand)` |")
    totals = next(line for line in page.splitlines() if line.startswith("| backend"))
    assert "blocked" in totals and "blocked" in matrix.COLOURS


def test_report_1_files_still_read_and_name_the_missing_operation(tmp_path):
    old = _report("numpy", {ADD: "unsupported"})
    old["schema"] = "tensorcts-report/1"
    entry = old["rules"][ADD]
    entry.pop("unsupported_op"), entry.pop("blocked_by")
    entry["message"] = "numpy adapter does not offer add_"
    for counts in old["summary"].values():
        counts.pop("blocked")
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    assert matrix.cell(matrix.load(path), ADD) == "unsup.: `add_`"
    assert "| backend" in matrix.markdown([matrix.load(path)])
