"""Interoperability: ``Tensor.numpy`` (spec/interop.md)."""

from __future__ import annotations

from .tensor import Tensor


def numpy(t: Tensor):
    """The checks of ``Tensor.numpy`` (``interop.numpy-requires-cpu``), then the values.

    The reference has no NumPy (stdlib only): on the CPU it returns the values as
    nested lists, a copy; memory sharing is tested on real backends only.
    """
    if t.device != "cpu":
        raise TypeError(f"can't convert {t.device} device type tensor to numpy. "
                        "Use Tensor.cpu() to copy the tensor to host memory first.")
    return t.tolist()
