"""array-api-strict adapter: the Python array API standard, no more and no less.

The standard has no views, strides, autograd or random numbers, and no
``add_``-style methods; it does have ``__setitem__`` and in-place operators
(``+=``), which mutate the array itself, so ``inplace`` is declared and the
method forms are ``Unsupported``. ``view`` is ``reshape(x, shape, copy=False)``,
the standard's "never copy" reshape; whether it aliases is unspecified, so
``views`` is not declared.

Devices are the library's simulated ones, with their dtype restrictions:
``cpu`` (``CPU_DEVICE``), ``device1``, ``device2`` (default float dtype float32,
like a torch CPU), ``no_float64`` (no float64, like Apple's MPS) and ``no_x64``
(neither float64 nor int64, like JAX's default).

NumPy interop is the standard's: ``from_dlpack`` (zero-copy) into the library,
``numpy.asarray`` out (like ``Tensor.numpy()``, it refuses arrays on a non-CPU device).
"""

from __future__ import annotations

from dataclasses import replace

from ._repro import NUMPY_NAMES, literal, respell, translate
from .base import Adapter, Conventions, Observation, Unsupported
from .torch import _exact_nested, _kwargs

_DEVICE_NAMES = {"cpu": "CPU_DEVICE", "device1": "device1", "device2": "device2",
                 "no_float64": "no_float64", "no_x64": "no_x64"}
_MISSING_DTYPES = {"no_float64": {"float64"}, "no_x64": {"float64", "int64"}}


class ArrayApiStrictAdapter(Adapter):
    name = "array_api_strict"
    # the array API standard: float64/int64 defaults on CPU_DEVICE (__array_namespace_info__().default_dtypes()),
    # no true division of integer arrays (TypeError), a full integer index gives a 0-d array; the
    # index spellings the standard leaves unspecified (a partial index without ..., slice bounds
    # past the ends) raise by design
    conventions = Conventions(default_float="float64", default_int="int64", int_true_divide=None,
                              full_int_index="0-d", degenerate_strides_row_major=False,
                              partial_index=False, clamps_slice_bounds=False, list_index=False,
                              mask_among_indices=False, int_array_among_slices=False)
    capabilities = frozenset({"inplace", "interop.numpy", "devices", "float64", "int64"})
    inplace_statements = frozenset({"zero_", "fill_", "copy_"})  # indexed assignment, below

    def __init__(self):
        import array_api_strict as xp
        import numpy as np

        self.xp, self.np = xp, np
        self.version = str(xp.__version__)
        self._devices = {name: xp.Device(native) for name, native in _DEVICE_NAMES.items()}
        self._names = {native: name for name, native in self._devices.items()}

    def devices(self) -> list[str]:
        return list(self._devices)

    def dtypes(self, device: str) -> list[str]:
        missing = _MISSING_DTYPES.get(device, set())
        return [d for d in ("bool", "int32", "int64", "float32", "float64") if d not in missing]

    def half_dtypes(self, device: str) -> list[str]:
        """None: the array API standard has no half-precision dtypes, so the half rules are unsupported."""
        return []

    def _device(self, name: str | None):
        if name is None:
            return None
        try:
            return self._devices[name]
        except KeyError:
            raise Unsupported(f"array_api_strict has no device {name!r} (devices: {list(self._devices)})") from None

    def native_dtype(self, name: str | None):
        return None if name is None else getattr(self.xp, name)

    def _place(self, dtype, device):
        self._check_dtype(dtype, device)
        return _kwargs(dtype=self.native_dtype(dtype), device=self._device(device))

    def _check_dtype(self, dtype: str | None, device: str | None) -> None:
        """A dtype the simulated device lacks is unsupported there, as on the hardware it models."""
        if dtype is not None and device is not None and dtype not in self.dtypes(device):
            raise Unsupported(f"array_api_strict device {device!r} has no {dtype} (it has {self.dtypes(device)})")

    # ---- data in and out ------------------------------------------------------------
    def asarray(self, ref, device: str):
        self._check_dtype(ref.dtype.name, device)
        flat = self.xp.asarray(ref.values(), dtype=self.native_dtype(ref.dtype.name), device=self._device(device))
        return self.xp.reshape(flat, ref.shape)

    def observe(self, t) -> Observation:
        # array-api-strict wraps a NumPy array; reading it has no side effects and works
        # on every simulated device (numpy.asarray refuses the non-CPU ones)
        a = t._array
        return Observation(
            shape=tuple(int(s) for s in t.shape),
            dtype=str(a.dtype),
            device=self._names.get(t.device, repr(t.device)),
            values=_exact_nested(a.tolist(), a.ndim),
            extra={"type": type(t).__name__},
        )

    repro_namespace = "xp"

    def conventions_on(self, device: str) -> Conventions:
        """The default dtypes of ``device`` as the namespace reports them (int32/float32 on ``no_x64``)."""
        defaults = self.xp.__array_namespace_info__().default_dtypes(device=self._device(device))
        return replace(self.conventions, default_float=str(defaults["real floating"]).split(".")[-1],
                       default_int=str(defaults["integral"]).split(".")[-1])

    #: how this adapter's methods read in the standard's API (adapters/_repro.py): each mirrors the method's body
    spellings = {
        "sum": "xp.sum({a}, axis={dim}, keepdims={keepdim})",
        "mean": "xp.mean({a}, axis={dim}, keepdims={keepdim})",
        "view": "xp.reshape({t}, {shape}, copy=False)",
        "reshape": "xp.reshape({t}, {shape})",
        # the standard's two-axis swap: permute_dims with those two axes exchanged
        "transpose": ("xp.permute_dims({t}, [{dim1} % {t}.ndim if i == {dim0} % {t}.ndim else "
                      "{dim0} % {t}.ndim if i == {dim1} % {t}.ndim else i for i in range({t}.ndim)])"),
        "t": "{t}.T",
        "permute": "xp.permute_dims({t}, {dims})",
        "expand": "xp.broadcast_to({t}, {shape})",
        "add_": "{t} += {other}\n{t}",
        "sub_": "{t} -= {other}\n{t}",
        "mul_": "{t} *= {other}\n{t}",
        "div_": "{t} /= {other}\n{t}",
        "fill_": "{t}[...] = {value}\n{t}",
        "zero_": "{t}[...] = 0\n{t}",
        "copy_": "{t}[...] = {src}\n{t}",
        "from_numpy": "xp.from_dlpack({a})",
        "to_numpy": "np.asarray({t})",
    }

    def repro(self, expression: str) -> str:
        names = {**NUMPY_NAMES, "tensor": "asarray", "pow": "pow"}
        devices = {name: ("" if name == "cpu" else f"xp.Device({native!r})") for name, native in _DEVICE_NAMES.items()}
        spellings = {**self.spellings, "to": self._spell_to,
                     "cpu": lambda a: f"{a['t']}.to_device(xp.Device({_DEVICE_NAMES['cpu']!r}))"}
        body = translate(respell(expression, "xp", self, spellings), "xp", names, devices)
        return "import array_api_strict as xp\n" + ("import numpy as np\n" if "np." in body else "") + body

    def _spell_to(self, a: dict[str, str]) -> str:
        """``to`` as its body reads: ``to_device``, then ``astype`` for a dtype or a copy."""
        text, device, copy = a["t"], literal(a["device"]), literal(a["copy"])
        if device is not None:
            text = f"{text}.to_device(xp.Device({_DEVICE_NAMES[device]!r}))"
        if literal(a["dtype"]) is not None:
            raise ValueError("a dtype argument is not spelled")
        return f"xp.astype({text}, {text}.dtype, copy=True)" if copy else text

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
        return str(t._array.dtype)

    def device_name(self, t) -> str:
        return self._names.get(t.device, repr(t.device))

    # ---- element-wise, reductions, matmul ---------------------------------------------------
    def add(self, a, b):
        return self.xp.add(a, b)

    def sub(self, a, b):
        return self.xp.subtract(a, b)

    def mul(self, a, b):
        return self.xp.multiply(a, b)

    def div(self, a, b):
        return self.xp.divide(a, b)

    def neg(self, a):
        return self.xp.negative(a)

    def pow(self, a, k):
        return self.xp.pow(a, k)

    def sum(self, a, dim=None, keepdim=False):
        return self.xp.sum(a, axis=dim, keepdims=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        return self.xp.mean(a, axis=dim, keepdims=keepdim)

    def matmul(self, a, b):
        return self.xp.matmul(a, b)

    # ---- shapes and indexing --------------------------------------------------------------------
    def view(self, t, shape):
        return self.xp.reshape(t, shape, copy=False)

    def reshape(self, t, shape):
        return self.xp.reshape(t, shape)

    def t(self, t):
        return t.T

    def transpose(self, t, dim0, dim1):
        # the standard's spelling of a two-axis swap: permute_dims with those two axes exchanged
        axes = list(range(t.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return self.xp.permute_dims(t, tuple(axes))

    def permute(self, t, dims):
        return self.xp.permute_dims(t, dims)

    def expand(self, t, shape):
        return self.xp.broadcast_to(t, shape)

    def getitem(self, t, index):
        return t[index]

    def setitem(self, t, index, value):
        t[index] = value

    def iadd(self, t, other):
        t += other
        return t

    # the standard's in-place forms are the augmented operators (each call returns the object the
    # statement leaves bound to t) and indexed assignment (a statement: it returns nothing)
    def add_(self, t, other):
        t += other
        return t

    def sub_(self, t, other):
        t -= other
        return t

    def mul_(self, t, other):
        t *= other
        return t

    def div_(self, t, other):
        t /= other
        return t

    def fill_(self, t, value):
        t[...] = value

    def zero_(self, t):
        t[...] = 0

    def copy_(self, t, src):
        t[...] = src

    # ---- NumPy interop: DLPack in, numpy.asarray out ------------------------------------------------
    def from_numpy(self, a):
        return self.xp.from_dlpack(a)

    def to_numpy(self, t):
        return self.np.asarray(t)

    def tensor_from_numpy(self, a):
        return self.xp.asarray(a, copy=True)

    # ---- devices ----------------------------------------------------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        if device is not None:
            t = t.to_device(self._device(device))
        if dtype is not None or copy:
            t = self.xp.astype(t, self.native_dtype(dtype) or t.dtype, copy=copy)
        return t

    def cpu(self, t):
        return t.to_device(self._devices["cpu"])

    def default_device(self):
        return self._names[self.xp.__array_namespace_info__().default_device()]

    # ---- elementary functions and IEEE values (spec/elementary.md, spec/special.md) -------------
    def exp(self, a):
        return self.xp.exp(a)

    def expm1(self, a):
        return self.xp.expm1(a)

    def log(self, a):
        return self.xp.log(a)

    def log1p(self, a):
        return self.xp.log1p(a)

    def sqrt(self, a):
        return self.xp.sqrt(a)

    def sin(self, a):
        return self.xp.sin(a)

    def cos(self, a):
        return self.xp.cos(a)

    def tanh(self, a):
        return self.xp.tanh(a)

    def float_list(self, t) -> list[float]:
        return [float(v) for v in t._array.reshape(-1)]  # the wrapped NumPy array, read without side effects

