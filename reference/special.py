"""IEEE 754 results with special values (spec/special.md), on Python floats.

Finite operands are combined exactly (fractions) and rounded once to the dtype;
infinities and NaN follow IEEE 754 §7 (Python's float arithmetic does, except
that it raises on division by zero); a zero result gets the sign §6.3 gives.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .dtypes import DType
from .exact import exact_binary, round_float

NAN, INF = math.nan, math.inf


def _sign(x: float) -> float:
    return math.copysign(1.0, x)


def _signed_zero(negative: bool) -> float:
    return -0.0 if negative else 0.0


def flush(x: float, dtype: DType) -> float:
    """A subnormal read as a zero of its sign (FTZ/DAZ), anything else unchanged."""
    if x != 0 and math.isfinite(x) and abs(x) < 2.0 ** dtype.emin:
        return _signed_zero(x < 0)
    return x


def binary(op: str, a: float, b: float, dtype: DType, flush_subnormals: bool = False) -> float:
    """a op b for op in + - * / as IEEE 754 binary arithmetic in dtype (round to nearest)."""
    if flush_subnormals:
        a, b = flush(a, dtype), flush(b, dtype)
    if math.isnan(a) or math.isnan(b):
        return NAN
    if op == "/" and b == 0:
        return NAN if a == 0 else _sign(a) * _sign(b) * INF
    if math.isinf(a) or math.isinf(b):
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[op]()
    exact = exact_binary(op, Fraction(a), Fraction(b))  # finite a and b (a division by zero is the caller's IEEE case)
    if exact == 0:  # §6.3: exact zero sums are +0 unless both addends are -0; products xor the signs
        if op in "+-":
            b_sign = -_sign(b) if op == "-" else _sign(b)
            return _signed_zero(_sign(a) < 0 and b_sign < 0)
        return _signed_zero(_sign(a) * _sign(b) < 0)
    rounded = round_float(exact, dtype)
    out = float(rounded) if rounded != 0 else _signed_zero(exact < 0)
    return flush(out, dtype) if flush_subnormals else out


def negate(a: float) -> float:
    return -a  # Python's float negation flips the sign bit, zeros and NaN included


def reduce_special(values: list[float]) -> float | None:
    """sum and mean of values holding a NaN or an infinity: NaN, or the infinity; None when finite."""
    if any(math.isnan(v) for v in values):
        return NAN
    infinities = {v for v in values if math.isinf(v)}
    if len(infinities) == 2:
        return NAN
    return infinities.pop() if infinities else None


def matmul_special(a_row: list[float], b: list[list[float]]) -> list[float | None]:
    """Row i of a @ b for finite nonzero b: NaN everywhere if the row has a NaN, the signed
    infinity of a[i, k]·b[k, j] if it has one infinity; None where the result is finite."""
    if any(math.isnan(v) for v in a_row):
        return [NAN] * len(b[0])
    specials = [k for k, v in enumerate(a_row) if math.isinf(v)]
    if len(specials) != 1:
        return [None] * len(b[0])
    k = specials[0]
    return [a_row[k] * b[k][j] for j in range(len(b[0]))]
