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
from tensorcts.reference.tensor import Tensor
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import exact_tensor
from tensorcts.suites.strategies_view import (
    ViewOp,
    basic_index,
    cached_dtypes,
    chain_text,
    chains_from,
    choose,
    permutations_of,
    pick,
    restructured,
    value_for,
    view_chains,
)


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
    # PyTorch rejects copy_ and indexed assignment into a region with overlapping elements (an expanded
    # tensor); fill_ works there (inplace.overlap)
    kinds = ["fill_"] if overlaps_itself(t) else ["fill_", "copy_", "setitem"]
    kind = pick(draw, kinds)
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


def run_chain(case: Case, backend, native, ops, name: str = "base"):
    """Apply view operations through the adapter, one at a time (a raise is a failure)."""
    for n in range(len(ops)):
        native = case.run(chain_text(name, ops[:n + 1]), lambda t=native, op=ops[n]: op.on_backend(backend, t))
    return native


def expect_geometry(case: Case, backend, observed, expected, what: str = "result", rules=None) -> None:
    """Strides and storage offset equal the reference's (when the backend exposes them)."""
    if "strides" not in backend.capabilities:
        return
    case.check(tuple(observed.strides) == expected.stride(),
               f"{what} strides: expected {expected.stride()}, observed {observed.strides}", rules)
    case.check(observed.offset == expected.storage_offset(),
               f"{what} storage offset: expected {expected.storage_offset()}, observed {observed.offset}", rules)


def attempt(fn):
    try:
        return fn()
    except (RuntimeError, IndexError, ValueError, TypeError):
        return None


def alias_family(backend, device, data, rule: str, final_kinds: tuple[str, ...]) -> None:
    """Write through one tensor of a family of views, read every other one."""
    dtype = data.draw(cached_dtypes(backend, device, "if"), label="dtype")
    base_ref, ops, v_ref = data.draw(view_chains(dtype, max_ops=3), label="chain")
    final = choose(data, final_kinds, label="final op")
    op = ViewOp(final, final_arg(data, v_ref, final))
    if attempt(lambda: op.on_reference(v_ref)) is None:
        op = ViewOp("view", v_ref.shape)  # viewing a tensor as its own shape always succeeds
    ops = [*ops, op]
    v_ref = op.on_reference(v_ref)
    case = Case(backend, rule, device, dtype)
    base = case.input("base", base_ref)
    v = run_chain(case, backend, base, ops)
    family = {"base": (base_ref, base), "v": (v_ref, v)}
    program = [f"(v := {chain_text('base', ops)})"]
    if data.draw(st.booleans(), label="sibling view"):
        kept, w_ref = data.draw(chains_from(base_ref, max_ops=2, min_ops=1), label="sibling chain")
        family["w"] = (w_ref, run_chain(case, backend, base, kept))
        program.append(f"(w := {chain_text('base', kept)})")
    writer = choose(data, sorted(family), label="write through")
    w_ref, w = family[writer]
    write = data.draw(writes(w_ref, dtype), label="write")
    apply_write(case, backend, write, w_ref, w, writer)
    program.append(write.text(writer))
    for name, (ref, native) in family.items():
        case.call_text = f"({', '.join(program)}, {name})[-1]"
        case.expect(backend.observe(native), ref, what=f"{name} after writing through {writer}")


def final_arg(data, t, kind: str):
    if kind == "getitem":
        return data.draw(basic_index(t.shape), label="index")
    if kind == "view":
        return data.draw(restructured(t.shape), label="view shape")
    if kind == "transpose":
        n = max(t.ndim, 1)
        dim = st.integers(-n, n - 1)
        return (data.draw(dim), data.draw(dim))
    if kind == "permute":
        return tuple(data.draw(permutations_of(t.ndim)))
    return None
