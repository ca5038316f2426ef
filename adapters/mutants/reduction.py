"""Mutants of the reduction rules: each looks like a real reduction-kernel bug."""

from __future__ import annotations

from tensorcts.adapters.torch import TorchAdapter


class SumAccumulatesInBfloat16(TorchAdapter):
    """float32 sums accumulated in bfloat16 (float64 in float32), then cast back."""

    breaks = "reduction.sum"

    def sum(self, a, dim=None, keepdim=False):
        narrow = {self.lib.float32: self.lib.bfloat16, self.lib.float64: self.lib.float32}.get(a.dtype)
        if narrow is None:
            return super().sum(a, dim, keepdim)
        return super().sum(a.to(narrow), dim, keepdim).to(a.dtype)


class SumKeepsInt32(TorchAdapter):
    """An int32 sum stays int32 (the accumulator dtype follows the input)."""

    breaks = "reduction.sum-dtype"

    def sum(self, a, dim=None, keepdim=False):
        if a.dtype == self.lib.int32:
            dims = tuple(range(a.ndim)) if dim is None else dim
            return self.lib.sum(a, dim=dims, keepdim=keepdim, dtype=self.lib.int32)
        return super().sum(a, dim, keepdim)


class MeanDividesByNMinusOne(TorchAdapter):
    """mean divides the sum by n - 1 (the sample-variance correction applied to the mean)."""

    breaks = "reduction.mean"

    def mean(self, a, dim=None, keepdim=False):
        total = self.sum(a, dim, keepdim)
        n = a.numel() // max(total.numel(), 1) if a.numel() else 0
        return total / (n - 1 if n > 1 else 1)


class MeanOfIntsCastsToFloat(TorchAdapter):
    """mean of an integer or bool tensor silently computed in float32 instead of raising."""

    breaks = "reduction.mean-int"

    def mean(self, a, dim=None, keepdim=False):
        if not a.is_floating_point():
            a = a.to(self.lib.float32)
        return super().mean(a, dim, keepdim)


class KeepdimIgnored(TorchAdapter):
    """keepdim=True is ignored: the reduced dims are always removed."""

    breaks = "reduction.keepdim"

    def sum(self, a, dim=None, keepdim=False):
        return super().sum(a, dim, False)

    def mean(self, a, dim=None, keepdim=False):
        return super().mean(a, dim, False)


class ZeroDimRejectsDim(TorchAdapter):
    """sum and mean of a 0-d tensor reject dim=0 and dim=-1 (as NumPy's and JAX's axis= do)."""

    breaks = "reduction.zero-dim-dim"

    def _check(self, a, dim):
        if a.dim() == 0 and dim is not None:
            raise IndexError("dim out of range for a 0-d tensor")

    def sum(self, a, dim=None, keepdim=False):
        self._check(a, dim)
        return super().sum(a, dim=dim, keepdim=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        self._check(a, dim)
        return super().mean(a, dim=dim, keepdim=keepdim)
