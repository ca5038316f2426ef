"""Tests that draw their operation draw one the adapter offers (``strategies.offered``): a missing one
drawn in some example would end the whole test as unsupported, hiding what the other operations show."""

from __future__ import annotations

from tensorcts.adapters.base import Adapter
from tensorcts.suites.strategies import offered

from tests.helpers import run_suites


class _CopyOnly(Adapter):
    def copy_(self, t, src):
        return t


def test_offered_keeps_the_operations_the_adapter_has():
    assert offered(_CopyOnly(), ("fill_", "copy_")) == ("copy_",)


def test_offered_keeps_all_where_the_adapter_has_none():
    # the test then draws a missing one and ends unsupported, naming it
    assert offered(_CopyOnly(), ("fill_", "legacy_constructor")) == ("fill_", "legacy_constructor")


WITHOUT_FILL = """
from tensorcts.adapters.base import Adapter
from tensorcts.adapters.reference import ReferenceAdapter

class WithoutFill(ReferenceAdapter):
    fill_ = Adapter.fill_                                # the base class's placeholder: not offered
    legacy_constructor = Adapter.legacy_constructor
"""


def test_rules_that_draw_an_operation_judge_the_ones_offered(tmp_path):
    (tmp_path / "without_fill.py").write_text(WITHOUT_FILL)
    run = run_suites(tmp_path, "--backend", f"{tmp_path / 'without_fill.py'}:WithoutFill", "--device", "cpu",
                     "--rule", "inplace.cast-on-copy", "--rule", "creation.default-dtype")
    assert run.status("inplace.cast-on-copy") == "pass", run.output  # copy_ ran and held
    assert run.status("creation.default-dtype") == "pass", run.output


MISSING_AT_RUN_TIME = """
from tensorcts.adapters.base import Unsupported
from tensorcts.adapters.reference import ReferenceAdapter

class MissingAtRunTime(ReferenceAdapter):
    # offered as far as offers() can tell, missing when called: a thin adapter over a library that
    # lacks the operation, or lacks it for some arguments
    def fill_(self, t, value):
        raise Unsupported("fill_: this library has no in-place fill")

    def legacy_constructor(self, *sizes):
        raise Unsupported("legacy_constructor: this library has no Tensor(*sizes)")

    def sigmoid(self, x):
        raise Unsupported("sigmoid: this library has no sigmoid")
"""


def test_examples_that_miss_an_operation_are_discarded_not_the_test(tmp_path):
    # the harness's own defence, for adapters whose missing operations offered() cannot see
    (tmp_path / "missing.py").write_text(MISSING_AT_RUN_TIME)
    run = run_suites(tmp_path, "--backend", f"{tmp_path / 'missing.py'}:MissingAtRunTime", "--device", "cpu",
                     "--rule", "inplace.cast-on-copy", "--rule", "creation.default-dtype",
                     "--rule", "elementary.sigmoid")
    rules = run.report["rules"]
    assert run.status("inplace.cast-on-copy") == "pass", run.output  # the copy_ examples ran and held
    assert [m["op"] for m in rules["inplace.cast-on-copy"]["missing_ops"]] == ["fill_"]
    assert run.status("creation.default-dtype") == "pass", run.output
    # an operation missing in every example still makes its rule unsupported, and names it
    assert run.status("elementary.sigmoid") == "unsupported", run.output
    assert rules["elementary.sigmoid"]["unsupported_op"] == "sigmoid"
