"""Mutants of the device rules (and of interop.numpy-requires-cpu, a device rule about numpy()).

PyTorch without a GPU has a single device, so a mutant that needs two devices
subclasses the reference adapter, whose ``sim:0`` and ``sim:1`` stand in for GPUs.
"""

from __future__ import annotations

from tensorcts.adapters.reference import ReferenceAdapter
from tensorcts.adapters.torch import TorchAdapter
from tensorcts.reference.devices import canonical_device
from tensorcts.reference.exact import to_dtype

from tensorcts import reference


class ZerosIgnoresDevice(ReferenceAdapter):
    """zeros drops its device= argument and allocates on the default device."""

    breaks = "device.default"

    def zeros(self, shape, dtype=None, device=None):
        return super().zeros(shape, dtype=dtype)


class SelectionIgnoresAccelerator(ReferenceAdapter):
    """The availability check is wrong (always False), so the idiom picks the CPU."""

    breaks = "device.selection"

    def default_device(self) -> str:
        return "cpu"


class ToAlwaysCopies(TorchAdapter):
    """.to(same device and dtype) returns a copy instead of self."""

    breaks = "device.to-same"

    def to(self, t, device=None, dtype=None, copy=False):
        return super().to(t, device, dtype, copy=True)


class CopyFlagIgnored(TorchAdapter):
    """.to(device, copy=True) drops copy=True and returns self."""

    breaks = "device.to-same"

    def to(self, t, device=None, dtype=None, copy=False):
        return super().to(t, device, dtype)


class TransferAliases(ReferenceAdapter):
    """A transfer relabels the tensor's device but keeps its memory (a zero-copy 'move')."""

    breaks = "device.to-other"

    def to(self, t, device=None, dtype=None, copy=False):
        target = canonical_device(device) if device is not None else t.device
        if target != t.device and dtype in (None, t.dtype.name):
            return reference.Tensor(t._storage, t.shape, t.stride(), t.storage_offset(), t.dtype, target, t.exact)
        return super().to(t, device, dtype, copy)

    def cpu(self, t):
        return self.to(t, "cpu")


class HostCopyNarrows(ReferenceAdapter):
    """The device-to-host copy stages float64 through float32 and int64 through int32."""

    breaks = "device.roundtrip"

    _STAGE = {"float64": reference.float32, "int64": reference.int32}

    def to(self, t, device=None, dtype=None, copy=False):
        out = super().to(t, device, dtype, copy)
        stage = self._STAGE.get(out.dtype.name)
        if out is t or out.device != "cpu" or t.device == "cpu" or stage is None:
            return out
        values = [to_dtype(to_dtype(v, stage), out.dtype) for v in out.values()]
        return reference.Tensor.from_flat(values, out.shape, out.dtype, "cpu")

    def cpu(self, t):
        return self.to(t, "cpu")


class SumLandsOnHost(ReferenceAdapter):
    """add returns its result on the CPU (a kernel that writes into a host buffer)."""

    breaks = "device.result"

    def add(self, a, b):
        return super().add(a, b).to("cpu")


class MixedDevicesAccepted(ReferenceAdapter):
    """Binary operations silently move the second operand to the first one's device."""

    breaks = "device.mixed"

    @staticmethod
    def _moved(a, b):
        if isinstance(a, reference.Tensor) and isinstance(b, reference.Tensor) and a.device != b.device:
            return b.to(a.device)
        return b

    def binary_operator(self, symbol, a, b):
        return super().binary_operator(symbol, a, self._moved(a, b))

    def mul(self, a, b):
        return super().mul(a, self._moved(a, b))

    def matmul(self, a, b):
        return super().matmul(a, self._moved(a, b))


class CpuScalarRejected(ReferenceAdapter):
    """No exemption for 0-d CPU tensors: any two devices raise (a stricter library)."""

    breaks = "device.mixed-cpu-scalar"

    @staticmethod
    def _check(a, b):
        if isinstance(a, reference.Tensor) and isinstance(b, reference.Tensor) and a.device != b.device:
            raise RuntimeError(f"operands on {a.device} and {b.device}")

    def binary_operator(self, symbol, a, b):
        self._check(a, b)
        return super().binary_operator(symbol, a, b)

    def mul(self, a, b):
        self._check(a, b)
        return super().mul(a, b)


class NumpySyncsFromDevice(ReferenceAdapter):
    """numpy() on an accelerator tensor silently copies it to the host instead of raising."""

    breaks = "interop.numpy-requires-cpu"

    def to_numpy(self, t):
        return t.cpu().numpy()
