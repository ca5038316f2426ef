"""Indexing: ``t[index]`` and ``t[index] = value`` (spec/indexing.md).

Basic indices (ints, slices with a positive step, ``None``, ``...``) are applied
left to right as PyTorch does (select, slice, unsqueeze), giving a view with
ATen's strides and offset. Advanced indices (int lists, int tensors, bool masks
and bool lists) are applied afterwards and give a copy; assignment through them
writes the storage in place.
"""

from __future__ import annotations

from typing import Any

from .autograd import record_view
from .broadcasting import broadcast_shapes
from .inplace import check_writable, copy_, fill_, filled, write
from .tensor import Tensor, flatten, numel_of
from .views import expand, unsqueeze


def _as_tuple(index) -> tuple:
    return index if isinstance(index, tuple) else (index,)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _advanced(item) -> tuple[list, tuple[int, ...], bool] | None:
    """(flat values, shape, is_mask) of an advanced index, or None for a basic one."""
    if isinstance(item, Tensor):
        if item.dtype.is_floating:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return item.values(), item.shape, item.dtype.is_bool
    if isinstance(item, list):
        values, shape = flatten(item)
        if values and all(isinstance(v, bool) for v in values):
            return values, shape, True
        if not all(_is_int(v) for v in values):
            raise IndexError("an index list must hold only ints or only bools")
        return values, shape, False
    return None


def _check(i: int, size: int, dim: int) -> int:
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
    return i % size


def _select(t: Tensor, dim: int, i: int) -> Tensor:
    i = _check(i, t.shape[dim], dim)
    return t._view_of(t.shape[:dim] + t.shape[dim + 1:], t.stride()[:dim] + t.stride()[dim + 1:],
                      t.storage_offset() + i * t.stride()[dim])


def _slice(t: Tensor, dim: int, s: slice) -> Tensor:
    if s.step is not None and s.step <= 0:
        raise ValueError("slice step cannot be zero" if s.step == 0 else "step must be greater than zero")
    size = t.shape[dim]
    start, stop, step = s.indices(size)  # positive step: both clamped to [0, size]
    length = max(0, (stop - start + step - 1) // step)
    shape, strides = list(t.shape), list(t.stride())
    shape[dim], strides[dim] = length, strides[dim] * step
    return t._view_of(shape, strides, t.storage_offset() + start * t.stride()[dim])


def _basic(t: Tensor, index) -> tuple[Tensor, list[tuple[int, list, tuple[int, ...], bool]]]:
    """Apply the basic part of ``index``; return the view and the advanced indices by dimension."""
    items = _as_tuple(index)
    parsed = [(item, _advanced(item)) for item in items]
    specified = 0
    for item, adv in parsed:
        if adv is not None:
            specified += len(adv[1]) if adv[2] else 1
        elif _is_int(item) or isinstance(item, slice):
            specified += 1
        elif item is not None and item is not Ellipsis:
            raise TypeError(f"unsupported index {item!r}: ints, slices, None, ..., int/bool lists or tensors")
    if specified > t.ndim:
        raise IndexError(f"too many indices for tensor of dimension {t.ndim}")
    if sum(item is Ellipsis for item, _ in parsed) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    result, dim, advanced = t, 0, []
    for item, adv in parsed:
        if adv is not None:
            advanced.append((dim, *adv))
            dim += len(adv[1]) if adv[2] else 1
        elif _is_int(item):
            result = _select(result, dim, item)
        elif isinstance(item, slice):
            result = _slice(result, dim, item)
            dim += 1
        elif item is None:
            result = unsqueeze(result, dim)
            dim += 1
        else:  # Ellipsis
            dim += t.ndim - specified
    return result, advanced


def _index_arrays(view: Tensor, advanced) -> dict[int, tuple[list, tuple[int, ...]]]:
    """Each indexed dimension's integer index array (a mask becomes one array per masked dimension)."""
    arrays: dict[int, tuple[list, tuple[int, ...]]] = {}
    for dim, values, shape, is_mask in advanced:
        if is_mask:
            if tuple(view.shape[dim:dim + len(shape)]) != tuple(shape):
                raise IndexError(f"The shape of the mask {list(shape)} at index {dim} does not match the shape "
                                 f"of the indexed tensor {list(view.shape)}")
            coords = [_unravel(i, shape) for i, v in enumerate(values) if v]
            for k in range(len(shape)):
                arrays[dim + k] = ([c[k] for c in coords], (len(coords),))
        else:
            arrays[dim] = ([_check(v, view.shape[dim], dim) for v in values], tuple(shape))
    return arrays


def _unravel(i: int, shape) -> tuple[int, ...]:
    out = []
    for size in reversed(shape):
        out.append(i % size)
        i //= size
    return tuple(reversed(out))


def advanced_positions(view: Tensor, advanced) -> tuple[tuple[int, ...], list[int]]:
    """The result shape of advanced indexing and the storage position of each result element.

    The index arrays broadcast together. If the indexed dimensions are adjacent the
    broadcast shape takes their place; otherwise it goes first (NumPy's and PyTorch's rule).
    """
    arrays = _index_arrays(view, advanced)
    dims = sorted(arrays)
    bshape = broadcast_shapes(*(shape for _, shape in arrays.values()))
    rest = [d for d in range(view.ndim) if d not in arrays]
    adjacent = dims == list(range(dims[0], dims[-1] + 1))
    before = [d for d in rest if d < dims[0]] if adjacent else []
    after = [d for d in rest if d not in before]
    out_shape = tuple(view.shape[d] for d in before) + bshape + tuple(view.shape[d] for d in after)
    strides, base = view.stride(), view.storage_offset()
    flat_arrays = {d: _broadcast_flat(vals, shape, bshape) for d, (vals, shape) in arrays.items()}
    positions = []
    for i in range(numel_of(out_shape)):
        idx = _unravel(i, out_shape) if out_shape else ()
        head, b_idx, tail = idx[:len(before)], idx[len(before):len(before) + len(bshape)], idx[len(before) + len(bshape):]
        b_flat = _ravel(b_idx, bshape)
        pos = base
        for d, k in zip(before, head):
            pos += k * strides[d]
        for d in dims:
            pos += flat_arrays[d][b_flat] * strides[d]
        for d, k in zip(after, tail):
            pos += k * strides[d]
        positions.append(pos)
    return out_shape, positions


def _ravel(idx, shape) -> int:
    i = 0
    for k, size in zip(idx, shape):
        i = i * size + k
    return i


def _broadcast_flat(values: list, shape, target) -> list:
    """Row-major values of an array of ``shape`` broadcast to ``target``."""
    lead = len(target) - len(shape)
    out = []
    for i in range(numel_of(target)):
        idx = _unravel(i, target)[lead:] if target else ()
        out.append(values[_ravel([k if s != 1 else 0 for k, s in zip(idx, shape)], shape)] if shape else values[0])
    return out


def getitem(t: Tensor, index) -> Tensor:
    """``t[index]``: a view for basic indices, a fresh row-major copy when any index is advanced."""

    view, advanced = _basic(t, index)
    if not advanced:
        if view is t:  # t[()] and t[...] are new tensors (aliases), as in PyTorch
            view = t._view_of(t.shape, t.stride(), t.storage_offset())
        return record_view(view, _node_name(index), t, lambda x: getitem(x, index))
    shape, positions = advanced_positions(view, advanced)
    storage = t._storage
    err = [storage.err[p] for p in positions] if storage.err is not None else None
    out = Tensor.from_flat([storage.data[p] for p in positions], shape, t.dtype, t.device, t.exact,
                           err, storage.accuracy)
    return record_view(out, "IndexBackward0", t, lambda x: getitem(x, index))


def _node_name(index) -> str:
    """PyTorch's name for the last operation a basic index applies (full slices apply none)."""
    name = "AliasBackward0"
    for item in _as_tuple(index):
        if _is_int(item):
            name = "SelectBackward0"
        elif item is None:
            name = "UnsqueezeBackward0"
        elif isinstance(item, slice) and (item.start not in (None, 0) or item.stop is not None
                                          or item.step not in (None, 1)):
            name = "SliceBackward0"
    return name


def setitem(t: Tensor, index, value: Any) -> None:
    """``t[index] = value``: writes t's storage in place (basic and advanced indices alike)."""
    view, advanced = _basic(t, index)
    check_writable(view, overlap_raises=not advanced)  # PyTorch copies into a basic view: overlap raises
    if not advanced:
        if isinstance(value, Tensor):
            copy_(view, value)
        else:
            fill_(view, value)
        return
    shape, positions = advanced_positions(view, advanced)
    if isinstance(value, Tensor):  # index_put does not cast a tensor (a Python scalar is cast)
        if value.dtype != t.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{t.dtype.name} for the destination and {value.dtype.name} for the source.")
        write(t, expand(value, *shape), positions)
    else:
        write(t, filled(t, value, len(positions)), positions)
