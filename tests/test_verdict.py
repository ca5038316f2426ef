"""The pure verdict functions (harness/verdict.py): every status a rule can get, from evidence."""

from __future__ import annotations

import pytest
from tensorcts.harness.expectations import Expectation, parse
from tensorcts.harness.spec import load_rules
from tensorcts.harness.verdict import RuleEvidence, case_outcome, rule_status, stale_entries

CPU32 = {"device": "cpu", "dtype": "float32", "rank": "n-d", "size": "nonempty"}
CPU64 = {**CPU32, "dtype": "float64"}
BROADCAST = {**CPU32, "form": "broadcast"}
SAME = {**CPU32, "form": "operator"}


def _failure(classes: dict, message: str = "broken") -> dict:
    return {"classes": classes, "message": message, "repro": "import torch", "test": "t"}


def _status(evidence: RuleEvidence, entries=(), min_examples: int = 1) -> str:
    return rule_status(evidence, list(entries), min_examples).status


def div_entry(**cases) -> Expectation:
    return Expectation("elementwise.div", "fail", "reciprocal rewrite", cases={k: tuple(v) for k, v in cases.items()})


def test_a_case_outcome_follows_the_entries_that_cover_its_classes():
    entry = div_entry(form=["broadcast"])
    assert case_outcome(True, [entry], BROADCAST) == "xfail"
    assert case_outcome(True, [entry], SAME) == "fail"
    assert case_outcome(False, [entry], BROADCAST) == "xpass"
    assert case_outcome(False, [entry], SAME) == "pass"
    unsupported = Expectation("elementwise.div", "unsupported", "no float64", cases={"dtype": ("float64",)})
    assert case_outcome(True, [unsupported], CPU64) == "unsupported"
    assert case_outcome(True, [unsupported], CPU32) == "fail"


def test_a_key_the_case_does_not_carry_does_not_match_but_unknown_device_or_dtype_does():
    entry = div_entry(form=["broadcast"], dtype=["float32"])
    assert not entry.matches({"device": "cpu", "dtype": "float32"})  # no form: not this entry's case
    assert entry.matches({"form": "broadcast"})  # a failure of unknown dtype is covered (legacy behaviour)


def test_pass_needs_the_operation_to_have_run_on_the_stated_minimum():
    assert _status(RuleEvidence(held=[(CPU32, 3)])) == "pass"
    assert _status(RuleEvidence(held=[(CPU32, 3)]), min_examples=4) == "untested"
    assert _status(RuleEvidence()) == "untested"


def test_a_test_that_never_ran_the_operation_is_not_a_pass_and_unsupported_says_so():
    """The array-api-strict inplace.dtype story: every call unsupported, only early returns 'passed'."""
    evidence = RuleEvidence(unsupported=[{"op": "add_", "message": "does not offer add_", "test": "t"}])
    assert _status(evidence) == "unsupported"


def test_undeclared_failure_is_fail_and_declared_only_is_xfail():
    entry = div_entry(form=["broadcast"])
    assert _status(RuleEvidence(held=[(SAME, 5)], failures=[_failure(SAME)]), [entry]) == "fail"
    assert _status(RuleEvidence(held=[(SAME, 5)], failures=[_failure(BROADCAST)]), [entry]) == "xfail"
    # a whole-rule entry where every case fails: xfail although nothing held
    assert _status(RuleEvidence(failures=[_failure(SAME)]), [div_entry()]) == "xfail"


def test_a_declared_class_that_ran_and_never_failed_is_xpass():
    entry = div_entry(form=["broadcast"])
    evidence = RuleEvidence(held=[(SAME, 5), (BROADCAST, 2)])
    assert _status(evidence, [entry]) == "xpass"
    assert stale_entries(evidence, [entry]) == [entry]
    evidence.failures.append(_failure(BROADCAST))  # some broadcast cases fail: the entry stands
    assert _status(evidence, [entry]) == "xfail"


def test_a_declared_class_that_did_not_come_up_leaves_the_rule_xfail():
    """The divergence stands on its witness; a run whose examples missed its class does not flip the verdict."""
    assert _status(RuleEvidence(held=[(SAME, 5)]), [div_entry(form=["broadcast"])]) == "xfail"


def test_blocked_only_when_nothing_ran_and_held():
    blocked = {"op": "expand", "rule": "view.expand", "message": "setup step expand failed", "test": "t"}
    assert _status(RuleEvidence(blocked=[blocked])) == "blocked"
    assert _status(RuleEvidence(blocked=[blocked], held=[(CPU32, 2)])) == "pass"
    assert _status(RuleEvidence(blocked=[blocked], failures=[_failure(CPU32)])) == "fail"
    blocked_and_unsupported = RuleEvidence(blocked=[blocked], unsupported=[{"op": "x", "message": "m"}])
    assert _status(blocked_and_unsupported) == "blocked"


def test_a_lost_test_makes_its_rule_untested_not_pass():
    lost = {"test": "suites/test_elementwise.py::test_pow[cpu]", "reason": "worker crashed"}
    assert _status(RuleEvidence(held=[(CPU32, 9)], lost=[lost])) == "untested"
    assert "lost" in rule_status(RuleEvidence(lost=[lost]), []).reason
    assert _status(RuleEvidence(failures=[_failure(CPU32)], lost=[lost])) == "fail"


def test_flaky_entries_win():
    flaky = Expectation("elementwise.div", "flaky", "nondeterministic reduction order")
    assert _status(RuleEvidence(failures=[_failure(CPU32)]), [flaky]) == "flaky"


def test_a_witness_of_another_backend_passing_is_not_an_xpass():
    """numpy's entry for elementwise.div names its own witness; jax's witness passing on numpy is no xpass."""
    entry = Expectation("elementwise.div", "fail", "int / int gives float64", dtypes=("int32",),
                        witness="int-true-division-dtype")
    evidence = RuleEvidence(held=[(CPU32, 1)], failures=[_failure({"dtype": "int32"})],
                            witness_passed=[("div-by-broadcast", "cpu")])
    assert _status(evidence, [entry]) == "xfail"
    evidence.witness_passed.append(("int-true-division-dtype", "cpu"))
    assert _status(evidence, [entry]) == "xpass"


def test_a_witness_passing_on_a_device_the_entry_does_not_cover_is_not_an_xpass():
    entry = Expectation("device.result", "fail", "sum of int32 raises on no_x64", devices=("no_x64",),
                        witness="sum-int32-on-each-device")
    evidence = RuleEvidence(held=[(CPU32, 4)], failures=[_failure({"device": "no_x64"})],
                            witness_passed=[("sum-int32-on-each-device", "cpu")])
    assert _status(evidence, [entry]) == "xfail"
    evidence.witness_passed.append(("sum-int32-on-each-device", "no_x64"))
    assert _status(evidence, [entry]) == "xpass"


# ---- the expectations format -------------------------------------------------------------------------

RULES = load_rules()


def test_cases_and_the_witness_table_parse():
    text = '''
[[expect]]
rule = "elementwise.div"
status = "fail"
cases = { form = ["broadcast"], dtype = ["int32", "float32"] }
reason = "XLA rewrites x / y into x * (1 / y) when y is broadcast"

[expect.witness]
code = """
import jax.numpy as jnp
got = jnp.array([-665, -870], dtype=jnp.int32) / jnp.array([28], dtype=jnp.int32)
"""
shows = "float(got[0]) != -23.75"
'''
    (entry,) = parse(text, "jax.toml", RULES)
    assert dict(entry.cases) == {"form": ("broadcast",), "dtype": ("int32", "float32")}
    assert "jnp.array" in entry.witness_code and entry.witness_shows == "float(got[0]) != -23.75"
    assert entry.matches({"form": "broadcast", "dtype": "int32", "device": "cpu"})
    assert not entry.matches({"form": "operator", "dtype": "int32"})
    assert entry.as_dict()["witness"]["shows"] == "float(got[0]) != -23.75"


def test_legacy_devices_dtypes_and_witness_name_map_into_cases():
    text = ("[[expect]]\nrule = 'device.result'\nstatus = 'fail'\nreason = 'x'\ndevices = ['no_x64']\n"
            "dtypes = ['int32']\nwitness = 'sum-int32-on-each-device'\n")
    (entry,) = parse(text, "t.toml", RULES)
    assert dict(entry.cases) == {"device": ("no_x64",), "dtype": ("int32",)}
    assert entry.witness == "sum-int32-on-each-device" and entry.devices == ("no_x64",)


@pytest.mark.parametrize("body, complaint", [
    ("cases = 'dtype'\n", "'cases' must be a table"),
    ("cases = { dtype = [] }\n", "cases.dtype must be a non-empty list"),
    ("cases = { dtype = ['complex64'] }\n", "unknown values"),
    ("dtypes = ['int32']\ncases = { dtype = ['int32'] }\n", "both 'dtypes' and cases.dtype"),
    ("[expect.witness]\ncode = 'x = 1'\n", "needs non-empty strings 'code' and 'shows'"),
    ("[expect.witness]\ncode = 'x = 1'\nshows = 'x'\nextra = 1\n", "must be a table with 'code' and 'shows'"),
])
def test_malformed_cases_and_witnesses_are_errors(body, complaint):
    text = "[[expect]]\nrule = 'elementwise.div'\nstatus = 'fail'\nreason = 'x'\n" + body
    with pytest.raises(ValueError, match=complaint):
        parse(text, "t.toml", RULES)


# ---- one test's record (harness/recording.py), outside pytest's machinery -------------------------------

def _record(entries=()):
    from tensorcts.harness.recording import TestRecord
    return TestRecord("t", ("elementwise.div",), {"elementwise.div": list(entries)}, budget=3)


def _example(form: str, fails: bool):
    """One example: a case of class ``form`` whose operation ran, and that failed or held."""
    from tensorcts.suites.checks import Case
    from tensorcts.suites.outcome import ConformanceFailure

    def body():
        case = Case(None, "elementwise.div", "cpu", "float32", form=form)
        case.ran += 1
        if fails:  # what Case.fail raises, without a backend to write the repro
            case.failed = ConformanceFailure("wrong quotient", case.rules, "cpu", "float32", case.classes(), "repro")
            raise case.failed
    return body


def test_a_record_counts_held_examples_once_per_rule_and_class():
    record = _record()
    record.run_example(_example("operator", False))
    record.run_example(_example("operator", False))
    record.run_example(_example("broadcast", False))
    data = record.as_dict()
    assert data["ran"] == {"elementwise.div": 3}
    assert sorted((c["form"], n) for c, n in data["held"]["elementwise.div"]) == [("broadcast", 1), ("operator", 2)]


def test_a_record_reraises_undeclared_failures_and_ends_a_test_of_declared_ones():
    from tensorcts.harness.recording import EndOfTest
    from tensorcts.suites.outcome import ConformanceFailure

    record = _record([div_entry(form=["broadcast"])])
    with pytest.raises(ConformanceFailure):
        record.run_example(_example("operator", True))
    assert record.undeclared_seen
    declared = _record([div_entry(form=["broadcast"])])
    with pytest.raises(EndOfTest):  # outside Hypothesis, a discarded example ends the test
        declared.run_example(_example("broadcast", True))
    (failure,) = declared.as_dict()["failures"]
    assert failure["classes"]["form"] == "broadcast" and failure["repro"] == "repro"


def test_a_rare_inputs_entry_is_not_stale_when_its_inputs_were_not_drawn():
    """A divergence at isolated inputs: cases of its class held, none failed; the rule stays xfail."""
    from tensorcts.harness.expectations import Expectation
    from tensorcts.harness.verdict import RuleEvidence, rule_status
    evidence = RuleEvidence(held=[({"dtype": "float32"}, 30)])
    common = dict(cases={"dtype": ("float32",)}, witness_code="x = 1", witness_shows="x == 1")
    rare = Expectation("elementary.expm1", "fail", "4.45 ulp at a few inputs", rare_inputs=True, **common)
    plain = Expectation("elementary.expm1", "fail", "4.45 ulp at a few inputs", **common)
    assert rule_status(evidence, [rare]).status == "xfail"
    assert rule_status(evidence, [plain]).status == "xpass"


def test_a_broader_entry_kept_alive_only_by_a_narrower_entrys_failures_is_stale():
    """JAX declared int64 / int64 (a dtype convention, later declared by its adapter) beside the broadcast
    divisor (form and dtype): the int64 broadcast failures are the narrower entry's, and every other int64
    case held, so the int64 entry is stale."""
    int64 = {**BROADCAST, "dtype": "int64"}
    broadcast = div_entry(form=["broadcast"], dtype=["float32", "int64"])
    by_dtype = div_entry(dtype=["int64"])
    evidence = RuleEvidence(held=[({**SAME, "dtype": "int64"}, 5)], failures=[_failure(int64)])
    assert stale_entries(evidence, [broadcast, by_dtype]) == [by_dtype]
    assert _status(evidence, [broadcast, by_dtype]) == "xpass"
    evidence.failures.append(_failure({**SAME, "dtype": "int64"}))  # a failure only the int64 entry covers
    assert stale_entries(evidence, [broadcast, by_dtype]) == []
    assert _status(evidence, [broadcast, by_dtype]) == "xfail"


def test_a_declared_class_that_was_not_drawn_is_xfail_and_says_so():
    entry = div_entry(form=["broadcast"])
    verdict = rule_status(RuleEvidence(held=[(SAME, 5)]), [entry], 1)
    assert verdict.status == "xfail" and "no case of the declared divergence was drawn" in verdict.reason
