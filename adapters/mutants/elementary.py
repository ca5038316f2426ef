"""Mutants of the elementary-function rules: each looks like a real kernel bug."""

from __future__ import annotations

import math

from tensorcts.adapters.numpy import NumpyAdapter
from tensorcts.adapters.torch import TorchAdapter


class ExpTwoUlpsOffInARange(TorchAdapter):
    """exp 2^-21 relative too large (2 to 4 float32 ulps) for 1 <= x <= 4: a bad polynomial segment."""

    breaks = "elementary.exp"

    def exp(self, a):
        out = self.lib.exp(a)
        inside = (a >= 1) & (a <= 4)
        return self.lib.where(inside, out * (1 + 2.0 ** -21), out) if out.dtype == self.lib.float32 else \
            self.lib.where(inside, out * (1 + 2.0 ** -50), out)


class SqrtTruncates(NumpyAdapter):
    """sqrt rounded toward zero instead of to nearest (wrong whenever the discarded part exceeds half).
    On NumPy, whose sqrt is correctly rounded (torch's is a declared divergence)."""

    breaks = "elementary.sqrt"

    def sqrt(self, a):
        np = self.np
        if a.dtype != np.float32:
            return np.sqrt(a)
        wide = np.sqrt(a.astype(np.float64))
        narrow = wide.astype(np.float32)
        return np.where(narrow.astype(np.float64) > wide, np.nextafter(narrow, np.float32(0)), narrow)


class SinNaiveReduction(TorchAdapter):
    """sin(x mod 2π) with 2π rounded to the input's dtype: hopeless for large arguments."""

    breaks = "elementary.sin"

    def sin(self, a):
        return self.lib.sin(self.lib.remainder(a, 2 * math.pi))


class Expm1AsExpMinusOne(TorchAdapter):
    """expm1(x) as exp(x) - 1: the cancellation expm1 exists to avoid."""

    breaks = "elementary.expm1"

    def expm1(self, a):
        return self.lib.exp(a) - 1


class LogThroughSqrt(TorchAdapter):
    """log(x) as 2 log(sqrt(x)): the rounded square root costs relative accuracy near x = 1."""

    breaks = "elementary.log"

    def log(self, a):
        return 2 * self.lib.log(self.lib.sqrt(a))


class Log1pAsLogOfOnePlus(TorchAdapter):
    """log1p(x) as log(1 + x): 1 + x rounds away the low bits of a small x."""

    breaks = "elementary.log1p"

    def log1p(self, a):
        return self.lib.log(1 + a)


class CosAsShiftedSin(TorchAdapter):
    """cos(x) as sin(x + π/2) with the addition rounded in the input's dtype."""

    breaks = "elementary.cos"

    def cos(self, a):
        return self.lib.sin(a + math.pi / 2)


class TanhFromExp(TorchAdapter):
    """tanh(x) as (e^2x - 1)/(e^2x + 1): cancellation near 0 and inf/inf = NaN for large x."""

    breaks = "elementary.tanh"

    def tanh(self, a):
        e = self.lib.exp(2 * a)
        return (e - 1) / (e + 1)


class SigmoidOverflows(NumpyAdapter):
    """sigmoid(x) as e^x / (1 + e^x): NaN once e^x overflows. On NumPy, which has no sigmoid of its
    own, so the mutant is the only sigmoid there (torch's sigmoid has a declared divergence)."""

    breaks = "elementary.sigmoid"

    def sigmoid(self, a):
        e = self.np.exp(a)
        return e / (1 + e)


class SqrtLosesNegativeZero(TorchAdapter):
    """sqrt(-0.0) returns +0.0 (a kernel that special-cases zero with a literal)."""

    breaks = "elementary.special-values"

    def sqrt(self, a):
        return self.lib.where(a == 0, self.lib.zeros_like(a), self.lib.sqrt(a))
