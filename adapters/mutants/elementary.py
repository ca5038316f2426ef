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
