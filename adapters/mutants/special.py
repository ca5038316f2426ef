"""Mutants of the IEEE special-value rules."""

from __future__ import annotations

from tensorcts.adapters.torch import TorchAdapter


class FlushesSubnormalsUndeclared(TorchAdapter):
    """add, sub and mul flush subnormal results to zero without declaring flushes_subnormals."""

    breaks = "special.subnormal"

    def _flush(self, out):
        tiny = self.lib.finfo(out.dtype).tiny
        return self.lib.where(out.abs() < tiny, out * 0, out)

    def add(self, a, b):
        return self._flush(self.lib.add(a, b))

    def sub(self, a, b):
        return self._flush(self.lib.sub(a, b))

    def mul(self, a, b):
        return self._flush(self.lib.mul(a, b))

    def binary_operator(self, symbol, a, b):
        if symbol in "+-*":
            return {"+": self.add, "-": self.sub, "*": self.mul}[symbol](a, b)
        return super().binary_operator(symbol, a, b)


class NegLosesNegativeZero(TorchAdapter):
    """neg as 0 - a: -(+0.0) comes out +0.0."""

    breaks = "special.arithmetic"

    def neg(self, a):
        return 0 - a

    def unary_minus(self, a):
        return 0 - a


class SumSwallowsNan(TorchAdapter):
    """sum skips NaN (nansum): a NaN in the input disappears."""

    breaks = "special.reduction"

    def sum(self, a, dim=None, keepdim=False):
        return self.lib.nansum(a) if dim is None else self.lib.nansum(a, dim=dim, keepdim=keepdim)


class MatmulDropsNan(TorchAdapter):
    """matmul replaces NaN inputs by zero (a kernel that masks invalid values)."""

    breaks = "special.matmul"

    def binary_operator(self, symbol, a, b):
        if symbol == "@":
            return self.lib.nan_to_num(a, nan=0.0) @ b
        return super().binary_operator(symbol, a, b)
