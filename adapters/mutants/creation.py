"""Mutants of the creation rules: each looks like a real bug in a creation function."""

from __future__ import annotations

import math
from fractions import Fraction

from tensorcts.adapters.torch import TorchAdapter


class FullThroughFloat32(TorchAdapter):
    """full() passes the fill value through a float32 before storing it (precision lost)."""

    breaks = "creation.zeros-ones"

    def full(self, shape, fill_value, dtype=None, device=None):
        if not isinstance(fill_value, bool):
            rounded = self.lib.tensor(float(fill_value), dtype=self.lib.float32).item()
            fill_value = type(fill_value)(rounded) if isinstance(fill_value, int) else rounded
        return super().full(shape, fill_value, dtype, device)


class DefaultFloat64(TorchAdapter):
    """Float creation without dtype= gives float64 (NumPy's default)."""

    breaks = "creation.default-dtype"

    def _default(self, dtype):
        return "float64" if dtype is None else dtype

    def zeros(self, shape, dtype=None, device=None):
        return super().zeros(shape, self._default(dtype), device)

    def ones(self, shape, dtype=None, device=None):
        return super().ones(shape, self._default(dtype), device)

    def empty(self, shape, dtype=None, device=None):
        return super().empty(shape, self._default(dtype), device)


class LegacyConstructorTakesData(TorchAdapter):
    """Tensor(2, 3, 4) read as data (the tutorial's confusion): a 1-D tensor holding 2, 3, 4."""

    breaks = "creation.legacy-constructor"

    def legacy_constructor(self, *sizes):
        return self.lib.tensor([float(s) for s in sizes])


class TensorFlattens(TorchAdapter):
    """tensor(nested) loses the nesting and returns a 1-D tensor."""

    breaks = "creation.tensor-data"

    def tensor(self, data, dtype=None, device=None):
        return super().tensor(data, dtype, device).reshape(-1)


class TensorIntsAsInt32(TorchAdapter):
    """tensor() of Python ints infers int32 instead of int64."""

    breaks = "creation.tensor-dtype"

    def tensor(self, data, dtype=None, device=None):
        out = super().tensor(data, dtype, device)
        return out.to(self.lib.int32) if dtype is None and out.dtype == self.lib.int64 else out


class ArangeExactLength(TorchAdapter):
    """arange computes its length exactly, not in float64, then fills start + i*step."""

    breaks = "creation.arange-length"

    def arange(self, *args, dtype=None, device=None):
        if all(isinstance(a, int) for a in args):
            return super().arange(*args, dtype=dtype, device=device)
        start, end, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
        n = max(0, math.ceil((Fraction(end) - Fraction(start)) / Fraction(step)))
        values = self.lib.arange(n, dtype=self.lib.float64, device=device) * step + start
        return values.to(self.native_dtype(dtype) or self.lib.float32)


class ArangeRunningSum(TorchAdapter):
    """arange accumulates x_i = x_(i-1) + step in the dtype: the error grows with i."""

    breaks = "creation.arange-values"

    def arange(self, *args, dtype=None, device=None):
        out = super().arange(*args, dtype=dtype, device=device)
        if not out.is_floating_point() or out.numel() < 2:
            return out
        start, step = (0, 1) if len(args) == 1 else (args[0], args[2] if len(args) > 2 else 1)
        steps = self.lib.full((out.numel(),), step, dtype=out.dtype, device=out.device)
        steps[0] = start
        return self.lib.cumsum(steps, 0, dtype=out.dtype)


class ArangeFloat64(TorchAdapter):
    """arange with a float argument gives float64 (NumPy's rule)."""

    breaks = "creation.arange-dtype"

    def arange(self, *args, dtype=None, device=None):
        if dtype is None and any(isinstance(a, float) for a in args):
            dtype = "float64"
        return super().arange(*args, dtype=dtype, device=device)


class ArangeEmptyOnBadStep(TorchAdapter):
    """A zero or contradicting step gives an empty tensor instead of raising (NumPy's reading)."""

    breaks = "creation.arange-errors"

    def arange(self, *args, dtype=None, device=None):
        start, end, step = (0, args[0], 1) if len(args) == 1 else (*args, 1)[:3]
        if step == 0 or (end - start) * step < 0:
            return self.lib.zeros(0, dtype=self.native_dtype(dtype), device=device)
        return super().arange(*args, dtype=dtype, device=device)


class EmptyIgnoresDtype(TorchAdapter):
    """empty(shape, dtype=d) drops the dtype argument on its way to the allocator: always float32."""

    breaks = "creation.empty"

    def empty(self, shape, dtype=None, device=None):
        return super().empty(shape, device=device)
