"""Exact sums and dot products, and the error bounds every operation shares (each written once).

Values are exact (``int`` or ``Fraction``); bounds are floats rounded upward
(``exact.py``), so each bound is an upper bound of the exact bound it states.
With u the unit roundoff of the target dtype and gamma_n = n*u / (1 - n*u):
  conversion of (x, e) to a dtype:  0 when e = 0 and x is representable, else e + u*(|x| + e)
  sum of n terms (any order):       sum(e_i) + gamma_(n-1) * sum(|x_i| + e_i)
  dot product of length k:          sum(|x_t| ey_t + |y_t| ex_t + ex_t ey_t)
                                    + gamma_k * sum((|x_t| + ex_t)(|y_t| + ey_t))
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from .dtypes import DType
from .exact import add_up, gamma, mag, mul_up, representable

Exact = int | Fraction


def conversion_err(value: Exact, err: float, source: DType | None, target: DType) -> float:
    """The bound of (value, err) after converting it from ``source`` (None: a Python scalar) to ``target``."""
    if not target.is_floating or source == target:
        return err
    if err == 0.0 and representable(value, target):
        return 0.0
    return add_up(err, target.unit_roundoff * add_up(mag(value), err))


def exact_sum(xs: Sequence) -> Exact:
    """The exact sum of ``xs`` (0 for none)."""
    if not xs:
        return 0
    if isinstance(xs[0], Fraction) and all(_is_dyadic(x) for x in xs):
        return _dyadic_sum(xs)
    total = xs[0]
    for x in xs[1:]:
        total += x
    return total


def _is_dyadic(x: Fraction) -> bool:
    return not x.denominator & (x.denominator - 1)


def _dyadic_sum(xs: Sequence[Fraction]) -> Fraction:
    """Why: float inputs are dyadic; one integer sum over the largest denominator beats Fraction additions."""
    scale = max(x.denominator for x in xs)
    total = 0
    for x in xs:
        total += x.numerator * (scale // x.denominator)
    return Fraction(total, scale)


def sum_bound(xs: Sequence, es: Sequence[float], dtype: DType) -> float:
    """The bound of a sum of the terms (xs, es) evaluated in ``dtype`` in any order or tree."""
    carried = add_up(*es) if any(es) else 0.0
    magnitude = add_up(*(add_up(mag(x), e) for x, e in zip(xs, es, strict=True)))
    return add_up(carried, mul_up(gamma(len(xs) - 1, dtype), magnitude))


def exact_dot(xs: Sequence, ys: Sequence) -> Exact:
    """The exact dot product sum(x_t * y_t); a Fraction when the operands are Fractions."""
    total = 0
    for x, y in zip(xs, ys, strict=True):
        total += x * y
    return Fraction(total) if isinstance(total, int) and xs and isinstance(xs[0], Fraction) else total


def dot_bound(xs: Sequence, ys: Sequence, exs: Sequence[float] | None, eys: Sequence[float] | None,
              dtype: DType) -> float:
    """The bound of a dot product of length k in ``dtype``: any order, fused multiply-add allowed."""
    k = len(xs)
    if k == 0:
        return 0.0
    if exs is None and eys is None:
        magnitude = add_up(*(mul_up(mag(x), mag(y)) for x, y in zip(xs, ys, strict=True)))
        return mul_up(gamma(k, dtype), magnitude)
    exs = exs or [0.0] * k
    eys = eys or [0.0] * k
    carried = add_up(*(add_up(mul_up(mag(x), ey), mul_up(mag(y), ex), mul_up(ex, ey))
                       for x, y, ex, ey in zip(xs, ys, exs, eys, strict=True)))
    magnitude = add_up(*(mul_up(add_up(mag(x), ex), add_up(mag(y), ey))
                         for x, y, ex, ey in zip(xs, ys, exs, eys, strict=True)))
    return add_up(carried, mul_up(gamma(k, dtype), magnitude))
