"""Every rule of the shapes-and-memory areas has a reference that exists, a suite test and a mutant."""

from __future__ import annotations

import importlib

import pytest
from tensorcts.adapters.mutants import discover
from tensorcts.harness.spec import load_rules

from tests.helpers import ROOT

AREAS = ("creation", "attributes", "view", "indexing", "interop")
OTHERS = {"interop.numpy-requires-grad", "interop.numpy-requires-cpu"}  # hosted by other areas' work
RULES = sorted((r for r in load_rules().values() if r.area in AREAS and r.id not in OTHERS), key=lambda r: r.id)


def _resolve(link: str):
    path, _, name = link.partition(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    target = module
    for part in name.split(".") if name else ():
        target = getattr(target, part)
    return target


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_complete(rule):
    assert rule.reference, f"{rule.id}: no **Reference.** link"
    _resolve(rule.reference)  # the module, and the function or method where one is named
    suites = "\n".join(p.read_text() for p in (ROOT / "suites").glob("test_*.py"))
    assert f'rule("{rule.id}")' in suites, f"{rule.id}: no suite test"
    assert rule.id in {m.breaks for m in discover()}, f"{rule.id}: no mutant"
