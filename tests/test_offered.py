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
