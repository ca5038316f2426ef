"""Indexing (spec/indexing.md): basic indices give views, advanced indices give copies."""

from __future__ import annotations

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.adapters.base import PYTORCH_CONVENTIONS
from tensorcts.reference.tensor import nest
from tensorcts.suites.aliasing import (
    WRITE_KINDS,
    alias_family,
    apply_write,
    recorded,
    run_chain,
    values_only,
    writes,
)
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import exact_tensor, offered, reused
from tensorcts.suites.strategies_view import (
    ViewOp,
    basic_index,
    cached_dtypes,
    chain_text,
    format_index,
    pick,
    view_chains,
)


@pytest.mark.rule("indexing.basic-values")
@given(data=st.data())
def test_basic_values(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "bif"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, max_ops=2), label="chain")
    conventions = backend.conventions_on(device)
    index = data.draw(basic_index(t_ref.shape, with_ellipsis=not conventions.partial_index,
                                  in_bounds=not conventions.clamps_slice_bounds), label="index")
    # the spelling users write: a lone int, slice, ... or None goes in as itself, not as a 1-tuple
    written = index[0] if len(index) == 1 and data.draw(st.booleans(), label="plain") else index
    expected = t_ref[index]
    case = Case(backend, "indexing.basic-values", device, dtype, index=index_kind(written))
    ops = values_only(ops)  # the chain provides values and a layout only
    t = run_chain(case, backend, case.input("base", recorded(base_ref)), ops)
    observed = case.observe(chain_text("base", [*ops, ViewOp("getitem", index)]),
                            lambda: backend.getitem(t, written))
    case.expect(observed, expected)
    if t_ref.ndim and t_ref.shape[0] >= 2 and (t_ref.ndim == 1 or conventions.partial_index):
        # a plain negative int, x[-k]: it must count from the end of the first dimension
        k = -data.draw(st.integers(1, t_ref.shape[0]), label="from the end")
        observed = case.observe(chain_text("base", [*ops, ViewOp("getitem", (k,))]),
                                lambda: backend.getitem(t, k))
        case.expect(observed, t_ref[(k,)])
    if t_ref.ndim and t_ref.shape[-1] >= 2:  # and a negative index in the last position
        last = (Ellipsis, -data.draw(st.integers(1, t_ref.shape[-1] - 1), label="last from the end"))
        observed = case.observe(chain_text("base", [*ops, ViewOp("getitem", last)]),
                                lambda: backend.getitem(t, last))
        case.expect(observed, t_ref[last])


#: advanced_index's kinds as case classes (docs/suite-contract.md)
INDEX_CLASS = {"int list": "list", "bool list": "bool-list", "int tensor": "int-array", "bool tensor": "bool-mask"}


def advanced_class(index: tuple, kind: str) -> str:
    """The ``index`` case class of an advanced index: ``empty-list`` for ``t[[]]`` (a list with no entries,
    which a library may read as a float list), else the kind's class."""
    empty = any(isinstance(item, list) and not item for item in index)
    return "empty-list" if kind == "int list" and empty else INDEX_CLASS[kind]


def index_kind(index) -> str:
    """The case class of a written index (docs/suite-contract.md): int, slice, ellipsis, none or tuple."""
    if isinstance(index, tuple):
        return "tuple"
    return {int: "int", slice: "slice", type(Ellipsis): "ellipsis", type(None): "none"}[type(index)]


@pytest.mark.rule("indexing.basic-view")
@pytest.mark.capability("views", "inplace")
@given(data=st.data())
def test_basic_view(backend, device, data):
    alias_family(backend, device, data, "indexing.basic-view", ("getitem",))


@reused
@st.composite
def advanced_index(draw, shape: tuple[int, ...], conventions=PYTORCH_CONVENTIONS):
    """(index for the reference, its kind): slices, then one advanced
    index (an int tensor, a bool mask tensor, or where the library indexes with lists, an int or bool
    list). Where the library's conventions specify no more, an advanced index is the sole index, and an
    integer array indexes a 1-d tensor only."""
    kinds = ("int list", "int tensor", "bool list", "bool tensor") if conventions.list_index else ("int tensor", "bool tensor")
    if not conventions.int_array_among_slices and len(shape) > 1:
        kinds = tuple(k for k in kinds if k.startswith("bool"))
    kind = pick(draw, kinds)
    sole = (kind.startswith("bool") and not conventions.mask_among_indices) or \
        (kind.startswith("int") and not conventions.int_array_among_slices)
    at = 0 if sole else draw(st.integers(0, len(shape) - 1))
    lead = [pick(draw, (slice(None), slice(1, None), slice(None, None, 2))) for _ in range(at)]
    size = shape[at]
    if kind.startswith("int"):
        # an empty Python list has no element to say it is an integer index: only a tensor is empty here
        least = 1 if kind == "int list" else 0
        values = draw(st.lists(st.integers(-size, size - 1), min_size=least, max_size=6)) if size else []
        if not values and kind == "int list":
            kind = "int tensor"
        item_ref = exact_tensor(values, (len(values),), "int64") if kind == "int tensor" else values
    else:
        # a nested list is read as a tuple of indices by PyTorch (deprecated), so bool lists are 1-D
        span = draw(st.integers(1, len(shape) - at)) if kind == "bool tensor" else 1
        mask_shape = shape[at:at + span]
        n = 1
        for s in mask_shape:
            n *= s
        values = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        item_ref = exact_tensor(values, mask_shape, "bool") if kind == "bool tensor" else _nest(values, mask_shape)
    return (*lead, item_ref), kind


def _nest(values: list, shape):
    return nest(values, shape) if shape else values[0]


@pytest.mark.rule("indexing.advanced-copy")
@pytest.mark.capability("inplace")
@given(data=st.data())
def test_advanced_copy(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "if"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, max_ops=2, min_ndim=1), label="chain")
    index_ref, kind = data.draw(advanced_index(t_ref.shape, backend.conventions_on(device)), label="advanced index")
    expected = t_ref[index_ref]
    case = Case(backend, "indexing.advanced-copy", device, dtype, index=advanced_class(index_ref, kind))
    base = case.input("base", recorded(base_ref))
    ops = values_only(ops)  # the chain provides values and a layout only
    t = run_chain(case, backend, base, ops)
    index = tuple(case.input("idx", i) if isinstance(i, R.Tensor) else i for i in index_ref)
    shown = ", ".join("idx" if isinstance(i, R.Tensor) else format_index((i,)) for i in index_ref)
    text = f"{chain_text('base', ops)}[{shown}]"
    r = case.run(text, lambda: backend.getitem(t, index))
    case.expect(backend.observe(r), expected)
    # a copy: writing the base leaves r alone, writing r leaves the base alone
    through_base = data.draw(st.booleans(), label="write through base")
    writer_ref, writer, name = (base_ref, base, "base") if through_base else (expected, r, "r")
    write = data.draw(writes(writer_ref, dtype, kinds=offered(backend, WRITE_KINDS)), label="write")
    apply_write(case, backend, write, writer_ref, writer, name)
    case.expect(backend.observe(base), base_ref, what=f"base after writing {name}")
    case.expect(backend.observe(r), expected, what=f"r after writing {name}")


@pytest.mark.rule("indexing.out-of-bounds")
@given(data=st.data())
def test_out_of_bounds(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "if"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, max_ops=2, min_ndim=1), label="chain")
    at = data.draw(st.integers(0, t_ref.ndim - 1), label="dim")
    size = t_ref.shape[at]
    i = data.draw(st.integers(size, size + 3), label="index past the end")
    i = -i - 1 if data.draw(st.booleans(), label="negative") else i  # -size-4 .. -size-1
    lists = backend.conventions_on(device).list_index
    as_list = lists and t_ref.numel() > 0 and data.draw(st.booleans(), label="as a list")  # else out-of-bounds-empty
    index = (*([slice(None)] * at), [i] if as_list else i)
    case = Case(backend, "indexing.out-of-bounds", device, dtype, index="list" if as_list else "int")
    ops = values_only(ops)  # the chain provides values and a layout only
    t = run_chain(case, backend, case.input("base", recorded(base_ref)), ops)
    case.expect_error(f"{chain_text('base', ops)}[{format_index(index)}]", lambda: backend.getitem(t, index))


EMPTY_SHAPES = [(1, 0), (0, 2), (3, 0), (2, 0, 3), (0, 1, 2)]


@pytest.mark.rule("indexing.out-of-bounds-empty")
def test_out_of_bounds_empty(backend, device):
    # the domain is small: every dim of size >= 1 of each shape, one index past each end, as a list
    # and as a tensor (a fixed grid, not a property: a failing backend would shrink for nothing)
    for shape in EMPTY_SHAPES:
        for at, size in enumerate(shape):
            for i in (size, -size - 1) if size else ():
                for as_tensor in (False, True) if backend.conventions_on(device).list_index else (True,):
                    _out_of_bounds_empty(backend, device, "float32", shape, at, i, as_tensor)


@pytest.mark.rule("indexing.out-of-bounds-empty")
@pytest.mark.witness("empty-tensor-index-list")
def test_out_of_bounds_empty_witness(backend, device):
    # a list where the library takes one as an index (conventions.list_index), else the integer array
    as_tensor = not backend.conventions_on(device).list_index
    _out_of_bounds_empty(backend, device, "float32", (1, 0), 0, 1, as_tensor)


def _out_of_bounds_empty(backend, device, dtype, shape, at, i, as_tensor) -> None:
    case = Case(backend, "indexing.out-of-bounds-empty", device, dtype, index="int-array" if as_tensor else "list")
    t = case.input("t", exact_tensor([], shape, dtype))
    item = case.input("idx", exact_tensor([i], (1,), "int64")) if as_tensor else [i]
    index = (*([slice(None)] * at), item)
    shown = format_index(index[:-1]) if at else ""
    text = f"t[{shown + ', ' if shown else ''}{'idx' if as_tensor else [i]}]"
    case.expect_error(text, lambda: backend.getitem(t, index))


@pytest.mark.rule("indexing.negative-step")
@given(data=st.data())
def test_negative_step(backend, device, data):
    dtype = data.draw(cached_dtypes(backend, device, "bif"), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, max_ops=2, min_ndim=1), label="chain")
    at = data.draw(st.integers(0, t_ref.ndim - 1), label="dim")
    start, stop = (data.draw(st.integers(-6, 6)) if data.draw(st.booleans()) else None for _ in "ab")
    item = slice(start, stop, data.draw(st.integers(-3, -1), label="step"))
    index = (*([slice(None)] * at), item)
    case = Case(backend, "indexing.negative-step", device, dtype)
    ops = values_only(ops)  # the chain provides values and a layout only
    t = run_chain(case, backend, case.input("base", recorded(base_ref)), ops)
    case.expect_error(f"{chain_text('base', ops)}[{format_index(index)}]", lambda: backend.getitem(t, index))


TUTORIAL = [  # x = arange(12).view(3, 4); (index, source text, expected)
    ((slice(None), 1), "x[:, 1]", [1, 5, 9]),  # the second column
    (0, "x[0]", [0, 1, 2, 3]),  # the first row
    ((slice(None, 2), -1), "x[:2, -1]", [3, 7]),  # the first two rows of the last column
    (slice(None, 1), "x[:1]", [[0, 1, 2, 3]]),  # the first row, kept 2-D (not "the second column")
]


@pytest.mark.rule("indexing.tutorial")
@pytest.mark.parametrize("index, text, expected", TUTORIAL, ids=[t for _, t, _ in TUTORIAL])
def test_tutorial(backend, device, index, text, expected):
    dtype = backend.conventions_on(device).default_int
    if not backend.conventions_on(device).partial_index and not isinstance(index, tuple):
        index, text = (index, Ellipsis), text.replace("]", ", ...]")  # the standard's spelling of x[0]
    case = Case(backend, "indexing.tutorial", device, dtype)
    x = case.setup(f"{{ns}}.arange(12, device={device!r}).reshape((3, 4))",
                   lambda: backend.reshape(backend.arange(12, device=device), (3, 4)), rule="view.chained")
    case.expect(case.observe(f"((x := {{ns}}.arange(12, device={device!r}).reshape((3, 4))), {text})[-1]",
                             lambda: backend.getitem(x, index)), R.tensor(expected, dtype=dtype, exact=True))


# ---- witnesses: fixed examples that expectations may name (@pytest.mark.witness) ---------------------------


@pytest.mark.rule("indexing.basic-view")
@pytest.mark.witness("zero-dim-empty-index-view")
@pytest.mark.capability("views", "inplace")
def test_empty_index_of_a_zero_dim_tensor_aliases(backend, device):
    """``base[()]`` on a 0-d tensor is a view. Where a full integer index gives a scalar (the library's
    declared convention: NumPy's ``x[()]`` is a NumPy scalar), ``base[...]`` is the view checked."""
    index, text = ((), "()") if backend.conventions_on(device).full_int_index == "0-d" else ((Ellipsis,), "...")
    case = Case(backend, "indexing.basic-view", device, "int32")
    base = case.input("base", exact_tensor([1], (), "int32"))
    v = case.run(f"v = base[{text}]", lambda: backend.getitem(base, index))
    case.run("base.fill_(7)", lambda: backend.fill_(base, 7))
    case.expect(backend.observe(v), exact_tensor([7], (), "int32"), what="v after base.fill_(7)")
