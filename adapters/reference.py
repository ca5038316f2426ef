"""The reference as a backend: an honest IEEE implementation of the spec.

It runs through the torch adapter's code with the reference module in torch's
place, plus the simulated devices ``sim:0`` and ``sim:1``.
"""

from __future__ import annotations

import math
from fractions import Fraction

from tensorcts import reference

from .base import CAPABILITIES, Observation, Unsupported
from .torch import TorchAdapter

_BACKEND_ONLY = {"interop.numpy"}  # NumPy memory sharing needs a real backend


def _rational(v):
    """An input value as the reference holds it: an exact rational. NaN, the infinities and -0.0
    (spec/special.md) are IEEE values the reference does not hold, so their rules are unsupported."""
    if isinstance(v, float):
        if not math.isfinite(v) or (v == 0 and math.copysign(1.0, v) < 0):
            raise Unsupported(f"the value {v!r}: the reference computes over the rationals (docs/design.md)")
        return Fraction(v)
    return v


def _no_numpy(*args):
    raise Unsupported("NumPy conversion: the reference imports the standard library only")


class ReferenceAdapter(TorchAdapter):
    name = "reference"
    capabilities = CAPABILITIES - _BACKEND_ONLY

    def __init__(self):
        super().__init__(reference)

    def devices(self) -> list[str]:
        return list(reference.devices.DEVICES)

    def default_device(self) -> str:
        """The selection idiom with the reference's accelerator, ``sim``, in the place of ``cuda``."""
        return reference.devices.select_device()

    def canonical_dtype(self, dtype) -> str:
        return dtype.name

    def half_dtypes(self, device: str) -> list[str]:
        """reference.float16 and reference.bfloat16: every result rounded once to its half dtype."""
        return ["float16", "bfloat16"]

    def asarray(self, ref, device: str):
        return reference.Tensor.from_flat([_rational(v) for v in ref.values()], ref.shape, ref.dtype, device)

    def observe(self, t) -> Observation:
        return Observation(shape=t.shape, dtype=t.dtype.name, device=t.device, values=t.tolist(),
                           strides=t.stride(), offset=t.storage_offset())

    def repro(self, expression: str) -> str:
        return f"import tensorcts.reference as torch  # tensorcts reference\n{expression}"

    # the reference is stdlib only: no NumPy arrays in or out
    from_numpy = to_numpy = tensor_from_numpy = staticmethod(_no_numpy)

    def legacy_constructor(self, *sizes):
        return reference.creation.legacy_tensor(*sizes)
