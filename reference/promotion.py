"""PyTorch's type promotion: dimensioned tensors, then 0-d tensors, then Python scalars.

Each of the three groups is promoted within itself; a lower-priority group only
matters when its category (bool < integer < floating) is higher than that of
the groups above it. A Python float counts as the default float dtype, a
Python int as int64 and a Python bool as bool (ATen's ``result_type``).
"""

from __future__ import annotations

from .dtypes import DEFAULT_FLOAT, DEFAULT_INT, DType, bool_, promote_types
from .tensor import Tensor


def scalar_dtype(value) -> DType:
    """The dtype a Python scalar takes part in promotion with."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return DEFAULT_INT
    if isinstance(value, float):
        return DEFAULT_FLOAT
    raise TypeError(f"unsupported scalar operand {value!r} of type {type(value).__name__}")


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    """ATen's combine_categories: ``lower`` matters only if its category is higher."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_floating:
        return higher
    if higher.is_bool or lower.is_floating:
        return promote_types(higher, lower)
    return higher


def _promote_all(dtypes: list[DType]) -> DType | None:
    result = None
    for d in dtypes:
        result = d if result is None else promote_types(result, d)
    return result


def result_type(*operands) -> DType:
    """The dtype of an element-wise operation on tensors and Python scalars."""
    dimensioned: list[DType] = []
    zero_dim: list[DType] = []
    scalars: list[DType] = []
    for x in operands:
        if isinstance(x, Tensor):
            (dimensioned if x.ndim > 0 else zero_dim).append(x.dtype)
        else:
            scalars.append(scalar_dtype(x))
    result = _combine(_promote_all(dimensioned), _combine(_promote_all(zero_dim), _promote_all(scalars)))
    if result is None:
        raise TypeError("result_type: no operands")
    return result
