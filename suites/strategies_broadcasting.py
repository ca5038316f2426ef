"""Shape strategies for the broadcasting rules: compatible pairs come from strategies.py."""

from __future__ import annotations

from hypothesis import strategies as st
from tensorcts.reference.tensor import numel_of
from tensorcts.suites.strategies import MAX_NUMEL, sampled, shapes

MISMATCH_SIZES = (0, 2, 3, 4, 5)  # sizes that never broadcast against a different size


@st.composite
def incompatible_shapes(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes equal except in one aligned position, where the sizes differ and neither is 1."""
    a = list(draw(shapes(min_dims=1, max_dims=4, max_numel=MAX_NUMEL // 5)))
    pos = draw(st.integers(0, len(a) - 1))
    if a[pos] == 1:
        a[pos] = draw(st.sampled_from(MISMATCH_SIZES))
    b = list(a)
    b[pos] = draw(sampled(tuple(s for s in MISMATCH_SIZES if s != a[pos])))
    # drop leading dims of b that are left of the mismatch, or add new leading dims
    drop = draw(st.integers(0, pos))
    b = b[drop:]
    if drop == 0:
        b = [draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 4 - len(a))))] + b
    if numel_of(b) > MAX_NUMEL:
        b = b[-len(a):]
    pair = (tuple(a), tuple(b))
    return pair if draw(st.booleans()) else pair[::-1]
