"""tools.sweep: its float64-based measure agrees with the exact reference's, input by input."""

from __future__ import annotations

import numpy as np
import pytest
from tensorcts.reference import elementary as E
from tensorcts.reference.dtypes import float32
from tensorcts.tools import sweep


@pytest.mark.parametrize("name", ["exp", "log", "sin", "tanh"])
def test_the_fast_measure_agrees_with_the_exact_one(name):
    rng = np.random.default_rng(7)
    x = rng.uniform(0.01, 20.0, 400).astype(np.float32)
    exact = np.vectorize(lambda v: E.value(name, float(v), float32))(x).astype(np.float32)
    got = (exact.view(np.uint32) + rng.integers(-5, 6, x.size).astype(np.uint32)).view(np.float32)  # off by ±5 ulp
    fast = sweep.ulp_errors(x, got, name)
    slow = [E.ulp_error(name, float(a), float(b), float32) for a, b in zip(x, got, strict=True)]
    assert np.max(np.abs(fast - np.array(slow))) < 1e-6


def test_a_range_sweep_finds_the_worst_input_and_counts_those_beyond_the_bound():
    from tensorcts.harness.backends import resolve
    numpy_backend = resolve("numpy")
    result = sweep.sweep(numpy_backend, "exp", 0x3F800000, 0x3F810000)  # 65536 floats in [1, 1.0078125)
    assert result.inputs == 1 << 16
    assert result.worst_input is not None and 0 < result.worst_error < 4 and result.over_bound == 0
    assert result.worst_error == E.ulp_error("exp", result.worst_input, result.worst_output, float32)
