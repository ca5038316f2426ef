"""Mutants of the attribute rules: each looks like a real bug in an attribute."""

from __future__ import annotations

from tensorcts.adapters.torch import TorchAdapter


class ShapeOfZeroDimIsOne(TorchAdapter):
    """shape of a 0-d tensor reads (1,), as in a wrapper that stores scalars as 1-element arrays."""

    breaks = "attributes.shape"

    def shape(self, t):
        return (1,) if t.ndim == 0 else tuple(t.shape)


class SizeIsList(TorchAdapter):
    """size() returns a list of sizes instead of a tuple."""

    breaks = "attributes.shape-size"

    def size(self, t, dim=None):
        return list(t.size()) if dim is None else t.size(dim)


class SizeDimClamps(TorchAdapter):
    """size(d) with d out of range returns the nearest dimension's size instead of raising."""

    breaks = "attributes.size-dim"

    def size(self, t, dim=None):
        if dim is None or t.ndim == 0:
            return t.size() if dim is None else 1
        return t.size(max(-t.ndim, min(dim, t.ndim - 1)))


class NumelSkipsZeros(TorchAdapter):
    """numel() multiplies the sizes but treats a size 0 as 1."""

    breaks = "attributes.ndim-numel"

    def numel(self, t):
        n = 1
        for s in t.shape:
            n *= max(s, 1)
        return n


class Float64ReportedAsFloat32(TorchAdapter):
    """dtype reports float32 for every floating tensor."""

    breaks = "attributes.dtype-device"

    def dtype_name(self, t):
        return "float32" if t.is_floating_point() else super().dtype_name(t)


class StridesWithZeroSizes(TorchAdapter):
    """stride() is the plain product of the later sizes, so a size 0 zeroes the strides before it."""

    breaks = "attributes.strides"

    def stride(self, t):
        out, step = [], 1
        for size in reversed(t.shape):
            out.append(step)
            step *= size
        return tuple(reversed(out))
