"""The reference's generator and the statistical thresholds (spec/random.md)."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest
import tensorcts.reference as R
from tensorcts.reference.random import Generator
from tensorcts.suites import stats
from tensorcts.suites import test_random as suite

SPEC = Path(__file__).resolve().parent.parent / "spec" / "random.md"


def test_splitmix64_published_value():
    g = Generator().manual_seed(0)
    assert g.next_u64() == 0xE220A8397B1DCDAF  # SplitMix64's first output for seed 0


def test_manual_seed_returns_the_cpu_generator_and_accepts_torchs_range():
    g = R.manual_seed(5)
    assert g is R.default_generator and g.initial_seed() == 5
    assert R.manual_seed(-1).initial_seed() == 2**64 - 1  # as PyTorch 2.13 does
    for bad in (2**64, -(2**63) - 1):
        with pytest.raises(RuntimeError):
            R.manual_seed(bad)


def test_rand_lies_on_the_dtype_grid_and_repeats():
    R.manual_seed(3)
    a = R.rand(100)
    assert all(0 <= v < 1 and (v * 2**24).denominator == 1 for v in a.values())
    assert R.rand(4, dtype=R.float64).dtype == R.float64
    R.manual_seed(3)
    assert R.rand(100).values() == a.values()


def test_devices_draw_different_streams_and_each_repeats():
    R.manual_seed(11)
    cpu, sim = R.rand(8).values(), R.rand(8, device="sim:1").values()
    assert cpu != sim
    R.manual_seed(11)
    assert R.rand(8, device="sim:1").values() == sim


def test_randn_values_are_rounded_to_the_dtype():
    R.manual_seed(1)
    z = R.randn(50)
    assert all(isinstance(v, Fraction) and R.exact.round_float(v, R.float32) == v for v in z.values())
    with pytest.raises(RuntimeError):
        R.rand(2, dtype=R.int64)


def test_thresholds_are_the_ones_the_spec_states():
    text = SPEC.read_text(encoding="utf-8")
    n_uniform = math.prod(suite.UNIFORM_SHAPE)
    n_normal = math.prod(suite.NORMAL_SHAPE)
    assert f"{stats.ks_threshold(n_uniform):.5f}" == "0.04209" and "0.04209" in text
    assert f"{stats.ks_threshold(n_normal, checks=2):.5f}" == "0.02154" and "0.02154" in text
    assert str(suite.UNIFORM_SEED) in text and str(suite.NORMAL_SEED) in text
    assert f"n = {n_uniform}" in text and f"n = {n_normal}" in text


def test_ks_distance_handles_ties_and_edges():
    assert stats.ks_distance([0.5, 0.5], stats.uniform_cdf)[0] == 0.5
    d, at = stats.ks_distance([0.0, 0.25, 0.5, 0.75], stats.uniform_cdf)
    assert d == 0.25 and at in (0.0, 0.25, 0.5, 0.75)


def test_ten_percent_errors_exceed_the_threshold_for_every_uniform_seed():
    # draws on [0, 0.9) or [0.1, 1) have D >= 0.1 whatever the seed: far above the threshold
    limit = stats.ks_threshold(math.prod(suite.UNIFORM_SHAPE))
    assert 0.1 > 2 * limit
    R.manual_seed(99)
    u = [float(v) for v in R.rand(4096).values()]
    assert stats.ks_distance([0.9 * x for x in u], stats.uniform_cdf)[0] >= 0.1 - 2**-20
    assert stats.ks_distance([0.1 + 0.9 * x for x in u], stats.uniform_cdf)[0] >= 0.1 - 2**-20
