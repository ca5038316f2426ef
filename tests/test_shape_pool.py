"""The per-run shape pool (``Adapter.shape_pool``): what it holds, and that the suites draw from it."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from tensorcts.reference.tensor import numel_of
from tensorcts.suites import strategies, strategies_view

from tests.helpers import run_suites

BOUNDS = dict(min_dims=0, max_dims=4, min_side=0, max_side=5, max_numel=256)


def test_pool_has_every_rank_an_empty_shape_and_its_size():
    pool = strategies.pooled_shapes(16, 3, **BOUNDS)
    assert len(pool) == len(set(pool)) == 16
    assert {len(s) for s in pool} == {0, 1, 2, 3, 4}
    assert all(all(0 <= side <= 5 for side in s) and numel_of(s) <= 256 for s in pool)
    assert sum(numel_of(s) == 0 for s in pool) == 2  # an eighth
    assert pool == sorted(pool, key=lambda s: (len(s), numel_of(s), s))  # simplest first


def test_pool_follows_the_seed():
    assert strategies.pooled_shapes(16, 3, **BOUNDS) == strategies.pooled_shapes(16, 3, **BOUNDS)
    assert strategies.pooled_shapes(16, 3, **BOUNDS) != strategies.pooled_shapes(16, 4, **BOUNDS)


def test_pool_smaller_than_the_space_keeps_the_bounds():
    assert strategies.pooled_shapes(16, 0, 0, 1, 0, 5, 256) == [(), (0,), (1,), (2,), (3,), (4,), (5,)]
    pool = strategies.pooled_shapes(8, 0, 2, 3, 1, 4, 120)
    assert len(pool) == 8 and all(len(s) in (2, 3) and min(s) >= 1 for s in pool)


def test_shapes_draws_only_from_the_pool_while_one_is_set():
    strategies_view.cached_shapes(nestable=True)  # built before the pool: must not be handed out after
    strategies.use_shape_pool(5, 11)
    try:
        pool = set(strategies.pooled_shapes(5, 11, **BOUNDS))
        seen = set()

        @settings(max_examples=200, database=None)
        @given(st.data())
        def draw(data):
            shape = data.draw(strategies.shapes())
            assert shape in pool
            seen.add(shape)
            assert data.draw(strategies_view.cached_shapes(nestable=True)) in pool

        draw()
        assert seen == pool
    finally:
        strategies.use_shape_pool(None, 0)
    assert strategies.shapes() is not None and strategies._SHAPE_POOL["size"] is None


POOLED_ADAPTER = """
import json, os
from tensorcts.adapters.reference import ReferenceAdapter

class Pooled(ReferenceAdapter):
    shape_pool = 3

    def sum(self, a, *args, **kwargs):  # test_sum's input shapes come straight from shapes()
        with open(os.environ["SHAPES_LOG"], "a") as log:
            log.write(json.dumps(list(a.shape)) + "\\n")
        return super().sum(a, *args, **kwargs)
"""


def test_the_plugin_sets_the_adapters_pool_and_reports_it(tmp_path):
    (tmp_path / "pooled.py").write_text(POOLED_ADAPTER)
    log = tmp_path / "shapes.log"
    run = run_suites(tmp_path, "--backend", f"{tmp_path / 'pooled.py'}:Pooled", "--rule", "reduction.sum",
                     "-k", "test_sum and not fixed and not witness", env={"SHAPES_LOG": str(log)})
    assert run.report["backend"]["shape_pool"] == 3, run.output
    assert run.code == 0, run.output
    seen = {tuple(json.loads(line)) for line in log.read_text().splitlines()}
    assert seen and seen <= set(strategies.pooled_shapes(3, 0, **BOUNDS))  # the ci profile's seed is 0
