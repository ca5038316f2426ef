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
from tensorcts.suites.strategies import exact_tensor, offered
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


#: the kinds of write, each an adapter method (a test passes those its adapter offers: strategies.offered)
WRITE_KINDS = ("fill_", "copy_", "setitem")


@st.composite
def writes(draw, t: Tensor, dtype: str, k: int = 0, kinds: tuple[str, ...] = WRITE_KINDS) -> Write:
    """A write of one of ``kinds`` that changes some element of ``t`` to a value no fresh distinct tensor holds."""
    # PyTorch rejects copy_ and indexed assignment into a region with overlapping elements (an expanded
    # tensor); fill_ works there (inplace.overlap)
    kind = pick(draw, ["fill_"] if overlaps_itself(t) else list(kinds))
    if kind == "copy_":
        n = t.numel()
        values = [value_for(dtype, k + i) for i in range(n)]
        return Write("copy_", exact_tensor(values, t.shape, dtype))
    if kind == "setitem":
        # no None: array-api-strict refuses it in an assignment, and a write is a setup step here
        index = draw(basic_index(t.shape, with_ellipsis=True, in_bounds=True, allow_none=False))
        return Write("setitem", value_for(dtype, k), index)
    return Write("fill_", value_for(dtype, k))


_RULE_OF_WRITE = {"fill_": "inplace.through-views", "copy_": "inplace.through-views", "setitem": "inplace.setitem"}


def apply_write(case, backend, write: Write, target_ref: Tensor, target, target_name: str,
                setup: bool = False) -> None:
    """Apply ``write`` to the reference and, through the adapter, to the backend tensor. With
    ``setup`` the write only serves to observe aliasing: if it raises, the case is blocked."""
    source = case.input("src", write.value) if write.kind == "copy_" else None
    write.on_reference(target_ref)
    if setup:
        case.setup(write.text(target_name), lambda: write.on_backend(backend, target, source),
                   rule=_RULE_OF_WRITE[write.kind])
    else:
        case.run(write.text(target_name), lambda: write.on_backend(backend, target, source))


#: the rule each view operation of a chain belongs to (named when a setup step blocks a case)
_RULE_OF_OP = {"getitem": "indexing.basic-view", "transpose": "view.transpose", "permute": "view.transpose",
               "t": "view.torch-spellings", "expand": "view.strides", "view": "view.stride-compat",
               "reshape": "view.reshape"}


def values_only(ops: list[ViewOp]) -> list[ViewOp]:
    """A chain whose result only provides values and a layout, not an alias: its ``view`` steps become
    ``reshape``, which every library offers (a view wherever ``view`` would succeed, as the chains draw it),
    so a library without views, or with stricter ``view`` rules (view.stride-compat), is not blocked."""
    return [ViewOp("reshape", op.arg) if op.name == "view" else op for op in ops]


def run_chain(case: Case, backend, native, ops, name: str = "base", under_test: bool = False):
    """Apply view operations through the adapter, one at a time.

    A chain only builds the input of the operation under test, so a raise makes the case
    ``blocked`` by that operation; with ``under_test`` the chain itself is what the rule is
    about, and a raise is a failure."""
    for n in range(len(ops)):
        text = chain_text(name, ops[:n + 1])
        if under_test:
            native = case.run(text, lambda t=native, op=ops[n]: op.on_backend(backend, t))
        else:
            native = case.setup(text, lambda t=native, op=ops[n]: op.on_backend(backend, t),
                                rule=_RULE_OF_OP.get(ops[n].name))
    return native


def expect_geometry(case: Case, backend, observed, expected, what: str = "result", rules=None) -> None:
    """Strides and storage offset equal the reference's (when the backend exposes them).

    Only the strides that address elements are compared: those of dimensions of size 2 or more
    in a tensor that has elements. A size-1 dimension's stride, and every stride and the offset
    of an empty tensor, address nothing; a library MAY choose them (NumPy gives 0 where PyTorch
    gives the row-major value), so they are recorded as observations, never failures."""
    if "strides" not in backend.capabilities:
        return
    expect_strides(case, backend, tuple(expected.shape), (expected.stride(), expected.storage_offset()),
                   (tuple(observed.strides), observed.offset), what, rules)


def expect_strides(case: Case, backend, shape: tuple[int, ...], want: tuple, got: tuple,
                   what: str = "result", rules=None) -> None:
    """``got`` (strides, offset) equals ``want`` where they address elements; the rest is the
    library's choice unless its adapter declares PyTorch's (expect_geometry says why)."""
    (want_strides, want_offset), (got_strides, got_offset) = want, got
    rule = (rules or case.rules)[0]
    if backend.conventions_on(case.device).degenerate_strides_row_major:  # declared: PyTorch's, all of them
        case.check(got_strides == want_strides, f"{what} strides: expected {want_strides}, observed {got_strides}", rules)
        case.check(got_offset == want_offset, f"{what} storage offset: expected {want_offset}, observed {got_offset}", rules)
        return
    if got_strides != want_strides:
        case.may(rule, "strides of size-0/size-1 dimensions",
                 f"{got_strides} where PyTorch gives {want_strides} for shape {shape}")
    if 0 in shape:
        return
    live = [d for d, size in enumerate(shape) if size > 1]
    case.check([got_strides[d] for d in live] == [want_strides[d] for d in live],
               f"{what} strides: expected {want_strides}, observed {got_strides} (compared on dimensions of size > 1)",
               rules)
    case.check(got_offset == want_offset, f"{what} storage offset: expected {want_offset}, observed {got_offset}", rules)


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
    if final == "transpose" and v_ref.ndim < 2:
        final = "permute"  # transposing needs two dimensions (0-d/1-d transpose: view.torch-spellings)
    op = ViewOp(final, final_arg(data, v_ref, final))
    if attempt(lambda: op.on_reference(v_ref)) is None:
        op = ViewOp("view", v_ref.shape)  # viewing a tensor as its own shape always succeeds
    case = Case(backend, rule, device, dtype, form=op.name)
    base = case.input("base", recorded(base_ref))
    v = run_chain(case, backend, base, ops)
    v = case.run(chain_text("base", [*ops, op]), lambda: op.on_backend(backend, v))  # under test
    ops, v_ref = [*ops, op], op.on_reference(v_ref)
    family = {"base": (base_ref, base, ()), "v": (v_ref, v, ops)}
    program = [f"(v := {chain_text('base', ops)})"]
    if data.draw(st.booleans(), label="sibling view"):
        kept, w_ref = data.draw(chains_from(base_ref, max_ops=2, min_ops=1), label="sibling chain")
        family["w"] = (w_ref, run_chain(case, backend, base, kept), kept)
        program.append(f"(w := {chain_text('base', kept)})")
    # writes go through tensors not built by expand: whether a broadcast view is writable is the
    # library's choice (NumPy and array-api-strict make it read-only; inplace.overlap is PyTorch's)
    writable = sorted(name for name, (_, _, chain) in family.items() if all(o.name != "expand" for o in chain))
    writer = choose(data, writable, label="write through")
    w_ref, w, _ = family[writer]
    write = data.draw(writes(w_ref, dtype, kinds=offered(backend, WRITE_KINDS)), label="write")
    apply_write(case, backend, write, w_ref, w, writer, setup=True)
    program.append(write.text(writer))
    for name, (ref, native, _) in family.items():
        case.call_text = f"({', '.join(program)}, {name})[-1]"
        case.expect(backend.observe(native), ref, what=f"{name} after writing through {writer}")


def recorded(t: Tensor) -> Tensor:
    """A copy of ``t`` for ``case.input``: the reference's own tensor is written later through its
    views, and the repro must show the inputs as they were before any write."""
    return Tensor.from_flat(list(t.values()), t.shape, t.dtype, exact=True)


def final_arg(data, t, kind: str):
    if kind == "getitem":  # with ...: a view in every library (a full integer index may be a scalar)
        return data.draw(basic_index(t.shape, with_ellipsis=True, in_bounds=True), label="index")
    if kind == "view":
        return data.draw(restructured(t.shape), label="view shape")
    if kind == "transpose":  # callers draw it for two or more dimensions only (core)
        n = t.ndim
        dim = st.integers(-n, n - 1)
        return (data.draw(dim), data.draw(dim))
    if kind == "permute":
        return tuple(data.draw(permutations_of(t.ndim)))
    return None
