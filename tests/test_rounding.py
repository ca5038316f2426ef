"""round_float against independent oracles: struct-packed float32 and Python's own float conversion.

struct.pack("f", x) rounds a double to float32 to nearest, ties to even (IEEE), and
float(Fraction) (an integer true division) is correctly rounded to float64 in CPython.
Every input below is chosen so the oracle's own conversion is single-rounding: for
float32, the inputs are float64 values (exact in a double); for float64, exact
fractions n/d handed to Python's correctly rounded int division.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tensorcts.reference.dtypes import float32, float64
from tensorcts.reference.exact import round_float

F32_MAX = Fraction((2**24 - 1) * 2**104)  # (2 - 2^-23) * 2^127
F32_OVERFLOW_TIE = Fraction((2**25 - 1) * 2**103)  # halfway between F32_MAX and 2^128
F32_MIN_NORMAL = Fraction(1, 2**126)
F32_MIN_SUBNORMAL = Fraction(1, 2**149)
F64_MIN_SUBNORMAL = Fraction(1, 2**1074)


def struct_f32(x: float) -> float:
    """The IEEE float32 nearest to the double x (ties to even), via struct (PyFloat_Pack4).

    struct refuses a value whose rounding overflows (OverflowError): that is the IEEE infinity.
    """
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def as_float(v) -> float:
    return float(v) if not isinstance(v, float) else v


# ---- ties to even ---------------------------------------------------------------------------


@pytest.mark.parametrize("x, want", [
    (1 + Fraction(1, 2**24), 1),  # tie between 1 and 1 + 2^-23: even is 1
    (1 + Fraction(3, 2**24), 1 + Fraction(1, 2**22)),  # tie between odd 1+2^-23 and even 1+2^-22
    (1 + Fraction(1, 2**24) + Fraction(1, 2**60), 1 + Fraction(1, 2**23)),  # just above the tie
    (1 + Fraction(1, 2**24) - Fraction(1, 2**60), 1),  # just below the tie
    (Fraction(2**24 + 1), 2**24),  # integers above 2^24: tie to even
    (Fraction(2**24 + 3), 2**24 + 4),
    (Fraction(1, 3), Fraction(11184811, 2**25)),  # 0.3333333432674408
])
def test_float32_hand_values(x, want):
    assert round_float(x, float32) == want
    assert round_float(-x, float32) == -Fraction(want)
    assert round_float(x, float32) == Fraction(struct_f32(float(x))) or float(x) != x


@pytest.mark.parametrize("x, want", [
    (1 + Fraction(1, 2**53), 1),
    (1 + Fraction(3, 2**53), 1 + Fraction(1, 2**51)),
    (Fraction(2**53 + 1), 2**53),
    (Fraction(1, 10), Fraction(0.1)),
])
def test_float64_hand_values(x, want):
    assert round_float(x, float64) == want
    assert round_float(x, float64) == Fraction(float(x))


@given(st.floats(allow_nan=False, allow_infinity=False))
@example(2.0**-150).via("tie at half the smallest subnormal: rounds to 0")
@example(3 * 2.0**-150).via("tie between 1 and 2 subnormal ulps: rounds to 2")
@example(float(F32_OVERFLOW_TIE)).via("tie at the overflow threshold: rounds to inf")
@example(math.nextafter(float(F32_OVERFLOW_TIE), 0)).via("just below the threshold: max")
@settings(max_examples=500)
def test_float32_matches_struct(x):
    got = round_float(Fraction(x), float32)
    assert as_float(got) == struct_f32(x)


@given(st.integers(-(2**80), 2**80), st.integers(1, 2**80))
@settings(max_examples=500)
def test_float64_matches_int_division(n, d):
    assert round_float(Fraction(n, d), float64) == Fraction(n / d)


@given(st.integers(1, 2**60), st.integers(1000, 1100))
@example(1, 1075).via("half the smallest float64 subnormal: rounds to 0")
@example(3, 1075).via("tie between 1 and 2 subnormal ulps")
def test_float64_subnormals_match_int_division(n, shift):
    x = Fraction(n, 2**shift)
    assert round_float(x, float64) == Fraction(n / 2**shift)


# ---- boundaries ---------------------------------------------------------------------------------


def test_float32_overflow_boundary():
    assert round_float(F32_MAX, float32) == F32_MAX
    assert round_float(F32_OVERFLOW_TIE - Fraction(1, 2**200), float32) == F32_MAX
    assert round_float(F32_OVERFLOW_TIE, float32) == math.inf  # the tie goes to even 2^128: overflow
    assert round_float(-F32_OVERFLOW_TIE, float32) == -math.inf
    assert struct_f32(float(F32_OVERFLOW_TIE)) == math.inf


def test_float64_overflow_boundary():
    f64_max = Fraction(2**53 - 1) * 2**971
    tie = Fraction(2**54 - 1) * 2**970
    assert round_float(f64_max, float64) == f64_max == Fraction(float.fromhex("0x1.fffffffffffffp+1023"))
    assert round_float(tie - 1, float64) == f64_max
    assert round_float(tie, float64) == math.inf


def test_float32_subnormal_boundary():
    assert round_float(F32_MIN_NORMAL, float32) == F32_MIN_NORMAL
    assert round_float(F32_MIN_NORMAL - F32_MIN_SUBNORMAL, float32) == F32_MIN_NORMAL - F32_MIN_SUBNORMAL
    assert round_float(F32_MIN_SUBNORMAL, float32) == F32_MIN_SUBNORMAL
    assert round_float(F32_MIN_SUBNORMAL / 2, float32) == 0  # tie: 0 is even
    assert round_float(F32_MIN_SUBNORMAL * 3 / 4, float32) == F32_MIN_SUBNORMAL
    assert round_float(F32_MIN_SUBNORMAL * 3 / 2, float32) == 2 * F32_MIN_SUBNORMAL  # tie: 2 ulps is even
    # below 2^-126 the ulp stays 2^-149: a value with more bits is rounded on that grid
    x = F32_MIN_NORMAL / 2 + F32_MIN_SUBNORMAL / 2
    assert round_float(x, float32) == F32_MIN_NORMAL / 2
    assert Fraction(struct_f32(float(x))) == F32_MIN_NORMAL / 2


def test_float64_subnormal_boundary():
    assert round_float(F64_MIN_SUBNORMAL, float64) == F64_MIN_SUBNORMAL == Fraction(5e-324)
    assert round_float(F64_MIN_SUBNORMAL / 2, float64) == 0
    assert round_float(F64_MIN_SUBNORMAL * 3 / 2, float64) == 2 * F64_MIN_SUBNORMAL
