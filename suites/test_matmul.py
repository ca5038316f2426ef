"""Matrix multiplication: the five dimension cases, errors, dtypes, accuracy, `@` (spec/matmul.md)."""

from __future__ import annotations

import itertools
from functools import partial

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import dtypes, exact_tensor, reused, sampled
from tensorcts.suites.strategies_broadcasting import MISMATCH_SIZES
from tensorcts.suites.strategies_matmul import CASES, case_shapes, matmul_operands


def _matmul(case: Case, backend, a, b):
    return case.observe("{ns}.matmul(a, b)", partial(backend.matmul, a, b))


def _one_case(backend, device, data, rule: str, case_name: str, kinds: str = "if") -> None:
    dtype = data.draw(dtypes(backend, device, kinds), label="dtype")
    a_ref, b_ref = data.draw(matmul_operands(dtype, case_name), label="operands")
    case = Case(backend, rule, device, dtype)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    case.expect(_matmul(case, backend, a, b), R.matmul(a_ref, b_ref))


@pytest.mark.rule("matmul.dot")
@given(data=st.data())
def test_dot(backend, device, data):
    _one_case(backend, device, data, "matmul.dot", "dot")


@pytest.mark.rule("matmul.matrix-matrix")
@given(data=st.data())
def test_matrix_matrix(backend, device, data):
    _one_case(backend, device, data, "matmul.matrix-matrix", "matrix-matrix")


@pytest.mark.rule("matmul.vector-matrix")
@given(data=st.data())
def test_vector_matrix(backend, device, data):
    _one_case(backend, device, data, "matmul.vector-matrix", "vector-matrix")


@pytest.mark.rule("matmul.matrix-vector")
@given(data=st.data())
def test_matrix_vector(backend, device, data):
    _one_case(backend, device, data, "matmul.matrix-vector", "matrix-vector")


@pytest.mark.rule("matmul.batched")
@given(data=st.data())
def test_batched(backend, device, data):
    _one_case(backend, device, data, "matmul.batched", "batched")


@pytest.mark.rule("matmul.accuracy")
@given(data=st.data(), case_name=st.sampled_from(CASES), empty=st.integers(0, 4))
def test_accuracy(backend, device, data, case_name, empty):
    """Float results within the dot-product bound; k = 0 (one example in five) gives exact zeros."""
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    a_ref, b_ref = data.draw(matmul_operands(dtype, case_name, k=0 if empty == 0 else None), label="operands")
    case = Case(backend, "matmul.accuracy", device, dtype)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    observed = _matmul(case, backend, a, b)
    expected = R.matmul(a_ref, b_ref)
    case.expect(observed, expected)
    if a_ref.shape[-1] == 0:
        case.check(all(v == 0 for v in observed.flat), f"k = 0: expected exact zeros, observed {observed.flat}")


@pytest.mark.rule("matmul.operator")
@given(data=st.data(), case_name=st.sampled_from(CASES))
def test_operator(backend, device, data, case_name):
    dtype = data.draw(dtypes(backend, device, "f").filter(bool) | st.just("int64"), label="dtype")
    a_ref, b_ref = data.draw(matmul_operands(dtype, case_name), label="operands")
    case = Case(backend, "matmul.operator", device, dtype)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    via_operator = case.observe("a @ b", partial(backend.binary_operator, "@", a, b))
    case.expect(via_operator, R.matmul(a_ref, b_ref), what="a @ b")
    via_function = _matmul(case, backend, a, b)
    case.check((via_operator.shape, via_operator.dtype, via_operator.values)
               == (via_function.shape, via_function.dtype, via_function.values),
               f"a @ b differs from matmul(a, b):\n    a @ b:        {via_operator.values}\n"
               f"    matmul(a, b): {via_function.values}")


# ---- errors -----------------------------------------------------------------------------


@reused
@st.composite
def invalid_shapes(draw, cause: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if cause == "0-d operand":
        other = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3).map(tuple), label="other shape")
        return ((), other) if draw(st.booleans(), label="0-d first") else (other, ())
    case_name = draw(st.sampled_from(CASES), label="case")
    a, b = draw(case_shapes(case_name), label="valid shapes")
    if cause == "inner mismatch":
        k = a[-1]
        wrong = draw(st.integers(0, 6).filter(lambda v: v != k), label="wrong k")
        if draw(st.booleans(), label="change a"):
            return (*a[:-1], wrong), b
        return a, (wrong,) if len(b) == 1 else (*b[:-2], wrong, b[-1])
    # non-broadcastable batch dims: a >= 3-D and b >= 3-D with one clashing batch size
    batch = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3), label="batch")
    pos = draw(st.integers(0, len(batch) - 1), label="clash position")
    size_a = draw(st.sampled_from(MISMATCH_SIZES[1:4]), label="size a")
    size_b = draw(sampled(tuple(s for s in MISMATCH_SIZES[1:4] if s != size_a)), label="size b")
    batch_a, batch_b = list(batch), list(batch)
    batch_a[pos], batch_b[pos] = size_a, size_b
    n, k, m = 2, 2, 2
    return (*batch_a, n, k), (*batch_b, k, m)


@pytest.mark.rule("matmul.errors")
@given(data=st.data(), cause=st.sampled_from(["0-d operand", "inner mismatch", "non-broadcastable batch"]),
       dtype=st.sampled_from(["float32", "int64"]))
def test_errors(backend, device, data, cause, dtype):
    shape_a, shape_b = data.draw(invalid_shapes(cause), label="shapes")
    case = Case(backend, "matmul.errors", device, dtype)
    a = case.input("a", exact_tensor([1] * _numel(shape_a), shape_a, dtype))
    b = case.input("b", exact_tensor([1] * _numel(shape_b), shape_b, dtype))
    case.expect_error(f"{{ns}}.matmul(a, b)  # {cause}", partial(backend.matmul, a, b))
    case.expect_error(f"a @ b  # {cause}", partial(backend.binary_operator, "@", a, b))


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ---- dtypes -----------------------------------------------------------------------------------


@pytest.mark.rule("matmul.dtype")
@given(data=st.data(), case_name=st.sampled_from(CASES))
def test_dtype(backend, device, data, case_name):
    """Every ordered pair of numeric dtypes: same dtype kept (ints exact), mixed dtypes raise."""
    shape_a, shape_b = data.draw(case_shapes(case_name, k=data.draw(st.integers(1, 3), label="k")), label="shapes")
    values_a = data.draw(st.lists(st.integers(-3, 3), min_size=_numel(shape_a), max_size=_numel(shape_a)))
    values_b = data.draw(st.lists(st.integers(-3, 3), min_size=_numel(shape_b), max_size=_numel(shape_b)))
    names = [d for d in backend.dtypes(device) if d != "bool"]
    refs = {d: (exact_tensor(values_a, shape_a, d), exact_tensor(values_b, shape_b, d)) for d in names}
    for da, db in itertools.product(names, repeat=2):
        a_ref, b_ref = refs[da][0], refs[db][1]
        case = Case(backend, "matmul.dtype", device, f"{da} @ {db}")
        a, b = case.input("a", a_ref), case.input("b", b_ref)
        if da != db:
            case.expect_error("{ns}.matmul(a, b)  # mixed dtypes", partial(backend.matmul, a, b))
            continue
        observed = _matmul(case, backend, a, b)
        case.check(observed.dtype == da, f"result dtype: expected {da}, observed {observed.dtype}")
        case.expect(observed, R.matmul(a_ref, b_ref))  # small integers: exact in every dtype


# ---- the tutorial's example ----------------------------------------------------------------------


def _arange(n: int, shape) -> Tensor:
    return exact_tensor(list(range(n)), shape, "int64")


@pytest.mark.rule("matmul.vector-matrix", "matmul.errors", "matmul.operator")
def test_tutorial_example(backend, device):
    """The tutorial's matmul(arange(6), arange(9).view(3, 3)) raises; with arange(3) it works."""
    case = Case(backend, "matmul.errors", device, "int64")
    x, w = case.input("x", _arange(6, (6,))), case.input("W", _arange(9, (3, 3)))
    case.expect_error("{ns}.matmul(x, W)  # the tutorial's example: inner sizes 6 vs 3",
                      partial(backend.matmul, x, w))
    case = Case(backend, ("matmul.vector-matrix", "matmul.operator"), device, "int64")
    x, w = case.input("x", _arange(3, (3,))), case.input("W", _arange(9, (3, 3)))
    want = exact_tensor([15, 18, 21], (3,), "int64")
    case.expect(case.observe("{ns}.matmul(x, W)", partial(backend.matmul, x, w)), want)
    case.expect(case.observe("x @ W", partial(backend.binary_operator, "@", x, w)), want)
    case = Case(backend, "matmul.matrix-matrix", device, "int64")
    x, w = case.input("x", _arange(6, (2, 3))), case.input("W", _arange(9, (3, 3)))
    case.expect(case.observe("{ns}.matmul(x, W)", partial(backend.matmul, x, w)),
                exact_tensor([15, 18, 21, 42, 54, 66], (2, 3), "int64"))
