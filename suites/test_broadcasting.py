"""Broadcasting (spec/broadcasting.md)."""

from __future__ import annotations

import itertools
from functools import partial

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, contiguous_strides, numel_of
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import broadcastable_shapes, exact_tensor, shapes
from tensorcts.suites.strategies_broadcasting import incompatible_shapes

OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


@st.composite
def compatible_shapes(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    a = draw(shapes(), label="shape a")
    b = draw(broadcastable_shapes(a), label="shape b")
    return (a, b) if draw(st.booleans(), label="swap") else (b, a)


def _distinct(shape, start: int, step: int, dtype: str = "int64") -> Tensor:
    """Values start, start + step, ...: every element tells where it was read from."""
    return exact_tensor([start + i * step for i in range(numel_of(shape))], shape, dtype)


def _operand_dtype(backend, device, op: str) -> str:
    """int64, or for div where the library offers no integer true division (its declared
    convention), its default float dtype: the shape rules hold for every dtype."""
    conventions = backend.conventions_on(device)
    return conventions.default_float if op == "div" and conventions.true_divide_dtype("int64") is None else "int64"


def _apply(case: Case, backend, op: str, a, b, operator_form: bool):
    if operator_form:
        return case.observe(f"a {OPS[op]} b", partial(backend.binary_operator, OPS[op], a, b))
    return case.observe(f"{{ns}}.{op}(a, b)", partial(getattr(backend, op), a, b))


def _source_index(index: tuple[int, ...], shape: tuple[int, ...]) -> int:
    """Row-major position in an operand of ``shape`` read at broadcast ``index`` (spec rule)."""
    aligned = index[len(index) - len(shape):] if shape else ()
    strides = contiguous_strides(shape)
    return sum((0 if size == 1 else i) * s for i, size, s in zip(aligned, shape, strides, strict=True))


@pytest.mark.rule("broadcasting.shape")
@given(pair=compatible_shapes(), op=st.sampled_from(sorted(OPS)), operator_form=st.booleans())
def test_result_shape(backend, device, pair, op, operator_form):
    shape_a, shape_b = pair
    dtype = _operand_dtype(backend, device, op)
    a_ref, b_ref = _distinct(shape_a, 1, 1, dtype), _distinct(shape_b, 1, 1, dtype)  # nonzero: div is fine
    case = Case(backend, "broadcasting.shape", device, dtype)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    observed = _apply(case, backend, op, a, b, operator_form)
    expected = R.broadcasting.broadcast_shapes(shape_a, shape_b)
    case.check(tuple(observed.shape) == expected,
               f"result shape: expected {expected} for operand shapes {shape_a} and {shape_b}, "
               f"observed {tuple(observed.shape)}")


@pytest.mark.rule("broadcasting.values")
@given(pair=compatible_shapes(), operator_form=st.booleans())
def test_values_at_broadcast_index(backend, device, pair, operator_form):
    shape_a, shape_b = pair
    a_ref, b_ref = _distinct(shape_a, 1, 1), _distinct(shape_b, 1000, 1000)
    case = Case(backend, "broadcasting.values", device, "int64")
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    observed = _apply(case, backend, "add", a, b, operator_form)
    shape = R.broadcasting.broadcast_shapes(shape_a, shape_b)
    case.check(tuple(observed.shape) == shape, f"result shape: expected {shape}, observed {observed.shape}")
    av, bv, flat = a_ref.values(), b_ref.values(), observed.flat
    for n, index in enumerate(itertools.product(*(range(s) for s in shape))):
        want = av[_source_index(index, shape_a)] + bv[_source_index(index, shape_b)]
        case.check(flat[n] == want,
                   f"value at index {index}: expected {want} = a[{_source_index(index, shape_a)}] + "
                   f"b[{_source_index(index, shape_b)}] (row-major positions), observed {flat[n]}")


@pytest.mark.rule("broadcasting.error")
@given(pair=incompatible_shapes(), op=st.sampled_from(sorted(OPS)), operator_form=st.booleans())
def test_incompatible_shapes_raise(backend, device, pair, op, operator_form):
    shape_a, shape_b = pair
    dtype = _operand_dtype(backend, device, op)
    case = Case(backend, "broadcasting.error", device, dtype)
    a, b = case.input("a", _distinct(shape_a, 1, 1, dtype)), case.input("b", _distinct(shape_b, 1, 1, dtype))
    if operator_form:
        case.expect_error(f"a {OPS[op]} b", partial(backend.binary_operator, OPS[op], a, b))
    else:
        case.expect_error(f"{{ns}}.{op}(a, b)", partial(getattr(backend, op), a, b))


@pytest.mark.rule("broadcasting.shape", "broadcasting.values")
def test_spec_examples(backend, device):
    """The spec's examples, fixed."""
    col = exact_tensor([1, 2], (2, 1), "int64")
    row = exact_tensor([10, 20, 30], (3,), "int64")
    case = Case(backend, ("broadcasting.shape", "broadcasting.values"), device, "int64")
    a, b = case.input("a", col), case.input("b", row)
    observed = case.observe("a + b", partial(backend.binary_operator, "+", a, b))
    case.expect(observed, exact_tensor([11, 21, 31, 12, 22, 32], (2, 3), "int64"))
    for sa, sb, want in (((0, 1), (3,), (0, 3)), ((), (2, 0), (2, 0)), ((), (), ())):
        case = Case(backend, "broadcasting.shape", device, "int64")
        x, y = case.input("x", _distinct(sa, 1, 1)), case.input("y", _distinct(sb, 1, 1))
        observed = case.observe("x + y", partial(backend.binary_operator, "+", x, y))
        case.check(tuple(observed.shape) == want, f"shape {sa} + {sb}: expected {want}, observed {observed.shape}")
