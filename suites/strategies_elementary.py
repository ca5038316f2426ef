"""Inputs for the elementary functions: a band, the hard regions, and the special points."""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

from hypothesis import strategies as st
from tensorcts.reference.dtypes import BY_NAME
from tensorcts.reference.exact import round_float


def _in_dtype(x: float, dtype: str) -> float:
    return float(round_float(Fraction(x), BY_NAME[dtype])) if x else x


def _scaled(dtype: str, lo_exp: int, hi_exp: int) -> st.SearchStrategy:
    """±m·2^e with m in [1, 2) and e in [lo_exp, hi_exp], rounded to the dtype."""
    return st.builds(lambda m, e, s: _in_dtype(s * math.ldexp(m, e), dtype),
                     st.floats(1.0, 2.0, exclude_max=True), st.integers(lo_exp, hi_exp), st.sampled_from([1.0, -1.0]))


def _band(dtype: str, lo: float, hi: float) -> st.SearchStrategy:
    return st.floats(lo, hi, allow_subnormal=False).map(lambda x: _in_dtype(x, dtype))


def _limits(dtype: str) -> tuple[float, float]:
    """log of the largest finite float and of the smallest subnormal, rounded inwards a little."""
    d = BY_NAME[dtype]
    return (d.emax + 1) * math.log(2) - 1e-6, (d.emin - d.precision + 1) * math.log(2) + 1e-6


def _region(name: str, dtype: str) -> st.SearchStrategy:
    band = st.one_of(_band(dtype, -20.0, 20.0), _scaled(dtype, -3, 4))  # every binade of 1/8..32 alike
    small = _scaled(dtype, -40, -1)
    if name == "exp":
        top, bottom = _limits(dtype)
        return st.one_of(band, _band(dtype, top - 1, top), _band(dtype, bottom, bottom + 1), small)
    if name in ("expm1", "tanh"):
        return st.one_of(band, small)
    if name == "log":
        return st.one_of(_band(dtype, 0.0, 100.0).filter(lambda x: x > 0), _scaled(dtype, -60, 60).map(abs),
                         small.map(lambda x: _in_dtype(1 + x, dtype)))
    if name == "log1p":
        return st.one_of(_band(dtype, -0.99, 100.0), small)
    if name == "sqrt":
        return st.one_of(_scaled(dtype, -60, 60).map(abs),
                         _band(dtype, 0.0, 4096.0).map(lambda x: _in_dtype(x * x, dtype)))
    if name in ("sin", "cos"):
        return st.one_of(band, small, _scaled(dtype, 4, 40))
    saturating = _band(dtype, 20.0, 800.0).flatmap(lambda x: st.sampled_from([x, -x]))
    return st.one_of(band, _band(dtype, -100.0, 100.0), small, saturating)  # sigmoid


def _finite_and_normal(dtype: str):
    """Inputs are finite, and zero or normal: a subnormal input is special.subnormal's case (a backend may
    declare that it reads subnormals as zero), and the dtype's rounding can make one from a normal float64
    (a square x*x, or a draw near 0 rounded to float32)."""
    smallest_normal = 2.0 ** BY_NAME[dtype].emin
    return lambda x: math.isfinite(x) and (x == 0 or abs(x) >= smallest_normal)


@cache  # one strategy object per (name, dtype): see strategies.reused
def function_inputs(name: str, dtype: str, max_size: int = 16) -> st.SearchStrategy:
    return st.lists(_region(name, dtype).filter(_finite_and_normal(dtype)), min_size=1, max_size=max_size)


INF, NAN = math.inf, math.nan
SPECIAL_POINTS = {  # the inputs spec/elementary.md's special-values rule names
    "exp": [-INF, INF, 0.0, -0.0, NAN], "expm1": [0.0, -0.0, -INF, INF, NAN],
    "log": [0.0, -0.0, -1.0, 1.0, INF, -INF, NAN], "log1p": [-1.0, 0.0, -0.0, -2.0, INF, NAN],
    "sqrt": [0.0, -0.0, -1.0, INF, -INF, NAN], "sin": [0.0, -0.0, INF, -INF, NAN],
    "cos": [0.0, -0.0, INF, -INF, NAN], "tanh": [0.0, -0.0, INF, -INF, NAN],
    "sigmoid": [INF, -INF, 0.0, -0.0, NAN],
}


TINY = 2.0 ** -40  # the smallest nonzero magnitude of a gradient input: y*y stays normal in float32


def _positive(dtype: str, lo_exp: int, hi_exp: int) -> st.SearchStrategy:
    return _scaled(dtype, lo_exp, hi_exp).map(abs)


def _grad_band(dtype: str, lo: float, hi: float) -> st.SearchStrategy:
    """A band whose nonzero values are at least TINY in magnitude (tinier ones become 0)."""
    return _band(dtype, lo, hi).map(lambda x: x if abs(x) >= TINY else 0.0)


def _grad_region(name: str, dtype: str) -> st.SearchStrategy:
    """Inputs of autograd.elementary-grad (spec/autograd.md): f's domain, where f(x), f'(x) and every
    intermediate of the backward formulas stay normal and finite (no overflow, no subnormal)."""
    band = st.one_of(_grad_band(dtype, -20.0, 20.0), _scaled(dtype, -3, 4))  # every binade of 1/8..32 alike
    small = _scaled(dtype, -40, -1)
    if name in ("exp", "expm1"):
        return st.one_of(band, small, _grad_band(dtype, -38.0, 38.0))  # e^38 * 8 < 2^60
    if name == "log":
        return st.one_of(_positive(dtype, -30, 30), _grad_band(dtype, 0.0, 100.0).filter(lambda x: x > 0),
                         small.map(lambda x: _in_dtype(1 + x, dtype)))
    if name == "log1p":  # -1 + 2^-k: 1 + x exact and small, the gradient large
        return st.one_of(_grad_band(dtype, -0.99, 100.0), small,
                         st.integers(1, 20).map(lambda k: _in_dtype(-1 + 2.0 ** -k, dtype)))
    if name == "sqrt":
        return st.one_of(_positive(dtype, -60, 60),
                         _band(dtype, 2.0 ** -20, 4096.0).map(lambda x: _in_dtype(x * x, dtype)))
    if name in ("sin", "cos"):
        return st.one_of(band, small, _scaled(dtype, 4, 30))
    if name == "tanh":  # up to 21: tanh'(x) * 2^-4 = 2^-4 * 4e^(-2|x|) stays above 2^-60
        return st.one_of(band, small, _band(dtype, 7.0, 21.0).flatmap(lambda x: st.sampled_from([x, -x])))
    return st.one_of(band, small, _band(dtype, 20.0, 40.0).flatmap(lambda x: st.sampled_from([x, -x])))  # sigmoid


@cache
def grad_inputs(name: str, dtype: str, max_size: int = 8) -> st.SearchStrategy:
    """Inputs x for the gradient of f at x (autograd.elementary-grad)."""
    return st.lists(_grad_region(name, dtype).filter(math.isfinite), min_size=1, max_size=max_size)
