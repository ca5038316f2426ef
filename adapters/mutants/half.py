"""Mutants of the half-precision rules (spec/half.md): each looks like a real float16/bfloat16 kernel bug.

Each touches float16 and bfloat16 tensors only and goes through torch's own half arithmetic,
so every rounding it makes is a real one of the half format.
"""

from __future__ import annotations

import math

from tensorcts.adapters.torch import TorchAdapter


class _Half(TorchAdapter):
    def _is_half(self, t) -> bool:
        return t.dtype in (self.lib.float16, self.lib.bfloat16)

    def _sequential_sum(self, a, dim, keepdim: bool):
        """The sum over ``dim`` with an accumulator of a's own dtype, adding the terms in index order."""
        ndim = a.dim()
        dims = tuple(range(ndim)) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(sorted({d % ndim for d in dims})) if ndim else ()
        kept = [d for d in range(ndim) if d not in dims]
        n = math.prod(a.shape[d] for d in dims)
        terms = a.permute((*kept, *dims)).reshape(math.prod(a.shape[d] for d in kept), n)
        acc = self.lib.zeros(terms.shape[0], dtype=a.dtype)
        for i in range(terms.shape[1]):
            acc = acc + terms[:, i]  # a half addition: rounded to a's dtype every time
        shape = [1 if d in dims else a.shape[d] for d in range(ndim)] if keepdim else [a.shape[d] for d in kept]
        return acc.reshape(shape), n


class HalfAddTruncates(_Half):
    """float16/bfloat16 add computed in float32 and converted back by truncation (round toward zero)
    instead of rounding to nearest: a hand-written conversion that drops the low bits."""

    breaks = "half.elementwise"

    def add(self, a, b):
        if not (self._is_half(a) and getattr(b, "dtype", None) == a.dtype):
            return super().add(a, b)
        exact = a.float() + b.float()  # exact: two half values add without error in float32
        nearest = exact.to(a.dtype)
        # where rounding to nearest went away from zero, step one ulp back toward zero (the bit
        # pattern of a sign-magnitude float is monotone in its magnitude)
        stepped = (nearest.view(self.lib.int16) - 1).view(a.dtype)
        return self.lib.where(nearest.float().abs() > exact.abs(), stepped, nearest)

    def binary_operator(self, symbol, a, b):
        return self.add(a, b) if symbol == "+" else super().binary_operator(symbol, a, b)


class HalfSumAccumulatesInHalf(_Half):
    """A float16/bfloat16 sum computed by sequential additions in that dtype: a naive reduction kernel
    whose accumulator has the input's dtype."""

    breaks = "half.sum"

    def sum(self, a, dim=None, keepdim=False):
        if not self._is_half(a):
            return super().sum(a, dim, keepdim)
        return self._sequential_sum(a, dim, keepdim)[0]


class HalfMeanAccumulatesInHalf(_Half):
    """A float16/bfloat16 mean as the sequential half-precision sum divided by n in that dtype."""

    breaks = "half.mean"

    def mean(self, a, dim=None, keepdim=False):
        if not self._is_half(a):
            return super().mean(a, dim, keepdim)
        total, n = self._sequential_sum(a, dim, keepdim)
        return total / self.lib.tensor(n, dtype=a.dtype)


class _HalfMatmul(_Half):
    """A matmul mutant: its own kernel for half operands, behind both matmul(a, b) and a @ b."""

    def _half_matmul(self, a, b, kernel):
        """``kernel(a2, b2)`` on the 2-D forms of 1-D or 2-D half operands, the result shaped as matmul's;
        other operands go to torch."""
        if not (self._is_half(a) and b.dtype == a.dtype and a.dim() in (1, 2) and b.dim() in (1, 2)):
            return super().matmul(a, b)
        out = kernel(a if a.dim() == 2 else a.unsqueeze(0), b if b.dim() == 2 else b.unsqueeze(1))
        if a.dim() == 1:
            out = out.squeeze(0)
        if b.dim() == 1:
            out = out.squeeze(-1)
        return out

    def binary_operator(self, symbol, a, b):
        return self.matmul(a, b) if symbol == "@" else super().binary_operator(symbol, a, b)


class HalfMatmulAccumulatesInHalf(_HalfMatmul):
    """float16/bfloat16 matmul with each product rounded to the half dtype and added to a half accumulator
    in order: a GEMM kernel without a float32 accumulator."""

    breaks = "half.matmul"

    def matmul(self, a, b):
        def kernel(a2, b2):
            acc = self.lib.zeros(a2.shape[0], b2.shape[1], dtype=a2.dtype)
            for t in range(a2.shape[1]):
                acc = acc + a2[:, t:t + 1] * b2[t:t + 1, :]  # product and sum each rounded to the half dtype
            return acc

        return self._half_matmul(a, b, kernel)


class HalfMatmulRoundsProducts(_HalfMatmul):
    """float16/bfloat16 matmul with each product rounded to the half dtype, then summed in float32 and
    rounded once: an accumulator of the right width fed products of the wrong one (tinygrad's bfloat16
    matmul, docs/findings.md 22)."""

    breaks = "half.matmul"

    def matmul(self, a, b):
        def kernel(a2, b2):
            products = a2.unsqueeze(2) * b2.unsqueeze(0)  # (n, k, m), each product rounded to the half dtype
            return products.float().sum(dim=1).to(a2.dtype)

        return self._half_matmul(a, b, kernel)
