"""The Case API suites use (suites/checks.py): old and new call forms, registration, blocked setup."""

from __future__ import annotations

import pytest
from tensorcts.adapters.base import Observation
from tensorcts.suites.checks import Case
from tensorcts.suites.outcome import EXAMPLE_CASES, TEST_RULES, Blocked


class _Backend:
    """Just enough of a backend for construction: its asarray always raises."""

    name, version, repro_namespace = "fake", "0", "fake"

    def asarray(self, value, device):
        raise RuntimeError("cannot build it")


def test_rules_given_or_taken_from_the_running_test():
    case = Case(None, "elementwise.add", "cpu", "int64", form="operator")
    assert (case.rules, case.device, case.dtype, case.case_class) == (("elementwise.add",), "cpu", "int64",
                                                                      {"form": "operator"})
    token = TEST_RULES.set(("elementwise.sub", "elementwise.neg"))
    try:
        short = Case(None, "cpu", "float32", form="method")
        explicit_none = Case(None, None, "cuda:0", "int32")
    finally:
        TEST_RULES.reset(token)
    assert (short.rules, short.device, short.dtype) == (("elementwise.sub", "elementwise.neg"), "cpu", "float32")
    assert (explicit_none.rules, explicit_none.device) == (("elementwise.sub", "elementwise.neg"), "cuda:0")
    with pytest.raises(ValueError, match="names no rule"):
        Case(None, "cpu", "float32")


def test_every_case_registers_with_the_collector_of_its_example():
    cases: list = []
    token = EXAMPLE_CASES.set(cases)
    try:
        a = Case(None, "elementwise.add", "cpu")
        b = Case(None, "elementwise.add", "cpu")
    finally:
        EXAMPLE_CASES.reset(token)
    assert cases == [a, b]
    Case(None, "elementwise.add", "cpu")  # no collector: nothing to do, no error
    assert len(cases) == 2


def test_a_construction_that_raises_blocks_the_case_and_names_asarray():
    import tensorcts.reference as R

    case = Case(_Backend(), "elementwise.add", "cpu", "int64")
    with pytest.raises(Blocked) as info:
        case.input("x", R.tensor([1, 2], dtype=R.int64), construction="nested-list")
    assert info.value.op == "asarray" and info.value.rules == ("elementwise.add",)
    assert case.classes()["construction"] == "nested-list"


def test_a_failing_setup_step_blocks_with_its_operation_and_rule():
    case = Case(None, "elementwise.add", "cpu", "int64")
    with pytest.raises(Blocked) as info:
        case.setup("expand", lambda: 1 // 0, rule="view.expand")
    assert (info.value.op, info.value.rule) == ("expand", "view.expand")
    assert "ZeroDivisionError" in str(info.value)
    assert case.setup("expand", lambda: 7) == 7


class _LazyBackend(_Backend):
    """A lazy library: an operation returns at once; computing a bad result raises."""

    class Pending:
        def __init__(self, ok: bool):
            self.ok = ok

    def realize(self, t):
        if not t.ok:
            raise ValueError("shape mismatch: objects cannot be broadcast")
        return t

    def observe(self, t):
        return Observation(shape=(1,), dtype="float32", device="cpu", values=[1])

    def repro(self, expression: str) -> str:
        return expression


def test_an_error_raised_when_the_result_is_computed_is_the_required_error():
    backend = _LazyBackend()
    lazy = Case(backend, "broadcasting.error", "cpu", "float32")
    message = lazy.expect_error("a + b", lambda: backend.Pending(ok=False))
    assert message.startswith("ValueError") and lazy.ran == 1
    assert lazy.observations == [("broadcasting.error", "raises when the result is computed, not at the call", True)]
    silent = Case(backend, "broadcasting.error", "cpu", "float32")
    with pytest.raises(Exception, match="expected an error, but the backend returned a result"):
        silent.expect_error("a + b", lambda: backend.Pending(ok=True))
