"""Half precision: float16 and bfloat16 through + - * /, sum, mean and matmul (spec/half.md).

The dtypes come from the adapter's ``half_dtypes(device)``, never from ``dtypes``: no other
area draws them. An adapter that offers none is ``unsupported`` here.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference import half as H
from tensorcts.reference.dtypes import HALF_BY_NAME
from tensorcts.reference.exact import round_float
from tensorcts.reference.tensor import numel_of
from tensorcts.suites.checks import Case, bound_use
from tensorcts.suites.strategies import sampled, shapes
from tensorcts.suites.strategies_half import (
    elementwise_pair,
    half_tensor,
    matmul_input,
    reduction_input,
    small_exponent,
)
from tensorcts.suites.strategies_reduction import normalized

OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


def half_dtypes(backend, device) -> list[str]:
    """The half dtypes the adapter declares on ``device``; none: the test is unsupported."""
    names = [n for n in backend.half_dtypes(device) if n in HALF_BY_NAME]
    if not names:
        backend.require(f"half-precision dtypes on {device}")  # not a capability: reported unsupported
    return names


def expect_half(case: Case, observed, expected, measure: bool = False) -> None:
    """``case.expect``, and first: every finite observed value is a value of the half dtype. A bound alone
    would pass a result more precise than its dtype can hold (a float32 value in a float16 tensor).
    ``measure`` records the largest error as a fraction of the bound (``bound-use.<dtype>``, docs/accuracy.md)
    of a result that holds its dtype's values."""
    if observed.dtype == expected.dtype.name:
        for i, v in enumerate(observed.flat):
            if isinstance(v, Fraction) and round_float(v, expected.dtype) != v:
                case.check_result(observed, False, f"result value at flat index {i}, {float(v)!r}, is not a "
                                  f"{expected.dtype.name} value: the tensor does not hold its dtype's values\n"
                                  f"  observed: {[float(x) for x in observed.flat[:12]]}")
        if measure and tuple(observed.shape) == expected.shape:
            case.measure(case.rules[0], f"bound-use.{observed.dtype}", bound_use(observed, expected))
    case.expect(observed, expected)


# ---- element-wise --------------------------------------------------------------------------------------


@pytest.mark.rule("half.elementwise")
@given(data=st.data())
def test_elementwise(backend, device, data):
    dtype = data.draw(sampled(tuple(half_dtypes(backend, device))), label="dtype")
    symbol = data.draw(sampled(tuple(OPS)), label="op")
    families = ["band", "overflow"] + (["subnormal"] if dtype == "float16" else [])
    family = data.draw(sampled(tuple(families)), label="values")
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), label="shape")
    xs, ys = data.draw(elementwise_pair(dtype, symbol, family, numel_of(shape)), label="operands")
    form = data.draw(sampled(("operator", "function")), label="form")
    case = Case(backend, "half.elementwise", device, dtype, op=OPS[symbol], values=family, form=form)
    a_ref, b_ref = half_tensor(xs, shape, dtype), half_tensor(ys, shape, dtype)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    name = OPS[symbol]
    if form == "operator":
        observed = case.observe(f"a {symbol} b", partial(backend.binary_operator, symbol, a, b))
    else:
        observed = case.observe(f"{{ns}}.{name}(a, b)", partial(getattr(backend, name), a, b))
    expect_half(case, observed, H.elementwise(symbol, a_ref, b_ref))


@pytest.mark.rule("half.elementwise")
def test_elementwise_examples(backend, device):
    """Fixed cases: ties to even, the overflow threshold, gradual underflow (float16)."""
    for dtype in half_dtypes(backend, device):
        p = HALF_BY_NAME[dtype].precision
        top = HALF_BY_NAME[dtype].emax
        largest = (2 - Fraction(2) ** (1 - p)) * Fraction(2) ** top
        half_ulp_top = Fraction(2) ** (top - p)
        pairs = [("+", 1, Fraction(1, 2**p)),  # a tie: 1
                 ("+", 1 + Fraction(2, 2**p), Fraction(1, 2**p)),  # a tie: up to even
                 ("+", largest, half_ulp_top),  # the overflow threshold: inf
                 ("+", largest, half_ulp_top / 2),  # below it: the largest finite value
                 ("*", 1 + Fraction(2, 2**p), 1 + Fraction(2, 2**p)),
                 ("/", 1, 3)]
        if dtype == "float16":
            pairs += [("*", Fraction(3, 2**24), Fraction(1, 2)),  # 1.5 * 2**-24: a subnormal tie, to 2**-23
                      ("-", Fraction(1, 2**14), Fraction(1023, 2**24))]  # 2**-24
        for symbol, x, y in pairs:
            case = Case(backend, "half.elementwise", device, dtype, op=OPS[symbol], values="examples",
                        form="operator")
            a_ref, b_ref = half_tensor([x], (1,), dtype), half_tensor([y], (1,), dtype)
            a, b = case.input("a", a_ref), case.input("b", b_ref)
            observed = case.observe(f"a {symbol} b", partial(backend.binary_operator, symbol, a, b))
            expect_half(case, observed, H.elementwise(symbol, a_ref, b_ref))


# ---- sum and mean ----------------------------------------------------------------------------------------


def _reduce(case: Case, backend, fn: str, a, dim, keepdim: bool):
    if dim is None and not keepdim:
        return case.observe(f"{{ns}}.{fn}(a)", partial(getattr(backend, fn), a))
    return case.observe(f"{{ns}}.{fn}(a, dim={dim!r}, keepdim={keepdim})",
                        partial(getattr(backend, fn), a, dim=dim, keepdim=keepdim))


def _reduction_case(backend, device, data, fn: str) -> None:
    dtype = data.draw(sampled(tuple(half_dtypes(backend, device))), label="dtype")
    family = data.draw(sampled(("band", "absorb")), label="values")
    # a mean of zero elements is nan (0/0), outside the domain: its shapes have no size 0
    a_ref, dim, keepdim = data.draw(reduction_input(dtype, family, min_side=int(fn == "mean")), label="input")
    case = Case(backend, f"half.{fn}", device, dtype, values=family, reduced=reduced_class(dim, a_ref.ndim))
    a = case.input("a", a_ref)
    observed = _reduce(case, backend, fn, a, dim, keepdim)
    expect_half(case, observed, getattr(H, fn)(a_ref, dim, keepdim), measure=True)


def reduced_class(dim, ndim: int) -> str:
    """The ``reduced`` case class: "trailing" when the reduced dims are the last ones (every dim included),
    else "other" (a leading or middle dim reduced while a later one is kept)."""
    dims = normalized(dim, ndim)
    return "trailing" if dims == tuple(range(ndim - len(dims), ndim)) else "other"


@pytest.mark.rule("half.sum")
@given(data=st.data())
def test_sum(backend, device, data):
    _reduction_case(backend, device, data, "sum")


@pytest.mark.rule("half.mean")
@given(data=st.data())
def test_mean(backend, device, data):
    _reduction_case(backend, device, data, "mean")


def _absorbing_examples(dtype: str) -> list[tuple[list[Fraction], tuple[int, ...], int | None]]:
    """1 and 64 quarter-ulps of 1 (float16: 2**-12, bfloat16: 2**-9), the 1 first and last; 1 and 63 of them
    (a sum and a mean that are not half values: they must be rounded); and the 65 terms down two columns
    (dim 0) and along two rows (dim 1): (values, shape, dim)."""
    small = Fraction(2) ** small_exponent(dtype)
    terms = [Fraction(1)] + [small] * 64
    return [(terms, (65,), None), (terms[::-1], (65,), None), (terms[:-1], (64,), None),
            ([v for v in terms for _ in range(2)], (65, 2), 0), (terms * 2, (2, 65), 1)]


def _absorbing_case(backend, device, fn: str) -> None:
    for dtype in half_dtypes(backend, device):
        for terms, shape, dim in _absorbing_examples(dtype):
            case = Case(backend, f"half.{fn}", device, dtype, values="absorb", reduced=reduced_class(dim, len(shape)))
            a_ref = half_tensor(terms, shape, dtype)
            a = case.input("a", a_ref)
            expect_half(case, _reduce(case, backend, fn, a, dim, False), getattr(H, fn)(a_ref, dim), measure=True)


@pytest.mark.rule("half.sum")
def test_sum_absorbing(backend, device):
    """The witness of spec/half.md: a half accumulator returns 1, the exact sum rounds to 1 + 64 * small."""
    _absorbing_case(backend, device, "sum")


@pytest.mark.rule("half.mean")
def test_mean_absorbing(backend, device):
    _absorbing_case(backend, device, "mean")


# ---- matmul -------------------------------------------------------------------------------------------------


def _matmul_case(case: Case, backend, a_ref, b_ref, form: str) -> None:
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    if form == "operator":
        observed = case.observe("a @ b", partial(backend.binary_operator, "@", a, b))
    else:
        observed = case.observe("{ns}.matmul(a, b)", partial(backend.matmul, a, b))
    expect_half(case, observed, H.matmul(a_ref, b_ref), measure=True)


@pytest.mark.rule("half.matmul")
@given(data=st.data())
def test_matmul(backend, device, data):
    dtype = data.draw(sampled(tuple(half_dtypes(backend, device))), label="dtype")
    family = data.draw(sampled(("band", "absorb")), label="values")
    a_ref, b_ref = data.draw(matmul_input(dtype, family), label="operands")
    form = data.draw(sampled(("operator", "function")), label="form")
    case = Case(backend, "half.matmul", device, dtype, values=family, form=form)
    _matmul_case(case, backend, a_ref, b_ref, form)


@pytest.mark.rule("half.matmul")
def test_matmul_absorbing(backend, device):
    """[1, s, ..., s] @ [1, t, ..., t] with s*t a quarter-ulp of 1, 31 times: a half accumulator returns 1."""
    for dtype in half_dtypes(backend, device):
        p = HALF_BY_NAME[dtype].precision
        s, t = Fraction(1, 2 ** ((p + 2) // 2)), Fraction(1, 2 ** ((p + 1) // 2))
        for first in (True, False):
            a_terms = [Fraction(1)] + [s] * 31 if first else [s] * 31 + [Fraction(1)]
            b_terms = [Fraction(1)] + [t] * 31 if first else [t] * 31 + [Fraction(1)]
            case = Case(backend, "half.matmul", device, dtype, values="absorb", form="operator")
            _matmul_case(case, backend, half_tensor(a_terms, (1, 32), dtype), half_tensor(b_terms, (32, 1), dtype),
                         "operator")


@pytest.mark.rule("half.matmul")
def test_matmul_exact_products(backend, device):
    """[x, y] @ [x, -1] with x = 1 + 2**(1-p), y = 1 + 2**(2-p): x*x needs 2p - 1 bits, so the exact result is
    2**(2-2p), a half value; a product rounded to the half format first cancels to 0 (spec/half.md)."""
    for dtype in half_dtypes(backend, device):
        p = HALF_BY_NAME[dtype].precision
        x, y = 1 + Fraction(1, 2 ** (p - 1)), 1 + Fraction(1, 2 ** (p - 2))
        for shapes_ab in (((2,), (2,)), ((1, 2), (2, 1))):
            case = Case(backend, "half.matmul", device, dtype, values="examples", form="function")
            _matmul_case(case, backend, half_tensor([x, y], shapes_ab[0], dtype),
                         half_tensor([x, Fraction(-1)], shapes_ab[1], dtype), "function")
