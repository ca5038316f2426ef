"""Hypothesis strategies shared by the suites: dtypes, shapes, values in the safe band, tensors.

Values stay in docs/design.md's domain: finite, zero or of magnitude in a band where no
intermediate result of a capped example overflows or becomes subnormal, and
integers small enough never to wrap.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from fractions import Fraction
from functools import cache, partial, wraps

import tensorcts.reference as R
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, numel_of

MAX_NUMEL = 256  # cost cap: elements per tensor
MAX_MACS = 4096  # cost cap: multiply-adds per matmul

#: magnitude band per float dtype: 2**-e .. 2**e (docs/design.md, "Domain")
BAND_EXPONENT = {"float32": 30, "float64": 60}
INT_LIMIT = 1000  # |int| <= 1000: products of sums of capped examples fit int32


def reused(factory: Callable[..., st.SearchStrategy]) -> Callable[..., st.SearchStrategy]:
    """``factory``, building one strategy per distinct argument tuple and handing it out again.

    Hypothesis validates every new strategy object when it is first drawn from; in tests that
    build their strategies per example that validation cost more than the drawing
    (docs/benchmarks.md). Arguments must be values (strings, numbers, tuples of them, the
    session's backend, cached strategies); an unhashable one (a list) gets a fresh strategy.
    """
    built: dict = {}

    @wraps(factory)
    def strategy(*args, **kwargs) -> st.SearchStrategy:
        key = _exact_key((args, tuple(sorted(kwargs.items()))))
        try:
            return built[key]
        except KeyError:
            built[key] = made = factory(*args, **kwargs)
            return made
        except TypeError:  # unhashable
            return factory(*args, **kwargs)
    return strategy


def _exact_key(value):
    """``value`` as a key that tells apart what ``==`` does not: 1, 1.0 and True; 0.0 and -0.0."""
    if isinstance(value, tuple):
        return tuple, tuple(_exact_key(v) for v in value)
    if isinstance(value, float):
        return float, repr(value)  # keeps the sign of zero, and nan equal to itself
    return type(value), value


@reused
def sampled(options: tuple) -> st.SearchStrategy:
    """``st.sampled_from(options)``, built once per tuple of options."""
    return st.sampled_from(options)


def offered(backend, operations: tuple[str, ...]) -> tuple[str, ...]:
    """The adapter methods among ``operations`` that the adapter offers (all of them where it offers
    none, so the test still ends unsupported, naming one). A test that draws its operation must draw
    from these: an example that drew a missing one would end the whole test as unsupported, hiding
    what the others show, on some seeds and not others (tinygrad lacks fill_ and Tensor(*sizes))."""
    return tuple(op for op in operations if backend.offers(op)) or operations


@cache  # the same strategy object each time: Hypothesis validates a new one on every draw
def _unflushed_floats(dtype: str, limit_exponent: int | None = None) -> st.SearchStrategy:
    e = limit_exponent or BAND_EXPONENT[dtype]
    width = 32 if dtype == "float32" else 64
    return st.floats(-(2.0 ** e), 2.0 ** e, width=width, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False)


def _flush(x: float, dtype: str) -> float:
    """A magnitude below the band (2**-BAND_EXPONENT) becomes 0: no product of two band values underflows."""
    return 0.0 if abs(x) < 2.0 ** -BAND_EXPONENT[dtype] else x


def _flushed(values: list, dtype: str) -> list:
    return [_flush(x, dtype) for x in values]


@cache
def float_values(dtype: str, limit_exponent: int | None = None) -> st.SearchStrategy:
    return _unflushed_floats(dtype, limit_exponent).map(partial(_flush, dtype=dtype))


@cache
def values_of(dtype: str, int_limit: int = INT_LIMIT, float_exponent: int | None = None) -> st.SearchStrategy:
    if dtype == "bool":
        return st.booleans()
    if dtype in ("int32", "int64"):
        return st.integers(-int_limit, int_limit)
    return float_values(dtype, float_exponent)


@cache
def value_lists(dtype: str, n: int, int_limit: int = INT_LIMIT, float_exponent: int | None = None) -> st.SearchStrategy:
    """n values of ``values_of``. Floats are flushed once per list, not through a map per element: the same
    choices and values, without a strategy draw per element (Hypothesis's per-draw cost, docs/benchmarks.md)."""
    if dtype in ("bool", "int32", "int64"):
        return st.lists(values_of(dtype, int_limit), min_size=n, max_size=n)
    return st.lists(_unflushed_floats(dtype, float_exponent), min_size=n, max_size=n).map(
        partial(_flushed, dtype=dtype))


#: the run's shape pool (``use_shape_pool``): its size (None: no pool) and the seed it is drawn from
_SHAPE_POOL: dict = {"size": None, "seed": 0}


def use_shape_pool(size: int | None, seed: int | str) -> None:
    """Draw shapes from a pool of ``size`` per kind of shape, chosen from ``seed`` (the plugin calls
    this with the adapter's ``shape_pool`` and the run's seed, so a replayed seed has the same pool)."""
    _SHAPE_POOL.update(size=size, seed=seed)
    shapes.cache_clear()


@cache
def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 0, max_side: int = 5,
           max_numel: int = MAX_NUMEL) -> st.SearchStrategy:
    if _SHAPE_POOL["size"]:
        return st.sampled_from(pooled_shapes(_SHAPE_POOL["size"], _SHAPE_POOL["seed"], min_dims, max_dims,
                                             min_side, max_side, max_numel))
    return st.lists(st.integers(min_side, max_side), min_size=min_dims, max_size=max_dims).map(
        tuple).filter(lambda s: numel_of(s) <= max_numel)


def pooled_shapes(size: int, seed: int | str, min_dims: int, max_dims: int, min_side: int, max_side: int,
                  max_numel: int) -> list[tuple[int, ...]]:
    """``size`` shapes within the bounds: every rank, an eighth of them empty, simplest first (where
    shrinking goes)."""
    every = [s for n in range(min_dims, max_dims + 1) for s in itertools.product(range(min_side, max_side + 1), repeat=n)
             if numel_of(s) <= max_numel]
    empty = [s for s in every if numel_of(s) == 0]
    by_rank: dict[int, list] = {}
    for s in every:
        if numel_of(s):
            by_rank.setdefault(len(s), []).append(s)
    rnd = random.Random(f"{seed}/{min_dims}/{max_dims}/{min_side}/{max_side}/{max_numel}")  # str: no hash salt
    pool = set(rnd.sample(empty, min(len(empty), max(1, size // 8))))
    ranks = sorted(by_rank)
    for turn in range(size * len(ranks)):  # ranks in turn, so that even a small pool has each rank
        left = [s for s in by_rank[ranks[turn % len(ranks)]] if s not in pool]
        if len(pool) >= size:
            break
        if left:
            pool.add(rnd.choice(left))
    return sorted(pool, key=lambda s: (len(s), numel_of(s), s))


def exact_tensor(values: list, shape, dtype: str) -> Tensor:
    """An oracle tensor over generated (representable) values."""
    d = R.BY_NAME[dtype]
    if d.is_floating:
        values = [Fraction(v) for v in values]
    return Tensor.from_flat(list(values), tuple(shape), d, exact=True)


@reused
@st.composite
def tensors(draw, dtype: str, shape, **value_options) -> Tensor:
    values = draw(value_lists(dtype, numel_of(shape), **value_options))
    return exact_tensor(values, shape, dtype)


@reused
@st.composite
def broadcastable_shapes(draw, shape: tuple[int, ...], max_dims: int = 4) -> tuple[int, ...]:
    """A shape that broadcasts with ``shape``: trailing sizes equal or 1, leading dims free."""
    ndim = draw(st.integers(0, max_dims))
    out = []
    for i in range(1, ndim + 1):
        if i <= len(shape):
            out.append(draw(sampled((shape[-i], 1))))
        else:
            out.append(draw(st.integers(1, 3)))
    result = tuple(reversed(out))
    full = R.broadcasting.broadcast_shapes(shape, result)
    if numel_of(full) > MAX_NUMEL:
        return tuple(1 for _ in result)
    return result


@cache
def dtype_names(backend, device: str, kinds: str = "bif") -> list[str]:
    """The backend's dtypes on ``device`` of the given kinds (b bool, i integer, f float: float32 and float64,
    the half dtypes being spec/half.md's)."""
    kind_of = {"bool": "b", "int32": "i", "int64": "i", "float32": "f", "float64": "f"}
    return [d for d in backend.dtypes(device) if kind_of.get(d) in kinds]


def dtypes(backend, device: str, kinds: str = "bif") -> st.SearchStrategy:
    """A dtype of ``dtype_names``."""
    return st.sampled_from(dtype_names(backend, device, kinds))


@reused
@st.composite
def operand_pair(draw, backend, device: str, kinds: str = "if", nonzero_b: bool = False,
                 same_dtype: bool = False, **value_options):
    """Two oracle tensors of broadcast-compatible shapes (sizes 0 and 1 included)."""
    dtype_a = draw(dtypes(backend, device, kinds))
    dtype_b = dtype_a if same_dtype else draw(st.one_of(st.just(dtype_a), dtypes(backend, device, kinds)))
    shape_a = draw(shapes())
    shape_b = draw(broadcastable_shapes(shape_a))
    if draw(st.booleans()):
        shape_a, shape_b = shape_b, shape_a
    a = draw(tensors(dtype_a, shape_a, **value_options))
    n = numel_of(shape_b)
    if nonzero_b:
        values_b = values_of(dtype_b, **value_options).filter(lambda v: v != 0)
        b = exact_tensor(draw(st.lists(values_b, min_size=n, max_size=n)), shape_b, dtype_b)
    else:
        b = exact_tensor(draw(value_lists(dtype_b, n, **value_options)), shape_b, dtype_b)
    return a, b


@cache
def python_scalars(kinds: str = "bif", nonzero: bool = False) -> st.SearchStrategy:
    options = []
    if "b" in kinds:
        options.append(st.booleans())
    if "i" in kinds:
        options.append(st.integers(-INT_LIMIT, INT_LIMIT))
    if "f" in kinds:
        options.append(float_values("float64", limit_exponent=30))
    strategy = st.one_of(options)
    return strategy.filter(lambda v: v != 0) if nonzero else strategy
