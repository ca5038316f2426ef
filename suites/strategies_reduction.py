"""Strategies for the reduction rules: the ``dim=`` argument in all its spellings."""

from __future__ import annotations

from hypothesis import strategies as st
from tensorcts.suites.strategies import reused, sampled


@reused
@st.composite
def reduce_dims(draw, ndim: int):
    """None, an int, or a tuple of distinct dims, each written positive or negative.

    A 0-d tensor has no dimension to name: only None is drawn for it (PyTorch's implicit dim 0
    or -1 of a 0-d tensor is the torch-level rule ``reduction.zero-dim-dim``). The empty tuple
    is left out: torch reads ``dim=()`` as "every dim" (spec/reduction.md).
    """
    kind = draw(sampled(("none", "int", "tuple")))
    if kind == "none" or ndim == 0:
        return None
    span = max(ndim, 1)
    if kind == "int":
        dims = [draw(st.integers(0, span - 1))]
    else:
        dims = draw(st.lists(st.integers(0, span - 1), min_size=1, max_size=span, unique=True))
    written = [d - span if draw(st.booleans()) else d for d in dims]
    return written[0] if kind == "int" else tuple(written)


def normalized(dim, ndim: int) -> tuple[int, ...]:
    """The reduced dims as sorted non-negative ints (every dim for None)."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else dim
    return tuple(sorted({d % ndim for d in dims})) if ndim else ()
