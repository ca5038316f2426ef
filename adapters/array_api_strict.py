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

from ._repro import Spelling, literal
from .array_api import ArrayApiAdapter
from .base import AugmentedAssignmentInplace, Conventions, Unsupported

_DEVICE_NAMES = {"cpu": "CPU_DEVICE", "device1": "device1", "device2": "device2",
                 "no_float64": "no_float64", "no_x64": "no_x64"}
_MISSING_DTYPES = {"no_float64": {"float64"}, "no_x64": {"float64", "int64"}}


class ArrayApiStrictAdapter(AugmentedAssignmentInplace, ArrayApiAdapter):
    """array-api-strict: the array API base (adapters/array_api.py) as it is, plus the library's
    simulated devices and the standard's mutation (augmented and indexed assignment)."""

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

        super().__init__(xp)
        self._devices = {name: xp.Device(native) for name, native in _DEVICE_NAMES.items()}
        self._names = {native: name for name, native in self._devices.items()}

    def devices(self) -> list[str]:
        return list(self._devices)

    def compute_devices(self) -> list[str]:
        """device1 and device2 compute as CPU_DEVICE does (the same NumPy code; they differ only in where an
        array lives), so value rules skip them; no_float64 and no_x64 have their own dtypes and defaults."""
        return [d for d in self._devices if d not in ("device1", "device2")]

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

    def _place(self, dtype, device) -> dict:
        self._check_dtype(dtype, device)
        return super()._place(dtype, device)

    def _check_dtype(self, dtype: str | None, device: str | None) -> None:
        """A dtype the simulated device lacks is unsupported there, as on the hardware it models."""
        if dtype is not None and device is not None and dtype not in self.dtypes(device):
            raise Unsupported(f"array_api_strict device {device!r} has no {dtype} (it has {self.dtypes(device)})")

    # ---- data in and out ------------------------------------------------------------
    def asarray(self, ref, device: str):
        self._check_dtype(ref.dtype.name, device)
        return super().asarray(ref, device)

    def _host(self, t):
        # numpy.asarray refuses the simulated non-CPU devices: read a CPU_DEVICE copy (to_device
        # leaves t as it is; on CPU_DEVICE it is t itself, and numpy.asarray the array it wraps)
        return self.np.asarray(t.to_device(self._devices["cpu"]))

    def conventions_on(self, device: str) -> Conventions:
        """The default dtypes of ``device`` as the namespace reports them (int32/float32 on ``no_x64``)."""
        defaults = self.xp.__array_namespace_info__().default_dtypes(device=self._device(device))
        return replace(self.conventions, default_float=str(defaults["real floating"]).split(".")[-1],
                       default_int=str(defaults["integral"]).split(".")[-1])

    #: how this adapter's own methods read in the standard's API (adapters/_repro.py): each mirrors the method's body
    spellings = {
        **ArrayApiAdapter.spellings,
        "view": "xp.reshape({t}, {shape}, copy=False)",
        "reshape": "xp.reshape({t}, {shape})",  # the standard's arrays have no reshape method
        "add_": "{t} += {other}\n{t}",
        "sub_": "{t} -= {other}\n{t}",
        "mul_": "{t} *= {other}\n{t}",
        "div_": "{t} /= {other}\n{t}",
        "fill_": "{t}[...] = {value}\n{t}",
        "zero_": "{t}[...] = 0\n{t}",
        "copy_": "{t}[...] = {src}\n{t}",
        "from_numpy": "xp.from_dlpack({a})",
    }

    def _repro_spellings(self, expression: str) -> dict[str, Spelling]:
        return {**self.spellings, "to": self._spell_to,
                "cpu": lambda a: f"{a['t']}.to_device(xp.Device({_DEVICE_NAMES['cpu']!r}))"}

    def _repro_devices(self) -> dict[str, str]:
        return {name: ("" if name == "cpu" else f"xp.Device({native!r})") for name, native in _DEVICE_NAMES.items()}

    def _spell_to(self, a: dict[str, str]) -> str:
        """``to`` as its body reads: ``to_device``, then ``astype`` for a dtype or a copy."""
        text, device, copy = a["t"], literal(a["device"]), literal(a["copy"])
        if device is not None:
            text = f"{text}.to_device(xp.Device({_DEVICE_NAMES[device]!r}))"
        if literal(a["dtype"]) is not None:
            raise ValueError("a dtype argument is not spelled")
        return f"xp.astype({text}, {text}.dtype, copy=True)" if copy else text

    # ---- attributes -----------------------------------------------------------------------
    def device_name(self, t) -> str:
        return self._names.get(t.device, repr(t.device))

    # ---- the standard's never-copying reshape, and its mutation --------------------------------------
    def view(self, t, shape):
        return self.xp.reshape(t, shape, copy=False)

    def setitem(self, t, index, value):
        t[index] = value

    # the standard's in-place forms: the augmented operators (AugmentedAssignmentInplace) and indexed
    # assignment (a statement: it returns nothing)
    def fill_(self, t, value):
        t[...] = value

    def zero_(self, t):
        t[...] = 0

    def copy_(self, t, src):
        t[...] = src

    # ---- NumPy interop: DLPack in (numpy.asarray out, in the base) ------------------------------------
    def from_numpy(self, a):
        return self.xp.from_dlpack(a)

    # ---- devices ----------------------------------------------------------------------------------------
    def default_device(self):
        # __array_namespace_info__().default_device() is where arrays go by default (CPU_DEVICE), not a
        # choice of accelerator: device1 and device2 are simulated devices, and nothing says whether one
        # stands for an accelerator
        raise Unsupported("the array API has no 'an accelerator if available, else the CPU' selection")
