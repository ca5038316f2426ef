"""JAX adapter: immutable arrays, ``jax.vjp`` for gradients, its CPU (and GPU) devices.

JAX arrays are immutable and expose no views, strides or in-place operations, so
those capabilities are absent. Each spec operation goes to ``jax.numpy``'s own
function (not jitted: an example runs each operation once, so tracing and
compiling per call would only cost time).

- float64 and int64 exist only with ``jax_enable_x64``; the adapter turns it on
  when it is created (set ``JAX_ENABLE_X64=0`` to test JAX's 32-bit default) and
  declares the dtypes JAX then really has.
- Devices are ``jax.devices()``: the first CPU device is ``cpu``, the others
  ``cpu:N`` (the tox environment asks XLA for two host devices with
  ``XLA_FLAGS=--xla_force_host_platform_device_count=2``); GPUs are ``cuda:N``.
  ``asarray`` and ``device=`` commit arrays to their device, as ``jnp.asarray(x, device=d)`` does.
- Random numbers: JAX has no global generator; ``manual_seed`` makes
  ``jax.random.key(seed)`` and each draw splits it, the documented JAX idiom.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from ._repro import NUMPY_NAMES, NUMPY_SPELLINGS, literal, respell, translate
from .base import Adapter, Conventions, Observation, Unsupported
from .torch import _exact_nested, _kwargs


class JaxAdapter(Adapter):
    name = "jax"
    # JAX with jax_enable_x64 (the adapter's default): float64 and int64 defaults; int32 / int32 is
    # float32 and int64 / int64 float64 (jnp.true_divide); a full integer index gives a 0-d Array
    conventions = Conventions(default_float="float64", default_int="int64",
                              int_true_divide=(("int32", "float32"), ("int64", "float64")),
                              full_int_index="0-d", degenerate_strides_row_major=False,
                              list_index=False)  # jnp asks for arr[jnp.array(seq)]

    def __init__(self):
        import jax

        if os.environ.get("JAX_ENABLE_X64", "1").lower() not in ("0", "false"):
            jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import numpy as np

        self.jax, self.jnp, self.np = jax, jnp, np
        self.version = str(jax.__version__)
        caps = {"autograd.functional", "random"}
        if jax.config.jax_enable_x64:
            caps |= {"float64", "int64"}
        self._devices = {self._canonical(d): d for d in jax.devices()}
        if len(self._devices) > 1:
            caps.add("devices")
        self.capabilities = frozenset(caps)
        self._key = jax.random.key(0)

    def devices(self) -> list[str]:
        return list(self._devices)

    @staticmethod
    def _canonical(d) -> str:
        if d.platform == "cpu":
            return "cpu" if d.id == 0 else f"cpu:{d.id}"
        platform = "cuda" if d.platform == "gpu" else d.platform
        return f"{platform}:{d.id}"

    def _device(self, name: str | None):
        if name is None:
            return None
        name = {"cpu:0": "cpu", "cuda": "cuda:0"}.get(name, name)
        try:
            return self._devices[name]
        except KeyError:
            raise Unsupported(f"jax has no device {name!r} here (devices: {list(self._devices)})") from None

    def half_dtypes(self, device: str) -> list[str]:
        """jnp.float16 and jnp.bfloat16 (spec/half.md) on every device."""
        return ["float16", "bfloat16"]

    # ---- data in and out ------------------------------------------------------------
    def native_dtype(self, name: str | None):
        return None if name is None else self.jnp.dtype(name)

    def asarray(self, ref, device: str):
        # a host-to-device transfer: unlike jnp.asarray it compiles nothing per shape; exact values go
        # in as Python floats (representable in the dtype, so exact), which ml_dtypes' bfloat16 needs
        flat = [float(v) if isinstance(v, Fraction) else v for v in ref.values()]
        data = self.np.array(flat, dtype=self.native_dtype(ref.dtype.name)).reshape(ref.shape)
        return self.jax.device_put(data, self._device(device))

    def observe(self, t) -> Observation:
        a = self.np.asarray(t)
        device = t.device if hasattr(t, "device") else None
        return Observation(
            shape=tuple(int(s) for s in a.shape),
            dtype=a.dtype.name,
            device=self._canonical(device) if device is not None and hasattr(device, "platform") else "cpu",
            values=_exact_nested(a.tolist(), a.ndim),
            extra={"type": type(t).__name__},
        )

    repro_namespace = "jnp"

    #: how this adapter's methods read in JAX (adapters/_repro.py): each mirrors the method's body
    spellings = {**NUMPY_SPELLINGS, "from_numpy": "jnp.asarray({a})",
                 "vjp": lambda a: f"jax.vjp({a['fn']}, *{a['inputs']})[1]({a['cotangent']})"}

    def repro(self, expression: str) -> str:
        devices = {name: ("" if name == "cpu" else f"jax.devices()[{d.id}]") for name, d in self._devices.items()}
        spellings = {**self.spellings, "to": self._spell_to,
                     "cpu": lambda a: f"jax.device_put({a['t']}, jax.devices('cpu')[0])"}
        body = translate(respell(expression, "jnp", self, spellings), "jnp", NUMPY_NAMES, devices)
        return ("import jax\njax.config.update('jax_enable_x64', True)\nimport jax.numpy as jnp\n"
                + ("import numpy as np\n" if "np." in body.replace("jnp.", "") else "") + body)

    def _spell_to(self, a: dict[str, str]) -> str:
        """``to`` as its body reads: ``jax.device_put`` (a dtype argument is not spelled)."""
        device, copy = literal(a["device"]), literal(a["copy"])
        if literal(a["dtype"]) is not None or device is None:
            raise ValueError("only a device move is spelled")
        target = f"jax.devices({self._device(device).platform!r})[{self._device(device).id}]"
        return f"jax.device_put({a['t']}, {target}" + (", may_alias=False)" if copy else ")")

    # ---- creation ------------------------------------------------------------------------
    def _place(self, dtype, device):
        return _kwargs(dtype=self.native_dtype(dtype), device=self._device(device))

    def tensor(self, data, dtype=None, device=None):
        return self.jnp.array(data, **self._place(dtype, device))

    def zeros(self, shape, dtype=None, device=None):
        return self.jnp.zeros(shape, **self._place(dtype, device))

    def ones(self, shape, dtype=None, device=None):
        return self.jnp.ones(shape, **self._place(dtype, device))

    def full(self, shape, fill_value, dtype=None, device=None):
        return self.jnp.full(shape, fill_value, **self._place(dtype, device))

    def empty(self, shape, dtype=None, device=None):
        return self.jnp.empty(shape, **self._place(dtype, device))

    def arange(self, *args, dtype=None, device=None):
        return self.jnp.arange(*args, **self._place(dtype, device))

    # ---- attributes -----------------------------------------------------------------------
    def shape(self, t):
        return t.shape

    def size(self, t, dim=None):
        if dim is None:
            raise Unsupported("jax has no size() returning the shape (Array.size is the element count)")
        return self.jnp.size(t, dim)

    def ndim(self, t):
        return t.ndim

    def dim(self, t):
        return self.jnp.ndim(t)

    def numel(self, t):
        return t.size

    def dtype_name(self, t) -> str:
        return t.dtype.name

    def device_name(self, t) -> str:
        return self._canonical(t.device)

    # ---- element-wise, reductions, matmul ---------------------------------------------------
    def add(self, a, b):
        return self.jnp.add(a, b)

    def sub(self, a, b):
        return self.jnp.subtract(a, b)

    def mul(self, a, b):
        return self.jnp.multiply(a, b)

    def div(self, a, b):
        return self.jnp.divide(a, b)

    def neg(self, a):
        return self.jnp.negative(a)

    def pow(self, a, k):
        return self.jnp.power(a, k)

    def sum(self, a, dim=None, keepdim=False):
        return self.jnp.sum(a, axis=dim, keepdims=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        return self.jnp.mean(a, axis=dim, keepdims=keepdim)

    def matmul(self, a, b):
        return self.jnp.matmul(a, b)

    # ---- shapes (copies: JAX has no observable views) -------------------------------------------
    def reshape(self, t, shape):
        return self.jnp.reshape(t, shape)

    def transpose(self, t, dim0, dim1):
        return self.jnp.swapaxes(t, dim0, dim1)

    def t(self, t):
        return t.T

    def permute(self, t, dims):
        return self.jnp.transpose(t, dims)

    def expand(self, t, shape):
        return self.jnp.broadcast_to(t, shape)

    def getitem(self, t, index):
        return t[index]

    # ---- NumPy conversion (copies: JAX arrays are immutable, so no shared memory) ------------------
    def from_numpy(self, a):
        return self.jnp.asarray(a)

    def to_numpy(self, t):
        return self.np.asarray(t)

    def tensor_from_numpy(self, a):
        return self.jnp.array(a)

    # ---- autograd, functional: jax.vjp ---------------------------------------------------------------
    def vjp(self, fn: Callable, inputs: Sequence, cotangent) -> tuple[Any, list]:
        value, vjp_fn = self.jax.vjp(fn, *inputs)
        return value, list(vjp_fn(cotangent))

    # ---- devices ---------------------------------------------------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        if device is not None:
            t = self.jax.device_put(t, self._device(device), may_alias=None if not copy else False)
        if dtype is not None:
            t = t.astype(self.native_dtype(dtype), copy=copy)
        elif copy and device is None:
            t = t.copy()
        return t

    def cpu(self, t):
        return self.jax.device_put(t, self.jax.devices("cpu")[0])

    def default_device(self):
        return self._canonical(self.jax.devices()[0])

    # ---- random: a key threaded through the draws -------------------------------------------------------
    def manual_seed(self, seed):
        self._key = self.jax.random.key(seed)
        return self._key

    def _draw(self, sample, shape, dtype, device):
        self._key, sub = self.jax.random.split(self._key)
        kwargs = _kwargs(dtype=self.native_dtype(dtype))
        if device is None:
            return sample(sub, shape, **kwargs)
        with self.jax.default_device(self._device(device)):
            return sample(sub, shape, **kwargs)

    def rand(self, shape, dtype=None, device=None):
        return self._draw(self.jax.random.uniform, shape, dtype, device)

    def randn(self, shape, dtype=None, device=None):
        return self._draw(self.jax.random.normal, shape, dtype, device)

    # ---- elementary functions and IEEE values (spec/elementary.md, spec/special.md) -------------
    #: XLA's CPU backend runs with flush-to-zero and denormals-are-zero set:
    #: jnp.float32(2.0**-149) + jnp.float32(2.0**-149) is 0.0 on CPU
    flushes_subnormals = True

    def exp(self, a):
        return self.jnp.exp(a)

    def expm1(self, a):
        return self.jnp.expm1(a)

    def log(self, a):
        return self.jnp.log(a)

    def log1p(self, a):
        return self.jnp.log1p(a)

    def sqrt(self, a):
        return self.jnp.sqrt(a)

    def sin(self, a):
        return self.jnp.sin(a)

    def cos(self, a):
        return self.jnp.cos(a)

    def tanh(self, a):
        return self.jnp.tanh(a)

    def sigmoid(self, a):
        return self.jax.nn.sigmoid(a)

    def float_list(self, t) -> list[float]:
        return [float(v) for v in self.np.asarray(t).reshape(-1)]

