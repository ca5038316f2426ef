"""Deterministic witnesses of known backend divergences (docs/design.md, "Expectations").

Each test is one fixed example of a rule, named with ``@pytest.mark.witness``.
A backend's expectations file names the witness of each declared divergence, so
the rule's verdict never depends on whether Hypothesis happened to find the
failing case: on a conforming backend every witness passes like any other test.
"""

from __future__ import annotations

import pytest
import tensorcts.reference as R
from tensorcts.reference import views
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import exact_tensor


def _arange(n: int, dtype: str = "int32", shape=None):
    return exact_tensor(list(range(n)), shape or (n,), dtype)


# ---- element-wise ------------------------------------------------------------------------------


@pytest.mark.rule("elementwise.div")
@pytest.mark.witness("int-true-division-dtype")
def test_integer_true_division_gives_float32(backend, device):
    """spec/elementwise.md's example: ``tensor([1, 2]) / tensor([2, 4])`` is ``[0.5, 0.5]`` in the
    library's declared dtype of int / int (PyTorch's: float32)."""
    dtype = "int64" if "int64" in backend.dtypes(device) else "int32"
    to = backend.conventions_on(device).true_divide_dtype(dtype)
    if to is None:
        return  # the library does not offer true division of integers
    a_ref, b_ref = exact_tensor([1, 2], (2,), dtype), exact_tensor([2, 4], (2,), dtype)
    case = Case(backend, "elementwise.div", device, dtype)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    case.expect(case.observe("a / b", lambda: backend.binary_operator("/", a, b)),
                exact_tensor([0.5, 0.5], (2,), to))


@pytest.mark.rule("elementwise.div")
@pytest.mark.witness("div-by-broadcast")
def test_division_by_a_broadcast_divisor_is_correctly_rounded(backend, device):
    """``[5., 7., 10.] / [3.]`` in float32 is the correctly rounded quotient, not ``x * fl(1/3)``."""
    a_ref, b_ref = exact_tensor([5.0, 7.0, 10.0], (3,), "float32"), exact_tensor([3.0], (1,), "float32")
    case = Case(backend, "elementwise.div", device, "float32", form="broadcast")
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    case.expect(case.observe("a / b", lambda: backend.binary_operator("/", a, b)), R.div(a_ref, b_ref))


@pytest.mark.rule("elementwise.scalar-operand")
@pytest.mark.witness("div-by-python-scalar")
def test_division_by_a_python_scalar_is_correctly_rounded(backend, device):
    """``tensor([5., 7., 10.]) / 3.0`` in float32 is correctly rounded (3.0 is representable)."""
    t_ref = exact_tensor([5.0, 7.0, 10.0], (3,), "float32")
    case = Case(backend, "elementwise.scalar-operand", device, "float32", op="div")
    t, s = case.input("t", t_ref), case.input("s", 3.0)
    case.expect(case.observe("t / s", lambda: backend.binary_operator("/", t, s)), R.div(t_ref, s))


@pytest.mark.rule("elementwise.scalar-dividend")
@pytest.mark.witness("python-scalar-dividend")
def test_python_scalar_divided_by_a_tensor_is_correctly_rounded(backend, device):
    """``5 / tensor([23.])`` in float32 is round(5/23) = 0.21739129722118378, not 5 * fl(1/23)."""
    t_ref = exact_tensor([23.0], (1,), "float32")
    case = Case(backend, "elementwise.scalar-dividend", device, "float32", form="operator")
    t, s = case.input("t", t_ref), case.input("s", 5)
    case.expect(case.observe("s / t", lambda: backend.binary_operator("/", s, t)), R.div(s, t_ref))


# ---- views -----------------------------------------------------------------------------------------


@pytest.mark.rule("view.shape-compat")
@pytest.mark.witness("view-other-negative-size")
@pytest.mark.capability("views")
def test_view_rejects_negative_sizes_other_than_minus_one(backend, device):
    case = Case(backend, "view.shape-compat", device, "int32", sizes="negative")
    base = case.input("base", _arange(6))
    case.expect_error("base.view((3, -2))", lambda: backend.view(base, (3, -2)))


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("expand-minus-one")
@pytest.mark.capability("views")
def test_expand_minus_one_keeps_the_size(backend, device):
    """``expand(-1, 3)`` keeps dimension 0 (the view chains use this spelling)."""
    base_ref = _arange(2, shape=(2, 1))
    case = Case(backend, "view.torch-spellings", device, "int32")
    base = case.input("base", base_ref)
    observed = case.observe("base.expand((-1, 3))", lambda: backend.expand(base, (-1, 3)))
    case.expect(observed, views.expand(base_ref, -1, 3))


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("transpose-zero-dim")
@pytest.mark.capability("views")
def test_transpose_of_a_zero_dim_tensor(backend, device):
    """A 0-d tensor takes dims 0 and -1: ``transpose(0, -1)`` is a view of it."""
    base_ref = exact_tensor([5], (), "int32")
    case = Case(backend, "view.torch-spellings", device, "int32")
    base = case.input("base", base_ref)
    observed = case.observe("base.transpose(0, -1)", lambda: backend.transpose(base, 0, -1))
    case.expect(observed, base_ref)


@pytest.mark.rule("view.aliasing")
@pytest.mark.witness("zero-dim-empty-index-view")
@pytest.mark.capability("views", "inplace")
def test_empty_index_of_a_zero_dim_tensor_is_a_view(backend, device):
    """``base[()]`` on a 0-d tensor is a view: a write through the base shows in it. Where a full
    integer index gives a scalar (the library's declared convention, NumPy's), ``base[...]`` is the view."""
    index, text = ((), "()") if backend.conventions_on(device).full_int_index == "0-d" else ((Ellipsis,), "...")
    case = Case(backend, "view.aliasing", device, "int32")
    base = case.input("base", exact_tensor([1], (), "int32"))
    v = case.run(f"v = base[{text}]", lambda: backend.getitem(base, index))
    case.run("base.fill_(7)", lambda: backend.fill_(base, 7))
    case.expect(backend.observe(v), exact_tensor([7], (), "int32"), what="v after base.fill_(7)")


@pytest.mark.rule("view.contiguous")
@pytest.mark.witness("contiguous-zero-dim")
@pytest.mark.capability("views")
def test_contiguous_of_a_zero_dim_tensor_is_itself(backend, device):
    case = Case(backend, "view.contiguous", device, "int32")
    base = case.input("base", exact_tensor([3], (), "int32"))
    result = case.run("base.contiguous()", lambda: backend.contiguous(base))
    case.check(result is base, "contiguous() of a contiguous 0-d tensor must return it (the same object); "
                               f"observed {backend.observe(result).shape} {type(result).__name__}")


# ---- devices -----------------------------------------------------------------------------------------


@pytest.mark.rule("reduction.sum")
@pytest.mark.witness("sum-int32-on-each-device")
def test_sum_of_int32(backend, device):
    a_ref = exact_tensor([1, 2, 3], (3,), "int32")
    case = Case(backend, "reduction.sum", device, "int32")
    a = case.input("a", a_ref)
    observed = case.observe("{ns}.sum(a)", lambda: backend.sum(a))  # its dtype is reduction.sum-dtype's
    case.check(observed.shape == (), f"sum(a) has shape {observed.shape}, expected ()")
    case.expect_values(observed.flat, R.sum(a_ref))


@pytest.mark.rule("device.result")
@pytest.mark.witness("sum-int32-on-each-device")
def test_sum_of_int32_stays_on_its_device(backend, device):
    a_ref = exact_tensor([1, 2, 3], (3,), "int32")
    case = Case(backend, "device.result", device, "int32")
    a = case.input("a", a_ref)
    where = backend.device_name(case.run("{ns}.sum(a)", lambda: backend.sum(a)))
    case.check(where == device, f"sum(a) is on {where}; its operand is on {device}")



# ---- witnesses on expanded tensors (the view chains spell "keep this size" as expand(-1)) -----------
# (expand alone needs no aliasing: a backend without views still offers it, or skips as unsupported)


def _expanded(case: Case, backend):
    """``base.expand(-1, 3)`` for base = [[0], [1]] (int32): [[0, 0, 0], [1, 1, 1]]."""
    base = case.input("base", _arange(2, shape=(2, 1)))
    return case.run("e = base.expand((-1, 3))", lambda: backend.expand(base, (-1, 3)))


_EXPANDED = exact_tensor([0, 0, 0, 1, 1, 1], (2, 3), "int32")


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("expand-minus-one")
def test_ndim_numel_of_an_expanded_tensor(backend, device):
    case = Case(backend, "view.torch-spellings", device, "int32")
    e = _expanded(case, backend)
    got = (case.run("e.ndim", lambda: backend.ndim(e)), case.run("e.numel()", lambda: backend.numel(e)))
    case.check(got == (2, 6), f"(ndim, numel) of a (2, 3) expanded tensor: expected (2, 6), observed {got}")


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("expand-minus-one")
def test_basic_index_of_an_expanded_tensor(backend, device):
    case = Case(backend, "view.torch-spellings", device, "int32")
    e = _expanded(case, backend)
    case.expect(case.observe("e[1, 1:]", lambda: backend.getitem(e, (1, slice(1, None)))),
                exact_tensor([1, 1], (2,), "int32"))


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("expand-minus-one")
def test_advanced_index_of_an_expanded_tensor(backend, device):
    case = Case(backend, "view.torch-spellings", device, "int32")
    e = _expanded(case, backend)
    case.expect(case.observe("e[[1, 0]]", lambda: backend.getitem(e, [1, 0])),
                exact_tensor([1, 1, 1, 0, 0, 0], (2, 3), "int32"))


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("expand-minus-one")
def test_out_of_bounds_index_of_an_expanded_tensor(backend, device):
    case = Case(backend, "view.torch-spellings", device, "int32")
    e = _expanded(case, backend)
    case.expect_error("e[2]", lambda: backend.getitem(e, 2))


@pytest.mark.rule("indexing.basic-view")
@pytest.mark.witness("zero-dim-empty-index-view")
@pytest.mark.capability("views", "inplace")
def test_empty_index_of_a_zero_dim_tensor_aliases(backend, device):
    case = Case(backend, "indexing.basic-view", device, "int32")
    base = case.input("base", exact_tensor([1], (), "int32"))
    v = case.run("v = base[()]", lambda: backend.getitem(base, ()))
    case.run("base.fill_(7)", lambda: backend.fill_(base, 7))
    case.expect(backend.observe(v), exact_tensor([7], (), "int32"), what="v after base.fill_(7)")


@pytest.mark.rule("attributes.strides")
@pytest.mark.witness("strides-of-an-empty-array")
@pytest.mark.capability("strides")
def test_strides_of_a_fresh_empty_tensor_are_row_major(backend, device):
    case = Case(backend, "attributes.strides", device, "float32")
    t = case.run("t = zeros((0, 5))", lambda: backend.zeros((0, 5), dtype="float32", device=device))
    got = tuple(case.run("t.stride()", lambda: backend.stride(t)))
    if not backend.conventions_on(device).degenerate_strides_row_major:
        case.may("attributes.strides", "strides of an empty array", got)  # they address nothing
        return
    case.check(got == (5, 1), f"zeros((0, 5)).stride() is {got}, expected row-major (5, 1)")


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


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("transpose-zero-dim")
@pytest.mark.capability("views")
def test_size_of_a_transposed_zero_dim_tensor(backend, device):
    case = Case(backend, "view.torch-spellings", device, "int32")
    base = case.input("base", exact_tensor([5], (), "int32"))
    e = case.run("e = base.transpose(0, -1)", lambda: backend.transpose(base, 0, -1))
    got = tuple(case.run("e.shape", lambda: backend.shape(e)))
    case.check(got == (), f"the transposed 0-d tensor has shape {got}, expected ()")


# ---- creation: dtype inference of tensor(data) -------------------------------------------------------------


@pytest.mark.rule("creation.tensor-dtype")  # PyTorch's inference (creation.tensor-data checks the declared one)
@pytest.mark.witness("int-data-infers-int64")
def test_tensor_of_python_ints_is_int64(backend, device):
    case = Case(backend, "creation.tensor-dtype", device, "int64")
    observed = case.observe(f"{{ns}}.tensor([[1, 2], [3, 4]], device={device!r})", lambda: backend.tensor([[1, 2], [3, 4]], device=device))
    case.expect(observed, exact_tensor([1, 2, 3, 4], (2, 2), "int64"))


@pytest.mark.rule("creation.tensor-dtype")  # PyTorch's inference (creation.tensor-data checks the declared one)
@pytest.mark.witness("float-data-infers-float32")
def test_tensor_of_python_floats_is_float32(backend, device):
    case = Case(backend, "creation.tensor-dtype", device, "float32")
    observed = case.observe(f"{{ns}}.tensor([0.5, 1.5], device={device!r})", lambda: backend.tensor([0.5, 1.5], device=device))
    case.expect(observed, exact_tensor([0.5, 1.5], (2,), "float32"))


# ---- t() of a 1-d tensor (PyTorch returns the tensor's own view) ----

_T_RULES = ("view.torch-spellings",)  # the core view chains no longer use t(): PyTorch's spelling only


@pytest.mark.parametrize("rule", [pytest.param(r, marks=pytest.mark.rule(r)) for r in _T_RULES])
@pytest.mark.witness("t-of-1d")
def test_t_of_a_one_dim_tensor_is_itself(backend, device, rule):
    case = Case(backend, rule, device, "int32")
    base_ref = _arange(3)
    base = case.input("base", base_ref)
    case.expect(case.observe("base.t()", lambda: backend.t(base)), base_ref)
