"""Mutants of the matmul rules: each looks like a real matmul-dispatch or kernel bug.

Each overrides ``matmul``; ``@`` goes through the same method, as a backend's
operator would reach the same kernel.
"""

from __future__ import annotations

from tensorcts.adapters.torch import TorchAdapter


class _Matmul(TorchAdapter):
    def binary_operator(self, symbol, a, b):
        return self.matmul(a, b) if symbol == "@" else super().binary_operator(symbol, a, b)


class SquareProductTransposed(_Matmul):
    """2-D · 2-D with n = k = m returns (a @ b)^T: a square-only kernel with its output layout swapped."""

    breaks = "matmul.matrix-matrix"

    def matmul(self, a, b):
        if a.ndim == 2 and b.ndim == 2 and a.shape[0] == a.shape[1] == b.shape[1]:
            return self.lib.matmul(a, b).t()
        return super().matmul(a, b)


class DotReturnsVector(_Matmul):
    """1-D · 1-D computed as (1, k) @ (k,) and returned as a 1-element vector, not 0-d."""

    breaks = "matmul.dot"

    def matmul(self, a, b):
        if a.ndim == 1 and b.ndim == 1:
            return self.lib.matmul(a.unsqueeze(0), b)
        return super().matmul(a, b)


class MatrixProductTransposed(_Matmul):
    """2-D · 2-D returns (a @ b)^T: a row-major/column-major mix-up."""

    breaks = "matmul.matrix-matrix"

    def matmul(self, a, b):
        if a.ndim == 2 and b.ndim == 2:
            return self.lib.matmul(b.t(), a.t())
        return super().matmul(a, b)


class VectorMatrixKeepsPrependedDim(_Matmul):
    """1-D · 2-D: the 1 prepended to a's shape is not removed, giving (1, m)."""

    breaks = "matmul.vector-matrix"

    def matmul(self, a, b):
        if a.ndim == 1 and b.ndim == 2:
            return self.lib.matmul(a.unsqueeze(0), b)
        return super().matmul(a, b)


class MatrixVectorKeepsAppendedDim(_Matmul):
    """2-D · 1-D: the 1 appended to b's shape is not removed, giving (n, 1)."""

    breaks = "matmul.matrix-vector"

    def matmul(self, a, b):
        if a.ndim == 2 and b.ndim == 1:
            return self.lib.matmul(a, b.unsqueeze(1))
        return super().matmul(a, b)


class BatchFlattenedNotBroadcast(_Matmul):
    """N-D · N-D: batch dims flattened and fed to bmm, so they are never broadcast."""

    breaks = "matmul.batched"

    def matmul(self, a, b):
        if a.ndim >= 3 and b.ndim >= 3:
            n, k, m = a.shape[-2], a.shape[-1], b.shape[-1]
            out = self.lib.bmm(a.reshape(-1, n, k), b.reshape(-1, k, m))
            return out.reshape(*a.shape[:-2], n, m)
        return super().matmul(a, b)


class BatchedKeepsVectorDim(_Matmul):
    """N-D with a 1-D operand: the prepended or appended 1 is not removed from the result."""

    breaks = "matmul.batched"

    def matmul(self, a, b):
        if max(a.ndim, b.ndim) >= 3 and a.ndim == 1:
            return self.lib.matmul(a.unsqueeze(0), b)
        if max(a.ndim, b.ndim) >= 3 and b.ndim == 1:
            return self.lib.matmul(a, b.unsqueeze(1))
        return super().matmul(a, b)


class InnerMismatchTruncated(_Matmul):
    """Inner sizes that differ are cut to the smaller one instead of raising."""

    breaks = "matmul.errors"

    def matmul(self, a, b):
        if a.ndim and b.ndim:
            ka, kb = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
            if ka != kb:
                k = min(ka, kb)
                a = a.narrow(a.ndim - 1, 0, k)
                b = b.narrow(0 if b.ndim == 1 else b.ndim - 2, 0, k)
        return super().matmul(a, b)


class MixedDtypesPromoted(_Matmul):
    """Operands of different dtypes are promoted (NumPy style) instead of raising."""

    breaks = "matmul.dtype"

    def matmul(self, a, b):
        if a.dtype != b.dtype:
            common = self.lib.promote_types(a.dtype, b.dtype)
            a, b = a.to(common), b.to(common)
        return super().matmul(a, b)


class MatmulAccumulatesInBfloat16(_Matmul):
    """float32 matmul done in bfloat16 (float64 in float32), then cast back: reduced precision."""

    breaks = "matmul.accuracy"

    def matmul(self, a, b):
        narrow = {self.lib.float32: self.lib.bfloat16, self.lib.float64: self.lib.float32}.get(a.dtype)
        if narrow is None or a.dtype != b.dtype:
            return super().matmul(a, b)
        return self.lib.matmul(a.to(narrow), b.to(narrow)).to(a.dtype)


class MatmulOperatorIsElementwise(TorchAdapter):
    """``@`` bound to the element-wise product (a slip in the operator table)."""

    breaks = "matmul.operator"

    def binary_operator(self, symbol, a, b):
        return super().binary_operator("*" if symbol == "@" else symbol, a, b)
