"""Checks on IEEE 754 values as Python floats: NaN, infinities and the sign of zero count.

The exact ``observe`` path reads finite values as fractions, where -0 and +0 are one
value; these checks read results with the adapter's ``float_list`` instead.
"""

from __future__ import annotations

import math
import re

from tensorcts.reference.dtypes import DType
from tensorcts.reference.tensor import Tensor
from tensorcts.suites.checks import Case

_NON_FINITE = re.compile(r"(?<![\w.'])(-?)(nan|inf)\b")


def float_tensor(values: list[float], dtype: DType) -> Tensor:
    """A 1-d reference tensor holding Python floats as they are (NaN, inf and -0.0 included)."""
    return Tensor.from_flat(list(values), (len(values),), dtype)


def same_float(observed: float, expected: float) -> bool:
    """Equal as IEEE values: any NaN matches NaN (its sign is not required), zeros must share their sign."""
    if math.isnan(expected):
        return math.isnan(observed)
    return observed == expected and math.copysign(1.0, observed) == math.copysign(1.0, expected)


class IeeeCase(Case):
    """A Case whose repro spells NaN and infinities so that it runs as pasted."""

    def source(self) -> str:
        return _NON_FINITE.sub(lambda m: f"float('{m.group(1)}{m.group(2)}')", super().source())

    def read(self, result, dtype: str) -> list[float]:
        """The result's values as floats, after checking its dtype."""
        observed = self.backend.observe(result)
        self.check(observed.dtype == dtype, f"result dtype: expected {dtype}, observed {observed.dtype}")
        return self.backend.float_list(result)

    def expect_floats(self, observed: list[float], expected: list[float | None], what: str = "result") -> None:
        """Each observed value equals the expected IEEE value (None: not checked here)."""
        self.check(len(observed) == len(expected), f"{what}: {len(observed)} values, expected {len(expected)}")
        for i, (got, want) in enumerate(zip(observed, expected)):
            if want is not None and not same_float(got, want):
                self.fail(f"{what} at index {i}: expected {want!r}, observed {got!r}\n"
                          f"  expected: {expected}\n  observed: {observed}")
