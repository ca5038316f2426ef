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
  whose wrappers call the same NumPy functions (``view`` there is ``autograd.numpy.reshape``:
  autograd differentiates values, has no views, and its reshape takes no ``copy=``);
- random numbers come from a ``numpy.random.Generator`` (NumPy's recommended API):
  ``manual_seed`` replaces it with ``default_rng(seed)`` and returns it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from ._repro import Spelling, literal
from .array_api import NumpyApiAdapter
from .base import Conventions, Observation, Unsupported, exact_nested, kwargs_given

_HAS_AUTOGRAD = importlib.util.find_spec("autograd") is not None


def _spell_to(a: dict[str, str]) -> str:
    """``to`` as NumpyAdapter.to reads: ``to_device``, then a copy (a dtype argument is not spelled)."""
    if literal(a["dtype"]) is not None:
        raise ValueError("a dtype argument is not spelled")
    text = f"{a['t']}.to_device({a['device']})" if literal(a["device"]) is not None else a["t"]
    return text + (".copy()" if literal(a["copy"]) else "")


class NumpyAdapter(NumpyApiAdapter):
    """NumPy: the NumPy API base (adapters/array_api.py) and what only NumPy has."""

    name = "numpy"
    # NumPy's documented defaults: float64 and int64, int / int is float64, x[i, j] of a 2-D array is a
    # NumPy scalar, and strides of size-0/1 dimensions are NumPy's own (0 for an inserted axis)
    conventions = Conventions(default_float="float64", default_int="int64",
                              int_true_divide=(("int32", "float64"), ("int64", "float64")),
                              full_int_index="scalar", degenerate_strides_row_major=False)

    def __init__(self):
        import numpy as np

        super().__init__(np)
        caps = {"views", "strides", "inplace", "interop.numpy", "random", "float64", "int64"}
        if _HAS_AUTOGRAD:
            import autograd
            import autograd.numpy as anp
            from autograd.tracer import Box

            self._autograd, self._anp, self._box = autograd, anp, Box
            caps.add("autograd.functional")
        self.capabilities = frozenset(caps)
        self._rng = np.random.default_rng()

    def _namespace(self, *operands):
        """``autograd.numpy`` while an autograd trace is running (its wrappers call NumPy), else NumPy."""
        if _HAS_AUTOGRAD and any(isinstance(x, self._box) for x in operands):
            return self._anp
        return self.xp

    def half_dtypes(self, device: str) -> list[str]:
        """numpy.float16 (spec/half.md); NumPy has no bfloat16 of its own."""
        return ["float16"]

    # ---- data in and out ------------------------------------------------------------
    def asarray(self, ref, device: str):
        return self.xp.array(ref.values(), dtype=self.native_dtype(ref.dtype.name)).reshape(ref.shape)

    def observe(self, t) -> Observation:
        np = self.xp
        kind = type(t).__name__
        a = t if isinstance(t, (np.ndarray, np.generic)) else np.asarray(t)
        return Observation(
            shape=tuple(int(s) for s in a.shape),
            dtype=a.dtype.name,
            device=str(getattr(a, "device", "cpu")),
            values=exact_nested(a.tolist(), a.ndim),
            strides=self._strides(a),
            offset=self._offset(a),
            extra={"type": kind},
        )

    repro_namespace = "np"
    #: how this adapter's own methods read in NumPy (adapters/_repro.py): each mirrors the method's body
    spellings = {
        **NumpyApiAdapter.spellings,
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
        "legacy_constructor": lambda a: f"np.ndarray(({', '.join(a['sizes'])},))",
        "cpu": "{t}.to_device('cpu')",
        "to": lambda a: _spell_to(a),
        # HIPS autograd: make_vjp over every input, then the cotangent
        "vjp": lambda a: (f"autograd.make_vjp({a['fn']}, argnum=tuple(range(len({a['inputs']}))))"
                          f"(*{a['inputs']})[0]({a['cotangent']})"),
    }

    def _repro_spellings(self, expression: str) -> dict[str, Spelling]:
        if "autograd.functional.vjp(" in expression:  # view() inside a differentiated function, as view() does
            return {**self.spellings, "view": "np.reshape({t}, {shape})"}
        return self.spellings

    def _repro_devices(self) -> dict[str, str]:
        return {"cpu": ""}

    def _repro_imports(self, body: str) -> str:
        if "autograd.make_vjp(" in body:  # inside a differentiated function NumPy's calls go to autograd.numpy
            return "import autograd\nimport autograd.numpy as np\n"
        return "import numpy as np\n"

    def _strides(self, a) -> tuple[int, ...]:
        return tuple(s // a.itemsize for s in a.strides)

    def _offset(self, a) -> int:
        if not isinstance(a, self.xp.ndarray):
            return 0  # a NumPy scalar owns its value
        owner = a
        while isinstance(owner.base, self.xp.ndarray):
            owner = owner.base
        start = owner.__array_interface__["data"][0]
        return (a.__array_interface__["data"][0] - start) // a.itemsize

    # ---- creation ------------------------------------------------------------------------
    def tensor(self, data, dtype=None, device=None):
        if device is None:
            return self.xp.array(data, dtype=self.native_dtype(dtype))
        return self.xp.asarray(data, dtype=self.native_dtype(dtype), device=device, copy=True)

    def legacy_constructor(self, *sizes):
        return self.xp.ndarray(sizes)  # NumPy's class constructor: uninitialized, like torch.Tensor(*sizes)

    # ---- attributes -----------------------------------------------------------------------
    def size(self, t, dim=None):
        if dim is None:
            raise Unsupported(f"{self.name} has no size() returning the shape (ndarray.size is the element count)")
        return self.xp.size(t, dim)

    def stride(self, t):
        return self._strides(t)

    def storage_offset(self, t):
        return self._offset(t)

    def is_contiguous(self, t):
        return bool(t.flags.c_contiguous)

    # ---- views and indexed assignment ---------------------------------------------------------
    def view(self, t, shape):
        if self._namespace(t) is not self.xp:
            # HIPS autograd differentiates copies only (it has no views) and its reshape takes no copy=
            return self._anp.reshape(t, shape)
        return t.reshape(shape, copy=False)

    def contiguous(self, t):
        return self.xp.ascontiguousarray(t)

    def setitem(self, t, index, value):
        t[index] = value

    # ---- in-place: the ufuncs with out=self, ndarray.fill, numpy.copyto ------------------------
    def add_(self, t, other):
        return self.xp.add(t, other, out=t)

    def sub_(self, t, other):
        return self.xp.subtract(t, other, out=t)

    def mul_(self, t, other):
        return self.xp.multiply(t, other, out=t)

    def div_(self, t, other):
        return self.xp.divide(t, other, out=t)

    def zero_(self, t):
        return t.fill(0)

    def fill_(self, t, value):
        return t.fill(value)

    def copy_(self, t, src):
        return self.xp.copyto(t, src)

    def iadd(self, t, other):
        t += other
        return t

    # ---- autograd, functional: HIPS autograd --------------------------------------------------
    def vjp(self, fn: Callable, inputs: Sequence, cotangent) -> tuple[Any, list]:
        if not _HAS_AUTOGRAD:
            raise Unsupported("numpy adapter: autograd.functional needs the 'autograd' package")
        make_vjp = self._autograd.make_vjp(lambda *xs: fn(*xs), argnum=tuple(range(len(inputs))))
        vjp_fn, value = make_vjp(*inputs)
        return value, list(vjp_fn(cotangent))

    def no_grad(self) -> AbstractContextManager:
        raise Unsupported(f"{self.name} has no autograd tape")

    # ---- devices: NumPy >= 2 has the single device "cpu" ------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        if device is not None:
            t = t.to_device(device)
        if dtype is not None or copy:
            t = t.astype(self.native_dtype(dtype) or t.dtype, copy=copy)
        return t

    # ---- random: a numpy.random.Generator ---------------------------------------------------------
    def manual_seed(self, seed):
        self._rng = self.xp.random.default_rng(seed)
        return self._rng

    def _check_device(self, device):
        if device not in (None, "cpu"):
            raise Unsupported(f"{self.name} has no device {device!r}")

    def rand(self, shape, dtype=None, device=None):
        self._check_device(device)
        return self._rng.random(shape, **kwargs_given(dtype=self.native_dtype(dtype)))

    def randn(self, shape, dtype=None, device=None):
        self._check_device(device)
        return self._rng.standard_normal(shape, **kwargs_given(dtype=self.native_dtype(dtype)))
