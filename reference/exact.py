"""Exact numbers, rounding to a dtype, and upward-rounded error bounds.

Exact floating values are ``fractions.Fraction`` (inputs are dyadic; division
is not). Rounding to a float dtype is done with integer arithmetic, round to
nearest, ties to even, so float32 never goes through a float64 (double
rounding would be wrong). Bounds are Python floats rounded upward after every
operation, which keeps them rigorous (an upper bound of the exact bound).
"""

from __future__ import annotations

import math
from fractions import Fraction

from .dtypes import DType

INF = math.inf


def _floor_log2(n: int, d: int) -> int:
    """The largest e with 2**e <= n/d, for positive integers n and d."""
    e = n.bit_length() - d.bit_length()
    if e >= 0:
        if n < (d << e):
            e -= 1
    elif (n << -e) < d:
        e -= 1
    return e


def round_float(x: Fraction | int, dtype: DType) -> Fraction | float:
    """x rounded to nearest-even in a float dtype; +-inf when it overflows."""
    if x == 0:
        return Fraction(0)
    negative = x < 0
    x = -x if negative else x
    n, d = (x.numerator, x.denominator) if isinstance(x, Fraction) else (x, 1)
    e = _floor_log2(n, d)
    q = max(e, dtype.emin) - (dtype.precision - 1)  # exponent of one ulp
    num, den = (n, d << q) if q >= 0 else (n << -q, d)
    m, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and m & 1):
        m += 1
    if m.bit_length() + q > dtype.emax + 1:
        return -INF if negative else INF
    value = Fraction(m << q) if q >= 0 else Fraction(m, 1 << -q)
    return -value if negative else value


def wrap_int(x: int, dtype: DType) -> int:
    """Two's-complement wrap-around, what an integer backend does on overflow."""
    half = 1 << (dtype.bits - 1)
    return (x + half) % (2 * half) - half


def to_dtype(x, dtype: DType):
    """Convert an exact value to dtype the way a cast does (floats truncate to ints)."""
    if dtype.is_bool:
        return x != 0
    if dtype.is_integer:
        return wrap_int(math.trunc(x), dtype)
    return round_float(x, dtype)


def representable(x, dtype: DType) -> bool:
    """True when converting x to dtype loses nothing."""
    if dtype.is_bool:
        return x in (0, 1)
    if dtype.is_integer:
        return x == math.trunc(x) and wrap_int(int(x), dtype) == x
    return round_float(x, dtype) == x


# ---- upward-rounded float arithmetic for error bounds -----------------------


def up(x: float) -> float:
    """The next float above x: turns a rounded-to-nearest result into an upper bound."""
    return math.nextafter(x, INF)


def down(x: float) -> float:
    """The next float below x: a lower bound where x was rounded to nearest."""
    return math.nextafter(x, -INF)


def mag(x) -> float:
    """An upper bound of |x| as a float."""
    if x == 0:
        return 0.0
    return up(float(abs(x)))


def add_up(*terms: float) -> float:
    """An upper bound of the sum of non-negative floats."""
    total = 0.0
    for t in terms:
        total = up(total + t)
    return total


def mul_up(a: float, b: float) -> float:
    """An upper bound of a*b for non-negative floats."""
    if a == 0.0 or b == 0.0:
        return 0.0
    return up(a * b)


def gamma(n: int, dtype: DType) -> float:
    """gamma_n = n*u / (1 - n*u), rounded upward (Higham, section 3.1)."""
    if n <= 0:
        return 0.0
    nu = n * dtype.unit_roundoff  # exact: u is a power of two and n is small
    if nu >= 1.0:
        return INF
    return up(nu / (1.0 - nu))  # 1 - nu is exact for n < 2**p


def exact_binary(op: str, x: Fraction | int, y: Fraction | int) -> Fraction | int:
    """The exact value of ``x op y`` for op in + - * / (y nonzero for /)."""
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "/":
        return Fraction(x) / y
    raise ValueError(f"unknown operation {op!r}")
