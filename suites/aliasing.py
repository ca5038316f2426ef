"""Observing aliasing: write through one tensor with the backend's own in-place operations
(``fill_``, ``copy_``, indexed assignment), then read another tensor.

The same write is applied to the reference, whose views share storage, so the
reference says what every tensor must hold afterwards: changed where they alias,
unchanged where they are copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from reference.tensor import Tensor
from suites.strategies import exact_tensor
from suites.strategies_view import basic_index, value_for


def overlaps_itself(t: Tensor) -> bool:
    """True when two elements share a storage position (an expanded tensor)."""
    positions = list(t.storage_indices())
    return len(set(positions)) != len(positions)


@dataclass(frozen=True)
class Write:
    """``fill_`` with a scalar, ``copy_`` from a fresh tensor, or ``t[index] = scalar``."""

    kind: str
    value: Any = None  # the scalar, or the reference source tensor of copy_
    index: tuple = ()

    def on_reference(self, t: Tensor) -> None:
        if self.kind == "fill_":
            t.fill_(self.value)
        elif self.kind == "copy_":
            t.copy_(self.value)
        else:
            t[self.index] = self.value

    def on_backend(self, backend, t, source=None) -> None:
        if self.kind == "fill_":
            backend.fill_(t, self.value)
        elif self.kind == "copy_":
            backend.copy_(t, source)
        else:
            backend.setitem(t, self.index, self.value)

    def text(self, target: str) -> str:
        if self.kind == "fill_":
            return f"{target}.fill_({self.value!r})"
        if self.kind == "copy_":
            return f"{target}.copy_(src)"
        return f"{target}.__setitem__({self.index!r}, {self.value!r})"


@st.composite
def writes(draw, t: Tensor, dtype: str, k: int = 0) -> Write:
    """A write that changes some element of ``t`` to a value no fresh distinct tensor holds."""
    kinds = ["fill_", "setitem"] if overlaps_itself(t) else ["fill_", "copy_", "setitem"]
    kind = draw(st.sampled_from(kinds))
    if kind == "copy_":
        n = t.numel()
        values = [value_for(dtype, k + i) for i in range(n)]
        return Write("copy_", exact_tensor(values, t.shape, dtype))
    if kind == "setitem":
        return Write("setitem", value_for(dtype, k), draw(basic_index(t.shape)))
    return Write("fill_", value_for(dtype, k))


def apply_write(case, backend, write: Write, target_ref: Tensor, target, target_name: str) -> None:
    """Apply ``write`` to the reference and, through the adapter, to the backend tensor."""
    source = case.input("src", write.value) if write.kind == "copy_" else None
    write.on_reference(target_ref)
    case.run(write.text(target_name), lambda: write.on_backend(backend, target, source))
