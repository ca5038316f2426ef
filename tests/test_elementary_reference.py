"""The reference's correctly rounded elementary functions against an independent oracle, mpmath.

mpmath evaluates f(x) with 400 bits; that value is rounded to the dtype once. A 400-bit
value could round differently from f(x) only if f(x) lay within 2^-340 relative of a
midpoint, which none of these inputs do (the reference's own loop would report it).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from tensorcts.reference import elementary as E
from tensorcts.reference.dtypes import float32, float64
from tensorcts.reference.exact import round_float

mpmath = pytest.importorskip("mpmath")

ORACLE = {
    "exp": "exp", "expm1": "expm1", "log": "ln", "log1p": "log1p", "sqrt": "sqrt",
    "sin": "sin", "cos": "cos", "tanh": "tanh",
}


def oracle(name: str, x: float, dtype) -> float:
    with mpmath.workprec(400):
        v = mpmath.mpf(x)
        value = 1 / (1 + mpmath.exp(-v)) if name == "sigmoid" else getattr(mpmath, ORACLE[name])(v)
        sign, man, exp, _ = value._mpf_
    return float(round_float((-1) ** sign * Fraction(man) * Fraction(2) ** exp, dtype))


def inputs(name: str, dtype, n: int = 150) -> list[float]:
    rng = random.Random(f"{name}-{dtype.name}")
    out = []
    for _ in range(n):
        kind = rng.randrange(4)
        if kind == 0:
            x = rng.uniform(-20, 20)
        elif kind == 1:
            x = math.ldexp(rng.uniform(-1, 1), rng.randint(-40, 0))  # near zero: expm1, log1p, sin, tanh
        elif kind == 2:
            x = math.ldexp(rng.uniform(-1, 1), rng.randint(10, 80))  # large: sin/cos argument reduction
        else:
            x = rng.uniform(-100, 100)
        if name in ("log", "sqrt"):
            x = abs(x)
        if name == "log1p":
            x = max(x, -0.999)
        if name in ("exp", "expm1", "sigmoid", "tanh"):
            x = max(min(x, 80.0), -80.0)
        out.append(float(round_float(Fraction(x), dtype)))
    return out


@pytest.mark.parametrize("dtype", [float32, float64], ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(E.FUNCTIONS))
def test_correctly_rounded_against_mpmath(name, dtype):
    wrong = [(x, E.FUNCTIONS[name](x, dtype), oracle(name, x, dtype)) for x in inputs(name, dtype)
             if E.FUNCTIONS[name](x, dtype) != oracle(name, x, dtype)]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("x", [708.0, 709.78, 709.79, -744.0, -745.1, 88.7, 88.8, -103.0, -104.0])
def test_exp_near_overflow_and_underflow(x):
    for dtype in (float32, float64):
        assert E.exp(x, dtype) == oracle("exp", x, dtype)


SPECIAL = [  # (function, x, IEEE 754 / C99 Annex F result)
    ("exp", -math.inf, 0.0), ("exp", math.inf, math.inf), ("exp", -0.0, 1.0),
    ("expm1", -0.0, -0.0), ("expm1", -math.inf, -1.0),
    ("log", 0.0, -math.inf), ("log", -0.0, -math.inf), ("log", -1.0, math.nan), ("log", 1.0, 0.0),
    ("log", math.inf, math.inf), ("log1p", -1.0, -math.inf), ("log1p", -0.0, -0.0), ("log1p", -2.0, math.nan),
    ("sqrt", -0.0, -0.0), ("sqrt", -1.0, math.nan), ("sqrt", math.inf, math.inf),
    ("sin", -0.0, -0.0), ("sin", math.inf, math.nan), ("cos", -math.inf, math.nan), ("cos", -0.0, 1.0),
    ("tanh", math.inf, 1.0), ("tanh", -math.inf, -1.0), ("tanh", -0.0, -0.0),
    ("sigmoid", math.inf, 1.0), ("sigmoid", -math.inf, 0.0), ("sigmoid", 0.0, 0.5),
]


@pytest.mark.parametrize(("name", "x", "want"), SPECIAL)
def test_special_values(name, x, want):
    got = E.FUNCTIONS[name](x, float32)
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == want and math.copysign(1, got) == math.copysign(1, want)
    assert all(math.isnan(E.FUNCTIONS[n](math.nan, float32)) for n in E.FUNCTIONS)


def test_ulp_error_measures_distance_to_the_exact_value():
    x = 1.0
    exact = Fraction(oracle("exp", x, float64))
    one_off = math.nextafter(float(exact), math.inf)
    assert E.ulp_error("exp", x, float(exact), float64) < 0.5
    assert 0.5 < E.ulp_error("exp", x, one_off, float64) < 1.5
    assert E.ulp_error("sqrt", 2.0, math.sqrt(2.0), float64) < 0.5
    assert E.ulp_error("log", -1.0, 0.0, float64) == math.inf


# ---- derivatives (spec/autograd.md, autograd.elementary-grad) --------------------------------------------

DERIVATIVE = {  # f'(x) by mpmath, from its own functions (not the reference's identities)
    "exp": lambda v: mpmath.exp(v), "expm1": lambda v: mpmath.exp(v), "log": lambda v: 1 / v,
    "log1p": lambda v: 1 / (1 + v), "sqrt": lambda v: 1 / (2 * mpmath.sqrt(v)), "sin": lambda v: mpmath.cos(v),
    "cos": lambda v: -mpmath.sin(v), "tanh": lambda v: mpmath.sech(v) ** 2,
    "sigmoid": lambda v: mpmath.exp(-v) / (1 + mpmath.exp(-v)) ** 2,
}
READ = {"cosh": lambda v: mpmath.cosh(v), "rsqrt": lambda v: 1 / mpmath.sqrt(v), "sqrt": lambda v: mpmath.sqrt(v),
        "tanh": lambda v: mpmath.tanh(v), "cos": lambda v: mpmath.cos(v),
        "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v))}


def _mp(fn, x: float) -> Fraction:
    with mpmath.workprec(400):
        sign, man, exp, _ = fn(mpmath.mpf(x))._mpf_
    return (-1) ** sign * Fraction(man) * Fraction(2) ** exp if man else Fraction(0)


def _grad_inputs(name: str, dtype, n: int = 60) -> list[float]:
    xs = [x for x in inputs(name, dtype, 3 * n) if abs(x) < 2.0 ** 40][:n]
    if name in ("tanh", "sigmoid"):
        xs = [max(min(x, 40.0), -40.0) for x in xs]
    return [x for x in xs if x != 0 or name not in ("log", "sqrt")] + [0.0] * (name not in ("log", "sqrt", "log1p"))


@pytest.mark.parametrize("dtype", [float32, float64], ids=lambda d: d.name)
@pytest.mark.parametrize("name", sorted(DERIVATIVE))
def test_derivative_enclosure_holds_mpmath(name, dtype):
    """mpmath's f'(x) at 400 bits lies in the reference's enclosure, which is narrower than 2^-20 ulp."""
    for x in _grad_inputs(name, dtype):
        if name == "log" and x <= 0 or name == "log1p" and x <= -1:
            continue
        lo, hi = E.derivative_enclosure(name, x, dtype)
        exact = _mp(DERIVATIVE[name], x)
        slack = Fraction(1, 2 ** 380) * abs(exact)  # mpmath's own rounding at 400 bits
        assert lo - slack <= exact <= hi + slack, (name, x, float(lo), float(exact), float(hi))
        assert (hi - lo) * 2 ** 20 <= E.ulp_of(exact, dtype), (name, x)


@pytest.mark.parametrize("name", sorted(READ))
def test_values_a_backward_reads_hold_mpmath(name):
    """cosh and x^(-1/2) (HIPS autograd's tanh and sqrt), and the others the forms read."""
    rng = random.Random(name)
    for dtype in (float32, float64):
        for _ in range(40):
            x = float(round_float(Fraction(rng.uniform(0.01, 21.0)), dtype))
            lo, hi = E.value_enclosure(name, x, dtype)
            exact = _mp(READ[name], x)
            assert lo - abs(exact) / 2 ** 380 <= exact <= hi + abs(exact) / 2 ** 380, (name, x)
            assert (hi - lo) * 2 ** 20 <= E.ulp_of(exact, dtype)
    assert E.value_enclosure("sin", 0.0, float32) == (0, 0) and E.derivative_enclosure("cos", 0.0, float32) == (0, 0)
