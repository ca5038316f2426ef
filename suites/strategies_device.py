"""Strategies for the device rules: tensors of every dtype, with values that use the dtype's width.

A transfer must move every bit, so integers range over the whole dtype (a transfer that
went through int32 or float32 would show) and floats over the full band.
"""

from __future__ import annotations

from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor
from tensorcts.suites.strategies import dtypes, exact_tensor, reused, shapes, values_of

#: integers drawn for a transfer: the dtype's whole range
INT_RANGE = {"int32": 2**31 - 1, "int64": 2**63 - 1}


@reused
@st.composite
def placed_tensors(draw, backend, device: str, kinds: str = "bif", min_side: int = 0,
                   min_dims: int = 0, max_dims: int = 3, also_on: str | None = None) -> Tensor:
    """An oracle tensor of any of the backend's dtypes on ``device`` (and on ``also_on``, the other
    end of a transfer: a device may lack a dtype), values over the dtype's range."""
    dtype = draw(common_dtypes(backend, device, also_on or device, kinds), label="dtype")
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side), label="shape")
    n = 1
    for s in shape:
        n *= s
    limit = INT_RANGE.get(dtype, 0)
    values = st.integers(-limit - 1, limit) if limit else values_of(dtype)
    return exact_tensor(draw(st.lists(values, min_size=n, max_size=n), label="values"), shape, dtype)


def fill_value(ref: Tensor):
    """A value that differs from the first element, so that filling changes at least that one."""
    first = ref.values()[0]
    if ref.dtype.is_bool:
        return not first
    return next(v for v in (3, 5) if v != first)


def common_dtypes(backend, a: str, b: str, kinds: str = "bif") -> st.SearchStrategy:
    """The backend's dtypes of the given kinds that both devices have (array-api-strict's no_x64 lacks some)."""
    on_b = set(backend.dtypes(b))
    return dtypes(backend, a, kinds).filter(lambda d: d in on_b)
