"""Mutants of the random rules: wrong dtypes, distributions 10 % off, seeds that do not take."""

from __future__ import annotations

from tensorcts.adapters.base import kwargs_given
from tensorcts.adapters.torch import TorchAdapter


class RandIgnoresDtype(TorchAdapter):
    """rand drops dtype= and always draws the default float dtype."""

    breaks = "random.rand-range"

    def rand(self, shape, dtype=None, device=None):
        return super().rand(shape, device=device)


class RandScaleOff(TorchAdapter):
    """rand scaled by 0.9: a 10 % scale error (draws on [0, 0.9))."""

    breaks = "random.rand-uniform"

    def rand(self, shape, dtype=None, device=None):
        return super().rand(shape, dtype, device) * 0.9


class RandLocationOff(TorchAdapter):
    """rand on [0.1, 1): the lower end 10 % off."""

    breaks = "random.rand-uniform"

    def rand(self, shape, dtype=None, device=None):
        return super().rand(shape, dtype, device) * 0.9 + 0.1


class RandnSpreadOff(TorchAdapter):
    """randn with a standard deviation of 1.1."""

    breaks = "random.randn-normal"

    def randn(self, shape, dtype=None, device=None):
        return super().randn(shape, dtype, device) * 1.1


class RandnMeanOff(TorchAdapter):
    """randn with a mean of 0.1."""

    breaks = "random.randn-normal"

    def randn(self, shape, dtype=None, device=None):
        return super().randn(shape, dtype, device) + 0.1


class RandIgnoresSeed(TorchAdapter):
    """rand draws from a private generator seeded from the OS, which manual_seed never reaches."""

    breaks = "random.seed-reproducible"

    def rand(self, shape, dtype=None, device=None):
        if not hasattr(self, "_private"):
            self._private = self.lib.Generator()
            self._private.seed()
        return self.lib.rand(shape, generator=self._private,
                             **kwargs_given(dtype=self.native_dtype(dtype), device=device))


class SeedKeepsLow16Bits(TorchAdapter):
    """manual_seed keeps only the low 16 bits of the seed."""

    breaks = "random.seed-distinct"

    def manual_seed(self, seed):
        return super().manual_seed(seed & 0xFFFF)


class DrawsDoNotAdvance(TorchAdapter):
    """rand leaves the generator state where it was (a reused key): successive draws repeat."""

    breaks = "random.seed-distinct"

    def rand(self, shape, dtype=None, device=None):
        state = self.lib.get_rng_state()
        out = super().rand(shape, dtype, device)
        self.lib.set_rng_state(state)
        return out


class SeedReturnsNothing(TorchAdapter):
    """manual_seed returns None instead of the generator."""

    breaks = "random.seed-returns"

    def manual_seed(self, seed):
        super().manual_seed(seed)
        return None
