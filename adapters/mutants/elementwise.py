"""Mutants of the element-wise rules: each looks like a real kernel bug."""

from __future__ import annotations

from tensorcts.adapters.reference import ReferenceAdapter
from tensorcts.adapters.torch import TorchAdapter


class AddDropsLowBits(TorchAdapter):
    """add rounded through bfloat16 for float32 results: precision lost in a narrower dtype."""

    breaks = "elementwise.add"

    def add(self, a, b):
        out = self.lib.add(a, b)
        if out.dtype == self.lib.float32:
            return out.to(self.lib.bfloat16).to(self.lib.float32)
        return out

    def binary_operator(self, symbol, a, b):
        return self.add(a, b) if symbol == "+" else super().binary_operator(symbol, a, b)


class SubSwapsOperands(TorchAdapter):
    """sub computes b - a (a swapped-argument bug)."""

    breaks = "elementwise.sub"

    def sub(self, a, b):
        return self.lib.sub(b, a)

    def binary_operator(self, symbol, a, b):
        return self.sub(a, b) if symbol == "-" else super().binary_operator(symbol, a, b)


class MulFusedWrongly(TorchAdapter):
    """mul returns a*b + a*b*2**-20: an off-by-a-few-ulps kernel."""

    breaks = "elementwise.mul"

    def mul(self, a, b):
        out = self.lib.mul(a, b)
        return out + out * 2.0 ** -20 if out.is_floating_point() else out + (out != 0).to(out.dtype)

    def binary_operator(self, symbol, a, b):
        return self.mul(a, b) if symbol == "*" else super().binary_operator(symbol, a, b)


class DivByReciprocal(TorchAdapter):
    """div as a * (1/b) in float32: two roundings where one is required."""

    breaks = "elementwise.div"

    def div(self, a, b):
        return self.lib.mul(a, self.lib.reciprocal(b) if hasattr(b, "dtype") else 1.0 / b)

    def binary_operator(self, symbol, a, b):
        return self.div(a, b) if symbol == "/" else super().binary_operator(symbol, a, b)


class NegLosesSignOfInts(TorchAdapter):
    """neg returns abs for integer tensors."""

    breaks = "elementwise.neg"

    def neg(self, a):
        return self.lib.abs(a) if not a.is_floating_point() else self.lib.neg(a)

    def unary_minus(self, a):
        return self.neg(a)


class PowOffByOne(TorchAdapter):
    """pow(a, k) computes a ** (k - 1) for k >= 3: an off-by-one in the exponent loop."""

    breaks = "elementwise.pow-int"

    def pow(self, a, k):
        return self.lib.pow(a, k - 1 if k >= 3 else k)

    def binary_operator(self, symbol, a, b):
        return self.pow(a, b) if symbol == "**" else super().binary_operator(symbol, a, b)


class ScalarOperandWidened(TorchAdapter):
    """A non-integral Python float operand is perturbed by 2**-10 relative: a wrong scalar conversion."""

    breaks = "elementwise.scalar-operand"

    def binary_operator(self, symbol, a, b):
        if isinstance(b, float) and not isinstance(a, float):
            return super().binary_operator(symbol, a, int(b) if b == int(b) else b * (1 + 2.0 ** -10))
        if isinstance(a, float) and not isinstance(b, float):
            return super().binary_operator(symbol, a * (1 + 2.0 ** -10), b)
        return super().binary_operator(symbol, a, b)

    def add(self, a, b):
        return self.binary_operator("+", a, b)

    def sub(self, a, b):
        return self.binary_operator("-", a, b)

    def mul(self, a, b):
        return self.binary_operator("*", a, b)

    def div(self, a, b):
        return self.binary_operator("/", a, b)


class BoolSubAllowed(TorchAdapter):
    """bool - bool silently computed as xor instead of raising."""

    breaks = "elementwise.bool"

    def binary_operator(self, symbol, a, b):
        if symbol == "-" and getattr(a, "dtype", None) == self.lib.bool:
            return a ^ b
        return super().binary_operator(symbol, a, b)


class ScalarDividendByReciprocal(ReferenceAdapter):
    """s / t computed as t.reciprocal() * s: two roundings (what torch does, hence a reference mutant)."""

    breaks = "elementwise.scalar-dividend"

    def binary_operator(self, symbol, a, b):
        if symbol == "/" and isinstance(a, (int, float)):
            return self.lib.mul(self.lib.div(1.0, b), a)
        return super().binary_operator(symbol, a, b)
