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


def test_the_stability_page_names_a_seed_without_a_report_and_compares_the_rest():
    from tensorcts.tools.stability import backend_section
    results = [{**_run(s, a_x="pass"), "seconds": 1.0, "exit_code": 0} for s in (1, 2)]
    results.append({"seed": 3, "verdicts": {}, "seconds": 9.0, "exit_code": 1})
    lines, problems = backend_section("numpy", results)
    text = "\n".join(lines)
    assert "same verdict for every rule (2 seeds" in text and "Seed 3 wrote no report (exit 1)" in text
    assert problems == 1
