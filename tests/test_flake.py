"""The flake check's verdict comparison between seeds (the table behind docs/stability.md)."""

from tensorcts.tools.flake import unstable_rules


def _run(seed, **verdicts):
    return {"seed": seed, "verdicts": {rule.replace("_", "."): s for rule, s in verdicts.items()}}


def test_a_rule_whose_verdict_changes_with_the_seed_is_listed_with_its_seeds():
    results = [_run(1, a_x="pass", b_y="xfail"), _run(2, a_x="fail", b_y="xfail"), _run(3, a_x="pass", b_y="xfail")]
    assert unstable_rules(results) == {"a.x": {"pass": [1, 3], "fail": [2]}}


def test_a_seed_without_a_report_makes_every_rule_unstable():
    results = [_run(1, a_x="pass"), {"seed": 2, "verdicts": {}}]
    assert unstable_rules(results) == {"a.x": {"pass": [1], "no report": [2]}}


def test_the_same_table_on_every_seed_is_stable():
    assert unstable_rules([_run(s, a_x="pass", b_y="unsupported") for s in (1, 2, 3)]) == {}
