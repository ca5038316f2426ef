"""The reference tensor: storage, shape, strides, offset, dtype, device.

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
        self.grad = None
        self.grad_fn = None
        self._base = None

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

    # ---- operations: each is defined in its area's module ----------------------
    def add(self, other) -> Tensor:
        return _elementwise().add(self, other)

    def sub(self, other) -> Tensor:
        return _elementwise().sub(self, other)

    def mul(self, other) -> Tensor:
        return _elementwise().mul(self, other)

    def div(self, other) -> Tensor:
        return _elementwise().div(self, other)

    def neg(self) -> Tensor:
        return _elementwise().neg(self)

    def pow(self, k: int) -> Tensor:
        return _elementwise().pow(self, k)

    __add__ = add
    __sub__ = sub
    __mul__ = mul
    __truediv__ = div
    __neg__ = neg
    __pow__ = pow

    def __radd__(self, other) -> Tensor:
        return _elementwise().add(other, self)

    def __rsub__(self, other) -> Tensor:
        return _elementwise().sub(other, self)

    def __rmul__(self, other) -> Tensor:
        return _elementwise().mul(other, self)

    def __rtruediv__(self, other) -> Tensor:
        return _elementwise().div(other, self)

    def sum(self, dim=None, keepdim: bool = False) -> Tensor:
        from .reduction import sum as sum_
        return sum_(self, dim, keepdim)

    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        from .reduction import mean
        return mean(self, dim, keepdim)

    def matmul(self, other: Tensor) -> Tensor:
        from .matmul import matmul
        return matmul(self, other)

    __matmul__ = matmul

    # ---- views and indexing (spec/view.md, spec/indexing.md) -------------------------------
    # Each method is defined in reference/views.py or reference/indexing.py.
    def view(self, *shape) -> Tensor:
        return _views().view(self, *shape)

    def reshape(self, *shape) -> Tensor:
        return _views().reshape(self, *shape)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _views().transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        return _views().t_(self)

    def permute(self, *dims) -> Tensor:
        return _views().permute(self, *dims)

    def expand(self, *sizes) -> Tensor:
        return _views().expand(self, *sizes)

    def unsqueeze(self, dim: int) -> Tensor:
        return _views().unsqueeze(self, dim)

    def contiguous(self) -> Tensor:
        return _views().contiguous(self)

    def is_contiguous(self) -> bool:
        return _views().is_contiguous(self)

    def __getitem__(self, index) -> Tensor:
        from .indexing import getitem
        return getitem(self, index)

    def __setitem__(self, index, value) -> None:
        from .indexing import setitem
        setitem(self, index, value)

    # ---- in-place operations (spec/inplace.md) --------------------------------------------
    # (methods: add_, sub_, mul_, div_, zero_, fill_, copy_, __iadd__ ...)
    # fill_, copy_ and zero_ are the minimal writes views and indexing need to show aliasing.
    def _cast_from(self, src, n: int | None = None) -> tuple[list, list[float] | None]:
        """Values (and bounds) of ``src`` converted to self's dtype: a scalar repeated n times,
        or a tensor's elements in row-major order (casts round or truncate silently, as torch does)."""
        from .exact import to_dtype
        if not isinstance(src, Tensor):
            value = Fraction(src) if isinstance(src, float) else src
            return [to_dtype(value, self.dtype)] * n, None
        errs = src.errs() if src._storage.err is not None else None
        if src.dtype == self.dtype:
            return src.values(), errs
        if errs is None or not self.dtype.is_floating:  # exact source: the cast is deterministic
            return [to_dtype(v, self.dtype) for v in src.values()], None
        from .exact import add_up, mag
        u = self.dtype.unit_roundoff  # a bounded source: keep the exact value, add one rounding
        return src.values(), [add_up(e, u * add_up(mag(v), e)) for v, e in zip(src.values(), errs)]

    def _write(self, values: list, errs: list[float] | None, positions=None) -> Tensor:
        """Store ``values`` at storage ``positions`` (default: self's elements) and bump the version."""
        storage = self._storage
        positions = list(self.storage_indices()) if positions is None else positions
        if not self.exact:  # the backend face stores what an IEEE backend stores
            from .exact import to_dtype
            values, errs = [to_dtype(v, self.dtype) for v in values], None
        if errs is not None and any(errs) and storage.err is None:
            storage.err = [0.0] * len(storage.data)
            storage.accuracy = "bounded"
        for k, p in enumerate(positions):
            storage.data[p] = values[k]
            if storage.err is not None:
                storage.err[p] = errs[k] if errs is not None else 0.0
        storage.version += 1
        return self

    def fill_(self, value) -> Tensor:
        from .inplace import check_writable
        check_writable(self, overlap_raises=False)  # one value everywhere: overlap is harmless
        return self._write(*self._cast_from(value, self.numel()))

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def copy_(self, src: Tensor) -> Tensor:
        from .broadcasting import broadcast_to
        from .inplace import check_writable
        check_writable(self)
        return self._write(*self._cast_from(broadcast_to(src, self.shape)))

    # -- arithmetic in place: the out-of-place result, checked, cast and written (reference/inplace.py)
    def add_(self, other) -> Tensor:
        from .inplace import arith_
        return arith_(self, "add", other)

    def sub_(self, other) -> Tensor:
        from .inplace import arith_
        return arith_(self, "sub", other)

    def mul_(self, other) -> Tensor:
        from .inplace import arith_
        return arith_(self, "mul", other)

    def div_(self, other) -> Tensor:
        from .inplace import arith_
        return arith_(self, "div", other)

    __iadd__ = add_  # ``t += u`` rebinds t to what add_ returns: t itself
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_

    # ---- devices (spec/device.md) ---------------------------------------------------------
    def to(self, *args, device=None, dtype=None, non_blocking: bool = False, copy: bool = False) -> Tensor:
        """This tensor on ``device`` in ``dtype``: ``self`` when both are its own (and not ``copy``).

        Accepts PyTorch's forms: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(other)`` and the keywords. Otherwise a new tensor over new storage: a
        transfer never aliases its source (``device.to-same``, ``device.to-other``).
        """
        from .devices import canonical_device
        from .dtypes import DType
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, DType):
                dtype = arg
            else:
                device = arg
        device = self.device if device is None else canonical_device(device)
        dtype = self.dtype if dtype is None else dtype
        if device == self.device and dtype == self.dtype and not copy:
            return self
        return self._copied_to(device, dtype)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def numpy(self):
        """The checks of ``Tensor.numpy`` (``interop.numpy-requires-cpu``), then the values.

        The reference has no NumPy (stdlib only): on the CPU it returns the values as
        nested lists, a copy; memory sharing is tested on real backends only.
        """
        if self.device != "cpu":
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. "
                            "Use Tensor.cpu() to copy the tensor to host memory first.")
        return self.tolist()

    def _copied_to(self, device: str, dtype: DType) -> Tensor:
        """A row-major copy on ``device`` with values converted to ``dtype`` (exact when it is the same)."""
        from .exact import add_up, mag, representable, to_dtype
        values, errs = self.values(), self.errs()
        accuracy = self.accuracy
        if dtype != self.dtype:
            if not self.exact or not dtype.is_floating:
                values = [to_dtype(v, dtype) for v in values]
                errs = [0.0] * len(values) if not self.exact or not any(errs) else errs
            else:  # the oracle keeps exact values; a rounding conversion adds u*(|x| + e)
                u = dtype.unit_roundoff
                new = [e if e == 0.0 and representable(v, dtype) else add_up(e, u * add_up(mag(v), e))
                       for v, e in zip(values, errs)]
                if new != errs:
                    accuracy = "bounded"
                errs = new
        return Tensor.from_flat(list(values), self._shape, dtype, device, self.exact, list(errs), accuracy)

    # ---- autograd (spec/autograd.md) ------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not self.dtype.is_floating:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None) -> None:
        from .autograd import backward
        backward(self, gradient, retain_graph)

    def detach(self) -> Tensor:
        from .autograd import detach
        return detach(self)

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d tensor")
        return self._shape[0]

    def __bool__(self) -> bool:
        return bool(self.item())


def _views():
    from . import views
    return views


def _elementwise():
    from . import elementwise
    return elementwise


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

