"""IEEE 754 special values through arithmetic, reductions and matmul (spec/special.md)."""

from __future__ import annotations

import math
from functools import cache

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference import special as S
from tensorcts.reference.tensor import Tensor
from tensorcts.suites.ieee import IeeeCase, float_tensor
from tensorcts.suites.strategies import dtypes, sampled

INF, NAN = math.inf, math.nan
OPS = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


def _largest(dtype) -> float:
    return math.ldexp(2.0 - 2.0 ** (1 - dtype.precision), dtype.emax)


@cache  # DType is frozen: one strategy per dtype
def _specials(dtype) -> st.SearchStrategy:
    return st.sampled_from([0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 0.5, -0.5, 3.0, -3.0,
                            _largest(dtype), -_largest(dtype)])


@cache
def _subnormals(dtype) -> st.SearchStrategy:
    tiny = math.ldexp(1.0, dtype.emin - dtype.precision + 1)  # the smallest subnormal
    return st.one_of(st.integers(1, 7).map(lambda k: k * tiny), st.sampled_from(
        [2.0 ** dtype.emin, 0.5, 0.25, 2.0 ** -dtype.precision, 3.0 * 2.0 ** (dtype.emin - 1), 0.0]),
    ).flatmap(lambda x: st.sampled_from([x, -x]))


def _binary_case(backend, device, data, rule: str, values, ops: str) -> None:
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    d = R.BY_NAME[dtype]
    n = data.draw(st.integers(1, 12), label="n")
    # both zeros in every a: the sign of zero is what the rules are most often broken on
    xs = data.draw(st.permutations(data.draw(st.lists(values(d), min_size=n, max_size=n), label="a") + [0.0, -0.0]),
                   label="a order")
    ys = data.draw(st.lists(values(d), min_size=n + 2, max_size=n + 2), label="b")
    symbol = data.draw(sampled(tuple(ops)), label="op")
    form = data.draw(sampled(("operator", "function")), label="form")
    case = IeeeCase(backend, rule, device, dtype, form=form)
    a, b = case.input("a", float_tensor(xs, d)), case.input("b", float_tensor(ys, d))
    if symbol == "neg":
        text, fn = ("-a", lambda: backend.unary_minus(a)) if form == "operator" else (
            "{ns}.neg(a)", lambda: backend.neg(a))
        expected = [S.negate(x) for x in xs]
    else:
        name = OPS[symbol]
        text, fn = (f"a {symbol} b", lambda: backend.binary_operator(symbol, a, b)) if form == "operator" else (
            f"{{ns}}.{name}(a, b)", lambda: getattr(backend, name)(a, b))
        flushes = bool(getattr(backend, "flushes_subnormals", False))
        if flushes:
            case.may(rule, "flush-to-zero", True)
        expected = [S.binary(symbol, x, y, d, flush_subnormals=flushes) for x, y in zip(xs, ys)]
    got = case.read(case.run(text, fn), dtype)
    case.expect_floats(got, expected, what=text.format(ns="").lstrip("."))


@pytest.mark.rule("special.arithmetic")
@given(data=st.data())
def test_arithmetic(backend, device, data):
    _binary_case(backend, device, data, "special.arithmetic", _specials, ["+", "-", "*", "/", "neg"])


@pytest.mark.rule("special.subnormal")
@given(data=st.data())
def test_subnormal(backend, device, data):
    _binary_case(backend, device, data, "special.subnormal", _subnormals, ["+", "-", "*"])


@pytest.mark.rule("special.reduction")
@given(data=st.data(), op=st.sampled_from(["sum", "mean"]))
def test_reduction(backend, device, data, op):
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    d = R.BY_NAME[dtype]
    finite = data.draw(st.lists(sampled((0.0, -0.0, 1.0, -2.0, 0.5)), max_size=39), label="finite")
    special = data.draw(st.lists(sampled((INF, -INF, NAN)), min_size=1, max_size=3), label="special")
    xs = data.draw(st.permutations(finite + special), label="a")
    case = IeeeCase(backend, "special.reduction", device, dtype)
    a = case.input("a", float_tensor(xs, d))
    got = case.read(case.run(f"{{ns}}.{op}(a)", lambda: getattr(backend, op)(a)), dtype)
    case.expect_floats(got, [S.reduce_special(xs)], what=f"{op}(a)")
    negative_zeros = case.input("z", float_tensor([-0.0] * len(finite or [0]), d))
    zero = case.read(case.run(f"{{ns}}.{op}(z)", lambda: getattr(backend, op)(negative_zeros)), dtype)
    case.may("special.reduction", f"{op} of negative zeros", "-0.0" if math.copysign(1, zero[0]) < 0 else "+0.0")


@pytest.mark.rule("special.matmul")
@given(data=st.data())
def test_matmul(backend, device, data):
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    d = R.BY_NAME[dtype]
    m, k, n = (data.draw(st.integers(1, 6), label=s) for s in "mkn")
    nonzero = st.integers(-4, 4).filter(bool).map(float)
    a_rows = data.draw(st.lists(st.lists(nonzero, min_size=k, max_size=k), min_size=m, max_size=m), label="a")
    for row in a_rows:
        if data.draw(st.booleans(), label="special row"):
            row[data.draw(st.integers(0, k - 1), label="column")] = data.draw(sampled((NAN, INF, -INF)))
    b_rows = data.draw(st.lists(st.lists(nonzero, min_size=n, max_size=n), min_size=k, max_size=k), label="b")
    case = IeeeCase(backend, "special.matmul", device, dtype)
    a = case.input("a", Tensor.from_flat([v for r in a_rows for v in r], (m, k), d))
    b = case.input("b", Tensor.from_flat([v for r in b_rows for v in r], (k, n), d))
    got = case.read(case.run("a @ b", lambda: backend.binary_operator("@", a, b)), dtype)
    case.expect_floats(got, [v for row in a_rows for v in S.matmul_special(row, b_rows)], what="a @ b")
