"""Converting a tensor's elements to another dtype: the one cast every write, transfer and gradient uses.

A cast of a value the backend holds exactly is deterministic: the oracle rounds
it (floats to nearest-even, floats to integers by truncation, as torch does). A
value known only within a bound keeps its exact value and gains the bound of one
more rounding (``bounds.conversion_err``).
"""

from __future__ import annotations

from .bounds import conversion_err
from .dtypes import DType
from .exact import to_dtype
from .tensor import Tensor


def cast(t: Tensor, dtype: DType, device: str | None = None) -> Tensor:
    """``t``'s elements in ``dtype`` (row-major, on ``device``); ``t`` itself when nothing changes."""
    device = device or t.device
    if dtype == t.dtype:
        return t if device == t.device else t.cloned(device)
    values, errs = t.values(), t.errs_or_none()
    if errs is None or not (t.exact and dtype.is_floating):  # a deterministic cast: what a backend stores
        return Tensor.from_flat([to_dtype(v, dtype) for v in values], t.shape, dtype, device, t.exact)
    new = [conversion_err(v, e, t.dtype, dtype) for v, e in zip(values, errs, strict=True)]
    return Tensor.from_flat(values, t.shape, dtype, device, True, new, "bounded" if any(new) else t.accuracy)
