"""The array API base adapter: the Python array API standard's spelling, parameterised by namespace.

``ArrayApiAdapter(xp)`` maps each spec operation onto the standard's function in the namespace
``xp`` (``xp.add``, ``xp.sum(x, axis=..., keepdims=...)``, ``xp.permute_dims``, ``xp.broadcast_to``,
``xp.reshape``, ``xp.asarray``, ``x[i]``, ``x.to_device(d)``) and nothing more. The NumPy, JAX,
array-api-strict and CuPy adapters extend it and state only where their library differs:

- ``NumpyApiAdapter``: the namespaces that follow NumPy (NumPy, CuPy, ``jax.numpy``) keep NumPy's
  names where the standard renamed a function (``power``, ``swapaxes``, ``transpose``, ``array``);
- each library: its conventions, capabilities, devices, how its data is read back, and what only
  it has (in-place ufuncs, ``jax.vjp``, random generators, simulated devices).

The standard leaves views and mutation to each library (JAX arrays are immutable), so the base
offers no ``view``, indexed assignment or in-place method: a library that has them says how.
"""

from __future__ import annotations

import functools

from ._repro import NUMPY_NAMES, Spelling, respell, translate
from .base import Adapter, Observation, exact_nested, kwargs_given


class ArrayApiAdapter(Adapter):
    """An adapter for the namespace ``xp`` of a library that follows the array API standard."""

    repro_namespace = "xp"
    #: how this class's methods read in the standard's API (adapters/_repro.py); a subclass adds its own
    spellings: dict[str, Spelling] = {
        "sum": "{ns}.sum({a}, axis={dim}, keepdims={keepdim})",
        "mean": "{ns}.mean({a}, axis={dim}, keepdims={keepdim})",
        # the standard's two-axis swap: permute_dims with those two axes exchanged
        "transpose": ("{ns}.permute_dims({t}, [{dim1} % {t}.ndim if i == {dim0} % {t}.ndim else "
                      "{dim0} % {t}.ndim if i == {dim1} % {t}.ndim else i for i in range({t}.ndim)])"),
        "t": "{t}.T",
        "permute": "{ns}.permute_dims({t}, {dims})",
        "expand": "{ns}.broadcast_to({t}, {shape})",
        "from_numpy": "{ns}.asarray({a})",
        "to_numpy": "np.asarray({t})",
    }
    #: torch's function names in repros -> the namespace's (``_repro.translate``)
    repro_names: dict[str, str] = {**NUMPY_NAMES, "tensor": "asarray", "pow": "pow"}

    def __init__(self, xp, name: str | None = None, version: str | None = None):
        import numpy

        self.xp = xp
        self.np = numpy  # the host side: to_numpy, and reading values back
        if name is not None:
            self.name = name
        elif self.name == Adapter.name:  # used as it is: named after its namespace
            self.name = xp.__name__
        self.version = str(xp.__version__ if version is None else version)

    # ---- names: devices, dtypes, the namespace computing --------------------------------------
    def _device(self, name: str | None):
        """The namespace's device for a canonical name (here the name itself; ``None``: the default)."""
        return name

    def native_dtype(self, name: str | None):
        return None if name is None else getattr(self.xp, name)

    @functools.cached_property
    def _dtype_names(self) -> dict:
        """The namespace's dtypes table, native dtype -> name (``__array_namespace_info__().dtypes()``)."""
        return {dtype: name for name, dtype in self.xp.__array_namespace_info__().dtypes().items()}

    def _place(self, dtype, device) -> dict:
        """The ``dtype=`` and ``device=`` keywords of a creation call, those given."""
        return kwargs_given(dtype=self.native_dtype(dtype), device=self._device(device))

    def _namespace(self, *operands):
        """The namespace that computes on ``operands``: ``xp``."""
        return self.xp

    # ---- data in and out ------------------------------------------------------------
    def asarray(self, ref, device: str):
        flat = self.xp.asarray(ref.values(), dtype=self.native_dtype(ref.dtype.name), device=self._device(device))
        return self.xp.reshape(flat, ref.shape)

    def _host(self, t):
        """``t``'s values as a NumPy array, read without side effects."""
        return self.np.asarray(t)

    def _observed_device(self, t) -> str:
        return self.device_name(t)

    def observe(self, t) -> Observation:
        a = self._host(t)
        return Observation(
            shape=tuple(int(s) for s in a.shape),
            dtype=a.dtype.name,
            device=self._observed_device(t),
            values=exact_nested(a.tolist(), a.ndim),
            extra={"type": type(t).__name__},
        )

    def repro(self, expression: str) -> str:
        ns = self.repro_namespace
        body = translate(respell(expression, ns, self, self._repro_spellings(expression)), ns, self.repro_names,
                         self._repro_devices())
        return self._repro_imports(body) + body

    def _repro_spellings(self, expression: str) -> dict[str, Spelling]:
        """The spellings for one repro (``expression``, in torch's spelling, lets a library spell by context)."""
        return self.spellings

    def _repro_devices(self) -> dict[str, str]:
        """How each ``device='name'`` argument reads in the library (an empty spelling drops it)."""
        return {}

    def _repro_imports(self, body: str) -> str:
        ns = self.repro_namespace
        return (f"import {self.xp.__name__} as {ns}\n"
                + ("import numpy as np\n" if "np." in body.replace(f"{ns}.", "") else ""))

    # ---- creation ------------------------------------------------------------------------
    def tensor(self, data, dtype=None, device=None):
        return self.xp.asarray(data, **self._place(dtype, device))

    def zeros(self, shape, dtype=None, device=None):
        return self.xp.zeros(shape, **self._place(dtype, device))

    def ones(self, shape, dtype=None, device=None):
        return self.xp.ones(shape, **self._place(dtype, device))

    def full(self, shape, fill_value, dtype=None, device=None):
        return self.xp.full(shape, fill_value, **self._place(dtype, device))

    def empty(self, shape, dtype=None, device=None):
        return self.xp.empty(shape, **self._place(dtype, device))

    def arange(self, *args, dtype=None, device=None):
        return self.xp.arange(*args, **self._place(dtype, device))

    # ---- attributes -----------------------------------------------------------------------
    def shape(self, t):
        return t.shape

    def ndim(self, t):
        return t.ndim

    def numel(self, t):
        return t.size

    def dtype_name(self, t) -> str:
        return self._dtype_names[t.dtype]

    def device_name(self, t) -> str:
        return str(t.device)

    # ---- element-wise, reductions, matmul ---------------------------------------------------
    def add(self, a, b):
        return self._namespace(a, b).add(a, b)

    def sub(self, a, b):
        return self._namespace(a, b).subtract(a, b)

    def mul(self, a, b):
        return self._namespace(a, b).multiply(a, b)

    def div(self, a, b):
        return self._namespace(a, b).divide(a, b)

    def neg(self, a):
        return self._namespace(a).negative(a)

    def pow(self, a, k):
        return self._namespace(a).pow(a, k)

    def sum(self, a, dim=None, keepdim=False):
        return self._namespace(a).sum(a, axis=dim, keepdims=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        return self._namespace(a).mean(a, axis=dim, keepdims=keepdim)

    def matmul(self, a, b):
        return self._namespace(a, b).matmul(a, b)

    # ---- shapes and indexing (views and mutation: the library's own, in subclasses) ------------
    def reshape(self, t, shape):
        return self._namespace(t).reshape(t, shape)

    def transpose(self, t, dim0, dim1):
        # the standard's spelling of a two-axis swap: permute_dims with those two axes exchanged
        axes = list(range(t.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return self._namespace(t).permute_dims(t, tuple(axes))

    def t(self, t):
        return t.T

    def permute(self, t, dims):
        return self._namespace(t).permute_dims(t, dims)

    def expand(self, t, shape):
        return self._namespace(t).broadcast_to(t, shape)

    def getitem(self, t, index):
        return t[index]

    # ---- NumPy interop ----------------------------------------------------------------------
    def from_numpy(self, a):
        return self.xp.asarray(a)

    def to_numpy(self, t):
        return self.np.asarray(t)

    def tensor_from_numpy(self, a):
        return self.xp.asarray(a, copy=True)

    # ---- devices ----------------------------------------------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        if device is not None:
            t = t.to_device(self._device(device))
        if dtype is not None or copy:
            t = self.xp.astype(t, self.native_dtype(dtype) or t.dtype, copy=copy)
        return t

    def cpu(self, t):
        return t.to_device(self._device("cpu"))

    # ---- elementary functions and IEEE values (spec/elementary.md, spec/special.md) -------------
    def exp(self, a):
        return self._namespace(a).exp(a)

    def expm1(self, a):
        return self._namespace(a).expm1(a)

    def log(self, a):
        return self._namespace(a).log(a)

    def log1p(self, a):
        return self._namespace(a).log1p(a)

    def sqrt(self, a):
        return self._namespace(a).sqrt(a)

    def sin(self, a):
        return self._namespace(a).sin(a)

    def cos(self, a):
        return self._namespace(a).cos(a)

    def tanh(self, a):
        return self._namespace(a).tanh(a)

    def float_list(self, t) -> list[float]:
        return [float(v) for v in self._host(t).reshape(-1)]


class NumpyApiAdapter(ArrayApiAdapter):
    """The base of the namespaces that follow NumPy (NumPy, CuPy, ``jax.numpy``): NumPy's own names
    where the standard renamed a function, and NumPy's dtype objects."""

    spellings = {**ArrayApiAdapter.spellings,
                 "transpose": "{ns}.swapaxes({t}, {dim0}, {dim1})",
                 "permute": "{ns}.transpose({t}, {dims})"}
    repro_names = NUMPY_NAMES

    def native_dtype(self, name: str | None):
        return None if name is None else self.xp.dtype(name)

    def dtype_name(self, t) -> str:
        return t.dtype.name

    def dim(self, t):
        return self.xp.ndim(t)

    def pow(self, a, k):
        return self._namespace(a).power(a, k)

    def transpose(self, t, dim0, dim1):
        return self._namespace(t).swapaxes(t, dim0, dim1)

    def permute(self, t, dims):
        return self._namespace(t).transpose(t, dims)

    def tensor_from_numpy(self, a):
        return self.xp.array(a)
