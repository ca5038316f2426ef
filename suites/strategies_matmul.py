"""Operand shapes and values for the matmul rules, within the cost caps.

Caps (docs/design.md): at most MAX_NUMEL elements per operand and MAX_MACS
multiply-adds per example.
"""

from __future__ import annotations

from hypothesis import strategies as st
from tensorcts.reference.broadcasting import broadcast_shapes
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.strategies import MAX_MACS, MAX_NUMEL, reused, sampled
from tensorcts.suites.strategies_arith import pooled_tensors, value_pools

CASES = ("dot", "matrix-matrix", "vector-matrix", "matrix-vector", "batched")


def macs(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> int:
    """Multiply-adds of a valid matmul of these shapes."""
    a2 = (1, *shape_a) if len(shape_a) == 1 else shape_a
    b2 = (*shape_b, 1) if len(shape_b) == 1 else shape_b
    batch = broadcast_shapes(a2[:-2], b2[:-2])
    return numel_of(batch) * a2[-2] * a2[-1] * b2[-1]


def within_caps(shape_a, shape_b) -> bool:
    return numel_of(shape_a) <= MAX_NUMEL and numel_of(shape_b) <= MAX_NUMEL and macs(shape_a, shape_b) <= MAX_MACS


@st.composite
def batch_pair(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two batch shapes that broadcast: 1..4 dims of sizes 1..3, the other equal or 1 per position."""
    full = draw(st.lists(st.integers(1, 3), min_size=1, max_size=4))
    other = [draw(sampled((s, 1))) for s in full][len(full) - draw(st.integers(0, len(full))):]
    pair = (tuple(full), tuple(other))
    return pair if draw(st.booleans()) else pair[::-1]


#: (a, b): "nd" keeps the batch dims, "1d" and "2d" drop them; nd-nd twice as often
OPERAND_FORMS = st.sampled_from([("nd", "nd"), ("nd", "nd"), ("1d", "nd"), ("2d", "nd"), ("nd", "1d"), ("nd", "2d")])


@reused
@st.composite
def batched_shapes(draw, k: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Case 5: batch dims that broadcast; one side may be a plain vector or matrix."""
    batch_a, batch_b = draw(batch_pair(), label="batch shapes")
    n, m = draw(st.integers(1, 4), label="n"), draw(st.integers(1, 4), label="m")
    form_a, form_b = draw(OPERAND_FORMS, label="operand forms")
    longer = max(batch_a, batch_b, key=len)  # never empty: keeps the N-D side at least 3-D
    if form_a != "nd":
        batch_b = longer
    if form_b != "nd":
        batch_a = longer
    while True:
        a = {"1d": (k,), "2d": (n, k), "nd": (*batch_a, n, k)}[form_a]
        b = {"1d": (k,), "2d": (k, m), "nd": (*batch_b, k, m)}[form_b]
        if within_caps(a, b):
            return a, b
        if k > 1:
            k //= 2
        elif max(n, m) > 1:
            n, m = max(1, n - 1), max(1, m - 1)
        else:  # cannot happen within 3**4 batches, kept for safety
            batch_a, batch_b = batch_a[1:] or batch_a, batch_b[1:] or batch_b


@reused
@st.composite
def case_shapes(draw, case: str, k=None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Operand shapes of one of the five cases (a valid matmul within the caps)."""
    if k is None:
        k = draw(st.integers(0, 6 if case == "batched" else 16), label="k")
    if case == "dot":
        return (k,), (k,)
    if case == "batched":
        return draw(batched_shapes(k))
    n = draw(st.integers(0, 8), label="n")
    m = draw(st.integers(0, 8), label="m")
    if case == "matrix-matrix" and draw(st.integers(0, 3), label="square") == 0:
        n = m = k = min(k, 8)  # square products in a quarter of the examples: a square-only bug is reachable
    while n * k > MAX_NUMEL or k * m > MAX_NUMEL or n * k * m > MAX_MACS:
        n, m = n // 2, m // 2
    return {"matrix-matrix": ((n, k), (k, m)), "vector-matrix": ((k,), (k, m)),
            "matrix-vector": ((n, k), (k,))}[case]


@reused
@st.composite
def matmul_operands(draw, dtype: str, case: str, k=None) -> tuple[Tensor, Tensor]:
    shape_a, shape_b = draw(case_shapes(case, k), label="shapes")
    pool = draw(value_pools(dtype), label="value pool")  # shared: products of a value and its negation cancel
    return draw(pooled_tensors(dtype, shape_a, pool), label="a"), draw(pooled_tensors(dtype, shape_b, pool), label="b")
