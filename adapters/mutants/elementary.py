"""Mutants of the elementary-function rules: each looks like a real kernel bug."""

from __future__ import annotations

import math

from tensorcts.adapters.torch import TorchAdapter


class ExpTwoUlpsOffInARange(TorchAdapter):
    """exp 2^-21 relative too large (2 to 4 float32 ulps) for 1 <= x <= 4: a bad polynomial segment."""

    breaks = "elementary.exp"

    def exp(self, a):
        out = self.lib.exp(a)
        inside = (a >= 1) & (a <= 4)
        return self.lib.where(inside, out * (1 + 2.0 ** -21), out) if out.dtype == self.lib.float32 else \
            self.lib.where(inside, out * (1 + 2.0 ** -50), out)


class SqrtTruncates(TorchAdapter):
    """sqrt rounded toward zero instead of to nearest (wrong whenever the discarded part exceeds half)."""

    breaks = "elementary.sqrt"

    def sqrt(self, a):
        if a.dtype != self.lib.float32:
            return self.lib.sqrt(a)
        wide = self.lib.sqrt(a.double())
        narrow = wide.float()
        too_big = narrow.double() > wide
        return self.lib.where(too_big, self.lib.nextafter(narrow, self.lib.zeros_like(narrow)), narrow)


class SinNaiveReduction(TorchAdapter):
    """sin(x mod 2π) with 2π rounded to the input's dtype: hopeless for large arguments."""

    breaks = "elementary.sin"

    def sin(self, a):
        return self.lib.sin(self.lib.remainder(a, 2 * math.pi))
