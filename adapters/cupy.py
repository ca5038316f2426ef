"""CuPy adapter: NumPy's API on CUDA devices ``cuda:0``, ``cuda:1``, ...

CuPy follows NumPy, so this adapter reuses the NumPy adapter's mapping with
``cupy`` in NumPy's place, and differs where CuPy does:
- arrays live on the current CUDA device; ``device=`` becomes
  ``with cupy.cuda.Device(n):`` around the creation call;
- ``view`` sets ``shape`` on a new view of the array (``a.view(); v.shape = s``),
  which CuPy documents as reshaping without a copy or raising;
- storage offsets come from the data pointers (``ndarray.data.ptr``) of the array and its base;
- NumPy conversion is ``cupy.asarray`` (host to device) and ``cupy.asnumpy``
  (device to host): copies, so ``interop.numpy`` is not declared;
- no autograd; random numbers from ``cupy.random.default_rng(seed)``.

Without a usable CUDA device the adapter still loads and has no devices;
``unavailable`` says why, and the harness skips every suite test with that reason.
"""

from __future__ import annotations

from contextlib import nullcontext

from .array_api import ArrayApiAdapter
from .base import Observation, Unsupported, exact_nested, kwargs_given
from .numpy import NumpyAdapter


class CupyAdapter(NumpyAdapter):
    """CuPy: the NumPy adapter with ``cupy`` as its namespace, and where CuPy differs."""

    name = "cupy"

    def __init__(self):
        import cupy

        ArrayApiAdapter.__init__(self, cupy)  # not NumPy's: no HIPS autograd, no generator yet
        self.cp = cupy
        self.capabilities = frozenset({"views", "strides", "inplace", "random", "float64", "int64"})
        self.unavailable: str | None = None
        try:
            count = cupy.cuda.runtime.getDeviceCount() if cupy.cuda.is_available() else 0
        except Exception as exc:  # a missing driver or CUDA runtime raises here
            count, self.unavailable = 0, f"cupy {self.version} cannot reach CUDA: {type(exc).__name__}: {exc}"
        if count == 0 and self.unavailable is None:
            self.unavailable = (f"cupy {self.version} is installed but CUDA is not available "
                                "(no NVIDIA GPU or driver): the cupy backend needs one")
        self._count = count
        if count > 1:
            self.capabilities |= {"devices"}
        self._rng = cupy.random.default_rng() if count else None

    def devices(self) -> list[str]:
        return [f"cuda:{i}" for i in range(self._count)]

    def _device_id(self, name: str | None) -> int | None:
        if name is None:
            return None
        name = "cuda:0" if name == "cuda" else name
        if name not in self.devices():
            raise Unsupported(f"cupy has no device {name!r} here (devices: {self.devices()})")
        return int(name.split(":")[1])

    def _on(self, device: str | None):
        """The context that makes ``device`` current (CuPy creates arrays on the current device)."""
        n = self._device_id(device)
        return nullcontext() if n is None else self.cp.cuda.Device(n)

    def _namespace(self, *operands):
        return self.cp

    # ---- data in and out ------------------------------------------------------------
    def asarray(self, ref, device: str):
        with self._on(device):
            return self.cp.array(ref.values(), dtype=self.native_dtype(ref.dtype.name)).reshape(ref.shape)

    def observe(self, t) -> Observation:
        return Observation(
            shape=tuple(int(s) for s in t.shape),
            dtype=t.dtype.name,
            device=f"cuda:{t.device.id}",
            values=exact_nested(self.cp.asnumpy(t).tolist(), t.ndim),
            strides=self._strides(t),
            offset=self._offset(t),
            extra={"type": type(t).__name__},
        )

    repro_namespace = "cp"

    def _repro_devices(self) -> dict[str, str]:
        return {d: "" for d in self.devices()}  # CuPy places arrays on the current device

    def _repro_imports(self, body: str) -> str:
        return "import cupy as cp  # arrays on the current device; select one with cp.cuda.Device(n)\n"

    def _offset(self, a) -> int:
        owner = a
        while owner.base is not None:
            owner = owner.base
        return (a.data.ptr - owner.data.ptr) // a.itemsize

    # ---- creation: on the current device ---------------------------------------------------------
    def tensor(self, data, dtype=None, device=None):
        with self._on(device):
            return self.cp.array(data, **kwargs_given(dtype=self.native_dtype(dtype)))

    def zeros(self, shape, dtype=None, device=None):
        with self._on(device):
            return self.cp.zeros(shape, **kwargs_given(dtype=self.native_dtype(dtype)))

    def ones(self, shape, dtype=None, device=None):
        with self._on(device):
            return self.cp.ones(shape, **kwargs_given(dtype=self.native_dtype(dtype)))

    def full(self, shape, fill_value, dtype=None, device=None):
        with self._on(device):
            return self.cp.full(shape, fill_value, **kwargs_given(dtype=self.native_dtype(dtype)))

    def empty(self, shape, dtype=None, device=None):
        with self._on(device):
            return self.cp.empty(shape, **kwargs_given(dtype=self.native_dtype(dtype)))

    def arange(self, *args, dtype=None, device=None):
        with self._on(device):
            return self.cp.arange(*args, **kwargs_given(dtype=self.native_dtype(dtype)))

    def device_name(self, t) -> str:
        return f"cuda:{t.device.id}"

    # ---- views: shape assignment never copies ----------------------------------------------------
    def view(self, t, shape):
        v = t.view()
        v.shape = shape
        return v

    # ---- NumPy conversion: copies between host and device ---------------------------------------------
    def to_numpy(self, t):
        return self.cp.asnumpy(t)

    def float_list(self, t) -> list[float]:
        return [float(v) for v in self.cp.asarray(t).reshape(-1)]

    def vjp(self, fn, inputs, cotangent):
        raise Unsupported("cupy has no autograd")

    # ---- devices ------------------------------------------------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        if device is not None:
            target = self._device_id(device)
            if target != t.device.id or copy:
                with self.cp.cuda.Device(target):
                    t = self.cp.array(t, copy=True)  # a peer-to-peer copy onto the current device
                copy = False
        if dtype is not None or copy:
            t = t.astype(self.native_dtype(dtype) or t.dtype, copy=copy)
        return t

    def cpu(self, t):
        raise Unsupported("cupy arrays live on CUDA devices only (cupy.asnumpy leaves the library)")

    def default_device(self):
        return f"cuda:{self.cp.cuda.Device().id}"

    # ---- random: a cupy.random.Generator ---------------------------------------------------------------
    def rand(self, shape, dtype=None, device=None):
        with self._on(device):
            return self._rng.random(shape, **kwargs_given(dtype=self.native_dtype(dtype)))

    def randn(self, shape, dtype=None, device=None):
        with self._on(device):
            return self._rng.standard_normal(shape, **kwargs_given(dtype=self.native_dtype(dtype)))
