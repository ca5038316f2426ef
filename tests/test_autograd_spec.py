"""Every in-place and autograd rule (and interop.numpy-requires-grad) has a reference that exists,
a suite test and a mutant."""

from __future__ import annotations

import importlib

import pytest
from tensorcts.adapters.mutants import discover
from tensorcts.harness.spec import load_rules

from tests.helpers import ROOT

RULES = sorted((r for r in load_rules().values()
                if r.area in ("inplace", "autograd") or r.id == "interop.numpy-requires-grad"), key=lambda r: r.id)


def _resolve(link: str):
    path, _, name = link.partition(":")
    target = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    for part in name.split(".") if name else ():
        target = getattr(target, part)
    return target


def test_every_rule_of_the_catalogue_is_specified():
    ids = {r.id for r in RULES}
    assert len([i for i in ids if i.startswith("inplace.")]) == 9
    assert len([i for i in ids if i.startswith("autograd.")]) == 16
    assert "interop.numpy-requires-grad" in ids


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_complete(rule):
    assert rule.reference, f"{rule.id}: no **Reference.** link"
    _resolve(rule.reference)
    suites = "\n".join(p.read_text() for p in (ROOT / "suites").glob("test_*.py"))
    assert f'rule("{rule.id}")' in suites, f"{rule.id}: no suite test"
    assert rule.id in {m.breaks for m in discover()}, f"{rule.id}: no mutant"
