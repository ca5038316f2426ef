"""The reference tensor: storage, shape, strides, offset, dtype, device (data and views of data only).

Operations live in their area's module; ``reference/__init__.py`` binds them as
torch-style methods from one table.

Views share a ``Storage``, as in PyTorch. Each storage carries a version
counter (bumped by every in-place write) and, for oracle tensors, a parallel
list of absolute error bounds and an accuracy class.

Two faces (docs/design.md): an *exact* tensor is the oracle (values never rounded,
each with its bound ``err``); a non-exact tensor behaves like an honest IEEE
backend (every result rounded to its dtype).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

from .dtypes import DType

ACCURACY_ORDER = {"exact": 0, "correctly-rounded": 1, "bounded": 2}


class Storage:
    """A flat list of element values shared by a tensor and its views."""

    __slots__ = ("data", "err", "accuracy", "version")

    def __init__(self, data: list, err: list[float] | None = None, accuracy: str = "exact"):
        self.data = data
        self.err = err  # None means every bound is 0
        self.accuracy = accuracy
        self.version = 0


def contiguous_strides(shape: Sequence[int]) -> tuple[int, ...]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def numel_of(shape: Sequence[int]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


class Tensor:
    __slots__ = (
        "_storage", "_shape", "_strides", "_offset", "dtype", "device", "exact",
        "requires_grad", "grad", "grad_fn", "_base", "__weakref__",
    )

    def __init__(self, storage: Storage, shape, strides, offset: int, dtype: DType,
                 device: str = "cpu", exact: bool = False):
        self._storage = storage
        self._shape = tuple(shape)
        self._strides = tuple(strides)
        self._offset = offset
        self.dtype = dtype
        self.device = device
        self.exact = exact
        self.requires_grad = False
        self.grad: Tensor | None = None
        self.grad_fn: Any = None  # the autograd node that made this tensor (autograd.Node), None for a leaf
        self._base: Tensor | None = None

    # ---- construction -------------------------------------------------------
    @classmethod
    def from_flat(cls, values: list, shape, dtype: DType, device: str = "cpu",
                  exact: bool = False, err: list[float] | None = None,
                  accuracy: str = "exact") -> Tensor:
        """A fresh contiguous tensor over ``values`` (row-major)."""
        shape = tuple(shape)
        if err is not None and not any(err):
            err = None
        return cls(Storage(values, err, accuracy), shape, contiguous_strides(shape), 0,
                   dtype, device, exact)

    def _view_of(self, shape, strides, offset: int) -> Tensor:
        """A tensor over the same storage (the building block of every view)."""
        out = Tensor(self._storage, shape, strides, offset, self.dtype, self.device, self.exact)
        out._base = self if self._base is None else self._base
        return out

    # ---- attributes ---------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    def size(self, dim: int | None = None):
        if dim is None:
            return self._shape
        if not self._shape:  # torch wraps dims of a 0-d tensor elsewhere, but size(d) has none to give
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._shape[self._normalize_dim(dim)]

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def dim(self) -> int:
        return len(self._shape)

    def numel(self) -> int:
        return numel_of(self._shape)

    def stride(self, dim: int | None = None):
        if dim is None:
            return self._strides
        return self._strides[self._normalize_dim(dim)]

    def storage_offset(self) -> int:
        return self._offset

    @property
    def accuracy(self) -> str:
        return self._storage.accuracy

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def _normalize_dim(self, dim: int, ndim: int | None = None) -> int:
        n = self.ndim if ndim is None else ndim
        lo, hi = (-1, 0) if n == 0 else (-n, n - 1)
        if not lo <= dim <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
        return dim % n if n else 0

    # ---- element access -----------------------------------------------------
    def storage_indices(self) -> Iterator[int]:
        """Storage positions of the elements, in row-major (logical) order."""
        shape, strides = self._shape, self._strides
        if not shape:
            yield self._offset
            return
        if 0 in shape:
            return
        if strides == contiguous_strides(shape):
            yield from range(self._offset, self._offset + numel_of(shape))
            return
        index = [0] * len(shape)
        pos = self._offset
        last = len(shape) - 1
        while True:
            yield pos
            d = last
            while d >= 0:
                index[d] += 1
                pos += strides[d]
                if index[d] < shape[d]:
                    break
                pos -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            if d < 0:
                return

    def values(self) -> list:
        """The elements in row-major order (exact values)."""
        data = self._storage.data
        return [data[i] for i in self.storage_indices()]

    def errs(self) -> list[float]:
        """The elements' error bounds in row-major order."""
        err = self._storage.err
        if err is None:
            return [0.0] * self.numel()
        return [err[i] for i in self.storage_indices()]

    def errs_or_none(self) -> list[float] | None:
        """The bounds in row-major order, or None when the storage carries none (every bound 0)."""
        return None if self._storage.err is None else self.errs()

    def cloned(self, device: str | None = None) -> Tensor:
        """A fresh row-major tensor with these values, bounds and accuracy class (on ``device``)."""
        return Tensor.from_flat(self.values(), self._shape, self.dtype, device or self.device, self.exact,
                                self.errs_or_none(), self.accuracy)

    def tolist(self):
        """Nested Python lists (a scalar for a 0-d tensor), like ``Tensor.tolist``."""
        return nest(self.values(), self._shape)

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to Scalar")
        return self.values()[0]

    def __repr__(self) -> str:
        shown = nest([_show(v) for v in self.values()], self._shape)
        face = ", exact=True" if self.exact else ""
        return f"tensor({shown}, dtype={self.dtype.name}, device='{self.device}'{face})"

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __bool__(self) -> bool:
        return bool(self.item())


def _show(v):
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else float(v)
    return v


def nest(flat: list, shape: Sequence[int]):
    """Row-major flat values as nested lists of the given shape."""
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = numel_of(shape[1:])
    return [nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def flatten(data) -> tuple[list, tuple[int, ...]]:
    """Nested sequences (or a scalar) as row-major values and a shape; ragged raises."""
    if not isinstance(data, (list, tuple)):
        return [data], ()
    if len(data) == 0:
        return [], (0,)
    parts = [flatten(x) for x in data]
    inner = parts[0][1]
    if any(p[1] != inner for p in parts):
        raise ValueError("expected sequence of equal-length sequences (ragged nested data)")
    return [v for p in parts for v in p[0]], (len(data), *inner)

