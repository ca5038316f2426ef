"""Attributes (spec/attributes.md): shape, size, ndim, numel, dtype, device, strides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference.tensor import contiguous_strides, nest, numel_of
from tensorcts.suites.aliasing import expect_strides, run_chain
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies_view import cached_dtypes, cached_shapes, view_chains


def _some_tensor(backend, device, data):
    """A tensor made fresh or by a chain of views: (case input name, native tensor, reference tensor)."""
    dtype = data.draw(cached_dtypes(backend, device), label="dtype")
    base_ref, ops, t_ref = data.draw(view_chains(dtype, max_ops=2 if "views" in backend.capabilities else 0),
                                     label="tensor")
    return dtype, base_ref, ops, t_ref


def _made(case, backend, base_ref, ops):
    return run_chain(case, backend, case.input("base", base_ref), ops)


def _check_sizes(case: Case, name: str, value, expected: tuple[int, ...]) -> None:
    """A tuple (or a subclass) of Python ints equal to the expected sizes, which unpacks to them."""
    case.check(isinstance(value, tuple), f"{name} is a {type(value).__name__}, not a tuple")
    case.check(all(type(s) is int for s in value), f"{name} = {value!r} holds non-int sizes")
    case.check(tuple(value) == expected, f"{name} = {tuple(value)}, expected {expected}")
    *unpacked, = value
    case.check(unpacked == list(expected), f"unpacking {name} gives {unpacked}, expected {list(expected)}")


@pytest.mark.rule("attributes.shape")
@given(data=st.data())
def test_shape(backend, device, data):
    dtype, base_ref, ops, t_ref = _some_tensor(backend, device, data)
    case = Case(backend, "attributes.shape", device, dtype)
    t = _made(case, backend, base_ref, ops)
    shape = case.run("t.shape", lambda: backend.shape(t))
    _check_sizes(case, "t.shape", shape, t_ref.shape)
    for d in range(-t_ref.ndim, t_ref.ndim):
        case.check(shape[d] == t_ref.shape[d], f"t.shape[{d}] = {shape[d]!r}, expected {t_ref.shape[d]}")


@pytest.mark.rule("attributes.shape-size")
@given(data=st.data())
def test_shape_size(backend, device, data):
    dtype, base_ref, ops, t_ref = _some_tensor(backend, device, data)
    case = Case(backend, "attributes.shape-size", device, dtype)
    t = _made(case, backend, base_ref, ops)
    shape = case.run("t.shape", lambda: backend.shape(t))
    size = case.run("t.size()", lambda: backend.size(t))
    _check_sizes(case, "t.shape", shape, t_ref.shape)
    _check_sizes(case, "t.size()", size, t_ref.shape)
    case.check(shape == size, f"t.shape {shape!r} != t.size() {size!r}")


@pytest.mark.rule("attributes.size-dim")
@given(data=st.data())
def test_size_dim(backend, device, data):
    dtype, base_ref, ops, t_ref = _some_tensor(backend, device, data)
    case = Case(backend, "attributes.size-dim", device, dtype)
    t = _made(case, backend, base_ref, ops)
    n = t_ref.ndim
    for d in range(-n, n):
        got = case.run(f"t.size({d})", lambda d=d: backend.size(t, d))
        case.check(got == t_ref.shape[d] and type(got) is int, f"t.size({d}) = {got!r}, expected {t_ref.shape[d]}")
    for d in (n, n + 1, -n - 1, -n - 2):
        case.expect_error(f"t.size({d})", lambda d=d: backend.size(t, d))


@pytest.mark.rule("attributes.ndim-numel")
@given(data=st.data())
def test_ndim_numel(backend, device, data):
    dtype, base_ref, ops, t_ref = _some_tensor(backend, device, data)
    case = Case(backend, "attributes.ndim-numel", device, dtype)
    t = _made(case, backend, base_ref, ops)
    for text, fn, expected in (("t.ndim", backend.ndim, t_ref.ndim), ("t.numel()", backend.numel, numel_of(t_ref.shape))):
        got = case.run(text, lambda fn=fn: fn(t))
        case.check(got == expected, f"{text} = {got!r}, expected {expected}")
    if backend.offers("dim"):  # PyTorch's alias of ndim, checked where the library has it
        got = case.run("t.dim()", lambda: backend.dim(t))
        case.check(got == t_ref.ndim, f"t.dim() = {got!r}, expected {t_ref.ndim}")


def _created(backend, kind: str, shape, dtype: str, device: str):
    """(source text, native tensor) of a fresh tensor made by ``kind``."""
    if kind == "zeros":
        return f"{{ns}}.zeros({shape}, dtype={{ns}}.{dtype}, device={device!r})", \
            lambda: backend.zeros(shape, dtype=dtype, device=device)
    if kind == "ones":
        return f"{{ns}}.ones({shape}, dtype={{ns}}.{dtype}, device={device!r})", \
            lambda: backend.ones(shape, dtype=dtype, device=device)
    if kind == "full":
        return f"{{ns}}.full({shape}, 1, dtype={{ns}}.{dtype}, device={device!r})", \
            lambda: backend.full(shape, 1, dtype=dtype, device=device)
    if kind == "empty":
        return f"{{ns}}.empty({shape}, dtype={{ns}}.{dtype}, device={device!r})", \
            lambda: backend.empty(shape, dtype=dtype, device=device)
    data = nest(_python_data(shape, dtype), shape) if shape else _python_data(shape, dtype)[0]
    return f"{{ns}}.tensor({data!r}, dtype={{ns}}.{dtype}, device={device!r})", \
        lambda: backend.tensor(data, dtype=dtype, device=device)


def _python_data(shape, dtype: str) -> list:
    n = numel_of(shape)
    if dtype == "bool":
        return [i % 2 == 1 for i in range(n)]
    return [float(i) if dtype.startswith("float") else i for i in range(n)]


@pytest.mark.rule("attributes.dtype-device")
@given(data=st.data(), kind=st.sampled_from(["zeros", "full", "tensor", "arange"]))
def test_dtype_device(backend, device, data, kind):
    dtype = data.draw(cached_dtypes(backend, device), label="dtype")
    case = Case(backend, "attributes.dtype-device", device, dtype)
    if kind == "arange":
        if dtype == "bool":
            dtype = "int64" if "int64" in backend.dtypes(device) else "int32"
        n = data.draw(st.integers(0, 10), label="n")
        text, make = f"{{ns}}.arange({n}, dtype={{ns}}.{dtype}, device={device!r})", \
            lambda: backend.arange(n, dtype=dtype, device=device)
    else:
        shape = data.draw(cached_shapes(nestable=True), label="shape")
        text, make = _created(backend, kind, shape, dtype, device)
    t = case.run(text, make)
    got_dtype, got_device = backend.dtype_name(t), backend.device_name(t)
    case.check(got_dtype == dtype, f"{text}.dtype is {got_dtype}, expected {dtype}")
    case.check(got_device == device, f"{text}.device is {got_device}, expected {device}")


@pytest.mark.rule("attributes.strides")
@pytest.mark.capability("strides")
@given(data=st.data(), kind=st.sampled_from(["zeros", "ones", "full", "empty", "tensor", "arange"]))
def test_fresh_strides(backend, device, data, kind):
    dtype = data.draw(cached_dtypes(backend, device, "if"), label="dtype")
    case = Case(backend, "attributes.strides", device, dtype)
    if kind == "arange":
        n = data.draw(st.integers(0, 10), label="n")
        shape, text, make = (n,), f"{{ns}}.arange({n}, device={device!r})", lambda: backend.arange(n, device=device)
    else:
        shape = data.draw(cached_shapes(nestable=kind == "tensor"), label="shape")
        text, make = _created(backend, kind, shape, dtype, device)
    t = case.run(text, make)
    strides = tuple(case.run(f"{text}.stride()", lambda: backend.stride(t)))
    offset = backend.storage_offset(t)
    expect_strides(case, backend, shape, (contiguous_strides(shape), 0), (strides, offset), f"{text}: row-major")
    case.check(backend.is_contiguous(t) is True, f"{text}.is_contiguous() is not True")


# ---- witnesses: fixed examples that expectations may name (@pytest.mark.witness) ---------------------------


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
