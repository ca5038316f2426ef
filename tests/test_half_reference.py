"""The half-precision reference (reference/half.py, spec/half.md) against independent oracles.

- Rounding: ``round_float`` to float16 against ``struct.pack('e')`` (CPython's PyFloat_Pack2,
  round to nearest even from a double) and NumPy's ``float16`` conversion; to bfloat16 against
  an oracle written here in float arithmetic (``frexp`` and Python's round-half-even ``round``)
  and, where installed, ml_dtypes' ``bfloat16`` of float32 values. Ties, subnormals and the
  overflow threshold included.
- The double-rounding claim of the spec: float32 then the half format equals one rounding, for
  + - * / on every family the suites draw.
- The bounds: they hold for float32 (and float64-then-float32) accumulation in many orders and
  trees, for both mean evaluations and for dot products; they are tight; and the half
  accumulation the rules exclude falls outside them on the ``absorb`` family, always.
NumPy float32/float16 scalars give real IEEE arithmetic here, in the tests only.
"""

from __future__ import annotations

import math
import random
import struct
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tensorcts.reference import half as H
from tensorcts.reference.dtypes import HALF_BY_NAME, bfloat16, float16, float32
from tensorcts.reference.exact import round_float
from tensorcts.reference.tensor import Tensor
from tensorcts.suites import strategies_half as SH

F16_MAX = 65504.0
F16_THRESHOLD = 65520.0  # 65504 + half an ulp: rounds to inf (a tie, to the even 2**16)
BF16_MAX = (2 - 2.0**-7) * 2.0**127


# ---- independent oracles ----------------------------------------------------------------------------------


def struct_f16(x: float) -> float:
    """The float16 nearest to the double x, ties to even (struct's 'e' format); inf where it overflows."""
    try:
        return struct.unpack("<e", struct.pack("<e", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def numpy_f16(x: float) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow to inf is the answer, not a problem
        return float(np.float16(x))


def float_oracle(x: float, precision: int, emin: int, emax: int) -> float:
    """x rounded to nearest-even with ``precision`` bits in float arithmetic: frexp gives the binade, the
    significand is scaled to an integer (exact: a power-of-two scaling) and Python's round() rounds it
    half to even; below 2**emin the grid is the subnormal one."""
    if x == 0 or not math.isfinite(x):
        return x
    _, e = math.frexp(x)  # 2**(e-1) <= |x| < 2**e
    if e > emax + 1:  # |x| >= 2**(emax+1): beyond the largest finite value and its half ulp
        return math.copysign(math.inf, x)
    e = max(e, emin + 1)
    scale = precision - e  # one ulp is 2**-scale
    r = math.ldexp(round(math.ldexp(x, scale)), -scale)
    largest = (2 - 2.0 ** (1 - precision)) * 2.0**emax
    return math.copysign(math.inf, x) if abs(r) > largest else r


def bf16_oracle(x: float) -> float:
    return float_oracle(x, 8, -126, 127)


def reference(x: float, dtype) -> float:
    return float(round_float(Fraction(x), dtype))


# ---- rounding: hand values, then many -----------------------------------------------------------------------

F16_CASES = [
    (1 + 2.0**-11, 1.0),  # a tie: even is 1
    (1 + 3 * 2.0**-11, 1 + 2.0**-9),  # a tie between odd 1 + 2^-10 and even 1 + 2^-9
    (1 + 2.0**-11 + 2.0**-30, 1 + 2.0**-10),  # just above the tie
    (2049.0, 2048.0), (2051.0, 2052.0),  # integers above 2^11: ties to even
    (1 / 3, 0.333251953125),
    (2.0**-25, 0.0),  # half the smallest subnormal: a tie, to even 0
    (3 * 2.0**-25, 2.0**-23),  # a subnormal tie, to even 2 * 2^-24
    (2.0**-25 + 2.0**-40, 2.0**-24),
    (2.0**-14 - 2.0**-25, 2.0**-14),  # a tie at the top of the subnormals: up to the smallest normal
    (F16_MAX, F16_MAX), (F16_THRESHOLD - 2.0**-10, F16_MAX), (F16_THRESHOLD, math.inf), (1e6, math.inf),
]


@pytest.mark.parametrize("x, want", F16_CASES)
def test_float16_hand_values(x, want):
    for value, expected in ((x, want), (-x, -want)):
        assert reference(value, float16) == expected
        assert struct_f16(value) == expected
        assert numpy_f16(value) == expected


BF16_CASES = [
    (1 + 2.0**-8, 1.0), (1 + 3 * 2.0**-8, 1 + 2.0**-6), (1 + 2.0**-8 + 2.0**-30, 1 + 2.0**-7),
    (1 / 3, 0.333984375), (257.0, 256.0), (259.0, 260.0),
    (2.0**-134, 0.0), (3 * 2.0**-134, 2.0**-132), (2.0**-126 - 2.0**-134, 2.0**-126),
    (BF16_MAX, BF16_MAX), ((2 - 2.0**-8) * 2.0**127, math.inf), (2.0**128, math.inf),
]


@pytest.mark.parametrize("x, want", BF16_CASES)
def test_bfloat16_hand_values(x, want):
    for value, expected in ((x, want), (-x, -want)):
        assert reference(value, bfloat16) == expected
        assert bf16_oracle(value) == expected


doubles = st.floats(allow_nan=False, allow_infinity=False, width=64)


def near(dtype) -> st.SearchStrategy:
    """Doubles at and around the half format's representable values, midpoints and thresholds."""
    p, emin, emax = dtype.precision, dtype.emin, dtype.emax
    return st.builds(
        lambda m, e, offset, sign: sign * (math.ldexp(m, e - p) + offset * math.ldexp(1.0, e - p - 30)),
        st.integers(2**p, 2 ** (p + 1) - 1), st.integers(emin - p, emax + 1), st.integers(-3, 3),
        st.sampled_from([1.0, -1.0]))


@settings(max_examples=3000, deadline=None)
@given(x=st.one_of(doubles, near(float16)))
@example(x=F16_THRESHOLD)
@example(x=2.0**-25)
def test_float16_matches_struct_and_numpy(x):
    want = reference(x, float16)
    assert struct_f16(x) == want
    assert numpy_f16(x) == want
    assert float_oracle(x, 11, -14, 15) == want


@settings(max_examples=1500, deadline=None)
@given(x=st.one_of(doubles.filter(lambda v: abs(v) < 2.0**200), near(bfloat16)))
@example(x=(2 - 2.0**-8) * 2.0**127)
def test_bfloat16_matches_the_float_oracle(x):
    assert bf16_oracle(x) == reference(x, bfloat16)


@settings(max_examples=1000, deadline=None)
@given(x=st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_bfloat16_matches_ml_dtypes_on_float32_values(x):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    want = reference(x, bfloat16)
    assert float(np.float32(x).astype(ml_dtypes.bfloat16)) == want


def test_half_dtypes_are_apart_from_the_other_areas():
    """float16 and bfloat16 are looked up apart: no other area draws them, promotion does not know them."""
    from tensorcts.adapters.base import DTYPE_NAMES, HALF_DTYPE_NAMES
    from tensorcts.reference import dtypes as D
    assert tuple(HALF_BY_NAME) == HALF_DTYPE_NAMES == ("float16", "bfloat16")
    assert not set(HALF_BY_NAME) & (set(D.BY_NAME) | set(DTYPE_NAMES))
    assert all(d not in D.ALL and d not in D.FLOATING for d in D.HALF)
    assert (float16.precision, float16.emin, float16.emax) == (11, -14, 15)
    assert (bfloat16.precision, bfloat16.emin, bfloat16.emax) == (8, -126, 127)


# ---- double rounding: float32 first, then the half format, is one rounding ---------------------------------


def twice(exact: Fraction, dtype) -> Fraction | float:
    first = round_float(exact, float32)
    return first if math.isinf(first) else round_float(first, dtype)


@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_float32_then_half_is_correctly_rounded(data):
    """spec/half.md's use of the double-rounding theorem (q = 24 >= 2p + 2), on every family drawn."""
    dtype = data.draw(st.sampled_from(["float16", "bfloat16"]))
    op = data.draw(st.sampled_from(["+", "-", "*", "/"]))
    family = data.draw(st.sampled_from(["band", "overflow"] + (["subnormal"] if dtype == "float16" else [])))
    xs, ys = data.draw(SH.elementwise_pair(dtype, op, family, 8))
    d = HALF_BY_NAME[dtype]
    for x, y in zip(xs, ys, strict=True):
        exact = H.exact_binary(op, x, y)
        assert twice(exact, d) == H.binary(op, x, y, d), (op, x, y)


def test_float32_then_float16_quotients_below_the_normal_range():
    """Every quotient a / b of float16 values that lands in float16's subnormal range, for a in a dense
    set of small values and b over every binade: one rounding either way (the spec's argument)."""
    rng = random.Random(5)
    smalls = [Fraction(k, 2**24) for k in range(1, 1024)] + [Fraction(m, 2 ** (24 - e)) for e in range(1, 5)
                                                               for m in range(1024, 2048, 7)]
    for _ in range(20000):
        a = rng.choice(smalls)
        b = Fraction(rng.randrange(1024, 2048), 2**10) * Fraction(2) ** rng.randint(0, 15)
        q = a / b
        if q < Fraction(1, 2**14):
            assert twice(q, float16) == round_float(q, float16), (a, b)


# ---- bounds: they hold for what the rules allow -----------------------------------------------------------------

F32 = np.float32


def half_values(rng: random.Random, dtype, n: int, lo: int, hi: int) -> list[Fraction]:
    p = dtype.precision
    out = []
    for _ in range(n):
        if out and rng.random() < 0.2:
            out.append(-rng.choice(out))  # cancellation
        else:
            m = rng.randrange(2 ** (p - 1), 2**p)
            out.append(rng.choice((1, -1)) * Fraction(m, 2 ** (p - 1)) * Fraction(2) ** rng.randint(lo, hi - 1))
    return out


def to_half(x: float, dtype) -> Fraction:
    """An independent rounding of a float32 or float64 value to the half format."""
    r = numpy_f16(float(x)) if dtype is float16 else bf16_oracle(float(x))
    return Fraction(r)


def float32_sums(xs: list[Fraction], rng: random.Random, count: int = 40):
    """float32 sums of xs (exact in float32) in many orders and trees, and a float64 accumulator
    rounded to float32."""
    terms = [F32(float(x)) for x in xs]

    def tree(ts):
        if len(ts) == 1:
            return ts[0]
        cut = rng.randint(1, len(ts) - 1)
        return tree(ts[:cut]) + tree(ts[cut:])

    def pairwise(ts):
        return ts[0] if len(ts) == 1 else pairwise(ts[:len(ts) // 2]) + pairwise(ts[len(ts) // 2:])

    yield pairwise(terms)
    yield F32(math.fsum(float(x) for x in xs))  # float64-or-better, then float32
    for _ in range(count):
        order = terms[:]
        rng.shuffle(order)
        if rng.random() < 0.5:
            total = order[0]
            for t in order[1:]:
                total = total + t
            yield total
        else:
            yield tree(order)


@pytest.mark.parametrize("dtype", [float16, bfloat16], ids=["float16", "bfloat16"])
@pytest.mark.parametrize("seed", range(3))
def test_sum_bound_holds_for_float32_accumulation(dtype, seed):
    rng = random.Random(seed)
    lo, hi = SH.BAND[dtype.name]["reduction"]
    for n in (2, 3, 7, 16, 64, 256):
        xs = half_values(rng, dtype, n, lo, hi) if rng.random() < 0.7 else half_values(rng, dtype, n, -2, 2)
        s, bound = sum(xs, Fraction(0)), Fraction(H.sum_bound(xs, dtype))
        for total in float32_sums(xs, rng):
            assert abs(to_half(total, dtype) - s) <= bound, (xs, total)


@pytest.mark.parametrize("dtype", [float16, bfloat16], ids=["float16", "bfloat16"])
def test_mean_bound_holds_for_both_evaluations(dtype):
    """float32 sum, then / n in float32 or * fl32(1/n), then the cast; or the sum cast first and divided in
    the half format."""
    rng = random.Random(11)
    lo, hi = SH.BAND[dtype.name]["reduction"]
    for n in (1, 2, 3, 7, 10, 33, 255):
        xs = half_values(rng, dtype, n, lo, hi)
        m, bound = sum(xs, Fraction(0)) / n, Fraction(H.mean_bound(xs, dtype))
        for total in float32_sums(xs, rng, 20):
            for value in (total / F32(n), total * (F32(1) / F32(n))):
                assert abs(to_half(value, dtype) - m) <= bound
            rounded = to_half(total, dtype)  # the sum in the half format, then divided there
            assert abs(to_half(float(round_float(rounded / n, dtype)), dtype) - m) <= bound


@pytest.mark.parametrize("dtype", [float16, bfloat16], ids=["float16", "bfloat16"])
def test_dot_bound_holds_for_exact_products_and_float32_accumulation(dtype):
    rng = random.Random(21)
    lo, hi = SH.BAND[dtype.name]["matmul"]
    for k in (1, 2, 5, 16, 32):
        xs, ys = half_values(rng, dtype, k, lo, hi), half_values(rng, dtype, k, lo, hi)
        products = [x * y for x, y in zip(xs, ys, strict=True)]
        assert all(round_float(p, float32) == p for p in products)  # the spec: exact in float32
        s, bound = sum(products, Fraction(0)), Fraction(H.dot_bound(xs, ys, dtype))
        for total in float32_sums(products, rng, 30):
            assert abs(to_half(total, dtype) - s) <= bound


def test_empty_and_single_terms():
    one = Tensor.from_flat([Fraction(3, 2)], (1,), float16, exact=True)
    none = Tensor.from_flat([], (0,), float16, exact=True)
    assert H.sum(one).accuracy == "correctly-rounded" and H.sum(none).values() == [0]
    assert H.sum(none).errs() == [0.0] and H.mean(one).values() == [Fraction(3, 2)]
    assert H.matmul(none, none).values() == [0] and H.matmul(none, none).errs() == [0.0]
    with pytest.raises(ValueError):
        H.mean(none)


# ---- bounds: tight, and half accumulation falls outside them -------------------------------------------------


def test_sum_bound_is_tight():
    """1 + 2^-12 + 2^-12 = 1 + 2^-11, exact in float32, a tie in float16 that rounds to 1."""
    xs = [Fraction(1), Fraction(1, 2**12), Fraction(1, 2**12)]
    error = abs(to_half(F32(1) + F32(2.0**-12) + F32(2.0**-12), float16) - sum(xs))
    assert error / Fraction(H.sum_bound(xs, float16)) >= Fraction(99, 100)


def test_mean_bound_is_tight():
    """Found by a search over float16 terms in [1, 2): the sum rounded to float16 and divided there."""
    xs = [Fraction(v) for v in (1.8076171875, 1.98828125, 1.4169921875, 1.615234375, 1.34765625, 1.5068359375,
                                1.4248046875, 1.1025390625, 1.248046875, 1.2109375, 1.3388671875)]
    total = float(np.float16(np.float32(math.fsum(float(x) for x in xs))))
    observed = Fraction(float(np.float16(total) / np.float16(len(xs))))
    error = abs(observed - sum(xs) / len(xs))
    assert error / Fraction(H.mean_bound(xs, float16)) >= Fraction(4, 5)


def test_dot_bound_is_tight():
    """[1, 2^-6, 2^-6] . [1, 2^-6, 2^-6] = 1 + 2^-11: a float16 tie, to 1."""
    xs = [Fraction(1), Fraction(1, 64), Fraction(1, 64)]
    products = [F32(float(x * x)) for x in xs]
    error = abs(to_half(products[0] + products[1] + products[2], float16) - sum(x * x for x in xs))
    assert error / Fraction(H.dot_bound(xs, xs, float16)) >= Fraction(99, 100)


def half_sequential(terms: list[Fraction], dtype) -> Fraction:
    """Left-to-right additions, each rounded to the half format (what the rules exclude)."""
    total = Fraction(0)
    for t in terms:
        total = Fraction(round_float(total + t, dtype))
    return total


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_half_accumulation_fails_on_the_absorb_family(data):
    """Sequential half accumulation with the large term first is outside the sum and mean bounds on every
    draw of the family, and a float32 accumulator is inside them."""
    dtype = data.draw(st.sampled_from(["float16", "bfloat16"]))
    d = HALF_BY_NAME[dtype]
    n = data.draw(st.integers(33, 128))
    terms = data.draw(SH.absorbing(dtype, n))
    big = max(terms, key=abs)
    ordered = [big] + [t for t in terms if t is not big]
    s = sum(terms, Fraction(0))
    assert abs(half_sequential(ordered, d) - s) > Fraction(H.sum_bound(terms, d))
    mean = Fraction(round_float(half_sequential(ordered, d) / n, d))
    assert abs(mean - s / n) > Fraction(H.mean_bound(terms, d))
    assert abs(to_half(F32(math.fsum(float(t) for t in terms)), d) - s) <= Fraction(H.sum_bound(terms, d))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_half_accumulation_fails_on_the_matmul_absorb_family(data):
    """Products rounded to the half format and summed in it, large product first: outside the dot bound."""
    dtype = data.draw(st.sampled_from(["float16", "bfloat16"]))
    d = HALF_BY_NAME[dtype]
    a, b = data.draw(SH.matmul_input(dtype, "absorb"))
    rows = [a.values()] if a.ndim == 1 else [a.values()[i * a.shape[1]:(i + 1) * a.shape[1]] for i in range(a.shape[0])]
    m = 1 if b.ndim == 1 else b.shape[1]
    cols = [b.values()[j::m] for j in range(m)]
    for row in rows:
        for col in cols:
            products = [Fraction(round_float(x * y, d)) for x, y in zip(row, col, strict=True)]
            first = abs(products[0]) >= abs(products[-1])
            ordered = products if first else products[::-1]
            error = abs(half_sequential(ordered, d) - sum(x * y for x, y in zip(row, col, strict=True)))
            assert error > Fraction(H.dot_bound(row, col, d))
