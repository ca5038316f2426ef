"""Views and strides (spec/view.md).

Inputs are random chains of view operations (strategies_view.view_chains), so
``view`` meets offsets, steps, permuted, stride-0 and size-0/size-1/0-d tensors.
Aliasing is observed by writing through one tensor and reading another
(suites/aliasing.py).
"""

from __future__ import annotations

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference import views
from tensorcts.reference.tensor import contiguous_strides
from tensorcts.suites.aliasing import (
    WRITE_KINDS,
    alias_family,
    apply_write,
    attempt,
    expect_geometry,
    final_arg,
    recorded,
    run_chain,
    values_only,
    writes,
)
from tensorcts.suites.checks import Case, rank_class
from tensorcts.suites.strategies import exact_tensor, offered
from tensorcts.suites.strategies_view import (
    TORCH_KINDS,
    ViewOp,
    cached_dtypes,
    cached_shapes,
    chain_text,
    choose,
    distinct_tensor,
    restructured,
    view_chains,
    view_ops,
)

# Capabilities are per test: only a check that observes aliasing or strides needs them (a library
# without views still has reshape, transpose and permute, whose values the other checks read).

@pytest.mark.rule("view.shape-compat")
@given(data=st.data())
def test_shape_compat(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "bif"), label="dtype")
    base_ref = distinct_tensor(data.draw(cached_shapes(max_numel=120), label="shape"), dtype)
    n = base_ref.numel()
    shape = data.draw(restructured(base_ref.shape), label="regrouped shape")
    kind = choose(data, ("good", "two -1", "negative", "too many", "too few"), label="kind")
    if kind == "two -1":  # (or an ambiguous -1 on 0 elements)
        shape = (*shape, -1, -1) if n else (*shape, -1)
    elif kind == "negative":
        shape = (*shape, choose(data, (-2, -3), label="negative size"))
    elif kind == "too many":
        shape = choose(data, ((n + 1,), (2, n) if n else (-1, 0)), label="too many")
    elif kind == "too few":
        shape = (data.draw(st.integers(0, n - 1), label="count"), 1) if n else (1, -1, 0)
    expected = attempt(lambda: base_ref.view(shape))
    # the element-count rules are those of reshape too: a library without views is held to them there
    form = "view" if "views" in backend.capabilities else "reshape"
    op = backend.view if form == "view" else backend.reshape
    case = Case(backend, "view.shape-compat", device, dtype, form=form, sizes=kind.replace("-1", "minus-one").replace(" ", "-"))
    base = case.input("base", recorded(base_ref))
    _expect_view(case, f"base.{form}({shape})", lambda: op(base, shape), base_ref, shape, expected)


def _expect_view(case: Case, text: str, call, base_ref, shape: tuple, expected) -> None:
    """The view, or the error the rule requires. A size below -1 MAY be read as -1 (NumPy reads every
    negative size so: numpy/numpy#27024): then the view must be the one -1 gives."""
    if expected is not None:
        case.expect(case.observe(text, call), expected)
        return
    as_minus_one = tuple(-1 if size < 0 else size for size in shape)
    read = attempt(lambda: base_ref.view(as_minus_one)) if as_minus_one != shape else None
    if read is None:
        case.expect_error(text, call)
        return
    try:
        result = call()
    except Exception:
        return  # raised, as the rule's own reading asks
    case.may("view.shape-compat", "reads a size below -1 as -1", True)
    case.expect(case.observe(text, lambda: result), read)


@pytest.mark.rule("view.shape-compat")
def test_shape_compat_examples(backend, device):
    """The spec's examples, fixed, and a contiguous base viewed with fewer elements (random shapes
    reach that case in a few examples only)."""
    form = "view" if "views" in backend.capabilities else "reshape"
    op = backend.view if form == "view" else backend.reshape
    base_ref = distinct_tensor((6,), "int64" if "int64" in backend.dtypes(device) else "int32")
    for shape, sizes in (((3, -1), "good"), ((-1, 4), "indivisible"), ((-1, -1), "two-minus-one"),
                         ((-2, -3), "negative"), ((4,), "too-few"), ((2, 2), "too-few")):
        case = Case(backend, "view.shape-compat", device, base_ref.dtype.name, form=form, sizes=sizes)
        base = case.input("base", recorded(base_ref))
        expected = attempt(lambda shape=shape: base_ref.view(shape))
        _expect_view(case, f"base.{form}({shape})", lambda shape=shape, base=base: op(base, shape),
                     base_ref, shape, expected)


@pytest.mark.rule("view.stride-compat")
@pytest.mark.capability("views")
@given(data=st.data())
def test_stride_compat(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "bif"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype), label="chain")
    shape = data.draw(restructured(t_ref.shape), label="new shape")
    expected = attempt(lambda: t_ref.view(shape))
    case = Case(backend, "view.stride-compat", device, dtype)
    t = run_chain(case, backend, case.input("base", recorded(base_ref)), ops)
    text = chain_text("base", [*ops, ViewOp("view", shape)])
    if expected is None:
        case.expect_error(text, lambda: backend.view(t, shape))
        return
    observed = case.observe(text, lambda: backend.view(t, shape))
    case.expect(observed, expected)
    expect_geometry(case, backend, observed, expected)


@pytest.mark.rule("view.strides")
@pytest.mark.capability("views", "strides")
@given(data=st.data())
def test_strides(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "bif"), label="dtype")
    base_ref, ops, _ = data.draw(view_chains(dtype, min_ops=1), label="chain")
    case = Case(backend, "view.strides", device, dtype)
    t, t_ref = case.input("base", recorded(base_ref)), base_ref
    for n, op in enumerate(ops):
        t_ref = op.on_reference(t_ref)
        t = case.run(chain_text("base", ops[:n + 1]), lambda t=t, op=op: op.on_backend(backend, t))
        observed = backend.observe(t)
        case.expect(observed, t_ref)
        expect_geometry(case, backend, observed, t_ref)


@pytest.mark.rule("view.aliasing")
@pytest.mark.capability("views", "inplace")
@given(data=st.data())
def test_aliasing(backend, device, data):
    alias_family(backend, device, data, "view.aliasing", ("view",))


@pytest.mark.rule("view.transpose")
@pytest.mark.capability("views", "inplace")
@given(data=st.data())
def test_transpose_aliases(backend, device, data):
    alias_family(backend, device, data, "view.transpose", ("transpose", "permute"))


@pytest.mark.rule("view.transpose")
@given(data=st.data())
def test_transpose_strides(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "bif"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, max_ops=2), label="chain")
    kind = choose(data, ("transpose", "permute") if t_ref.ndim >= 2 else ("permute",), label="op")
    op = ViewOp(kind, final_arg(data, t_ref, kind))
    expected = op.on_reference(t_ref)
    case = Case(backend, "view.transpose", device, dtype, form=kind)
    ops = values_only(ops)  # the chain provides values and a layout only
    t = run_chain(case, backend, case.input("base", recorded(base_ref)), ops)
    observed = case.observe(chain_text("base", [*ops, op]), lambda: op.on_backend(backend, t))
    case.expect(observed, expected)
    expect_geometry(case, backend, observed, expected)


@pytest.mark.rule("view.torch-spellings")
@pytest.mark.capability("views")
@given(data=st.data())
def test_torch_spellings(backend, device, data):
    """PyTorch's own spellings, each the operation under test: t(), transpose of a 0-d or 1-d
    tensor (dims 0 and -1), expand with -1 for "keep this size"."""
    dtype = data.draw(cached_dtypes(backend, device, "bif"), label="dtype")
    base_ref = distinct_tensor(data.draw(cached_shapes(max_dims=3, max_numel=60), label="shape"), dtype)
    ops = [data.draw(view_ops(base_ref.shape, TORCH_KINDS), label="op")]
    case = Case(backend, "view.torch-spellings", device, dtype, form=ops[0].name)
    expected = attempt(lambda: ops[0].on_reference(base_ref))
    base = case.input("base", recorded(base_ref))
    text = chain_text("base", ops)
    if expected is None:
        case.expect_error(text, lambda: ops[0].on_backend(backend, base))
        return
    observed = case.observe(text, lambda: ops[0].on_backend(backend, base))
    case.expect(observed, expected)
    expect_geometry(case, backend, observed, expected)


@pytest.mark.rule("view.contiguous")
@pytest.mark.capability("views", "inplace")
@given(data=st.data())
def test_contiguous(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "if"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype), label="chain")
    # the rank class is the tensor contiguous() is called on, not the base of its chain
    case = Case(backend, "view.contiguous", device, dtype, rank=rank_class(t_ref.shape))
    base = case.input("base", recorded(base_ref))
    t = run_chain(case, backend, base, ops)
    text = chain_text("base", ops) + ".contiguous()"
    c = case.run(text, lambda: backend.contiguous(t))
    if t_ref.is_contiguous():
        case.check(c is t, f"{text}: the input is contiguous, so contiguous() must return it (the same object)")
        return
    observed = backend.observe(c)
    case.expect(observed, t_ref)
    if "strides" in backend.capabilities:
        case.check(tuple(observed.strides) == contiguous_strides(t_ref.shape),
                   f"{text}: a copy must be row-major, strides {contiguous_strides(t_ref.shape)}, "
                   f"observed {observed.strides}")
    c_ref = t_ref.contiguous()  # the reference's copy: writing it leaves base alone
    write = data.draw(writes(c_ref, dtype, kinds=offered(backend, WRITE_KINDS)), label="write")
    apply_write(case, backend, write, c_ref, c, "c", setup=True)
    case.expect(backend.observe(base), base_ref, what="base after writing the contiguous() copy")


@pytest.mark.rule("view.reshape")
@pytest.mark.capability("views", "inplace")
@given(data=st.data())
def test_reshape(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "if"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, min_ops=1), label="chain")  # often non-contiguous
    shape = data.draw(restructured(t_ref.shape), label="new shape")
    r_ref = t_ref.reshape(shape)  # a view exactly when view() succeeds, else a copy
    case = Case(backend, "view.reshape", device, dtype)
    base = case.input("base", recorded(base_ref))
    t = run_chain(case, backend, base, ops)
    text = chain_text("base", [*ops, ViewOp("reshape", shape)])
    r = case.run(text, lambda: backend.reshape(t, shape))
    case.expect(backend.observe(r), r_ref)
    write = data.draw(writes(r_ref, dtype, kinds=offered(backend, WRITE_KINDS)), label="write")
    apply_write(case, backend, write, r_ref, r, "r", setup=True)
    aliased = "a view (view() succeeds here)" if attempt(lambda: t_ref.view(shape)) is not None else "a copy"
    case.expect(backend.observe(base), base_ref, what=f"base after writing r, which must be {aliased}")


@pytest.mark.rule("view.chained")
@pytest.mark.parametrize("n, shape, expected", [
    (9, (3, 3), [[0, 1, 2], [3, 4, 5], [6, 7, 8]]),
    (6, (2, 3), [[0, 1, 2], [3, 4, 5]]),
])
def test_chained_tutorial(backend, device, n, shape, expected):
    dtype = backend.conventions_on(device).default_int  # arange of ints: the declared default int dtype
    case = Case(backend, "view.chained", device, dtype)
    observed = case.observe(f"{{ns}}.arange({n}, device={device!r}).{_regroup(backend).__name__}{shape}",
                            lambda: _regroup(backend)(backend.arange(n, device=device), shape))
    case.expect(observed, R.tensor(expected, dtype=dtype, exact=True))


@pytest.mark.rule("view.chained")
@given(data=st.data(), n=st.integers(0, 60))
def test_chained(backend, device, data, n):
    shape = data.draw(restructured((n,)), label="shape")
    ops = [ViewOp("view", shape)]
    if data.draw(st.booleans(), label="then view back"):
        ops.append(ViewOp("view", data.draw(restructured(R.arange(n).view(shape).shape), label="second shape")))
    dtype = backend.conventions_on(device).default_int  # arange of ints: the declared default int dtype
    expected = R.arange(n, dtype=R.BY_NAME[dtype], exact=True)
    for op in ops:
        expected = op.on_reference(expected)
    case = Case(backend, "view.chained", device, dtype)
    out = case.run(f"{{ns}}.arange({n}, device={device!r})", lambda: backend.arange(n, device=device))
    text = f"{{ns}}.arange({n}, device={device!r})"
    for op in ops:  # the composition is what the rule is about: each step is under test
        name = _regroup(backend).__name__
        text += f".{name}({', '.join(map(str, op.arg))})" if op.arg else f".{name}(())"
        out = case.run(text, lambda out=out, op=op: _regroup(backend)(out, op.arg))
    case.expect(backend.observe(out), expected)


def _regroup(backend):
    """view where the library has views, else reshape: the rule is about the values, not aliasing."""
    return backend.view if "views" in backend.capabilities else backend.reshape


# ---- witnesses: fixed examples that expectations may name (@pytest.mark.witness) ---------------------------


def _arange(n: int, dtype: str = "int32", shape=None):
    return exact_tensor(list(range(n)), shape or (n,), dtype)


@pytest.mark.rule("view.shape-compat")
@pytest.mark.witness("view-other-negative-size")
@pytest.mark.capability("views")
def test_view_of_a_size_below_minus_one(backend, device):
    """``view((3, -2))`` raises, or (the rule's MAY) reads -2 as -1 and is ``view((3, -1))``."""
    base_ref = _arange(6)
    case = Case(backend, "view.shape-compat", device, "int32", sizes="negative")
    base = case.input("base", base_ref)
    _expect_view(case, "base.view((3, -2))", lambda: backend.view(base, (3, -2)), base_ref, (3, -2), None)


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


@pytest.mark.rule("view.torch-spellings")  # a PyTorch spelling: the core rules no longer use it
@pytest.mark.witness("transpose-zero-dim")
@pytest.mark.capability("views")
def test_size_of_a_transposed_zero_dim_tensor(backend, device):
    case = Case(backend, "view.torch-spellings", device, "int32")
    base = case.input("base", exact_tensor([5], (), "int32"))
    e = case.run("e = base.transpose(0, -1)", lambda: backend.transpose(base, 0, -1))
    got = tuple(case.run("e.shape", lambda: backend.shape(e)))
    case.check(got == (), f"the transposed 0-d tensor has shape {got}, expected ()")


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


# ---- t() of a 1-d tensor (PyTorch returns the tensor's own view) ----

_T_RULES = ("view.torch-spellings",)  # the core view chains no longer use t(): PyTorch's spelling only


@pytest.mark.parametrize("rule", [pytest.param(r, marks=pytest.mark.rule(r)) for r in _T_RULES])
@pytest.mark.witness("t-of-1d")
def test_t_of_a_one_dim_tensor_is_itself(backend, device, rule):
    case = Case(backend, rule, device, "int32")
    base_ref = _arange(3)
    base = case.input("base", base_ref)
    case.expect(case.observe("base.t()", lambda: backend.t(base)), base_ref)
