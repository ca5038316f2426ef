"""A gradient wrong by a relative 1e-3 is caught by autograd.grad-values.

Two ways: the suite kills the mutant whose MulBackward0 is off by 1e-3; and, over the
suite's own random programs, the reference's gradient bounds are far tighter than
1e-3 relative, so a gradient element scaled by 1 + 1e-3 falls outside its bound
(everywhere except where cancellation makes the exact value tiny next to its bound).
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from tensorcts.reference.exact import round_float
from tensorcts.suites.strategies_autograd import programs

from tests.helpers import ROOT

REL = Fraction(1, 1000)
_counts = {"elements": 0, "caught": 0}


def test_suite_kills_the_permille_gradient_mutant():
    done = subprocess.run([sys.executable, "-m", "tensorcts.tools.mutants", "-k", "MulBackwardOffByPermille"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "killed" in done.stdout, done.stdout + done.stderr


@seed(20260501)  # deterministic: the same programs on every run
@settings(max_examples=120, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(program=programs(st.sampled_from(["float32", "float64"])))
def _collect(program):
    _, grads = program.reference_grads()
    for g in grads:
        if g is None:
            continue
        errs = g.errs()
        for v, e in zip(g.values(), errs, strict=True):
            if v == 0:
                continue
            wrong = round_float(v * (1 + REL), g.dtype)
            _counts["elements"] += 1
            _counts["caught"] += abs(wrong - v) > Fraction(e)


def test_permille_error_is_outside_the_bound_almost_everywhere():
    _collect()
    assert _counts["elements"] > 150
    assert _counts["caught"] >= 0.97 * _counts["elements"], _counts
