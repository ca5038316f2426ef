"""NumPy interop (spec/interop.md): memory sharing with NumPy arrays, dtypes, round trips.

The one suite module that imports NumPy: it is the interop partner. Writes on
the NumPy side are NumPy item assignments; writes on the tensor side go through
the adapter (``fill_``, indexed assignment). Everything runs on the CPU.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.aliasing import run_chain, values_only
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import exact_tensor, reused
from tensorcts.suites.strategies_view import (
    basic_index,
    cached_dtypes,
    cached_shapes,
    cached_values,
    choose,
    value_for,
    view_chains,
)

np = pytest.importorskip("numpy")

# Capabilities per test: converting to and from NumPy needs only the adapter's conversion methods
# (a library without them reports them unsupported); sharing memory needs "interop.numpy".
SHARING = pytest.mark.capability("interop.numpy")

CPU = "cpu"


def _exact(values: list) -> list:
    return [Fraction(v) if isinstance(v, float) else v for v in values]


def as_reference(a) -> Tensor:
    """The array's shape, dtype and values as an oracle tensor."""
    return exact_tensor(_exact(a.reshape(-1).tolist()), a.shape, str(a.dtype))


def _check_array(case: Case, a, expected, what: str) -> None:
    """A NumPy array against expected values (an array): shape, dtype, every value exactly."""
    same = a.shape == expected.shape and a.dtype == expected.dtype and a.tolist() == expected.tolist()
    case.check(same, f"{what}: {a.dtype}{list(a.shape)} {a.reshape(-1).tolist()[:12]}, expected "
                     f"{expected.dtype}{list(expected.shape)} {expected.reshape(-1).tolist()[:12]}")


@reused
@st.composite
def arrays(draw, backend, full_range: bool = False, with_gaps: bool = True, min_side_2: bool = False):
    """A NumPy array of a dtype the backend has: fresh, or a stepped slice of a larger one."""
    dtype = draw(cached_dtypes(backend, CPU), label="dtype")
    shape = draw(cached_shapes(max_dims=3, max_side=4), label="shape")
    assume(not min_side_2 or any(s >= 2 for s in shape))
    values = (_full_range(dtype) if full_range else cached_values(dtype))
    if with_gaps and shape and draw(st.booleans()):
        bigger = (*shape[:-1], 2 * shape[-1])
        flat = draw(st.lists(values, min_size=numel_of(bigger), max_size=numel_of(bigger)))
        return np.array(flat, dtype=dtype).reshape(bigger)[..., ::2]
    flat = draw(st.lists(values, min_size=numel_of(shape), max_size=numel_of(shape)))
    return np.array(flat, dtype=dtype).reshape(shape)


@cache
def _full_range(dtype: str) -> st.SearchStrategy:
    if dtype in ("float32", "float64"):
        return st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=False,
                         width=32 if dtype == "float32" else 64)
    if dtype == "int32":
        return st.integers(-(2**31), 2**31 - 1)
    if dtype == "int64":
        return st.integers(-(2**63), 2**63 - 1)
    return st.booleans()


def _numpy_write(data, a) -> tuple:
    """Write a new value into ``a`` at a random basic index (NumPy's own assignment)."""
    index = data.draw(basic_index(a.shape, allow_int=True), label="numpy index")
    value = value_for(str(a.dtype))
    a[index] = value
    return index, value


@pytest.mark.rule("interop.from-numpy-shares")
@SHARING
@given(data=st.data())
def test_from_numpy_shares(backend, data):
    a = data.draw(arrays(backend), label="array")
    case = Case(backend, "interop.from-numpy-shares", CPU, str(a.dtype))
    case.inputs.append(("a", a.copy()))  # as it was before any write: the repro replays the writes
    t = case.run("{ns}.from_numpy(a)", lambda: backend.from_numpy(a))
    if data.draw(st.booleans(), label="write into the array"):
        index, value = _numpy_write(data, a)
        observed = case.observe(f"((t := {{ns}}.from_numpy(a)), a.__setitem__({index!r}, {value!r}), t)[-1]",
                                lambda: t)
        case.expect(observed, as_reference(a), what="the tensor after writing into the array")
    else:
        c = backend.conventions_on(CPU)  # an index every library spells the same way
        index = data.draw(basic_index(a.shape, with_ellipsis=not c.partial_index, in_bounds=not c.clamps_slice_bounds,
                                      allow_none=False), label="tensor index")
        value = value_for(str(a.dtype), 1)
        expected = a.copy()
        expected[index] = value
        case.run(f"t.__setitem__({index!r}, {value!r})", lambda: backend.setitem(t, index, value))
        _check_array(case, a, expected, "the array after writing through the tensor")


@pytest.mark.rule("interop.from-numpy-dtype")
@given(data=st.data())
def test_from_numpy_dtype(backend, data):
    a = data.draw(arrays(backend, full_range=True), label="array")
    case = Case(backend, "interop.from-numpy-dtype", CPU, str(a.dtype))
    case.inputs.append(("a", a))
    observed = case.observe("{ns}.from_numpy(a)", lambda: backend.from_numpy(a))
    case.expect(observed, as_reference(a))


_OBJECTS = st.lists(st.one_of(st.integers(-5, 5), st.text(max_size=2)), min_size=1, max_size=4)


@pytest.mark.rule("interop.from-numpy-rejects")
@SHARING
@given(data=st.data(), kind=st.sampled_from(["reversed", "object"]))
def test_from_numpy_rejects(backend, data, kind):
    case = Case(backend, "interop.from-numpy-rejects", CPU)
    if kind == "object":
        a = np.array(data.draw(_OBJECTS, label="objects") + ["x"], dtype=object)
        case.inputs.append(("a", a))
        case.expect_error("{ns}.from_numpy(a)  # dtype=object", lambda: backend.from_numpy(a))
        return
    a = data.draw(arrays(backend, with_gaps=False, min_side_2=True), label="array")
    dim = choose(data, [d for d, s in enumerate(a.shape) if s >= 2], label="reversed dim")
    reversed_a = a[(slice(None),) * dim + (slice(None, None, -1),)]
    case.inputs.append(("a", reversed_a))
    case.expect_error(f"{{ns}}.from_numpy(a)  # strides {reversed_a.strides}", lambda: backend.from_numpy(reversed_a))


@pytest.mark.rule("interop.numpy-shares")
@SHARING
@given(data=st.data())
def test_numpy_shares(backend, data):
    dtype = data.draw(cached_dtypes(backend, CPU), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, max_ops=2), label="chain")
    case = Case(backend, "interop.numpy-shares", CPU, dtype)
    # t need only be some tensor with t_ref's values and layout (the rule is about t and t.numpy(), not base)
    t = run_chain(case, backend, case.input("base", base_ref), values_only(ops))
    n = case.run("t.numpy()", lambda: backend.to_numpy(t))
    _check_array(case, n, np.array(t_ref.tolist(), dtype=dtype).reshape(t_ref.shape), "t.numpy()")
    if t_ref.numel() == 0 or any(o.name == "expand" for o in ops):
        return  # nothing to write in an empty one; whether a broadcast view is writable is the library's choice
    if data.draw(st.booleans(), label="write into the array"):
        index, value = _numpy_write(data, n)
        t_ref[index] = value
        case.call_text = f"((n := t.numpy()), n.__setitem__({index!r}, {value!r}), t)[-1]"
        case.expect(backend.observe(t), t_ref, what="the tensor after writing into t.numpy()")
    else:
        value = value_for(dtype, 1)
        expected = n.copy()
        expected[...] = value
        case.run(f"t.fill_({value!r})", lambda: backend.fill_(t, value))
        _check_array(case, n, expected, "t.numpy() after t.fill_()")


@pytest.mark.rule("interop.roundtrip")
@given(data=st.data(), via_copy=st.booleans())
def test_roundtrip(backend, data, via_copy):
    a = data.draw(arrays(backend, full_range=True, with_gaps=False), label="array")
    case = Case(backend, "interop.roundtrip", CPU, str(a.dtype))
    case.inputs.append(("a", a))
    t = case.run("{ns}.tensor(a)", lambda: backend.tensor_from_numpy(a))
    n = case.run("{ns}.tensor(a).numpy()", lambda: backend.to_numpy(t))
    _check_array(case, n, a, "tensor(a).numpy()")
    again = case.run("{ns}.from_numpy(t.numpy())" if not via_copy else "{ns}.tensor(t.numpy())",
                     lambda: backend.tensor_from_numpy(n) if via_copy else backend.from_numpy(n))
    case.expect(backend.observe(again), as_reference(a), what="the tensor after the round trip")


@pytest.mark.rule("interop.tensor-copies")
@given(data=st.data())
def test_tensor_copies(backend, data):
    """Needs no sharing: a copy shows as a write into the array that the tensor does not see (and, with
    in-place operations, a write through the tensor that the array does not see)."""
    a = data.draw(arrays(backend), label="array")
    original = a.copy()
    case = Case(backend, "interop.tensor-copies", CPU, str(a.dtype))
    case.inputs.append(("a", original))  # as it was before any write: the repro replays the writes
    t = case.run("{ns}.tensor(a)", lambda: backend.tensor_from_numpy(a))
    if a.size == 0:
        case.expect(backend.observe(t), as_reference(original))
        return
    into_array = data.draw(st.booleans(), label="write into the array")
    if into_array or "inplace" not in backend.capabilities or not backend.offers("fill_"):
        # written before t is first read, as in the spec's example: a lazy library must copy at tensor(a)
        index, value = _numpy_write(data, a)
        observed = case.observe(f"((t := {{ns}}.tensor(a)), a.__setitem__({index!r}, {value!r}), t)[-1]", lambda: t)
        case.expect(observed, as_reference(original), what="tensor(a) after writing into a")
    else:
        case.expect(backend.observe(t), as_reference(original))
        value = value_for(str(a.dtype), 1)
        case.run(f"t.fill_({value!r})", lambda: backend.fill_(t, value))
        _check_array(case, a, original, "a after writing through tensor(a)")
