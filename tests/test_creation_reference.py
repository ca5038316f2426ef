"""The arange bound of spec/creation.md (creation.arange-values) and the float64 length rule.

The bound must hold for every reasonable evaluation of start + i*step (brute-forced
here: fused or not, scalar or vectorised with widths 2..16, in float64 or in the
dtype itself) and be reasonably tight (a constructed case reaches a third of it).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
import tensorcts.reference as R
from tensorcts.reference.creation import arange_bound, arange_length
from tensorcts.reference.exact import round_float

F64 = R.float64


def _fl(x, dtype) -> Fraction:
    return round_float(Fraction(x), dtype)


def evaluations(s: float, d: float, i: int, dtype) -> dict[str, Fraction]:
    """Element i of arange(s, ., d) under each evaluation the bound claims to cover."""
    S, D = Fraction(s), Fraction(d)
    out = {
        "scalar fused": _fl(_fl(S + i * D, F64), dtype),
        "scalar unfused": _fl(_fl(S + _fl(i * D, F64), F64), dtype),
    }
    for width in (2, 4, 8, 16):
        j, k = i - i % width, i % width
        for fused in (True, False):
            base = _fl(_fl(S + j * D, F64) if fused else _fl(S + _fl(j * D, F64), F64), dtype)
            t = _fl(base + k * D, F64) if fused else _fl(base + _fl(k * D, F64), F64)
            out[f"vector {width} {'fused' if fused else 'unfused'}"] = _fl(t, dtype)
    s_t, d_t = _fl(S, dtype), _fl(D, dtype)  # CUDA: start and step converted to the dtype first
    out["in dtype"] = _fl(s_t + _fl(i * d_t, dtype), dtype)
    out["in dtype fused"] = _fl(s_t + i * d_t, dtype)
    return out


def _ratio(s, d, i, dtype) -> float:
    x = Fraction(s) + i * Fraction(d)
    bound = Fraction(arange_bound(s, d, i, dtype))
    return max(float(abs(v - x) / bound) for v in evaluations(s, d, i, dtype).values())


@pytest.mark.parametrize("dtype", [R.float32, R.float64], ids=["float32", "float64"])
def test_bound_holds_for_every_evaluation(dtype):
    rng = random.Random(1234)
    for _ in range(150):
        s = rng.choice([rng.uniform(-1e6, 1e6), rng.randint(-500, 500) * rng.choice([0.01, 0.1, 0.84])])
        d = rng.choice([1, -1]) * rng.choice([rng.uniform(1e-3, 1e4), 0.1, 0.3, 0.84, 1.1])
        for i in rng.sample(range(256), 4):
            assert _ratio(s, d, i, dtype) <= 1.0, (s, d, i)


def test_bound_is_reasonably_tight():
    # found by a random search over start, step in [1, 2) with 29 fraction bits: start and step both
    # lose almost half an ulp in float32 in the same direction, and the product and sum round along
    assert _ratio(1.4290904719382524, 1.1297555472701788, 254, R.float32) >= 0.4


def test_integer_arange_is_exact():
    t = R.arange(-7, 20, 3, exact=True)
    assert t.accuracy == "exact" and t.tolist() == list(range(-7, 20, 3))


def test_length_is_computed_in_float64():
    exact = (Fraction(23.2) - Fraction(-2.0)) / Fraction(0.84)
    assert math.ceil(exact) == 31  # exact arithmetic on the same doubles
    assert arange_length(-2.0, 23.2, 0.84) == 30  # PyTorch's float64 computation
    assert R.arange(-2.0, 23.2, 0.84).numel() == 30
    assert arange_length(0, 10, 3) == 4 and arange_length(3, 3, 1) == 0 and arange_length(5, 0, -2) == 3


def test_bound_holds_for_torch():
    torch = pytest.importorskip("torch")
    rng = random.Random(99)
    for _ in range(200):
        s, d = rng.uniform(-1e4, 1e4), rng.choice([1, -1]) * rng.uniform(1e-2, 50)
        n = rng.randint(1, 120)
        for name in ("float32", "float64"):
            got = torch.arange(s, s + n * d, d, dtype=getattr(torch, name)).tolist()
            assert len(got) == arange_length(s, s + n * d, d)
            expected = R.arange(s, s + n * d, d, dtype=name, exact=True)
            for v, x, e in zip(got, expected.values(), expected.errs(), strict=True):
                assert abs(Fraction(v) - x) <= Fraction(e), (s, d, name)
