"""Random numbers: range, distribution, reproducibility and seeds (spec/random.md).

Only the rules are compared with the reference, never the streams. The
distribution tests use fixed seeds and thresholds with a false-alarm rate of at
most 1e-6 (suites/stats.py): a correct generator passes them for all but one seed
in a million, and with the seeds fixed a run never flakes.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from tensorcts.suites.checks import Case
from tensorcts.suites.stats import half_normal_cdf, ks_distance, ks_threshold, normal_cdf, uniform_cdf
from tensorcts.suites.strategies import shapes

pytestmark = pytest.mark.capability("random")

FLOATS = ("float32", "float64")
# Seeds in [0, 2**32): every library accepts them (NumPy's legacy seed takes no more), and
# torch's CPU generator keeps only these 32 bits (spec/random.md, random.seed-distinct).
SEEDS_32 = st.integers(0, 2**32 - 1)

#: fixed seeds and sample sizes of the distribution tests (spec/random.md derives them)
UNIFORM_SEED, UNIFORM_SHAPE = 20240827, (64, 64)  # n = 4096
NORMAL_SEED, NORMAL_SHAPE = 31415926, (128, 128)  # n = 16384


def _draw_text(kind: str, shape, dtype: str | None, device: str) -> str:
    dtype_kw = f", dtype={{ns}}.{dtype}" if dtype else ""
    return f"{{ns}}.{kind}({shape}{dtype_kw}, device={device!r})"


def _draw(backend, kind: str, shape, dtype: str | None, device: str):
    return getattr(backend, kind)(shape, dtype=dtype, device=device)


def _seed(case: Case, seed: int):
    return case.run(f"{{ns}}.manual_seed({seed})", lambda: case.backend.manual_seed(seed))


def _floats(observation) -> list[float]:
    return [float(v) for v in observation.flat]


# ---- random.rand-range ---------------------------------------------------------------------------


@pytest.mark.rule("random.rand-range")
@given(seed=SEEDS_32, shape=shapes(max_dims=3), dtype=st.sampled_from((None, *FLOATS)))
def test_rand_range(backend, device, seed, shape, dtype):
    expected_dtype = dtype or backend.conventions_on(device).default_float  # the library's declared default
    case = Case(backend, "random.rand-range", device, expected_dtype)
    _seed(case, seed)
    text = _draw_text("rand", shape, dtype, device)
    observed = case.observe(text, lambda: _draw(backend, "rand", shape, dtype, device))
    case.check(tuple(observed.shape) == tuple(shape), f"shape {tuple(observed.shape)}, expected {tuple(shape)}")
    case.check(observed.dtype == expected_dtype, f"dtype {observed.dtype}, expected {expected_dtype}"
               + ("" if dtype else " (the default float dtype)"))
    case.check(observed.device == device, f"the draw is on {observed.device}, expected {device}")
    outside = [v for v in observed.flat if not 0 <= v < 1]
    case.check(not outside, f"values outside [0, 1): {[float(v) for v in outside[:5]]}")


# ---- random.rand-uniform ---------------------------------------------------------------------------


@pytest.mark.rule("random.rand-uniform")
@pytest.mark.parametrize("dtype", FLOATS)
def test_rand_uniform(backend, device, dtype):
    if dtype not in backend.dtypes(device):
        pytest.skip(f"unsupported: {dtype} on {device}")
    case = Case(backend, "random.rand-uniform", device, dtype)
    _seed(case, UNIFORM_SEED)
    text = _draw_text("rand", UNIFORM_SHAPE, dtype, device)
    samples = _floats(case.observe(text, lambda: _draw(backend, "rand", UNIFORM_SHAPE, dtype, device)))
    d, at = ks_distance(samples, uniform_cdf)
    limit = ks_threshold(len(samples))
    case.check(d <= limit, f"the draws are not uniform on [0, 1): Kolmogorov-Smirnov distance {d:.5f} "
                           f"at x = {at!r} exceeds {limit:.5f} (false-alarm rate 1e-6, n = {len(samples)})")


# ---- random.randn-normal -----------------------------------------------------------------------------


@pytest.mark.rule("random.randn-normal")
@pytest.mark.parametrize("dtype", (None, "float64"))
def test_randn_normal(backend, device, dtype):
    expected_dtype = dtype or backend.conventions_on(device).default_float  # the library's declared default
    if expected_dtype not in backend.dtypes(device):
        pytest.skip(f"unsupported: {expected_dtype} on {device}")
    case = Case(backend, "random.randn-normal", device, expected_dtype)
    _seed(case, NORMAL_SEED)
    text = _draw_text("randn", NORMAL_SHAPE, dtype, device)
    observed = case.observe(text, lambda: _draw(backend, "randn", NORMAL_SHAPE, dtype, device))
    case.check(observed.dtype == expected_dtype, f"dtype {observed.dtype}, expected {expected_dtype}")
    samples = _floats(observed)
    limit = ks_threshold(len(samples), checks=2)  # two checks share the 1e-6
    # X against Phi catches a wrong mean; |X| against the half-normal catches a wrong spread
    for what, values, cdf in (("X", samples, normal_cdf),
                              ("|X|", [abs(x) for x in samples], half_normal_cdf)):
        d, at = ks_distance(values, cdf)
        case.check(d <= limit, f"{what} does not follow the standard normal law: Kolmogorov-Smirnov distance "
                               f"{d:.5f} at x = {at!r} exceeds {limit:.5f} (false-alarm rate 1e-6, "
                               f"n = {len(values)})")


# ---- random.seed-reproducible --------------------------------------------------------------------------

DRAWS = st.lists(st.tuples(st.sampled_from(("rand", "randn")), shapes(max_dims=2, max_side=4),
                           st.sampled_from((None, *FLOATS))), min_size=1, max_size=4)


@pytest.mark.rule("random.seed-reproducible")
@given(seed=SEEDS_32, draws=DRAWS)
def test_seed_reproducible(backend, device, seed, draws):
    case = Case(backend, "random.seed-reproducible", device)
    runs = []
    for _ in range(2):
        _seed(case, seed)
        runs.append([case.observe(_draw_text(kind, shape, dtype, device),
                                  lambda k=kind, s=shape, d=dtype: _draw(backend, k, s, d, device))
                     for kind, shape, dtype in draws])
    sequence = ", ".join(_draw_text(kind, shape, dtype, device) for kind, shape, dtype in draws)
    case.call_text = f"({{ns}}.manual_seed({seed}), {sequence}, {{ns}}.manual_seed({seed}), {sequence})"
    for n, (first, second) in enumerate(zip(*runs, strict=True)):
        kind, shape, dtype = draws[n]
        case.check(first.dtype == second.dtype and first.flat == second.flat,
                   f"draw {n + 1} of {len(draws)} ({kind}{shape}, {dtype or 'default dtype'}) differs after "
                   f"reseeding with {seed}: {[float(v) for v in first.flat[:4]]} then "
                   f"{[float(v) for v in second.flat[:4]]}")


# ---- random.seed-distinct --------------------------------------------------------------------------------

DISTINCT_N = 16  # two correct streams agree on 16 float32 draws with probability 2**-384


@pytest.mark.rule("random.seed-distinct")
@given(seeds=st.lists(SEEDS_32, min_size=2, max_size=2, unique=True))
@example(seeds=[0, 1])
@example(seeds=[1, 2**32 - 1])
@example(seeds=[7, 7 + 2**16])
def test_seed_distinct(backend, device, seeds):
    case = Case(backend, "random.seed-distinct", device, "float32")
    text = _draw_text("rand", (DISTINCT_N,), None, device)
    first = []
    for seed in seeds:
        _seed(case, seed)
        first.append(case.observe(text, lambda: _draw(backend, "rand", (DISTINCT_N,), None, device)).flat)
    case.call_text = (f"({{ns}}.manual_seed({seeds[0]}), {text}, {{ns}}.manual_seed({seeds[1]}), {text}, "
                      f"{text})")
    case.check(first[0] != first[1], f"seeds {seeds[0]} and {seeds[1]} gave the same {DISTINCT_N} draws: "
                                     f"{[float(v) for v in first[0][:4]]} ...")
    again = case.observe(text, lambda: _draw(backend, "rand", (DISTINCT_N,), None, device)).flat
    case.check(again != first[1], f"two successive draws after manual_seed({seeds[1]}) are equal: "
                                  f"{[float(v) for v in again[:4]]} ...")


# ---- random.seed-returns ------------------------------------------------------------------------------------


@pytest.mark.rule("random.seed-returns")
@given(seed=SEEDS_32)
@example(seed=42)  # the tutorial's torch.manual_seed(42)
def test_seed_returns_generator(backend, seed):
    case = Case(backend, "random.seed-returns", "cpu")
    generator = _seed(case, seed)
    got = case.run(f"{{ns}}.manual_seed({seed}).initial_seed()", lambda: backend.initial_seed(generator))
    case.check(got == seed, f"manual_seed({seed}) returned a generator whose initial_seed() is {got}")
    text = "{ns}.rand(8)"
    drawn = case.observe(text, lambda: backend.rand((8,))).flat
    # reseeding the returned object must restart the stream rand() draws from: it is the default generator
    case.run(f"g.manual_seed({seed})", lambda: backend.generator_manual_seed(generator, seed))
    again = case.observe(text, lambda: backend.rand((8,))).flat
    case.call_text = (f"(g := {{ns}}.manual_seed({seed}), a := {{ns}}.rand(8), g.manual_seed({seed}), "
                      "{ns}.rand(8), a)")
    case.check(again == drawn, "reseeding the generator manual_seed returned did not restart rand()'s stream: "
                               "it is not the default generator")
