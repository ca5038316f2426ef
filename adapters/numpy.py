"""NumPy adapter (NumPy >= 2.1): one CPU device, views, strides, in-place ufuncs, itself as interop.

Each spec operation goes to NumPy's own function or method; nothing is repaired:
- ``view`` is ``ndarray.reshape(shape, copy=False)``, which raises where a copy
  would be needed (NumPy >= 2.1), the closest thing NumPy has to ``Tensor.view``;
- in-place arithmetic is the ufunc with ``out=self``; ``zero_``/``fill_`` are
  ``ndarray.fill`` and ``copy_`` is ``numpy.copyto`` (both return ``None``);
- strides are NumPy's byte strides divided by the item size, and the storage
  offset is the distance from the owning array's first element;
- ``autograd.functional`` uses the HIPS ``autograd`` package (``make_vjp``) when it
  is installed: inside a traced function the operations go to ``autograd.numpy``,
  whose wrappers call the same NumPy functions;
- random numbers come from a ``numpy.random.Generator`` (NumPy's recommended API):
  ``manual_seed`` replaces it with ``default_rng(seed)`` and returns it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from ._repro import NUMPY_NAMES, NUMPY_SPELLINGS, literal, respell, translate
from .base import Adapter, Conventions, Observation, Unsupported
from .torch import _exact_nested, _kwargs

_HAS_AUTOGRAD = importlib.util.find_spec("autograd") is not None


def _spell_to(a: dict[str, str]) -> str:
    """``to`` as NumpyAdapter.to reads: ``to_device``, then a copy (a dtype argument is not spelled)."""
    if literal(a["dtype"]) is not None:
        raise ValueError("a dtype argument is not spelled")
    text = f"{a['t']}.to_device({a['device']})" if literal(a["device"]) is not None else a["t"]
    return text + (".copy()" if literal(a["copy"]) else "")


class NumpyAdapter(Adapter):
    name = "numpy"
    # NumPy's documented defaults: float64 and int64, int / int is float64, x[i, j] of a 2-D array is a
    # NumPy scalar, and strides of size-0/1 dimensions are NumPy's own (0 for an inserted axis)
    conventions = Conventions(default_float="float64", default_int="int64",
                              int_true_divide=(("int32", "float64"), ("int64", "float64")),
                              full_int_index="scalar", degenerate_strides_row_major=False)

    def __init__(self):
        import numpy as np

        self.np = np
        self.version = str(np.__version__)
        caps = {"views", "strides", "inplace", "interop.numpy", "random", "float64", "int64"}
        if _HAS_AUTOGRAD:
            import autograd
            import autograd.numpy as anp
            from autograd.tracer import Box

            self._autograd, self._anp, self._box = autograd, anp, Box
            caps.add("autograd.functional")
        self.capabilities = frozenset(caps)
        self._rng = np.random.default_rng()

    def half_dtypes(self, device: str) -> list[str]:
        """numpy.float16 (spec/half.md); NumPy has no bfloat16 of its own."""
        return ["float16"]

    # ---- data in and out ------------------------------------------------------------
    def native_dtype(self, name: str | None):
        return None if name is None else self.np.dtype(name)

    def asarray(self, ref, device: str):
        return self.np.array(ref.values(), dtype=self.native_dtype(ref.dtype.name)).reshape(ref.shape)

    def observe(self, t) -> Observation:
        np = self.np
        kind = type(t).__name__
        a = t if isinstance(t, (np.ndarray, np.generic)) else np.asarray(t)
        return Observation(
            shape=tuple(int(s) for s in a.shape),
            dtype=a.dtype.name,
            device=str(getattr(a, "device", "cpu")),
            values=_exact_nested(a.tolist(), a.ndim),
            strides=self._strides(a),
            offset=self._offset(a),
            extra={"type": kind},
        )

    repro_namespace = "np"
    #: how this adapter's methods read in NumPy (adapters/_repro.py): each mirrors the method's body
    spellings = {
        **NUMPY_SPELLINGS,
        "view": "{t}.reshape({shape}, copy=False)",
        "contiguous": "np.ascontiguousarray({t})",
        "add_": "np.add({t}, {other}, out={t})",
        "sub_": "np.subtract({t}, {other}, out={t})",
        "mul_": "np.multiply({t}, {other}, out={t})",
        "div_": "np.divide({t}, {other}, out={t})",
        "zero_": "{t}.fill(0)\n{t}",
        "fill_": "{t}.fill({value})\n{t}",
        "copy_": "np.copyto({t}, {src})\n{t}",
        "stride": "tuple(s // {t}.itemsize for s in {t}.strides)",
        "from_numpy": "np.asarray({a})",
        "legacy_constructor": lambda a: f"np.ndarray(({', '.join(a['sizes'])},))",
        "cpu": "{t}.to_device('cpu')",
        "to": lambda a: _spell_to(a),
        # HIPS autograd: make_vjp over every input, then the cotangent
        "vjp": lambda a: (f"autograd.make_vjp({a['fn']}, argnum=tuple(range(len({a['inputs']}))))"
                          f"(*{a['inputs']})[0]({a['cotangent']})"),
    }

    def repro(self, expression: str) -> str:
        body = translate(respell(expression, "np", self, self.spellings), "np", NUMPY_NAMES, {"cpu": ""})
        if "autograd.make_vjp(" in body:  # inside a differentiated function NumPy's calls go to autograd.numpy
            return "import autograd\nimport autograd.numpy as np\n" + body
        return "import numpy as np\n" + body

    def _strides(self, a) -> tuple[int, ...]:
        return tuple(s // a.itemsize for s in a.strides)

    def _offset(self, a) -> int:
        if not isinstance(a, self.np.ndarray):
            return 0  # a NumPy scalar owns its value
        owner = a
        while isinstance(owner.base, self.np.ndarray):
            owner = owner.base
        start = owner.__array_interface__["data"][0]
        return (a.__array_interface__["data"][0] - start) // a.itemsize

    def _ops(self, *operands):
        """``autograd.numpy`` while an autograd trace is running (its wrappers call NumPy), else NumPy."""
        if _HAS_AUTOGRAD and any(isinstance(x, self._box) for x in operands):
            return self._anp
        return self.np

    # ---- creation ------------------------------------------------------------------------
    def tensor(self, data, dtype=None, device=None):
        if device is None:
            return self.np.array(data, dtype=self.native_dtype(dtype))
        return self.np.asarray(data, dtype=self.native_dtype(dtype), device=device, copy=True)

    def zeros(self, shape, dtype=None, device=None):
        return self.np.zeros(shape, **_kwargs(dtype=self.native_dtype(dtype), device=device))

    def ones(self, shape, dtype=None, device=None):
        return self.np.ones(shape, **_kwargs(dtype=self.native_dtype(dtype), device=device))

    def full(self, shape, fill_value, dtype=None, device=None):
        return self.np.full(shape, fill_value, **_kwargs(dtype=self.native_dtype(dtype), device=device))

    def empty(self, shape, dtype=None, device=None):
        return self.np.empty(shape, **_kwargs(dtype=self.native_dtype(dtype), device=device))

    def legacy_constructor(self, *sizes):
        return self.np.ndarray(sizes)  # NumPy's class constructor: uninitialized, like torch.Tensor(*sizes)

    def arange(self, *args, dtype=None, device=None):
        return self.np.arange(*args, **_kwargs(dtype=self.native_dtype(dtype), device=device))

    # ---- attributes -----------------------------------------------------------------------
    def shape(self, t):
        return t.shape

    def size(self, t, dim=None):
        if dim is None:
            raise Unsupported("numpy has no size() returning the shape (ndarray.size is the element count)")
        return self.np.size(t, dim)

    def ndim(self, t):
        return t.ndim

    def dim(self, t):
        return self.np.ndim(t)

    def numel(self, t):
        return t.size

    def dtype_name(self, t) -> str:
        return t.dtype.name

    def device_name(self, t) -> str:
        return str(t.device)

    def stride(self, t):
        return self._strides(t)

    def storage_offset(self, t):
        return self._offset(t)

    def is_contiguous(self, t):
        return bool(t.flags.c_contiguous)

    # ---- element-wise, reductions, matmul ---------------------------------------------------
    def add(self, a, b):
        return self._ops(a, b).add(a, b)

    def sub(self, a, b):
        return self._ops(a, b).subtract(a, b)

    def mul(self, a, b):
        return self._ops(a, b).multiply(a, b)

    def div(self, a, b):
        return self._ops(a, b).divide(a, b)

    def neg(self, a):
        return self._ops(a).negative(a)

    def pow(self, a, k):
        return self._ops(a).power(a, k)

    def sum(self, a, dim=None, keepdim=False):
        return self._ops(a).sum(a, axis=dim, keepdims=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        return self._ops(a).mean(a, axis=dim, keepdims=keepdim)

    def matmul(self, a, b):
        return self._ops(a, b).matmul(a, b)

    # ---- views --------------------------------------------------------------------------------
    def view(self, t, shape):
        return t.reshape(shape, copy=False)

    def reshape(self, t, shape):
        return self._ops(t).reshape(t, shape)

    def transpose(self, t, dim0, dim1):
        return self._ops(t).swapaxes(t, dim0, dim1)

    def t(self, t):
        return t.T

    def permute(self, t, dims):
        return self._ops(t).transpose(t, dims)

    def expand(self, t, shape):
        return self._ops(t).broadcast_to(t, shape)

    def contiguous(self, t):
        return self.np.ascontiguousarray(t)

    def getitem(self, t, index):
        return t[index]

    def setitem(self, t, index, value):
        t[index] = value

    # ---- in-place: the ufuncs with out=self, ndarray.fill, numpy.copyto ------------------------
    def add_(self, t, other):
        return self.np.add(t, other, out=t)

    def sub_(self, t, other):
        return self.np.subtract(t, other, out=t)

    def mul_(self, t, other):
        return self.np.multiply(t, other, out=t)

    def div_(self, t, other):
        return self.np.divide(t, other, out=t)

    def zero_(self, t):
        return t.fill(0)

    def fill_(self, t, value):
        return t.fill(value)

    def copy_(self, t, src):
        return self.np.copyto(t, src)

    def iadd(self, t, other):
        t += other
        return t

    # ---- NumPy interop: NumPy itself ------------------------------------------------------------
    def from_numpy(self, a):
        return self.np.asarray(a)

    def to_numpy(self, t):
        return self.np.asarray(t)

    def tensor_from_numpy(self, a):
        return self.np.array(a)

    # ---- autograd, functional: HIPS autograd --------------------------------------------------
    def vjp(self, fn: Callable, inputs: Sequence, cotangent) -> tuple[Any, list]:
        if not _HAS_AUTOGRAD:
            raise Unsupported("numpy adapter: autograd.functional needs the 'autograd' package")
        make_vjp = self._autograd.make_vjp(lambda *xs: fn(*xs), argnum=tuple(range(len(inputs))))
        vjp_fn, value = make_vjp(*inputs)
        return value, list(vjp_fn(cotangent))

    def no_grad(self) -> AbstractContextManager:
        raise Unsupported("numpy has no autograd tape")

    # ---- devices: NumPy >= 2 has the single device "cpu" ------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        if device is not None:
            t = t.to_device(device)
        if dtype is not None or copy:
            t = t.astype(self.native_dtype(dtype) or t.dtype, copy=copy)
        return t

    def cpu(self, t):
        return t.to_device("cpu")

    # ---- random: a numpy.random.Generator ---------------------------------------------------------
    def manual_seed(self, seed):
        self._rng = self.np.random.default_rng(seed)
        return self._rng

    def _check_device(self, device):
        if device not in (None, "cpu"):
            raise Unsupported(f"numpy has no device {device!r}")

    def rand(self, shape, dtype=None, device=None):
        self._check_device(device)
        return self._rng.random(shape, **_kwargs(dtype=self.native_dtype(dtype)))

    def randn(self, shape, dtype=None, device=None):
        self._check_device(device)
        return self._rng.standard_normal(shape, **_kwargs(dtype=self.native_dtype(dtype)))

    # ---- elementary functions and IEEE values (spec/elementary.md, spec/special.md) -------------
    def exp(self, a):
        return self._ops(a).exp(a)

    def expm1(self, a):
        return self._ops(a).expm1(a)

    def log(self, a):
        return self._ops(a).log(a)

    def log1p(self, a):
        return self._ops(a).log1p(a)

    def sqrt(self, a):
        return self._ops(a).sqrt(a)

    def sin(self, a):
        return self._ops(a).sin(a)

    def cos(self, a):
        return self._ops(a).cos(a)

    def tanh(self, a):
        return self._ops(a).tanh(a)

    def float_list(self, t) -> list[float]:
        return [float(v) for v in self.np.asarray(t).reshape(-1)]

