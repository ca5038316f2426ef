"""tools.crosskill: a vacuous-pass mutant (its operation never runs) is killed as CI mode kills it."""

from __future__ import annotations

from tensorcts.tools.crosskill import run_against_suite

MUTANT = "tensorcts.adapters.mutants.inplace:InplaceArithmeticUnsupported"  # killed_unless_pass, breaks inplace.dtype


def test_a_vacuous_pass_mutant_is_killed_by_its_rule_not_passing(tmp_path):
    only = ["-k", "test_inplace and dtype", "-p", "no:xdist"]
    plain = run_against_suite(MUTANT, tmp_path, "kill", only)
    assert not plain["killed"]  # no test fails: the rule reads unsupported, which is not a failure
    vacuous = run_against_suite(MUTANT, tmp_path, "kill", only, vacuous_rule="inplace.dtype")
    assert vacuous["killed"] and vacuous["killed_by"] == ["inplace.dtype"]
