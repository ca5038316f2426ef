"""The five dtypes of the spec and PyTorch's promotion lattice over them, and the two half formats.

A dtype is a small immutable record; canonical names are the ones reports use.
float16 and bfloat16 (spec/half.md) are defined here so they can be looked up
(``HALF_BY_NAME``), but they are not among the dtypes every other area draws
from (``ALL``, ``BY_NAME``, ``FLOATING``) nor in the promotion lattice: adding
them there would change every other rule's verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DType:
    name: str
    kind: str  # "b" bool, "i" signed integer, "f" binary floating point
    bits: int
    precision: int = 0  # significand bits, hidden bit included (floats only)
    emin: int = 0  # exponent of the smallest normal number (floats only)
    emax: int = 0  # exponent of the largest finite number (floats only)

    @property
    def is_floating(self) -> bool:
        return self.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self.kind == "i"

    @property
    def is_bool(self) -> bool:
        return self.kind == "b"

    @property
    def category(self) -> int:
        """bool < integer < floating: the order promotion compares."""
        return {"b": 0, "i": 1, "f": 2}[self.kind]

    @property
    def unit_roundoff(self) -> float:
        """u = 2**-p: the relative error of one rounding to nearest."""
        return 2.0 ** -self.precision

    def __repr__(self) -> str:
        return f"reference.{self.name}"


bool_ = DType("bool", "b", 8)
int32 = DType("int32", "i", 32)
int64 = DType("int64", "i", 64)
float32 = DType("float32", "f", 32, precision=24, emin=-126, emax=127)
float64 = DType("float64", "f", 64, precision=53, emin=-1022, emax=1023)

#: IEEE 754 binary16: 11 significand bits, normal exponents -14..15, largest finite 65504
float16 = DType("float16", "f", 16, precision=11, emin=-14, emax=15)
#: bfloat16: float32's exponent range with 8 significand bits (the top half of a float32)
bfloat16 = DType("bfloat16", "f", 16, precision=8, emin=-126, emax=127)

ALL = (bool_, int32, int64, float32, float64)
BY_NAME = {d.name: d for d in ALL}
FLOATING = (float32, float64)
INTEGER = (int32, int64)
#: the half formats of spec/half.md, looked up by name apart from the five above
HALF = (float16, bfloat16)
HALF_BY_NAME = {d.name: d for d in HALF}

DEFAULT_FLOAT = float32  # torch.get_default_dtype()
DEFAULT_INT = int64  # dtype of a Python int, and of integer inference


def as_dtype(d: DType | str) -> DType:
    if isinstance(d, DType):
        return d
    try:
        return BY_NAME[d]
    except KeyError:
        raise TypeError(f"unknown dtype {d!r}; known: {sorted(BY_NAME)}") from None


def promote_types(a: DType, b: DType) -> DType:
    """The smallest dtype both convert to: higher category, then wider."""
    if a.category != b.category:
        return a if a.category > b.category else b
    return a if a.bits >= b.bits else b
