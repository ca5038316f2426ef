"""The rule coverage table (tools/coverage.py): its gap detection, and this checkout has no gaps."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tensorcts.harness.spec import Rule
from tensorcts.tools import coverage

ROOT = Path(__file__).resolve().parent.parent


def _rule(rule_id: str, level: str = "core", reference: str | None = "reference/elementwise.py:add") -> Rule:
    return Rule(rule_id, rule_id.split(".")[0], "title", level, "exact", reference, "x.md:1")


def test_parse_rules_md():
    text = "# cat\n- `matmul.dot` core: 1-D · 1-D.\n- `creation.default-dtype` torch: float32.\n  - `x.y` core: nested\n"
    assert coverage.parse_rules_md(text) == {"matmul.dot": "core", "creation.default-dtype": "torch"}


def test_reference_problem():
    assert coverage.reference_problem("reference/elementwise.py:add") is None
    assert coverage.reference_problem("reference/tensor.py:Tensor.storage_offset") is None
    assert "does not exist" in coverage.reference_problem("reference/nowhere.py:add")
    assert "not found" in coverage.reference_problem("reference/elementwise.py:no_such_function")
    assert "not found" in coverage.reference_problem("reference/tensor.py:Tensor.no_such_method")
    assert "form" in coverage.reference_problem("elementwise.py:add")
    assert "no **Reference.**" in coverage.reference_problem(None)


def test_complete_rule_has_no_gap():
    cov = coverage.build({"elementwise.add": _rule("elementwise.add")},
                         {"suites/t.py::test_add[cpu]": ["elementwise.add"]},
                         {"elementwise.add": ["elementwise:M"]}, {"elementwise.add": "core"}, ("elementwise",))
    assert cov.gap_count == 0
    assert cov.rows[0].tests == ["suites/t.py::test_add[cpu]"]


def test_every_kind_of_gap_is_found():
    rules = {"elementwise.add": _rule("elementwise.add"),  # no test
             "elementwise.sub": _rule("elementwise.sub", reference="reference/elementwise.py:nope"),
             "elementwise.mul": _rule("elementwise.mul"),  # no mutant
             "elementwise.new": _rule("elementwise.new"),  # not in RULES.md
             "elementwise.neg": _rule("elementwise.neg", level="torch")}  # level differs
    tests = {"t::a": ["elementwise.sub", "elementwise.mul", "elementwise.new", "elementwise.neg"],
             "t::b": ["elementwise.unknown"]}
    mutants = {r: ["m"] for r in ("elementwise.add", "elementwise.sub", "elementwise.new",
                                  "elementwise.neg", "elementwise.gone")}
    catalogue = {"elementwise.add": "core", "elementwise.sub": "core", "elementwise.mul": "core",
                 "elementwise.neg": "core", "elementwise.missing": "core"}
    cov = coverage.build(rules, tests, mutants, catalogue, ("elementwise",))
    gaps = {r.id: r.gaps for r in cov.rows}
    assert gaps["elementwise.add"] == ["no suite test"]
    assert "not found" in gaps["elementwise.sub"][0]
    assert gaps["elementwise.mul"] == ["no mutant"]
    assert gaps["elementwise.new"][0].startswith("not in RULES.md")
    assert gaps["elementwise.neg"] == ["level torch, RULES.md says core"]
    assert gaps["elementwise.missing"] == ["in RULES.md, no spec entry"]
    assert any("unknown rule 'elementwise.unknown'" in p for p in cov.problems)
    assert any("unknown rule 'elementwise.gone'" in p for p in cov.problems)
    assert cov.gap_count == 8


def test_a_rule_marked_added_may_be_absent_from_rules_md():
    added = Rule("elementwise.new", "elementwise", "title", "core", "exact", "reference/elementwise.py:add",
                 "x.md:1", added=True)
    cov = coverage.build({"elementwise.new": added}, {"t::a": ["elementwise.new"]},
                         {"elementwise.new": ["m"]}, {}, ("elementwise",))
    assert cov.gap_count == 0


def test_areas_restrict_the_table():
    rules = {"elementwise.add": _rule("elementwise.add"), "matmul.dot": _rule("matmul.dot")}
    cov = coverage.build(rules, {}, {}, None, ("matmul",))
    assert [r.id for r in cov.rows] == ["matmul.dot"]
    assert cov.notes and "RULES.md not found" in cov.notes[0]


def test_collection_records_unknown_rules_instead_of_failing(tmp_path):
    (tmp_path / "test_fake.py").write_text(
        "import pytest\n\n@pytest.mark.rule('elementwise.add')\ndef test_a(backend):\n    pass\n\n"
        "@pytest.mark.rule('elementwise.no-such-rule')\ndef test_b(backend):\n    pass\n")
    tests, errors = coverage.collect_tests(tmp_path)
    named = {nodeid.split("::")[-1]: rules for nodeid, rules in tests.items()}
    assert named == {"test_a": ["elementwise.add"], "test_b": ["elementwise.no-such-rule"]}
    assert errors == []


def test_this_checkout_has_no_gaps(tmp_path):
    """Every area with a spec file is fully covered (areas still being written are left out)."""
    out = tmp_path / "coverage.json"
    proc = subprocess.run([sys.executable, "-m", "tensorcts.tools.coverage", "--areas", "spec", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    table = json.loads(out.read_text())
    assert table["rows"] and table["gaps"] == 0
    assert proc.stdout.splitlines()[-1].startswith("coverage: ")
