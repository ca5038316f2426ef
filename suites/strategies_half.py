"""Strategies for the half-precision rules (spec/half.md): float16 and bfloat16 values by family.

Values are built from their bits (sign, exponent, significand), so every drawn value is
representable in its half dtype and a narrow exponent range (many roundings, ties) is as likely
as a wide one. Families (the ``values`` case class):

- ``band``: normal values of magnitude 2**lo .. 2**hi (``BAND``): no result overflows and, for
  the products and quotients of two of them, none leaves the normal range;
- ``subnormal`` (float16 only): operands and results around and below 2**-14;
- ``overflow``: operands whose sums, products or quotients straddle the largest finite value;
- ``absorb``: one large term and many small ones, each below half an ulp of the large one, so
  that accumulating in the half format loses them all (``absorbing``).
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st
from tensorcts.reference.dtypes import HALF_BY_NAME, DType
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.strategies import reused, sampled, shapes
from tensorcts.suites.strategies_reduction import reduce_dims

#: exponent band (2**lo <= |x| < 2**hi) per half dtype and use: element-wise operands, reduction terms,
#: matmul operands. float16: 256 terms of < 2**6 sum below 2**14, 32 products of < 2**4 * 2**4 below 2**13,
#: products and quotients of element-wise operands within 2**-12 .. 2**12, all normal and finite.
BAND = {
    "float16": {"elementwise": (-6, 6), "reduction": (-6, 6), "matmul": (-4, 4)},
    "bfloat16": {"elementwise": (-20, 20), "reduction": (-20, 20), "matmul": (-20, 20)},
}
MAX_NUMEL = 256
MAX_K = 32  # inner size of the half matmuls


def half(dtype: str) -> DType:
    return HALF_BY_NAME[dtype]


def value(sign: int, exponent: int, significand: int, d: DType) -> Fraction:
    """sign * significand * 2**(exponent - p + 1), significand in [2**(p-1), 2**p) (a normal number)
    or below (a subnormal one when exponent = emin)."""
    shift = exponent - d.precision + 1
    magnitude = Fraction(significand * 2**shift) if shift >= 0 else Fraction(significand, 2**-shift)
    return -magnitude if sign < 0 else magnitude


@reused
def normals(dtype: str, lo: int, hi: int, zeros: bool = True) -> st.SearchStrategy[Fraction]:
    """A normal value with 2**lo <= |x| < 2**hi (zero now and then when ``zeros``).

    One integer draw decides sign, exponent and significand (a tensor of 256 values draws 256
    choices, not 1024): sign in the lowest bit, then the significand, then the exponent, so a
    shrink heads for small positive values; indices past the normals' count are zero."""
    d = half(dtype)
    per_binade = 2 ** (d.precision - 1)
    count = 2 * per_binade * (hi - lo)

    def decode(k: int) -> Fraction:
        if k >= count:
            return Fraction(0)
        rest, sign_bit = divmod(k, 2)
        binade, offset = divmod(rest, per_binade)
        return value(-1 if sign_bit else 1, lo + binade, per_binade + offset, d)

    return st.integers(0, count + (count // 15 if zeros else 0) - 1).map(decode)


@reused
@st.composite
def band_lists(draw, dtype: str, use: str, n: int) -> list[Fraction]:
    """n values of the band, with exponents in a window of random width (narrow windows round and tie often)."""
    lo, hi = BAND[dtype][use]
    width = draw(st.integers(1, hi - lo), label="exponent window")
    start = draw(st.integers(lo, hi - width), label="window start")
    return draw(st.lists(normals(dtype, start, start + width), min_size=n, max_size=n))


def half_tensor(values: list, shape, dtype: str) -> Tensor:
    """An oracle tensor over representable half values."""
    return Tensor.from_flat([Fraction(v) for v in values], tuple(shape), half(dtype), exact=True)


# ---- element-wise: operand pairs by family ----------------------------------------------------------------


@reused
@st.composite
def subnormal_values(draw, dtype: str) -> Fraction:
    """float16 values at and below the normal range: subnormals k * 2**-24 and normals up to 2**-12."""
    d = half(dtype)
    if draw(st.booleans()):
        k = draw(st.integers(1, 2 ** (d.precision - 1) - 1))
        return value(draw(sampled((1, -1))), d.emin, k, d)
    return draw(normals(dtype, d.emin, d.emin + 2, zeros=False))


@reused
@st.composite
def elementwise_pair(draw, dtype: str, op: str, family: str, n: int) -> tuple[list, list]:
    """Operands a, b (n values each) of ``op`` in the family; divisors are nonzero."""
    d = half(dtype)
    if family == "band":
        a = draw(band_lists(dtype, "elementwise", n), label="a")
        b = draw(band_lists(dtype, "elementwise", n), label="b")
    elif family == "subnormal":
        a = draw(st.lists(subnormal_values(dtype), min_size=n, max_size=n), label="a")
        second = {"+": subnormal_values(dtype), "-": subnormal_values(dtype),
                  "*": normals(dtype, -6, 1, zeros=False), "/": normals(dtype, -1, 6, zeros=False)}[op]
        b = draw(st.lists(second, min_size=n, max_size=n), label="b")
    else:  # overflow: results around the largest finite value (2 - 2**(1-p)) * 2**emax
        top = d.emax
        ranges = {"+": ((top - 2, top + 1), (top - 2, top + 1)), "-": ((top - 2, top + 1), (top - 2, top + 1)),
                  "*": ((top // 2 - 1, top // 2 + 2), (top // 2 - 1, top // 2 + 3)),
                  "/": ((top - 2, top + 1), (-3, 1))}[op]
        (alo, ahi), (blo, bhi) = ranges
        a = draw(st.lists(normals(dtype, alo, ahi, zeros=False), min_size=n, max_size=n), label="a")
        b = draw(st.lists(normals(dtype, blo, bhi, zeros=False), min_size=n, max_size=n), label="b")
        if op == "-":  # a difference overflows when the signs differ
            b = [-abs(y) if x > 0 else abs(y) for x, y in zip(a, b)] if draw(st.booleans()) else b
    if op == "/":
        b = [y if y != 0 else Fraction(1) for y in b]
    return a, b


# ---- reductions and matmul: the band, and terms a half accumulator absorbs --------------------------------


def small_exponent(dtype: str) -> int:
    """e with 2**e a quarter of an ulp of 1: a term below half an ulp of every value in [1, 2)."""
    return -(half(dtype).precision + 1)


@reused
@st.composite
def absorbing(draw, dtype: str, n: int) -> list[Fraction]:
    """n terms: one large, n - 1 small ones of its sign, each a quarter or an eighth of its ulp, the large
    one placed first, last or anywhere. Added to the large term one at a time in the half format, every
    small one is lost; the exact sum keeps them: with n >= 33, at least 4 ulps of the large term, where
    the sum bound allows about 1 and the mean bound about 2 (tests/test_half_reference.py checks it)."""
    d = half(dtype)
    sign = draw(sampled((1, -1)), label="sign")
    scale = draw(st.integers(-3, 3), label="scale")
    big = value(sign, scale, draw(st.integers(2 ** (d.precision - 1), 2**d.precision - 1), label="big"), d)
    quarter = small_exponent(dtype) + scale  # 2**quarter is a quarter of big's ulp
    smalls = [value(sign, quarter - draw(st.integers(0, 1)), 2 ** (d.precision - 1), d) for _ in range(n - 1)]
    where = draw(sampled(("first", "last", "any")), label="position")
    at = {"first": 0, "last": n - 1}.get(where) if where != "any" else draw(st.integers(0, n - 1))
    return smalls[:at] + [big] + smalls[at:]


@reused
@st.composite
def reduction_input(draw, dtype: str, family: str, min_side: int = 0):
    """(tensor, dim, keepdim): the band in any shape and dim, or absorbing terms along the reduced dim."""
    if family == "band":
        shape = draw(shapes(max_dims=3, min_side=min_side, max_side=8, max_numel=MAX_NUMEL), label="shape")
        values = draw(band_lists(dtype, "reduction", numel_of(shape)), label="a")
        return half_tensor(values, shape, dtype), draw(reduce_dims(len(shape)), label="dim"), \
            draw(st.booleans(), label="keepdim")
    n = draw(st.integers(33, 128), label="n")
    rows = draw(st.integers(1, 2), label="rows")
    lines = [draw(absorbing(dtype, n), label="terms") for _ in range(rows)]
    keepdim = draw(st.booleans(), label="keepdim")
    layout = draw(sampled(("1-d", "rows", "columns")), label="layout")
    if layout == "1-d":
        return half_tensor(lines[0], (n,), dtype), draw(sampled((None, 0, -1))), keepdim
    if layout == "rows":  # each row reduced along dim 1
        return half_tensor([v for line in lines for v in line], (rows, n), dtype), \
            draw(sampled((1, -1))), keepdim
    flat = [lines[r][i] for i in range(n) for r in range(rows)]  # each column reduced along dim 0
    return half_tensor(flat, (n, rows), dtype), draw(sampled((0, -2))), keepdim


@reused
@st.composite
def matmul_input(draw, dtype: str, family: str):
    """(a, b) of ranks 1 or 2: band values, or rows of a and columns of b whose first (or last) product
    is large and the k - 1 others small products that a half accumulator absorbs."""
    d = half(dtype)
    ranks = draw(sampled(((2, 2), (1, 1), (1, 2), (2, 1))), label="ranks")
    n = draw(st.integers(1, 6), label="n") if ranks[0] == 2 else 1
    m = draw(st.integers(1, 6), label="m") if ranks[1] == 2 else 1
    if family == "band":
        k = draw(st.integers(0, MAX_K), label="k")
        av = draw(band_lists(dtype, "matmul", n * k), label="a")
        bv = draw(band_lists(dtype, "matmul", k * m), label="b")
    else:  # a[i, 0] * b[0, j] in [1, 2), then k - 1 products 2**-(p+1), a quarter of its ulp each
        k = draw(st.integers(24, MAX_K), label="k")
        first = draw(st.booleans(), label="large product first")
        small_a, small_b = -((d.precision + 2) // 2), -((d.precision + 1) // 2)

        def line(big: Fraction, small: int) -> list[Fraction]:
            smalls = [value(1, small, 2 ** (d.precision - 1), d)] * (k - 1)
            return [big, *smalls] if first else [*smalls, big]

        significands = st.integers(2 ** (d.precision - 1), 2**d.precision - 1)
        rows = [line(value(draw(sampled((1, -1))), 0, draw(significands, label="a row"), d), small_a)
                for _ in range(n)]
        cols = [line(Fraction(1), small_b) for _ in range(m)]
        av = [v for row in rows for v in row]
        bv = [cols[j][t] for t in range(k) for j in range(m)]
    a_shape = (n, k) if ranks[0] == 2 else (k,)
    b_shape = (k, m) if ranks[1] == 2 else (k,)
    return half_tensor(av, a_shape, dtype), half_tensor(bv, b_shape, dtype)
