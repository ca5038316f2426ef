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

from ._repro import Spelling, literal
from .array_api import NumpyApiAdapter
from .base import Conventions, Unsupported, kwargs_given


class JaxAdapter(NumpyApiAdapter):
    """JAX: the NumPy API base (adapters/array_api.py) over ``jax.numpy``, and what only JAX has."""

    name = "jax"
    # JAX with jax_enable_x64 (the adapter's default): float64 and int64 defaults; int32 / int32 is
    # float32 and int64 / int64 float64 (jnp.true_divide); a full integer index gives a 0-d Array
    conventions = Conventions(default_float="float64", default_int="int64",
                              int_true_divide=(("int32", "float32"), ("int64", "float64")),
                              full_int_index="0-d", degenerate_strides_row_major=False,
                              list_index=False)  # jnp asks for arr[jnp.array(seq)]
    # XLA compiles (and first lowers) every operation for every new shape: most of a run's time
    shape_pool = 16

    def __init__(self):
        import jax

        if os.environ.get("JAX_ENABLE_X64", "1").lower() not in ("0", "false"):
            jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        super().__init__(jnp, version=jax.__version__)
        self.jax = jax
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

    def compute_devices(self) -> list[str]:
        """The first device of each platform: further host devices (XLA_FLAGS) run the same CPU code."""
        first: dict[str, str] = {}
        for name, d in self._devices.items():
            first.setdefault(d.platform, name)
        return list(first.values())

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
    def asarray(self, ref, device: str):
        # a host-to-device transfer: unlike jnp.asarray it compiles nothing per shape; exact values go
        # in as Python floats (representable in the dtype, so exact), which ml_dtypes' bfloat16 needs
        flat = [float(v) if isinstance(v, Fraction) else v for v in ref.values()]
        data = self.np.array(flat, dtype=self.native_dtype(ref.dtype.name)).reshape(ref.shape)
        return self.jax.device_put(data, self._device(device))

    def _observed_device(self, t) -> str:
        device = t.device if hasattr(t, "device") else None
        return self._canonical(device) if device is not None and hasattr(device, "platform") else "cpu"

    repro_namespace = "jnp"

    #: how this adapter's own methods read in JAX (adapters/_repro.py): each mirrors the method's body
    spellings = {**NumpyApiAdapter.spellings, "sigmoid": "jax.nn.sigmoid({a})",
                 "vjp": lambda a: f"jax.vjp({a['fn']}, *{a['inputs']})[1]({a['cotangent']})"}

    def _repro_spellings(self, expression: str) -> dict[str, Spelling]:
        return {**self.spellings, "to": self._spell_to,
                "cpu": lambda a: f"jax.device_put({a['t']}, jax.devices('cpu')[0])"}

    def _repro_devices(self) -> dict[str, str]:
        return {name: ("" if name == "cpu" else f"jax.devices()[{d.id}]") for name, d in self._devices.items()}

    def _repro_imports(self, body: str) -> str:
        hosts = sum(1 for d in self._devices.values() if d.platform == "cpu")
        # a second CPU device exists only when XLA is told so before jax is imported (as this run was)
        setup = (f"import os\nos.environ['XLA_FLAGS'] = '--xla_force_host_platform_device_count={hosts}'\n"
                 if hosts > 1 and "jax.devices(" in body else "")
        return setup + "import jax\njax.config.update('jax_enable_x64', True)\n" + super()._repro_imports(body)

    def _spell_to(self, a: dict[str, str]) -> str:
        """``to`` as its body reads: ``jax.device_put`` (a dtype argument is not spelled)."""
        device, copy = literal(a["device"]), literal(a["copy"])
        if literal(a["dtype"]) is not None or device is None:
            raise ValueError("only a device move is spelled")
        target = f"jax.devices({self._device(device).platform!r})[{self._device(device).id}]"
        return f"jax.device_put({a['t']}, {target}" + (", may_alias=False)" if copy else ")")

    # ---- creation ------------------------------------------------------------------------
    def tensor(self, data, dtype=None, device=None):
        return self.xp.array(data, **self._place(dtype, device))

    # ---- attributes -----------------------------------------------------------------------
    def size(self, t, dim=None):
        if dim is None:
            raise Unsupported("jax has no size() returning the shape (Array.size is the element count)")
        return self.xp.size(t, dim)

    def device_name(self, t) -> str:
        return self._canonical(t.device)

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
        kwargs = kwargs_given(dtype=self.native_dtype(dtype))
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

    def sigmoid(self, a):
        return self.jax.nn.sigmoid(a)
