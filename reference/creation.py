"""Creation: ``tensor``, ``zeros``, ``ones``, ``full``, ``empty``, ``arange``.

A created value is stored in the tensor's dtype (rounded to nearest-even for
floats), on both faces: that is what every backend stores, so it carries no bound.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .autograd import requires_grad_
from .devices import canonical_device
from .dtypes import DEFAULT_FLOAT, DEFAULT_INT, DType, as_dtype, bool_
from .exact import add_up, gamma, mag, mul_up, to_dtype, up
from .tensor import Tensor, flatten, numel_of


def sizes_arg(size) -> tuple[int, ...]:
    """``zeros(2, 3)`` and ``zeros((2, 3))`` both mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if isinstance(s, bool) or not isinstance(s, int):
            raise TypeError(f"sizes must be ints, got {s!r}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return tuple(size)


def infer_dtype(values: list) -> DType:
    """bool if every value is a bool, int64 if every value is an int, else the default float."""
    if values and all(isinstance(v, bool) for v in values):
        return bool_
    if values and all(isinstance(v, int) for v in values):
        return DEFAULT_INT
    return DEFAULT_FLOAT


def _exact_value(v):
    if isinstance(v, float):
        if not math.isfinite(v):
            return v
        return Fraction(v)
    return v


def _filled(values: list, shape, dtype: DType, device, requires_grad: bool, exact: bool) -> Tensor:
    stored = [to_dtype(_exact_value(v), dtype) for v in values]
    t = Tensor.from_flat(stored, shape, dtype, canonical_device(device), exact)
    if requires_grad:
        requires_grad_(t, True)
    return t


def tensor(data, dtype: DType | str | None = None, device: str | None = None,
           requires_grad: bool = False, exact: bool = False) -> Tensor:
    """A new tensor holding a copy of nested ``data``; the dtype is inferred if not given."""
    if isinstance(data, Tensor):
        values, shape = data.values(), data.shape
        dtype = as_dtype(dtype) if dtype is not None else data.dtype
    else:
        values, shape = flatten(data)
        dtype = as_dtype(dtype) if dtype is not None else infer_dtype(values)
    return _filled(values, shape, dtype, device, requires_grad, exact)


def full(size, fill_value, dtype: DType | str | None = None, device: str | None = None,
         requires_grad: bool = False, exact: bool = False) -> Tensor:
    shape = sizes_arg((size,) if isinstance(size, int) else tuple(size))
    dtype = as_dtype(dtype) if dtype is not None else infer_dtype([fill_value])
    return _filled([fill_value] * numel_of(shape), shape, dtype, device, requires_grad, exact)


def zeros(*size, dtype: DType | str | None = None, device: str | None = None,
          requires_grad: bool = False, exact: bool = False) -> Tensor:
    shape = sizes_arg(size)
    return full(shape, 0, dtype or DEFAULT_FLOAT, device, requires_grad, exact)


def ones(*size, dtype: DType | str | None = None, device: str | None = None,
         requires_grad: bool = False, exact: bool = False) -> Tensor:
    shape = sizes_arg(size)
    return full(shape, 1, dtype or DEFAULT_FLOAT, device, requires_grad, exact)


def empty(*size, dtype: DType | str | None = None, device: str | None = None,
          requires_grad: bool = False, exact: bool = False) -> Tensor:
    """Uninitialized memory in a real backend; the reference fills zeros, which no rule reads."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad, exact=exact)


def arange_length(start, end, step) -> int:
    """ceil((end - start) / step) as PyTorch computes it: exactly for int arguments, else in
    float64 arithmetic (two roundings, then ceil), which can differ from the exact value."""
    if all(isinstance(a, int) for a in (start, end, step)):
        return max(0, -((start - end) // step))
    return max(0, math.ceil((float(end) - float(start)) / float(step)))


def arange_bound(start, step, i: int, dtype: DType) -> float:
    """The bound on element i of a float arange: u*|x_i| + (1 + u)*gamma_4*(|start| + i*|step|).

    x_i = start + i*step is exact. It covers every evaluation of x_i from start and step
    with at most four roundings (unit at most u) before the final rounding to the dtype:
    fl(start + fl(i*step)) fused or not, in float64 or in the dtype itself; the vectorised
    form fl(fl(x_j) + fl(k*step)) with i = j + k; after rounding start and step to the dtype
    (derivation in spec/creation.md, creation.arange-values).
    """
    u = dtype.unit_roundoff
    s, d = _exact_value(start), _exact_value(step)
    spread = add_up(mag(s), mul_up(float(i), mag(d)))
    return add_up(u * mag(s + i * d), mul_up(up(1.0 + u), mul_up(gamma(4, dtype), spread)))


def arange(start, end=None, step=1, dtype: DType | str | None = None, device: str | None = None,
           requires_grad: bool = False, exact: bool = False) -> Tensor:
    """Values start, start + step, ... below end (above it for a negative step).

    The length is ``arange_length``. Integer dtypes hold start + i*step exactly. For
    float dtypes the oracle face holds the exact value with ``arange_bound``; the
    backend face rounds it correctly (one valid evaluation).
    """
    if end is None:
        start, end = 0, start
    args = (start, end, step)
    if dtype is None:
        dtype = DEFAULT_INT if all(isinstance(a, int) and not isinstance(a, bool) for a in args) else DEFAULT_FLOAT
    dtype = as_dtype(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    length = arange_length(start, end, step)
    s, d = _exact_value(start), _exact_value(step)
    if not dtype.is_floating or not exact:
        return _filled([s + i * d for i in range(length)], (length,), dtype, device, requires_grad, exact)
    values = [s + i * d for i in range(length)]
    errs = [arange_bound(start, step, i, dtype) for i in range(length)]
    t = Tensor.from_flat(values, (length,), dtype, canonical_device(device), exact, errs, "bounded")
    if requires_grad:
        requires_grad_(t, True)
    return t


def legacy_tensor(*sizes) -> Tensor:
    """``torch.Tensor(*sizes)``: like ``empty(*sizes)`` in the default float dtype (uninitialized)."""
    return empty(*sizes)
