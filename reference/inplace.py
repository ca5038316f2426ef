"""In-place writes: ``fill_ zero_ copy_``, ``add_ sub_ mul_ div_`` (and ``+= -= *= /=``), spec/inplace.md.

Every write, here and in ``t[index] = value``, goes through ``write``.

An in-place op computes the out-of-place result, checks that it fits self (same
shape, a dtype self can hold), casts it to self's dtype and writes it into self's
storage, bumping the storage's version counter; it returns self. Autograd: on a
leaf that requires grad it raises (unless recording is off); otherwise self takes
the result's ``grad_fn``, so later backward passes go through the op.
"""

from __future__ import annotations

from fractions import Fraction

from . import autograd, elementwise
from .broadcasting import broadcast_to
from .conversion import cast
from .dtypes import DType
from .exact import to_dtype
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


def write(t: Tensor, src: Tensor, positions: list[int] | None = None) -> Tensor:
    """The one write path: ``src`` (t's dtype, one element per position) stored at storage ``positions``
    (default: t's elements, row-major); the storage's version goes up and t is returned.

    The backend face stores what an IEEE backend stores (each value in t's dtype). The
    storage's accuracy class becomes the weaker of the two; every element's bound
    stays valid for that class (a correctly rounded element's bound is u*|x|).
    """
    storage = t._storage
    positions = list(t.storage_indices()) if positions is None else positions
    values, errs = src.values(), src.errs_or_none()
    if not t.exact:
        values, errs = [to_dtype(v, t.dtype) for v in values], None
    for pos, value in zip(positions, values, strict=True):
        storage.data[pos] = value
    if errs is not None and storage.err is None:
        storage.err = [0.0] * len(storage.data)
    if storage.err is not None:
        for pos, e in zip(positions, errs or [0.0] * len(positions), strict=True):
            storage.err[pos] = e
    if ACCURACY_ORDER[src.accuracy] > ACCURACY_ORDER[storage.accuracy]:
        storage.accuracy = src.accuracy
    storage.version += 1
    return t


def filled(t: Tensor, value, n: int) -> Tensor:
    """A Python scalar as n elements of t's dtype (a cast rounds or truncates silently, as torch's does)."""
    exact_value = Fraction(value) if isinstance(value, float) else value
    return Tensor.from_flat([to_dtype(exact_value, t.dtype)] * n, (n,), t.dtype, t.device, t.exact)


def fill_(t: Tensor, value) -> Tensor:
    """``t.fill_(value)``: one value everywhere (overlapping elements are harmless)."""
    check_writable(t, overlap_raises=False)
    return write(t, filled(t, value, t.numel()))


def zero_(t: Tensor) -> Tensor:
    return fill_(t, 0)


def copy_(t: Tensor, src: Tensor) -> Tensor:
    """``t.copy_(src)``: src broadcast to t's shape and cast to t's dtype, written into t."""
    check_writable(t)
    return write(t, cast(broadcast_to(src, t.shape), t.dtype))


def arith_(t: Tensor, name: str, other) -> Tensor:
    """``t.<name>_(other)``: the out-of-place op, checked, cast and written into t."""
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
    write(t, cast(result, t.dtype))
    if result.requires_grad:  # self now stands for the result: its history is the op's node
        t.grad_fn, t.requires_grad = result.grad_fn, True
    return t



def add_(t: Tensor, other) -> Tensor:
    return arith_(t, "add", other)


def sub_(t: Tensor, other) -> Tensor:
    return arith_(t, "sub", other)


def mul_(t: Tensor, other) -> Tensor:
    return arith_(t, "mul", other)


def div_(t: Tensor, other) -> Tensor:
    return arith_(t, "div", other)
