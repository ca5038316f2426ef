"""Mutants of the broadcasting rules: each looks like a real shape-handling bug."""

from __future__ import annotations

import math

from tensorcts.adapters.torch import TorchAdapter

_SYMBOLS = {"+": "add", "-": "sub", "*": "mul", "/": "div"}


class _Binary(TorchAdapter):
    """Routes + - * / and add/sub/mul/div through ``_apply``, where a mutant puts its bug."""

    def _apply(self, op: str, a, b):
        return getattr(self.lib, op)(a, b)

    def add(self, a, b):
        return self._apply("add", a, b)

    def sub(self, a, b):
        return self._apply("sub", a, b)

    def mul(self, a, b):
        return self._apply("mul", a, b)

    def div(self, a, b):
        return self._apply("div", a, b)

    def binary_operator(self, symbol, a, b):
        if symbol in _SYMBOLS:
            return self._apply(_SYMBOLS[symbol], a, b)
        return super().binary_operator(symbol, a, b)

    def _is_tensor(self, x) -> bool:
        return isinstance(x, self.lib.Tensor)


class BroadcastAlignsLeading(_Binary):
    """Pads the shorter shape with 1s on the right (aligns leading dims), not on the left."""

    breaks = "broadcasting.shape"

    def _apply(self, op, a, b):
        if self._is_tensor(a) and self._is_tensor(b) and a.ndim != b.ndim and min(a.ndim, b.ndim) > 0:
            lo, hi = (a, b) if a.ndim < b.ndim else (b, a)
            lo = lo.reshape(tuple(lo.shape) + (1,) * (hi.ndim - lo.ndim))
            a, b = (lo, hi) if a.ndim < b.ndim else (hi, lo)
        return getattr(self.lib, op)(a, b)


class BroadcastByTiling(_Binary):
    """Fills a broadcast operand by repeating its flat data (numpy.resize), not by expanding it."""

    breaks = "broadcasting.values"

    def _tile(self, x, shape):
        if tuple(x.shape) == tuple(shape) or x.numel() == 0:
            return x
        n = math.prod(shape)
        flat = x.reshape(-1)
        return flat.repeat(-(-n // flat.numel()))[:n].reshape(shape)

    def _apply(self, op, a, b):
        if self._is_tensor(a) and self._is_tensor(b):
            shape = self.lib.broadcast_shapes(a.shape, b.shape)
            a, b = self._tile(a, shape), self._tile(b, shape)
        return getattr(self.lib, op)(a, b)


class BroadcastTruncates(_Binary):
    """Where two aligned sizes clash, cuts both operands to the smaller size instead of raising."""

    breaks = "broadcasting.error"

    def _apply(self, op, a, b):
        if self._is_tensor(a) and self._is_tensor(b):
            for i in range(1, min(a.ndim, b.ndim) + 1):
                sa, sb = a.shape[-i], b.shape[-i]
                if sa != sb and 1 not in (sa, sb):
                    a, b = a.narrow(a.ndim - i, 0, min(sa, sb)), b.narrow(b.ndim - i, 0, min(sa, sb))
        return getattr(self.lib, op)(a, b)
