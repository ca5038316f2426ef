"""Elementary functions on tensors (spec/elementary.md): each element correctly rounded.

The scalar functions live in ``elementary.py``; this module maps them over a tensor's
elements. Only the rounding face has them: a correctly rounded value is not exact, so
an oracle (``exact=True``) tensor asks ``elementary.enclosure`` instead.
"""

from __future__ import annotations

from collections.abc import Callable

from . import elementary
from .tensor import Tensor


def _elementwise(name: str) -> Callable[[Tensor], Tensor]:
    def function(a: Tensor) -> Tensor:
        if not a.dtype.is_floating:
            raise TypeError(f"{name}: the reference defines elementary functions on float tensors only, "
                            f"not {a.dtype.name}")
        if a.exact:
            raise ValueError(f"{name} of an exact tensor: use reference.elementary.enclosure for its bounds")
        values = [elementary.value(name, float(v), a.dtype) for v in a.values()]
        return Tensor.from_flat(values, a.shape, a.dtype, a.device, accuracy="correctly-rounded")

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{name}(a), each element correctly rounded to a's dtype (spec/elementary.md)."
    return function


exp = _elementwise("exp")
expm1 = _elementwise("expm1")
log = _elementwise("log")
log1p = _elementwise("log1p")
sqrt = _elementwise("sqrt")
sin = _elementwise("sin")
cos = _elementwise("cos")
tanh = _elementwise("tanh")
sigmoid = _elementwise("sigmoid")
