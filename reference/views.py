"""Views: ``view``, ``reshape``, ``transpose``, ``t``, ``permute``, ``expand``, ``contiguous``.

A view is a new (shape, strides, offset) over the same storage. Every function
here computes that geometry the way ATen does, so strides and offsets can be
compared bit for bit with PyTorch (spec/view.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from .autograd import record_view
from .tensor import Tensor, contiguous_strides, numel_of


def _shape_arg(shape: tuple) -> tuple:
    """``view(2, 3)`` and ``view((2, 3))`` both mean (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for s in shape:
        if isinstance(s, bool) or not isinstance(s, int):
            raise TypeError(f"sizes must be ints, got {s!r}")
    return tuple(shape)


def infer_size(shape: Sequence[int], numel: int) -> tuple[int, ...]:
    """``shape`` with its one -1 replaced so the element count is ``numel`` (ATen's infer_size).

    Raises for two -1, another negative size, an ambiguous -1 on zero elements,
    or a count that cannot match.
    """
    shape = list(shape)
    infer_at, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer_at is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer_at = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {shape}")
        else:
            known *= s
    if infer_at is None:
        if known != numel:
            raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
        return tuple(shape)
    if known == 0:
        if numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {shape} because the "
                               "unspecified dimension size -1 can be any value and is ambiguous")
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    if numel % known:
        raise RuntimeError(f"shape '{shape}' is invalid for input of size {numel}")
    shape[infer_at] = numel // known
    return tuple(shape)


def compute_stride(oldshape: Sequence[int], oldstride: Sequence[int],
                   newshape: Sequence[int]) -> tuple[int, ...] | None:
    """Strides that let (oldshape, oldstride) be seen as ``newshape``, or None (ATen computeStride).

    The old dimensions are cut into chunks: runs of dimensions that are contiguous
    with each other (stride[d] == size[d+1] * stride[d+1], size-1 dimensions
    ignored). The new shape must split into runs with the same element counts, in
    order; each new run is laid out contiguously from its chunk's innermost stride.
    """
    oldshape, oldstride, newshape = tuple(oldshape), tuple(oldstride), tuple(newshape)
    if not oldshape:  # a 0-d tensor: every new dimension has size 1
        return (1,) * len(newshape)
    numel = numel_of(oldshape)
    if numel == 0:  # no element is addressed: any strides do; ATen's choice
        if oldshape == newshape:
            return oldstride
        return contiguous_strides(newshape)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        chunk_ends = tensor_d == 0 or (
            oldshape[tensor_d - 1] != 1 and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride)
        if not chunk_ends:
            continue
        while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
            newstride[view_d] = view_numel * chunk_base_stride
            view_numel *= newshape[view_d]
            view_d -= 1
        if view_numel != tensor_numel:
            return None
        if tensor_d > 0:
            chunk_base_stride = oldstride[tensor_d - 1]
            tensor_numel = view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


def view(t: Tensor, *shape) -> Tensor:
    """The same storage seen with ``shape``; raises when no strides can express it."""
    shape = infer_size(_shape_arg(shape), t.numel())
    strides = compute_stride(t.shape, t.stride(), shape)
    if strides is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return record_view(t._view_of(shape, strides, t.storage_offset()), "ViewBackward0", t,
                       lambda x: view(x, shape))


def reshape(t: Tensor, *shape) -> Tensor:
    """A view when ``view`` would succeed, else a row-major copy with ``shape``."""
    shape = infer_size(_shape_arg(shape), t.numel())
    strides = compute_stride(t.shape, t.stride(), shape)
    if strides is not None:
        return record_view(t._view_of(shape, strides, t.storage_offset()), "ViewBackward0", t,
                           lambda x: reshape(x, shape))
    return record_view(view(t.cloned(), shape), "UnsafeViewBackward0", t, lambda x: reshape(x, shape))


def is_contiguous(t: Tensor) -> bool:
    """Row-major without gaps; size-1 dimensions may have any stride, and no element means contiguous."""
    if t.numel() == 0:
        return True
    expected = 1
    for size, stride in zip(reversed(t.shape), reversed(t.stride())):
        if size == 1:
            continue
        if stride != expected:
            return False
        expected *= size
    return True


def contiguous(t: Tensor) -> Tensor:
    """``t`` itself when contiguous, else a row-major copy."""
    return t if is_contiguous(t) else t.cloned()


def transpose(t: Tensor, dim0: int, dim1: int) -> Tensor:
    d0, d1 = t._normalize_dim(dim0), t._normalize_dim(dim1)
    shape, strides = list(t.shape), list(t.stride())
    if t.ndim:
        shape[d0], shape[d1] = shape[d1], shape[d0]
        strides[d0], strides[d1] = strides[d1], strides[d0]
    return record_view(t._view_of(shape, strides, t.storage_offset()), "TransposeBackward0", t,
                       lambda x: transpose(x, dim0, dim1))


def t_(t: Tensor) -> Tensor:
    """``t()``: transpose of a 2-D tensor; 0-d and 1-D tensors are returned as views of themselves."""
    if t.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {t.ndim}D")
    out = transpose(t, 0, 1) if t.ndim == 2 else t._view_of(t.shape, t.stride(), t.storage_offset())
    return record_view(out, "TBackward0", t, t_)


def permute(t: Tensor, *dims) -> Tensor:
    dims = _shape_arg(dims)
    if len(dims) != t.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match "
                           f"the length of the desired ordering of dimensions i.e. input.dim() = {t.ndim} "
                           f"is not equal to len(dims) = {len(dims)}")
    order = [t._normalize_dim(d) for d in dims]
    if len(set(order)) != len(order):
        raise RuntimeError(f"permute(): duplicate dims are not allowed: {dims}")
    return record_view(t._view_of([t.shape[d] for d in order], [t.stride()[d] for d in order],
                                  t.storage_offset()), "PermuteBackward0", t, lambda x: permute(x, *dims))


def expand(t: Tensor, *sizes) -> Tensor:
    """Size-1 dimensions repeated with stride 0; new leading dimensions (ATen inferExpandGeometry)."""
    sizes = _shape_arg(sizes)
    if len(sizes) < t.ndim:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal "
                           f"to the number of dimensions in the tensor ({t.ndim})")
    n = len(sizes)
    out_shape, out_strides = [0] * n, [0] * n
    for i in range(n - 1, -1, -1):
        dim = t.ndim - (n - i)
        if dim >= 0:
            size, stride = t.shape[dim], t.stride()[dim]
        else:  # a new leading dimension: size 1 over the next dimension's extent (0 for a 0-d tensor)
            size, stride = 1, (out_shape[i + 1] * out_strides[i + 1] if i + 1 < n else 0)
        target = sizes[i]
        if target == -1:
            if dim < 0:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            target = size
        elif target < 0:
            raise RuntimeError(f"expand: invalid size {target}")
        if size != target:
            if size != 1:
                raise RuntimeError(f"The expanded size of the tensor ({target}) must match the existing size "
                                   f"({size}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                                   f"Tensor sizes: {list(t.shape)}")
            size, stride = target, 0
        out_shape[i], out_strides[i] = size, stride
    return record_view(t._view_of(out_shape, out_strides, t.storage_offset()), "ExpandBackward0", t,
                       lambda x: expand(x, *sizes))


def unsqueeze(t: Tensor, dim: int) -> Tensor:
    """A size-1 dimension inserted at ``dim``; its stride is size*stride of the next dimension (ATen)."""
    d = t._normalize_dim(dim, t.ndim + 1)
    stride = t.shape[d] * t.stride()[d] if d < t.ndim else 1
    return t._view_of(t.shape[:d] + (1,) + t.shape[d:], t.stride()[:d] + (stride,) + t.stride()[d:],
                      t.storage_offset())
