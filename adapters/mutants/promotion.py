"""Mutants of the type-promotion rules: each looks like a real result-dtype bug."""

from __future__ import annotations

from tensorcts.adapters.mutants.broadcasting import _Binary


class PromotionKeepsLeftWidth(_Binary):
    """Two dimensioned tensors of one category: the result takes the left operand's width."""

    breaks = "promotion.same-kind"

    def _apply(self, op, a, b):
        out = getattr(self.lib, op)(a, b)
        if (self._is_tensor(a) and self._is_tensor(b) and a.ndim and b.ndim and a.dtype != b.dtype
                and a.is_floating_point() == b.is_floating_point() and self.lib.bool not in (a.dtype, b.dtype)):
            return out.to(a.dtype)
        return out


class IntegerWithFloatKeepsValues(_Binary):
    """An integer tensor with a float32 one gives float64, which holds every integer value (NumPy's choice)."""

    breaks = "promotion.categories"

    def _apply(self, op, a, b):
        out = getattr(self.lib, op)(a, b)
        if self._is_tensor(a) and self._is_tensor(b) and a.ndim and b.ndim and out.dtype == self.lib.float32:
            if not (a.is_floating_point() and b.is_floating_point()) and self.lib.bool not in (a.dtype, b.dtype):
                return out.to(self.lib.float64)
        return out


class ZeroDimPromotedLikeDimensioned(_Binary):
    """A 0-d tensor operand takes part in promotion like a dimensioned one (NumPy 2 / JAX style)."""

    breaks = "promotion.zero-dim"

    def _apply(self, op, a, b):
        out = getattr(self.lib, op)(a, b)
        if self._is_tensor(a) and self._is_tensor(b) and (a.ndim == 0) != (b.ndim == 0):
            return out.to(self.lib.promote_types(out.dtype, self.lib.promote_types(a.dtype, b.dtype)))
        return out


class ScalarAsStrongTensor(_Binary):
    """A Python scalar is wrapped as a full tensor of its own dtype (bool, int64, float64)."""

    breaks = "promotion.python-scalar"

    def _wrap(self, s, like):
        dtype = {bool: self.lib.bool, int: self.lib.int64, float: self.lib.float64}[type(s)]
        return self.lib.full_like(like, s, dtype=dtype)

    def _apply(self, op, a, b):
        if not self._is_tensor(b):
            b = self._wrap(b, a)
        elif not self._is_tensor(a):
            a = self._wrap(a, b)
        return getattr(self.lib, op)(a, b)


class MixedFloatInFloat32(_Binary):
    """float32 with float64 computed and returned in float32 (the narrower operand wins)."""

    breaks = "promotion.mixed-float"

    def _apply(self, op, a, b):
        if (self._is_tensor(a) and self._is_tensor(b) and a.is_floating_point() and b.is_floating_point()
                and a.dtype != b.dtype):
            return getattr(self.lib, op)(a.to(self.lib.float32), b.to(self.lib.float32))
        return getattr(self.lib, op)(a, b)
