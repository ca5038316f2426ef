"""In-place operations (spec/inplace.md): identity, values, dtype and shape rules, overlap.

The oracle of every in-place op is the reference's own in-place op on an exact copy
of self: the out-of-place result, checked, cast to self's dtype and written.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import tensorcts.reference as R
from hypothesis import assume, given
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.aliasing import recorded, run_chain
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import (
    broadcastable_shapes,
    dtypes,
    exact_tensor,
    offered,
    reused,
    sampled,
    shapes,
    tensors,
    values_of,
)
from tensorcts.suites.strategies_view import basic_index, chain_text, format_index, view_chains

ARITH = ("add_", "sub_", "mul_", "div_")
ALL_OPS = ARITH + ("zero_", "fill_", "copy_")


def _copy(t: Tensor) -> Tensor:
    """A fresh exact tensor with t's values (the oracle's self, so t itself stays the recorded input)."""
    return Tensor.from_flat(list(t.values()), t.shape, t.dtype, exact=True)


def _oracle(op: str, self_ref: Tensor, *args):
    """The reference's result of ``self.<op>(*args)`` on an exact copy, or the exception it raises."""
    target = _copy(self_ref)
    try:
        getattr(target, op)(*args)
    except (RuntimeError, TypeError) as exc:
        return exc
    return target


@reused
@st.composite
def _self_and_other(draw, backend, device, op: str, self_kinds: str = "if", other_kinds: str = "if",
                    grow: bool = False, same_dtype: bool = False):
    """self, and an operand that broadcasts to self's shape (or, with grow=True, one that would grow self)."""
    dtype_s = draw(dtypes(backend, device, self_kinds), label="self dtype")
    dtype_o = dtype_s if same_dtype else draw(dtypes(backend, device, other_kinds), label="other dtype")
    shape_s = draw(shapes(max_dims=3), label="self shape")
    if grow:  # a leading dim self lacks, or a size where self has 1
        ones = [i for i, size in enumerate(shape_s) if size == 1]
        if ones and draw(st.booleans(), label="widen a 1"):
            i = draw(st.sampled_from(ones))
            shape_o = shape_s[:i] + (draw(st.integers(2, 3)),) + shape_s[i + 1:]
        else:
            shape_o = (draw(st.integers(2, 3)),) + tuple(shape_s)
    else:  # trailing sizes equal or 1, never more dims than self
        shape_o = draw(broadcastable_shapes(shape_s, max_dims=len(shape_s)), label="other shape")
    s = draw(tensors(dtype_s, shape_s, int_limit=30), label="self")
    n = numel_of(shape_o)
    values = values_of(dtype_o, int_limit=30)
    if op == "div_":
        values = values.filter(lambda v: v != 0)
    o = exact_tensor(draw(st.lists(values, min_size=n, max_size=n), label="other"), shape_o, dtype_o)
    return s, o


def _operands(self_ref: Tensor, other_ref: Tensor) -> str:
    """The case class of an in-place case: self's dtype, then the operand's (docs/suite-contract.md)."""
    return f"{self_ref.dtype.name} {other_ref.dtype.name}"


def _args(op: str, other_native, value):
    return {"zero_": (), "fill_": (value,)}.get(op, (other_native,))


@pytest.mark.rule("inplace.returns-self")
@given(data=st.data(), op=st.sampled_from(ALL_OPS + ("iadd",)))
def test_returns_self(backend, device, data, op):
    backend.require("inplace")
    assume(op not in backend.inplace_statements)  # x[...] = v has no result to be x
    assume(op == "iadd" or backend.offers(op))  # a library without fill_ still has its other in-place ops
    # one dtype: mixed dtypes are inplace.dtype's business
    s_ref, o_ref = data.draw(_self_and_other(backend, device, op, "f", same_dtype=True), label="operands")
    case = Case(backend, "inplace.returns-self", device, s_ref.dtype.name)
    s, o = case.input("t", s_ref), case.input("o", o_ref)
    if op == "iadd":
        r = case.run("before = t; t += o; t is before", lambda: backend.iadd(s, o))
        case.check(r is s, "`t += o` rebound t to a new object: it must keep t's identity")
        return
    args = _args(op, o, 1.5)
    r = case.run(f"t.{op}({'o' if args and args[0] is o else ', '.join(map(repr, args))}) is t",
                 lambda: getattr(backend, op)(s, *args))
    case.check(r is s, f"t.{op}(...) returned a new object: it must return t itself")


@pytest.mark.rule("inplace.mutates-self-only")
@given(data=st.data(), op=st.sampled_from(ARITH + ("copy_",)))
def test_mutates_self_only(backend, device, data, op):
    backend.require("inplace")
    s_ref, o_ref = data.draw(_self_and_other(backend, device, op, "f", same_dtype=True), label="operands")
    case = Case(backend, "inplace.mutates-self-only", device, s_ref.dtype.name)
    s, o = case.input("t", s_ref), case.input("o", o_ref)
    case.run(f"t.{op}(o)", lambda: getattr(backend, op)(s, o))
    case.expect(case.observe_after("o", o), o_ref, what=f"o after t.{op}(o) (must be unchanged)")
    expected = _oracle(op, s_ref, o_ref)
    case.expect(case.observe_after("t", s), expected, what=f"t after t.{op}(o)")


@pytest.mark.rule("inplace.mutates-self-only")
@pytest.mark.parametrize("op", ARITH + ("copy_",))
def test_mutates_self_only_tutorial_example(backend, device, op):
    """The spec's example, x2.add_(x1) with operands of one shape and dtype: x1 keeps its values."""
    backend.require("inplace")
    x1_ref, x2_ref = exact_tensor([1.0, 2.0], (2,), "float32"), exact_tensor([3.0, 4.0], (2,), "float32")
    case = Case(backend, "inplace.mutates-self-only", device, "float32")
    x2, x1 = case.input("t", x2_ref), case.input("o", x1_ref)
    case.run(f"t.{op}(o)", lambda: getattr(backend, op)(x2, x1))
    case.expect(case.observe_after("o", x1), x1_ref, what=f"o after t.{op}(o) (must be unchanged)")
    case.expect(case.observe_after("t", x2), _oracle(op, x2_ref, x1_ref), what=f"t after t.{op}(o)")


@pytest.mark.rule("inplace.values")
@given(data=st.data(), op=st.sampled_from(ARITH))
def test_values(backend, device, data, op):
    backend.require("inplace")
    integer_self = op != "div_" and data.draw(st.booleans(), label="integer self")
    kinds = "i" if integer_self else "f"  # an operand self's dtype can hold (inplace.dtype covers the rest)
    s_ref, o_ref = data.draw(_self_and_other(backend, device, op, kinds, "i" + kinds), label="operands")
    expected = _oracle(op, s_ref, o_ref)
    case = Case(backend, "inplace.values", device, s_ref.dtype.name, operands=_operands(s_ref, o_ref))
    s, o = case.input("t", s_ref), case.input("o", o_ref)
    if _ran_or_refused(case, s_ref, o_ref, f"t.{op}(o)", lambda: getattr(backend, op)(s, o)):
        case.expect(case.observe_after("t", s), expected, what=f"t after t.{op}(o)")


def _ran_or_refused(case: Case, s_ref: Tensor, o_ref: Tensor, text: str, call) -> bool:
    """Run the in-place call. Where the operand is of another kind than self, or of the same kind
    but wider, the library MAY refuse it (whether it works is inplace.dtype's question, torch-level;
    the array API leaves it unspecified): a refusal is an observation. Returns whether the call ran."""
    if o_ref.dtype.kind == s_ref.dtype.kind and o_ref.dtype.bits <= s_ref.dtype.bits:
        case.run(text, call)
        return True
    try:
        call()
    except Exception as exc:  # an Unsupported operation is a pytest skip, not an Exception
        case.may("inplace.values", "refuses an operand of another kind or a wider one", type(exc).__name__)
        return False
    case.call_text = text
    case.ran += 1
    return True


@pytest.mark.rule("inplace.values")
@pytest.mark.parametrize("op", ARITH)
def test_values_mixed_dtype_cancellation(backend, device, op):
    """float32 self, float64 operand close to -self: the result is computed in float64, then cast.

    Casting the operand to float32 first would give 0 (or a wrong value) here.
    """
    backend.require("inplace", "float64")
    s_ref = exact_tensor([1.0, 3.0], (2,), "float32")
    other = {"add_": [-1.0 + 2.0 ** -30, -3.0 - 2.0 ** -29], "sub_": [1.0 - 2.0 ** -30, 3.0 + 2.0 ** -29],
             "mul_": [1.0 + 2.0 ** -30, 1.0 - 2.0 ** -40], "div_": [1.0 + 2.0 ** -30, 3.0 - 2.0 ** -30]}[op]
    o_ref = exact_tensor(other, (2,), "float64")
    case = Case(backend, "inplace.values", device, "float32", operands="float32 float64")
    s, o = case.input("t", s_ref), case.input("o", o_ref)
    if _ran_or_refused(case, s_ref, o_ref, f"t.{op}(o)", lambda: getattr(backend, op)(s, o)):
        case.expect(case.observe_after("t", s), _oracle(op, s_ref, o_ref), what=f"t after t.{op}(o)")


@pytest.mark.rule("inplace.no-shape-change")
@given(data=st.data(), op=st.sampled_from(ARITH + ("copy_",)), grow=st.booleans())
def test_no_shape_change(backend, device, data, op, grow):
    backend.require("inplace")
    s_ref, o_ref = data.draw(_self_and_other(backend, device, op, "f", grow=grow, same_dtype=True),
                             label="operands")
    case = Case(backend, "inplace.no-shape-change", device, s_ref.dtype.name)
    s, o = case.input("t", s_ref), case.input("o", o_ref)
    if grow:
        case.expect_error(f"t.{op}(o)  # o does not broadcast to t's shape",
                          lambda: getattr(backend, op)(s, o))
        return
    case.run(f"t.{op}(o)", lambda: getattr(backend, op)(s, o))
    observed = backend.observe(s)
    case.check(tuple(observed.shape) == tuple(s_ref.shape),
               f"t.{op}(o) changed t's shape from {tuple(s_ref.shape)} to {tuple(observed.shape)}")


@pytest.mark.rule("inplace.dtype")
@given(data=st.data(), op=st.sampled_from(ARITH))
def test_dtype(backend, device, data, op):
    backend.require("inplace")
    kinds = "if" if op == "sub_" else "bif"  # any bool operand of sub raises (elementwise.bool)
    s_ref, o_ref = data.draw(_self_and_other(backend, device, op, kinds, kinds), label="operands")
    expected = _oracle(op, s_ref, o_ref)
    case = Case(backend, "inplace.dtype", device, s_ref.dtype.name, operands=_operands(s_ref, o_ref))
    s, o = case.input("t", s_ref), case.input("o", o_ref)
    if not isinstance(expected, Tensor):  # a result self's dtype cannot hold
        case.expect_error(f"t.{op}(o)  # result dtype {R.result_type(s_ref, o_ref).name}",
                          lambda: getattr(backend, op)(s, o))
        return
    case.run(f"t.{op}(o)", lambda: getattr(backend, op)(s, o))
    case.check(backend.observe(s).dtype == s_ref.dtype.name,
               f"t.{op}(o) changed t's dtype from {s_ref.dtype.name} to {backend.observe(s).dtype}")


#: fixed (self dtype, other dtype) pairs of every outcome, checked on every run
DTYPE_TABLE = [("int64", "float32"), ("int32", "float64"), ("bool", "int64"), ("float32", "float64"),
               ("int32", "int64"), ("int64", "bool"), ("bool", "bool"), ("int64", "int64")]


@pytest.mark.rule("inplace.dtype")
@pytest.mark.parametrize("op", ARITH)
@pytest.mark.parametrize("dtype_s,dtype_o", DTYPE_TABLE, ids=[f"{a}-{b}" for a, b in DTYPE_TABLE])
def test_dtype_table(backend, device, op, dtype_s, dtype_o):
    backend.require("inplace")
    if op == "sub_" and "bool" in (dtype_s, dtype_o):
        return  # any bool operand of a subtraction raises (elementwise.bool)
    available = backend.dtypes(device)
    if dtype_s not in available or dtype_o not in available:
        backend.require("int64", "float64")
    value = {"bool": True, "int32": 3, "int64": 3, "float32": 1.5, "float64": 1.5}
    s_ref = exact_tensor([value[dtype_s]] * 2, (2,), dtype_s)
    o_ref = exact_tensor([value[dtype_o]] * 2, (2,), dtype_o)
    expected = _oracle(op, s_ref, o_ref)
    case = Case(backend, "inplace.dtype", device, dtype_s, operands=f"{dtype_s} {dtype_o}")
    s, o = case.input("t", s_ref), case.input("o", o_ref)
    if not isinstance(expected, Tensor):
        case.expect_error(f"t.{op}(o)", lambda: getattr(backend, op)(s, o))
        return
    case.run(f"t.{op}(o)", lambda: getattr(backend, op)(s, o))
    case.expect(backend.observe(s), expected, what=f"t after t.{op}(o) (dtype {dtype_s} kept)")


def _non_integral(width: int = 64) -> st.SearchStrategy:
    return st.floats(-100, 100, width=width).filter(lambda v: v != int(v) and abs(v) > 2.0 ** -20)


NON_INTEGRAL = _non_integral()


@pytest.mark.rule("inplace.cast-on-copy")
@given(data=st.data())
def test_cast_on_copy(backend, device, data):
    backend.require("inplace")
    op = data.draw(sampled(offered(backend, ("fill_", "copy_"))), label="op")
    dtype = data.draw(dtypes(backend, device, "bif"), label="self dtype")
    shape = data.draw(shapes(max_dims=2), label="shape")
    s_ref = data.draw(tensors(dtype, shape, int_limit=30), label="self")
    case = Case(backend, "inplace.cast-on-copy", device, dtype)
    s = case.input("t", s_ref)
    if op == "fill_":
        value = data.draw(st.one_of(NON_INTEGRAL, st.integers(-100, 100)), label="value")
        case.case_class["operands"] = f"{dtype} python-{type(value).__name__}"
        case.run(f"t.fill_({value!r})", lambda: backend.fill_(s, value))
        expected = _oracle("fill_", s_ref, value)
    else:
        src_dtype = data.draw(dtypes(backend, device, "bif"), label="src dtype")
        width = 32 if src_dtype == "float32" else 64  # src holds values of its own dtype
        src_values = st.one_of(_non_integral(width), st.integers(-100, 100)) if src_dtype.startswith("float") \
            else values_of(src_dtype, int_limit=100)
        n = numel_of(shape)
        src_ref = exact_tensor(data.draw(st.lists(src_values, min_size=n, max_size=n), label="src"), shape,
                               src_dtype)
        case.case_class["operands"] = f"{dtype} {src_dtype}"
        src = case.input("src", src_ref)
        case.run("t.copy_(src)", lambda: backend.copy_(s, src))
        expected = _oracle("copy_", s_ref, src_ref)
    case.expect(backend.observe(s), expected, what=f"t after t.{op}(...) (cast to {dtype})")


@pytest.mark.rule("inplace.cast-on-copy")
def test_cast_on_copy_examples(backend, device):
    """The spec's examples, fixed: truncation toward zero both ways, nonzero into bool (random values
    reach an integer self with a non-integral float in a few examples only)."""
    backend.require("inplace")
    fills = [("int64", 1.7), ("int64", -1.7), ("int32", -2.5), ("bool", 0.3)]
    for dtype, value in (f for f in fills if f[0] in backend.dtypes(device)):
        s_ref = exact_tensor([0] * 3, (3,), dtype)
        case = Case(backend, "inplace.cast-on-copy", device, dtype, operands=f"{dtype} python-float")
        s = case.input("t", s_ref)
        case.run(f"t.fill_({value!r})", lambda s=s, value=value: backend.fill_(s, value))
        case.expect(backend.observe(s), _oracle("fill_", s_ref, value), what=f"t after t.fill_({value!r})")
    if "int64" in backend.dtypes(device):
        s_ref, src_ref = exact_tensor([0, 0], (2,), "int64"), exact_tensor([1.7, -2.7], (2,), "float32")
        case = Case(backend, "inplace.cast-on-copy", device, "int64", operands="int64 float32")
        s, src = case.input("t", s_ref), case.input("src", src_ref)
        case.run("t.copy_(src)", lambda: backend.copy_(s, src))
        case.expect(backend.observe(s), _oracle("copy_", s_ref, src_ref), what="t after t.copy_(src)")


# ---- views, indexed assignment, overlapping memory ---------------------------------------------


@pytest.mark.rule("inplace.through-views")
@given(data=st.data(), op=st.sampled_from(ARITH + ("fill_",)))
def test_through_views(backend, device, data, op):
    backend.require("inplace", "views")
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    base_ref, ops, view_ref = data.draw(view_chains(dtype, max_ops=3, kinds=("getitem", "transpose", "permute",
                                                                             "view"), min_ops=1),
                                        label="view chain")
    o_ref = data.draw(tensors(dtype, view_ref.shape, int_limit=30), label="operand")
    if op == "div_":
        assume(0 not in o_ref.values())
    case = Case(backend, "inplace.through-views", device, dtype)
    base, o = case.input("base", recorded(base_ref)), case.input("o", o_ref)
    view = run_chain(case, backend, base, ops)  # setup: building the view is not under test
    sibling = case.setup("base.view(-1)", lambda: backend.view(base, (-1,)), rule="view.shape-compat")
    text = f"v = {chain_text('base', ops)}; sibling = base.view((-1,)); v.{op}({'2.5' if op == 'fill_' else 'o'})"
    expected_base = _copy(base_ref)
    expected_view = expected_base
    for step in ops:
        expected_view = step.on_reference(expected_view)
    arg_ref, arg = (2.5, 2.5) if op == "fill_" else (o_ref, o)
    getattr(expected_view, op)(arg_ref)
    case.run(text, lambda: getattr(backend, op)(view, arg))  # what it returns is inplace.returns-self's
    case.expect(backend.observe(base), expected_base, what="base after the in-place op on its view")
    case.expect(backend.observe(sibling), expected_base.view(-1), what="sibling view base.view(-1)")


@reused
@st.composite
def _index_and_value(draw, shape, dtype: str):
    """A basic or advanced index of ``shape`` and a value (scalar or tensor) for it."""
    kind = draw(sampled(("basic", "int list", "bool mask"))) if shape and shape[0] else "basic"
    if kind == "basic":
        index = draw(basic_index(shape))
    elif kind == "int list":
        index = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=3, unique=True))
    else:
        index = draw(st.lists(st.booleans(), min_size=shape[0], max_size=shape[0]))
    probe = Tensor.from_flat([0] * numel_of(shape), shape, R.int64)[index if kind == "basic" else index]
    if draw(st.booleans()):
        value = draw(values_of(dtype, int_limit=30))
        return index, value, value
    value_ref = draw(tensors(dtype, probe.shape, int_limit=30))
    return index, value_ref, None


@pytest.mark.rule("inplace.setitem")
@given(data=st.data())
def test_setitem(backend, device, data):
    backend.require("inplace", "views")
    dtype = data.draw(dtypes(backend, device, "if"), label="dtype")
    shape = data.draw(shapes(min_dims=1, max_dims=2, max_side=4), label="shape")
    t_ref = data.draw(tensors(dtype, shape, int_limit=30), label="t")
    index, value_ref, scalar = data.draw(_index_and_value(shape, dtype), label="index and value")
    case = Case(backend, "inplace.setitem", device, dtype)
    t = case.input("t", t_ref)
    value = scalar if scalar is not None else case.input("value", value_ref)
    alias = backend.getitem(t, (slice(None),))
    expected = _copy(t_ref)
    expected[index] = value_ref if scalar is None else scalar
    shown = format_index(index) if isinstance(index, tuple) else repr(index)
    case.run(f"alias = t[:]; t[{shown}] = {'value' if scalar is None else repr(scalar)}",
             lambda: backend.setitem(t, index, value))
    case.expect(backend.observe(t), expected, what="t after the indexed assignment")
    case.expect(backend.observe(alias), expected, what="alias = t[:] (taken before the assignment)")


@pytest.mark.rule("inplace.overlap")
@given(data=st.data(), op=st.sampled_from(ARITH + ("copy_", "iadd", "fill_", "zero_", "set row", "set element",
                                                   "set all")))
def test_overlap(backend, device, data, op):
    backend.require("inplace", "views")
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    n, m = data.draw(st.integers(1, 4), label="n"), data.draw(st.integers(2, 3), label="m")
    row_shape = data.draw(sampled(((1, n), (n,))), label="base shape")
    base_ref = data.draw(tensors(dtype, row_shape, int_limit=30), label="base")
    case = Case(backend, "inplace.overlap", device, dtype)
    base = case.input("base", recorded(base_ref))
    e = case.setup(f"base.expand(({m}, {n}))", lambda: backend.expand(base, (m, n)), rule="view.strides")
    head = f"e = base.expand(({m}, {n})); "
    if op in ARITH + ("copy_", "iadd"):
        o_ref = exact_tensor([1.5] * (m * n), (m, n), dtype)
        o = case.input("o", o_ref)
        call = "e += o" if op == "iadd" else f"e.{op}(o)"
        case.expect_error(head + call, lambda: getattr(backend, op)(e, o))
        return
    if op == "set all":
        case.expect_error(head + "e[:] = 7.0", lambda: backend.setitem(e, (slice(None),), 7.0))
        return
    if op in ("fill_", "zero_"):
        value = 7.0 if op == "fill_" else 0.0
        case.run(head + f"e.{op}({'7.0' if op == 'fill_' else ''})",
                 lambda: getattr(backend, op)(e, *((7.0,) if op == "fill_" else ())))
        expected_row = [Fraction(value)] * n
    else:
        j = data.draw(st.integers(0, n - 1), label="column")
        index = (0,) if op == "set row" else (0, j)
        case.run(head + f"e[{', '.join(map(str, index))}] = 7.0", lambda: backend.setitem(e, index, 7.0))
        expected_row = list(base_ref.values())
        if op == "set row":
            expected_row = [Fraction(7)] * n
        else:
            expected_row[j] = Fraction(7)
    expected = exact_tensor(expected_row, row_shape, dtype)
    case.expect(backend.observe(base), expected, what="base (every row of e is the same memory)")
