"""Mutants of the NumPy interop rules (torch-based: only a real backend hosts these rules)."""

from __future__ import annotations

from tensorcts.adapters.torch import TorchAdapter


class FromNumpyCopies(TorchAdapter):
    """from_numpy copies the array (like tensor(a)): right values, no shared memory."""

    breaks = "interop.from-numpy-shares"

    def from_numpy(self, array):
        return self.lib.tensor(array)


class FromNumpyNarrowsFloat64(TorchAdapter):
    """from_numpy of a float64 array gives float32 (a default-dtype cast)."""

    breaks = "interop.from-numpy-dtype"

    def from_numpy(self, array):
        out = self.lib.from_numpy(array)
        return out.to(self.lib.float32) if out.dtype == self.lib.float64 else out


class FromNumpyAcceptsAnything(TorchAdapter):
    """from_numpy silently copies arrays it cannot share (negative strides) and converts object arrays."""

    breaks = "interop.from-numpy-rejects"

    def from_numpy(self, array):
        import numpy as np
        if array.dtype == object:
            return self.lib.tensor([hash(v) % 1000 for v in array.reshape(-1).tolist()])
        return self.lib.from_numpy(np.ascontiguousarray(array))


class NumpyReturnsCopy(TorchAdapter):
    """t.numpy() returns a copy of the data instead of a view of the tensor's memory."""

    breaks = "interop.numpy-shares"

    def to_numpy(self, t):
        return t.numpy().copy()


class NumpyThroughFloat32(TorchAdapter):
    """t.numpy() of a float64 tensor goes through float32 (precision lost on the way out)."""

    breaks = "interop.roundtrip"

    def to_numpy(self, t):
        if t.dtype == self.lib.float64:
            return t.to(self.lib.float32).numpy().astype("float64")
        return t.numpy()


class TensorShares(TorchAdapter):
    """tensor(a) shares the array's memory (as_tensor) instead of copying it."""

    breaks = "interop.tensor-copies"

    def tensor_from_numpy(self, array):
        return self.lib.as_tensor(array)
