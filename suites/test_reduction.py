"""Reductions: sum and mean (spec/reduction.md)."""

from __future__ import annotations

from functools import partial

import pytest
import tensorcts.reference as R
from hypothesis import assume, given
from hypothesis import strategies as st
from tensorcts.reference.tensor import numel_of
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import dtypes, exact_tensor, reused, shapes
from tensorcts.suites.strategies_arith import pooled_tensors as tensors
from tensorcts.suites.strategies_reduction import normalized, reduce_dims


def _call(case: Case, backend, fn: str, a, dim, keepdim: bool):
    if dim is None and not keepdim:
        return case.observe(f"{{ns}}.{fn}(a)", partial(getattr(backend, fn), a))
    return case.observe(f"{{ns}}.{fn}(a, dim={dim!r}, keepdim={keepdim})",
                        partial(getattr(backend, fn), a, dim=dim, keepdim=keepdim))


@reused
@st.composite
def reduction_input(draw, backend, device, kinds: str):
    dtype = draw(dtypes(backend, device, kinds), label="dtype")
    a = draw(tensors(dtype, draw(shapes(), label="shape")), label="a")
    dim = draw(reduce_dims(a.ndim), label="dim")
    keepdim = draw(st.booleans(), label="keepdim")
    return a, dim, keepdim


def _reduced_count(shape, dim) -> int:
    return numel_of([shape[d] for d in normalized(dim, len(shape))])


@pytest.mark.rule("reduction.sum")
@given(data=st.data())
def test_sum(backend, device, data):
    a_ref, dim, keepdim = data.draw(reduction_input(backend, device, "if"), label="input")
    case = Case(backend, "reduction.sum", device, a_ref.dtype.name)
    a = case.input("a", a_ref)
    observed = _call(case, backend, "sum", a, dim, keepdim)
    expected = R.sum(a_ref, dim, keepdim)
    if a_ref.dtype.is_floating:
        case.expect(observed, expected)
    else:  # the int64 result dtype is reduction.sum-dtype's; here only shape and values
        case.check(tuple(observed.shape) == expected.shape,
                   f"shape: expected {expected.shape}, observed {tuple(observed.shape)}")
        case.expect_values(observed.flat, expected)


@pytest.mark.rule("reduction.sum-dtype")
@given(data=st.data())
def test_sum_dtype(backend, device, data):
    a_ref, dim, keepdim = data.draw(reduction_input(backend, device, "bi"), label="input")
    case = Case(backend, "reduction.sum-dtype", device, a_ref.dtype.name)
    a = case.input("a", a_ref)
    case.expect(_call(case, backend, "sum", a, dim, keepdim), R.sum(a_ref, dim, keepdim))


@pytest.mark.rule("reduction.mean")
@given(data=st.data())
def test_mean(backend, device, data):
    a_ref, dim, keepdim = data.draw(reduction_input(backend, device, "f"), label="input")
    expected = R.mean(a_ref, dim, keepdim)
    assume(_reduced_count(a_ref.shape, dim) > 0 or expected.numel() == 0)  # 0/0 is nan: out of domain
    case = Case(backend, "reduction.mean", device, a_ref.dtype.name)
    a = case.input("a", a_ref)
    case.expect(_call(case, backend, "mean", a, dim, keepdim), expected)


@pytest.mark.rule("reduction.mean-int")
@given(data=st.data(), with_dim=st.booleans())
def test_mean_of_integers_raises(backend, device, data, with_dim):
    dtype = data.draw(dtypes(backend, device, "bi"), label="dtype")
    a_ref = data.draw(tensors(dtype, data.draw(shapes(), label="shape")), label="a")
    case = Case(backend, "reduction.mean-int", device, dtype)
    a = case.input("a", a_ref)
    if with_dim:
        case.expect_error("{ns}.mean(a, dim=-1)", partial(backend.mean, a, dim=-1))
    else:
        case.expect_error("{ns}.mean(a)", partial(backend.mean, a))


@pytest.mark.rule("reduction.keepdim")
@given(data=st.data(), fn=st.sampled_from(["sum", "mean"]))
def test_keepdim(backend, device, data, fn):
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    a_ref = data.draw(tensors(dtype, data.draw(shapes(), label="shape")), label="a")
    dim = data.draw(reduce_dims(a_ref.ndim), label="dim")
    reduced = normalized(dim, a_ref.ndim)
    case = Case(backend, "reduction.keepdim", device, dtype)
    a = case.input("a", a_ref)
    for keepdim in (True, False):
        observed = _call(case, backend, fn, a, dim, keepdim)
        if keepdim:
            want = tuple(1 if d in reduced else s for d, s in enumerate(a_ref.shape))
        else:
            want = tuple(s for d, s in enumerate(a_ref.shape) if d not in reduced)
        case.check(tuple(observed.shape) == want,
                   f"shape of {fn}(a, dim={dim!r}, keepdim={keepdim}) for a of shape {a_ref.shape}: "
                   f"expected {want}, observed {tuple(observed.shape)}")


@pytest.mark.rule("reduction.sum", "reduction.sum-dtype", "reduction.mean", "reduction.keepdim")
def test_spec_examples(backend, device):
    m = exact_tensor([1.0, 2.0, 3.0, 4.0], (2, 2), "float32")
    case = Case(backend, ("reduction.sum", "reduction.mean", "reduction.keepdim"), device, "float32")
    a = case.input("a", m)
    case.expect(_call(case, backend, "sum", a, None, False), exact_tensor([10.0], (), "float32"))
    case.expect(_call(case, backend, "sum", a, 1, False), exact_tensor([3.0, 7.0], (2,), "float32"))
    case.expect(_call(case, backend, "sum", a, (0, -1), False), exact_tensor([10.0], (), "float32"))
    case.expect(_call(case, backend, "mean", a, 0, False), exact_tensor([2.0, 3.0], (2,), "float32"))
    case.expect(_call(case, backend, "sum", a, 1, True), exact_tensor([3.0, 7.0], (2, 1), "float32"))
    for values, dtype in (([1, 2], "int32"), ([True, True, False], "bool")):
        case = Case(backend, "reduction.sum-dtype", device, dtype)
        a = case.input("a", exact_tensor(values, (len(values),), dtype))
        observed = _call(case, backend, "sum", a, None, False)
        case.check(observed.dtype == "int64" and observed.values == sum(values),
                   f"expected int64 {sum(values)}, observed {observed.dtype} {observed.values}")


@pytest.mark.rule("reduction.zero-dim-dim")
@given(data=st.data(), fn=st.sampled_from(["sum", "mean"]),
       dim=st.sampled_from([0, -1, (0,), (-1,)]), keepdim=st.booleans())
def test_zero_dim_dim(backend, device, data, fn, dim, keepdim):
    """PyTorch's spelling: a 0-d tensor reduced over its implicit dim 0 or -1 is itself."""
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    a_ref = data.draw(tensors(dtype, ()), label="a")
    case = Case(backend, "reduction.zero-dim-dim", device, dtype, form=fn)
    a = case.input("a", a_ref)
    case.expect(_call(case, backend, fn, a, dim, keepdim), getattr(R, fn)(a_ref, dim, keepdim))


# ---- witnesses: fixed examples that expectations may name (@pytest.mark.witness) ---------------------------


@pytest.mark.rule("reduction.sum")
@pytest.mark.witness("sum-int32-on-each-device")
def test_sum_of_int32(backend, device):
    a_ref = exact_tensor([1, 2, 3], (3,), "int32")
    case = Case(backend, "reduction.sum", device, "int32")
    a = case.input("a", a_ref)
    observed = case.observe("{ns}.sum(a)", lambda: backend.sum(a))  # its dtype is reduction.sum-dtype's
    case.check(observed.shape == (), f"sum(a) has shape {observed.shape}, expected ()")
    case.expect_values(observed.flat, R.sum(a_ref))


# ---- reductions over dim 0 / -1 of a 0-d tensor (PyTorch wraps them like a 1-d tensor's) ---------------


def _zero_dim(case: Case, dtype: str = "float32"):
    return case.input("a", exact_tensor([5] if dtype.startswith("int") else [5.0], (), dtype))


@pytest.mark.rule("reduction.zero-dim-dim")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("reduce-zero-dim")
def test_sum_over_dim_0_of_a_zero_dim_tensor(backend, device):
    case = Case(backend, "reduction.zero-dim-dim", device, "float32")
    a = _zero_dim(case)
    case.expect(case.observe("{ns}.sum(a, dim=(0,))", lambda: backend.sum(a, dim=(0,))),
                exact_tensor([5.0], (), "float32"))


@pytest.mark.rule("reduction.zero-dim-dim")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("reduce-zero-dim")
def test_mean_over_dim_minus_1_of_a_zero_dim_tensor(backend, device):
    case = Case(backend, "reduction.zero-dim-dim", device, "float32")
    a = _zero_dim(case)
    case.expect(case.observe("{ns}.mean(a, dim=-1)", lambda: backend.mean(a, dim=-1)),
                exact_tensor([5.0], (), "float32"))


@pytest.mark.rule("reduction.zero-dim-dim")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("reduce-zero-dim")
def test_keepdim_over_dim_0_of_a_zero_dim_tensor(backend, device):
    case = Case(backend, "reduction.zero-dim-dim", device, "float32")
    a = _zero_dim(case)
    observed = case.observe("{ns}.mean(a, dim=0, keepdim=True)", lambda: backend.mean(a, dim=0, keepdim=True))
    case.check(observed.shape == (), f"mean(a, dim=0, keepdim=True) of a 0-d tensor has shape {observed.shape}")


@pytest.mark.rule("reduction.zero-dim-dim")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("reduce-zero-dim")
def test_sum_dtype_over_dim_0_of_a_zero_dim_tensor(backend, device):
    case = Case(backend, "reduction.zero-dim-dim", device, "int32")
    a = _zero_dim(case, "int32")
    whole = backend.observe(case.setup("{ns}.sum(a)", lambda: backend.sum(a), rule="reduction.sum"))
    observed = case.observe("{ns}.sum(a, dim=(0,))", lambda: backend.sum(a, dim=(0,)))
    # the dtype is reduction.sum-dtype's: over its implicit dim, a 0-d sum has the whole sum's dtype
    case.check(observed.dtype == whole.dtype,
               f"sum of int32 over dims (0,) has dtype {observed.dtype}; sum(a) has {whole.dtype}")
