"""Adapters that crash or hang in one operation, for tests/test_isolation.py (not mutants: they break a process)."""

from __future__ import annotations

import os
import time

from tensorcts.adapters.base import PYTORCH_CONVENTIONS
from tensorcts.adapters.numpy import NumpyAdapter
from tensorcts.adapters.reference import ReferenceAdapter


class AbortsInPow(ReferenceAdapter):
    """``pow`` (function and ``**``) aborts the process, as a segfaulting kernel would."""

    name = "aborts-in-pow"

    def pow(self, a, k):
        os.abort()

    def binary_operator(self, symbol, a, b):
        if symbol == "**":
            os.abort()
        return super().binary_operator(symbol, a, b)


class HangsInNeg(ReferenceAdapter):
    """``neg`` (function and unary minus) of a number tensor never returns, as a deadlocked kernel would.

    (``-bool`` still raises as it should: that is another rule's test.)
    """

    name = "hangs-in-neg"

    def neg(self, a):
        if a.dtype.is_bool:
            return super().neg(a)
        while True:
            time.sleep(3600)

    def unary_minus(self, a):
        return self.neg(a)


class SlowWrongNeg(ReferenceAdapter):
    """``neg`` of a number tensor is wrong (it returns its input) and takes 0.4 s, as a backend that compiles
    a kernel for every new input would: Hypothesis shrinking the failure would run past the test's timeout."""

    name = "slow-wrong-neg"

    def neg(self, a):
        if a.dtype.is_bool:
            return super().neg(a)
        time.sleep(0.4)
        return a

    def unary_minus(self, a):
        return self.neg(a)


class NumpyWithPytorchConventions(NumpyAdapter):
    """NumPy declaring PyTorch's conventions: its int / int (float64) then breaks elementwise.div,
    a real undeclared failure for the expectation tests to declare or not."""

    conventions = PYTORCH_CONVENTIONS
