"""Cheap values for big tensors, shared by the reduction and matmul suites.

Drawing every element of a 256-element tensor through Hypothesis dominates a
run. Here Hypothesis draws a pool of up to POOL values (still in the band, so
magnitudes still vary widely) and a seeded ``Random`` fills the tensor with
signed picks from it: reproducible, shrinkable, and full of cancelling pairs,
which are what stress a sum or a dot product.
"""

from __future__ import annotations

import random
from functools import cache

from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.strategies import exact_tensor, values_of

POOL = 6


@cache
def _pool_strategy(dtype: str, size: int, options: tuple) -> st.SearchStrategy:
    # built once: creating and validating strategies per example costs more than drawing
    return st.lists(values_of(dtype, **dict(options)), min_size=1, max_size=size)


_SEEDS = st.integers(0, 2**32 - 1)


@st.composite
def pooled_values(draw, dtype: str, n: int, pool: list | None = None, **value_options) -> list:
    if pool is None:
        pool = draw(value_pools(dtype, n, **value_options), label="value pool")
    if n <= len(pool):
        return pool[:n]
    rnd = random.Random(draw(_SEEDS, label="fill seed"))
    if dtype == "bool":
        return pool + [rnd.choice(pool) for _ in range(n - len(pool))]
    return pool + [rnd.choice(pool) * rnd.choice((1, -1)) for _ in range(n - len(pool))]


def value_pools(dtype: str, n: int = POOL, **value_options) -> st.SearchStrategy:
    """1 to POOL values (at most n) of dtype, in the band."""
    return _pool_strategy(dtype, min(POOL, max(n, 1)), tuple(sorted(value_options.items())))


@st.composite
def pooled_tensors(draw, dtype: str, shape, pool: list | None = None, **value_options) -> Tensor:
    """A tensor filled from ``pool`` (drawn here when not given: operands may share one)."""
    return exact_tensor(draw(pooled_values(dtype, numel_of(shape), pool, **value_options)), shape, dtype)
