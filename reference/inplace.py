"""In-place arithmetic: ``add_ sub_ mul_ div_`` (and ``+= -= *= /=``), spec/inplace.md.

An in-place op computes the out-of-place result, checks that it fits self (same
shape, a dtype self can hold), casts it to self's dtype and writes it into self's
storage, bumping the storage's version counter; it returns self. Autograd: on a
leaf that requires grad it raises (unless recording is off); otherwise self takes
the result's ``grad_fn``, so later backward passes go through the op.
"""

from __future__ import annotations

from . import autograd
from .dtypes import DType
from .tensor import ACCURACY_ORDER, Tensor


def can_cast(source: DType, target: DType) -> bool:
    """PyTorch's in-place rule: no floating result into an integer tensor, nothing but bool into bool."""
    if source.is_floating and not target.is_floating:
        return False
    return target.is_bool <= source.is_bool


def has_internal_overlap(t: Tensor) -> bool:
    """Several elements at one memory location (ATen's check: a stride 0 over a size > 1; a tensor
    with no elements never overlaps)."""
    if t.numel() == 0:
        return False
    return any(stride == 0 and size > 1 for size, stride in zip(t.shape, t.stride(), strict=True))


def check_writable(t: Tensor, overlap_raises: bool = True) -> None:
    """The checks every in-place write makes before touching memory."""
    if overlap_raises and has_internal_overlap(t):
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")
    if not autograd.is_grad_enabled():
        return
    if t.requires_grad and t.is_leaf and t._base is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    base = t._base
    if base is not None and base.requires_grad and base.is_leaf:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")


def write(t: Tensor, result: Tensor) -> None:
    """Store ``result`` (t's shape and dtype) into t's elements; the storage's version goes up.

    The storage's accuracy class becomes the weaker of the two; every element's
    bound stays valid for that class (a correctly rounded element's bound is u*|x|).
    """
    storage = t._storage
    positions = list(t.storage_indices())
    for pos, value in zip(positions, result.values(), strict=True):
        storage.data[pos] = value
    if result._storage.err is not None:
        if storage.err is None:
            storage.err = [0.0] * len(storage.data)
        for pos, e in zip(positions, result.errs(), strict=True):
            storage.err[pos] = e
    elif storage.err is not None:
        for pos in positions:
            storage.err[pos] = 0.0
    if ACCURACY_ORDER[result.accuracy] > ACCURACY_ORDER[storage.accuracy]:
        storage.accuracy = result.accuracy
    storage.version += 1


def cast_to(r: Tensor, dtype: DType) -> Tensor:
    """The result converted to self's dtype: a second rounding where the dtypes differ (spec: inplace.values)."""
    if r.dtype == dtype:
        return r
    from .elementwise import _conversion_err
    from .exact import to_dtype

    if not (r.exact and dtype.is_floating):
        return Tensor.from_flat([to_dtype(v, dtype) for v in r.values()], r.shape, dtype, r.device, r.exact)
    errs = [_conversion_err(v, e, r.dtype, dtype) for v, e in zip(r.values(), r.errs(), strict=True)]
    accuracy = "exact" if not any(errs) else "bounded"
    return Tensor.from_flat(r.values(), r.shape, dtype, r.device, True, errs, accuracy)


def arith_(t: Tensor, name: str, other) -> Tensor:
    """``t.<name>_(other)``: the out-of-place op, checked, cast and written into t."""
    from . import elementwise

    check_writable(t)
    result = getattr(elementwise, name)(t, other)
    if tuple(result.shape) != tuple(t.shape):
        raise RuntimeError(f"output with shape {list(t.shape)} doesn't match the broadcast shape "
                           f"{list(result.shape)}")
    if not can_cast(result.dtype, t.dtype):
        raise RuntimeError(f"result type {result.dtype.name} can't be cast to the desired output type "
                           f"{t.dtype.name}")
    if result.requires_grad and t._base is not None:
        raise NotImplementedError("the reference does not model in-place ops on views inside a graph (CopySlices)")
    write(t, cast_to(result, t.dtype))
    if result.requires_grad:  # self now stands for the result: its history is the op's node
        t.grad_fn, t.requires_grad = result.grad_fn, True
    return t

