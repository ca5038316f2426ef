"""Broadcasting: align shapes at the trailing dimension; sizes must match or be 1."""

from __future__ import annotations

from collections.abc import Sequence

from .tensor import Tensor


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """The broadcast shape of ``shapes``; raises when two sizes are neither equal nor 1."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        for i, size in enumerate(shape, start=ndim - len(shape)):
            if size == result[i] or size == 1:
                continue
            if result[i] == 1:
                result[i] = size
                continue
            raise RuntimeError(
                f"The size of tensor a ({result[i]}) must match the size of tensor b ({size}) "
                f"at non-singleton dimension {i - ndim}; shapes {[tuple(s) for s in shapes]}"
            )
    return tuple(result)


def broadcast_to(t: Tensor, shape: Sequence[int]) -> Tensor:
    """A stride-0 view of ``t`` with ``shape`` (what ``expand`` returns)."""
    shape = tuple(shape)
    lead = len(shape) - t.ndim
    if lead < 0:
        raise RuntimeError(f"cannot broadcast shape {t.shape} to {shape}")
    strides = [0] * lead
    for size, own, stride in zip(shape[lead:], t.shape, t.stride()):
        if own == size:
            strides.append(stride)
        elif own == 1:
            strides.append(0)
        else:
            raise RuntimeError(f"cannot broadcast shape {t.shape} to {shape}")
    return t._view_of(shape, tuple(strides), t.storage_offset())
