"""Creation (spec/creation.md): zeros, ones, full, empty, Tensor(*sizes), tensor, arange."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import pytest
import tensorcts.reference as R
from hypothesis import assume, given
from hypothesis import strategies as st
from tensorcts.reference.creation import arange_length
from tensorcts.reference.tensor import nest, numel_of
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import dtype_names, exact_tensor, offered, sampled, values_of
from tensorcts.suites.strategies_view import cached_dtypes, cached_shapes, cached_values, choose, pick

MAX_ARANGE = 256  # cost cap: elements per arange


@cache
def fill_values(dtype: str) -> st.SearchStrategy:
    """Values representable in ``dtype``: large integers too, where the dtype holds them."""
    if dtype == "bool":
        return st.booleans()
    if dtype == "int32":
        return st.integers(-(2**31) + 1, 2**31 - 1)
    if dtype == "int64":
        return st.integers(-(2**40), 2**40)
    exact_ints = st.integers(-(2**24), 2**24) if dtype == "float32" else st.integers(-(2**53), 2**53)
    return st.one_of(values_of(dtype), exact_ints.map(float))


@pytest.mark.rule("creation.zeros-ones")
@given(data=st.data(), kind=st.sampled_from(["zeros", "ones", "full"]))
def test_zeros_ones_full(backend, device, data, kind):
    dtype = data.draw(cached_dtypes(backend, device), label="dtype")
    shape = data.draw(cached_shapes(), label="shape")
    case = Case(backend, "creation.zeros-ones", device, dtype)
    if kind == "full":
        v = data.draw(fill_values(dtype), label="fill value")
        expected = R.full(shape, v, dtype=dtype, exact=True)
        observed = case.observe(f"{{ns}}.full({shape}, {v!r}, dtype={{ns}}.{dtype}, device={device!r})",
                                lambda: backend.full(shape, v, dtype=dtype, device=device))
    else:
        expected = getattr(R, kind)(shape, dtype=dtype, exact=True)
        observed = case.observe(f"{{ns}}.{kind}({shape}, dtype={{ns}}.{dtype}, device={device!r})",
                                lambda: getattr(backend, kind)(shape, dtype=dtype, device=device))
    case.expect(observed, expected)


def _shape_and_dtype(case: Case, backend, t, shape, dtype: str, text: str) -> None:
    """Check shape and dtype through the attributes only: no element is read."""
    observed_shape = tuple(case.run(text, lambda: backend.shape(t)))
    case.check(observed_shape == tuple(shape), f"{text}: shape {observed_shape}, expected {tuple(shape)}")
    observed_dtype = backend.dtype_name(t)
    case.check(observed_dtype == dtype, f"{text}: dtype {observed_dtype}, expected {dtype}")


@pytest.mark.rule("creation.default-dtype")
@given(data=st.data())
def test_default_dtype(backend, device, data):
    kind = data.draw(sampled(offered(backend, ("zeros", "ones", "empty", "legacy_constructor", "full"))), label="kind")
    shape = data.draw(cached_shapes(min_dims=1 if kind == "legacy_constructor" else 0), label="shape")
    case = Case(backend, "creation.default-dtype", device)
    if kind == "legacy_constructor":
        text = f"{{ns}}.Tensor{shape}.dtype"
        t = case.run(text, lambda: backend.legacy_constructor(*shape))
    elif kind == "full":
        v = data.draw(cached_values("float32"), label="fill value")
        text = f"{{ns}}.full({shape}, {v!r}, device={device!r}).dtype"
        t = case.run(text, lambda: backend.full(shape, v, device=device))
    else:
        text = f"{{ns}}.{kind}({shape}, device={device!r}).dtype"
        t = case.run(text, lambda: getattr(backend, kind)(shape, device=device))
    _shape_and_dtype(case, backend, t, shape, "float32", text)


@pytest.mark.rule("creation.empty")
@given(data=st.data())
def test_empty(backend, device, data):
    shape = data.draw(cached_shapes(min_dims=1), label="shape")
    case = Case(backend, "creation.empty", device)
    dtype = choose(data, (None, *backend.dtypes(device)), label="dtype")
    text = f"{{ns}}.empty({shape}, dtype={dtype and '{ns}.' + dtype}, device={device!r})"
    t = case.run(text, lambda: backend.empty(shape, dtype=dtype, device=device))
    # core: without a dtype, the library's declared default float dtype (creation.default-dtype holds PyTorch's)
    _shape_and_dtype(case, backend, t, shape, dtype or backend.conventions_on(device).default_float, text)


@pytest.mark.rule("creation.legacy-constructor")
@given(data=st.data())
def test_legacy_constructor(backend, device, data):
    shape = data.draw(cached_shapes(min_dims=1), label="shape")
    case = Case(backend, "creation.legacy-constructor", device)
    text = f"{{ns}}.Tensor{shape}"
    t = case.run(text, lambda: backend.legacy_constructor(*shape))
    _shape_and_dtype(case, backend, t, shape, "float32", text)


@cache
def _python_values(dtype: str) -> st.SearchStrategy:
    if dtype == "float32":  # any double: tensor() rounds it into float32
        return st.floats(-(2.0**30), 2.0**30, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return fill_values(dtype)


@pytest.mark.rule("creation.tensor-data")
@given(data=st.data(), explicit=st.booleans())
def test_tensor_data(backend, device, data, explicit):
    dtype = data.draw(cached_dtypes(backend, device), label="dtype")
    shape = data.draw(cached_shapes(nestable=True), label="shape")
    if not explicit:  # what inference gives for such data: the library's declared defaults (core);
        conventions = backend.conventions_on(device)  # creation.tensor-dtype holds PyTorch's
        if dtype != "bool" or not numel_of(shape):
            dtype = conventions.default_int if dtype.startswith("int") and numel_of(shape) else conventions.default_float
    flat = data.draw(st.lists(_python_values(dtype), min_size=numel_of(shape), max_size=numel_of(shape)))
    nested = nest(flat, shape) if shape else flat[0]
    expected = R.tensor(nested, dtype=dtype, exact=True)
    case = Case(backend, "creation.tensor-data", device, expected.dtype.name)
    kw = f", dtype={{ns}}.{dtype}" if explicit else ""
    text = f"{{ns}}.tensor(data{kw}, device={device!r})"
    case.inputs.append(("data", nested))
    t = case.run(text, lambda: backend.tensor(nested, dtype=dtype if explicit else None, device=device))
    case.expect(backend.observe(t), expected)
    if isinstance(nested, list) and flat:  # the tensor owns a copy: changing the list changes nothing
        _overwrite(nested)
        case.expect(backend.observe(t), expected, what="the tensor after the source list was changed")


def _overwrite(nested: list) -> None:
    for k, item in enumerate(nested):
        if isinstance(item, list):
            _overwrite(item)
        else:
            nested[k] = not item if isinstance(item, bool) else item + 1


@pytest.mark.rule("creation.tensor-data")
def test_tensor_ragged(backend, device):
    case = Case(backend, "creation.tensor-data", device)
    case.expect_error(f"{{ns}}.tensor([[1, 2], [3]], device={device!r})",
                      lambda: backend.tensor([[1, 2], [3]], device=device))


_SCALARS = {"b": st.booleans(), "i": st.integers(-1000, 1000),
            "f": st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)}
_ELEMENTS = [st.one_of([_SCALARS[k] for k in kinds]) for kinds in ("b", "i", "f", "bi", "bf", "if", "bif")]


@pytest.mark.rule("creation.tensor-dtype")
@given(data=st.data())
def test_tensor_dtype(backend, device, data):
    shape = data.draw(cached_shapes(max_numel=24), label="shape")
    element = _ELEMENTS[data.draw(st.integers(0, len(_ELEMENTS) - 1), label="kinds")]
    flat = data.draw(st.lists(element, min_size=numel_of(shape), max_size=numel_of(shape)), label="values")
    nested = nest(flat, shape) if shape else flat[0]
    expected = R.tensor(nested).dtype.name
    case = Case(backend, "creation.tensor-dtype", device)
    case.inputs.append(("data", nested))
    t = case.run(f"{{ns}}.tensor(data, device={device!r}).dtype", lambda: backend.tensor(nested, device=device))
    observed = backend.dtype_name(t)
    kinds_seen = ", ".join(sorted({type(v).__name__ for v in flat})) or "none"
    case.check(observed == expected, f"tensor(data).dtype is {observed}, expected {expected} (elements: {kinds_seen})")


# ---- arange ------------------------------------------------------------------------------------


@st.composite
def arange_args(draw):
    """(start, end, step) that give at most MAX_ARANGE elements; float ones in float64's awkward spots."""
    kind = pick(draw, ("int", "decimal", "float", "mixed"))
    if kind == "int":
        start, step = draw(st.integers(-50, 50)), draw(st.integers(1, 20)) * pick(draw, (1, -1))
        end = start + draw(st.integers(0, 60)) * step + draw(st.integers(-abs(step) + 1, 0)) * (step // abs(step))
        assume((end - start) * step >= 0)
        return start, end, step
    if kind == "decimal":
        start = draw(st.integers(-500, 500)) * pick(draw, (0.01, 0.1, 0.25, 0.84, 1.0))
        step = pick(draw, (0.1, 0.2, 0.3, 0.7, 0.84, 1.1, 0.01, 0.05)) * pick(draw, (1, -1))
    elif kind == "float":
        start = draw(st.floats(-1e6, 1e6, allow_nan=False))
        start = start if abs(start) >= 2.0**-30 else 0.0  # the band: no float32 underflow
        step = draw(st.floats(1e-3, 1e4, allow_nan=False)) * pick(draw, (1, -1))
    else:
        start, step = draw(st.integers(-50, 50)), pick(draw, (0.5, 0.1, 0.3, -0.25, 2.5))
    n = draw(st.integers(0, 200))
    end = start + n * step  # in float64: the quotient lands on or near an integer
    if draw(st.booleans()):
        end += draw(st.floats(-1, 1)) * step
    assume((end - start) * step >= 0 and arange_length(start, end, step) <= MAX_ARANGE)
    return start, end, step


def _arange_call(case: Case, backend, device, args, dtype=None, form: int = 3):
    """backend.arange with 1, 2 or 3 positional arguments (as given)."""
    start, end, step = args
    positional = {1: (end,), 2: (start, end), 3: (start, end, step)}[form]
    kw = f", dtype={{ns}}.{dtype}" if dtype else ""
    text = f"{{ns}}.arange({', '.join(map(repr, positional))}{kw}, device={device!r})"
    return case.run(text, lambda: backend.arange(*positional, dtype=dtype, device=device)), positional


def _form(args, data) -> int:
    start, _, step = args
    forms = [3]
    if step == 1 and isinstance(step, int):
        forms.append(2)
        if start == 0 and isinstance(start, int):
            forms.append(1)
    return choose(data, forms, label="argument form")


def _float_dtype(backend, device, data, args):
    if all(isinstance(a, int) for a in args):
        return choose(data, (None, "int64"), label="dtype")
    return choose(data, [None, *dtype_names(backend, device, "f")], label="dtype")


TRICKY = [(-2.0, 23.2, 0.84), (0.0, 3.0, 0.1), (1.0, 2.5, 0.5), (0, 10, 3)]


@pytest.mark.rule("creation.arange-length")
@pytest.mark.parametrize("args", TRICKY, ids=[repr(a) for a in TRICKY])
def test_arange_length_examples(backend, device, args):
    case = Case(backend, "creation.arange-length", device)
    t, _ = _arange_call(case, backend, device, args)
    expected = (arange_length(*args),)
    observed = tuple(backend.shape(t))
    case.check(observed == expected, f"arange{args} has shape {observed}, expected {expected} "
                                     "(length computed in float64 arithmetic)")


@pytest.mark.rule("creation.arange-length")
@given(data=st.data(), args=arange_args())
def test_arange_length(backend, device, data, args):
    dtype = _float_dtype(backend, device, data, args)
    case = Case(backend, "creation.arange-length", device, dtype)
    t, positional = _arange_call(case, backend, device, args, dtype, _form(args, data))
    expected = (arange_length(*args),)
    observed = tuple(backend.shape(t))
    exact = (Fraction(args[1]) - Fraction(args[0])) / Fraction(args[2])
    case.check(observed == expected, f"arange{positional} has shape {observed}, expected {expected} "
                                     f"(float64 quotient {(float(args[1]) - float(args[0])) / float(args[2])!r}, "
                                     f"exact quotient {float(exact)!r}{'+' if exact > float(exact) else ''})")


@pytest.mark.rule("creation.arange-values")
@given(data=st.data(), args=arange_args())
def test_arange_values(backend, device, data, args):
    dtype = _float_dtype(backend, device, data, args)
    # without dtype= the library's declared default applies (which one is creation.arange-dtype's question)
    conventions = backend.conventions_on(device)
    default = conventions.default_int if all(isinstance(a, int) for a in args) else conventions.default_float
    expected = R.arange(*args, dtype=dtype or default, exact=True)
    case = Case(backend, "creation.arange-values", device, expected.dtype.name)
    t, _ = _arange_call(case, backend, device, args, dtype, _form(args, data))
    observed = backend.observe(t)
    if tuple(observed.shape) != expected.shape:
        return  # a length divergence is creation.arange-length's to report
    case.expect(observed, expected)


#: long float ranges: 256 elements, from zero and across it (spec/creation.md's Inputs); an evaluation
#: that accumulates the step (x_i = x_(i-1) + step) drifts past the bound by the last element
LONG_RANGES = [(0.0, 25.55, 0.1), (-5.0, 20.55, 0.1)]


@pytest.mark.rule("creation.arange-values")
@pytest.mark.parametrize("args", LONG_RANGES, ids=[repr(a) for a in LONG_RANGES])
def test_arange_values_long_ranges(backend, device, args):
    for dtype in dtype_names(backend, device, "f"):
        expected = R.arange(*args, dtype=dtype, exact=True)
        case = Case(backend, "creation.arange-values", device, dtype, values="long-range")
        t, _ = _arange_call(case, backend, device, args, dtype)
        observed = backend.observe(t)
        if tuple(observed.shape) == expected.shape:  # a length divergence is creation.arange-length's to report
            case.expect(observed, expected)


@pytest.mark.rule("creation.arange-dtype")
@given(data=st.data(), args=arange_args())
def test_arange_dtype(backend, device, data, args):
    explicit = choose(data, [None, *dtype_names(backend, device, "f")],
                      label="dtype")
    expected = explicit or ("int64" if all(isinstance(a, int) for a in args) else "float32")
    case = Case(backend, "creation.arange-dtype", device, expected)
    t, positional = _arange_call(case, backend, device, args, explicit, _form(args, data))
    observed = backend.dtype_name(t)
    case.check(observed == expected, f"arange{positional} has dtype {observed}, expected {expected}")


@pytest.mark.rule("creation.arange-errors")
@given(start=st.one_of(st.integers(-20, 20), st.floats(-20, 20)), distance=st.integers(1, 20),
       step=st.sampled_from([0, 0.0, 1, 2.5]), downward=st.booleans())
def test_arange_errors(backend, device, start, distance, step, downward):
    end = start + distance
    if downward:  # a positive step towards a lower end, or a negative step towards a higher one
        start, end = end, start
    elif step:
        step = -step
    case = Case(backend, "creation.arange-errors", device)
    case.expect_error(f"{{ns}}.arange({start!r}, {end!r}, {step!r}, device={device!r})",
                      lambda: backend.arange(start, end, step, device=device))


# ---- witnesses: fixed examples that expectations may name (@pytest.mark.witness) ---------------------------


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
