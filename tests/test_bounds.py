"""The reference's error bounds against brute force in real IEEE float32 arithmetic.

Every bound must hold for every evaluation a backend may use (all summation orders
and trees, fused multiply-add, a wider accumulator, division or a rounded
reciprocal), and must be tight: on constructed worst cases the observed error is at
least a stated fraction of the bound. The evaluations use numpy.float32 scalars
(IEEE single arithmetic), here in the test only, never in reference/.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import tensorcts.reference as R
from tensorcts.reference.exact import round_float
from tensorcts.reference.tensor import Tensor

F32 = np.float32
U = Fraction(1, 2**24)


def exact(values, dtype="float32", shape=None) -> Tensor:
    values = [Fraction(float(v)) for v in values]
    return Tensor.from_flat(values, (len(values),) if shape is None else shape, R.BY_NAME[dtype], exact=True)


def error(observed, value) -> Fraction:
    return abs(Fraction(float(observed)) - value)


def band_values(rng: random.Random, n: int, spread: int = 20) -> list:
    """float32 values of mixed signs and magnitudes 2^-spread..2^spread, some repeated negated."""
    out = []
    for _ in range(n):
        if out and rng.random() < 0.25:
            out.append(-rng.choice(out))  # cancellation
        else:
            out.append(F32(rng.choice((1, -1)) * rng.uniform(1, 2) * 2.0 ** rng.randint(-spread, spread)))
    return out


# ---- evaluation strategies a backend may use ------------------------------------------------------


def seq_sum(xs, add=lambda a, b: a + b):
    total = xs[0]
    for x in xs[1:]:
        total = add(total, x)
    return total


def tree_sum(xs, rng: random.Random):
    """A random binary tree of float32 additions over xs (in the given order)."""
    if len(xs) == 1:
        return xs[0]
    cut = rng.randint(1, len(xs) - 1)
    return tree_sum(xs[:cut], rng) + tree_sum(xs[cut:], rng)


def pairwise_sum(xs):
    if len(xs) == 1:
        return xs[0]
    mid = len(xs) // 2
    return pairwise_sum(xs[:mid]) + pairwise_sum(xs[mid:])


def wide_sum(xs):
    """Accumulate in float64, round once to float32 (a wider accumulator)."""
    return F32(seq_sum([np.float64(x) for x in xs]))


def sum_evaluations(xs, rng: random.Random, count: int = 60):
    """Sums of xs (float32 scalars) in many orders and trees."""
    yield seq_sum(xs)
    yield pairwise_sum(xs)
    yield wide_sum(xs)
    yield np.sum(np.array(xs, dtype=np.float32))
    for _ in range(count):
        order = xs[:]
        rng.shuffle(order)
        yield seq_sum(order) if rng.random() < 0.5 else tree_sum(order, rng)


def fma(a, b, c):
    """float32 fused multiply-add: a*b + c rounded once (exact value, then one rounding)."""
    return F32(float(round_float(Fraction(float(a)) * Fraction(float(b)) + Fraction(float(c)), R.float32)))


def dot_evaluations(xs, ys, rng: random.Random, count: int = 60):
    products = [x * y for x, y in zip(xs, ys, strict=True)]
    yield from sum_evaluations(products, rng, count)
    for _ in range(count // 4):  # FMA chains in random orders
        pairs = list(zip(xs, ys, strict=True))
        rng.shuffle(pairs)
        total = F32(0)
        for x, y in pairs:
            total = fma(x, y, total)
        yield total
    yield F32(np.dot(np.array(xs, dtype=np.float64), np.array(ys, dtype=np.float64)))  # wide accumulator


# ---- sum ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_sum_bound_holds_in_every_order(seed):
    rng = random.Random(seed)
    for n in (2, 3, 5, 8, 13, 32):
        xs = band_values(rng, n)
        expected = R.sum(exact(xs))
        value, bound = expected.values()[0], Fraction(expected.errs()[0])
        for observed in sum_evaluations(xs, rng):
            assert error(observed, value) <= bound, (xs, observed)


def test_sum_bound_holds_in_float64():
    rng = random.Random(7)
    for n in (2, 5, 17):
        xs = [float(rng.choice((1, -1)) * rng.uniform(1, 2) * 2.0 ** rng.randint(-40, 40)) for _ in range(n)]
        expected = R.sum(exact(xs, "float64"))
        value, bound = expected.values()[0], Fraction(expected.errs()[0])
        for _ in range(200):
            rng.shuffle(xs)
            assert error(tree_sum(xs, rng), value) <= bound


@pytest.mark.parametrize("n", [3, 8, 16, 64])
def test_sum_bound_is_tight(n):
    """1 followed by n-1 copies of u: left to right, every addition rounds back to 1 (a tie, to even)."""
    xs = [F32(1)] + [F32(2.0**-24)] * (n - 1)
    expected = R.sum(exact(xs))
    observed = seq_sum(xs)
    assert observed == 1
    ratio = error(observed, expected.values()[0]) / Fraction(expected.errs()[0])
    assert ratio >= Fraction(99, 100)  # the error is (n-1)u, the bound gamma_(n-1)(1 + (n-1)u)


# ---- dot product ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_dot_bound_holds_for_every_order_and_fma(seed):
    rng = random.Random(100 + seed)
    for k in (1, 2, 3, 7, 16):
        xs, ys = band_values(rng, k, 12), band_values(rng, k, 12)
        expected = R.matmul(exact(xs), exact(ys))
        value, bound = expected.values()[0], Fraction(expected.errs()[0])
        for observed in dot_evaluations(xs, ys, rng):
            assert error(observed, value) <= bound, (xs, ys, observed)


@pytest.mark.parametrize("k", [2, 8, 16])
def test_dot_bound_is_tight(k):
    """a = 1s, b = [1, u, ..., u]: the error (k-1)u against the bound gamma_k(1 + (k-1)u)."""
    xs, ys = [F32(1)] * k, [F32(1)] + [F32(2.0**-24)] * (k - 1)
    expected = R.matmul(exact(xs), exact(ys))
    observed = seq_sum([x * y for x, y in zip(xs, ys, strict=True)])
    ratio = error(observed, expected.values()[0]) / Fraction(expected.errs()[0])
    assert ratio >= Fraction(k - 1, k) * Fraction(99, 100)


def test_dot_k0_bound_is_zero():
    expected = R.matmul(exact([]), exact([]))
    assert expected.values() == [0] and expected.errs() == [0.0]


# ---- mean ---------------------------------------------------------------------------------------------


def mean_evaluations(xs, rng: random.Random):
    n = F32(len(xs))
    reciprocal = F32(1) / n  # a rounded 1/n, as some GPU kernels use
    for s in sum_evaluations(xs, rng, 30):
        yield s / n
        yield s * reciprocal


@pytest.mark.parametrize("seed", range(4))
def test_mean_bound_holds_for_division_and_reciprocal(seed):
    rng = random.Random(200 + seed)
    for n in (1, 2, 3, 7, 10, 33):
        xs = band_values(rng, n)
        expected = R.mean(exact(xs))
        value, bound = expected.values()[0], Fraction(expected.errs()[0])
        for observed in mean_evaluations(xs, rng):
            assert error(observed, value) <= bound, (xs, observed)


def test_mean_bound_is_tight():
    """The sum's worst case (1 then u's), then a division by n = 15."""
    n = 15
    xs = [F32(1)] + [F32(2.0**-24)] * (n - 1)
    expected = R.mean(exact(xs))
    worst = max(error(seq_sum(xs) / F32(n), expected.values()[0]),
                error(seq_sum(xs) * (F32(1) / F32(n)), expected.values()[0]))
    assert worst / Fraction(expected.errs()[0]) >= Fraction(4, 5)  # about (n-1)/(n+1); 0.82 here


# ---- add / mul / div chains ---------------------------------------------------------------------------

OPS = {"add": (R.add, lambda a, b: a + b), "sub": (R.sub, lambda a, b: a - b),
       "mul": (R.mul, lambda a, b: a * b), "div": (R.div, lambda a, b: a / b)}


def run_chain(rng: random.Random, length: int):
    """A random chain x0 op1 x1 op2 x2 ..., evaluated in the oracle and in float32."""
    start = F32(rng.uniform(0.5, 2) * rng.choice((1, -1)))
    oracle, observed = exact([start]), start
    for _ in range(length):
        name = rng.choice(sorted(OPS))
        operand = F32(rng.uniform(0.5, 2) * rng.choice((1, -1)) * 2.0 ** rng.randint(-3, 3))
        if rng.random() < 0.2:  # a Python float operand: converted to float32 first (u|s| allowed)
            scalar = float(operand) * (1 + 2.0**-30)
            oracle, observed = OPS[name][0](oracle, scalar), OPS[name][1](observed, F32(scalar))
        else:
            oracle, observed = OPS[name][0](oracle, exact([operand])), OPS[name][1](observed, operand)
    return oracle, observed


def test_chain_bounds_hold():
    rng = random.Random(300)
    for _ in range(2000):
        oracle, observed = run_chain(rng, rng.randint(1, 6))
        assert error(observed, oracle.values()[0]) <= Fraction(oracle.errs()[0])


def test_add_bound_is_tight():
    """1 + u/2... a tie: the only rounding loses u, the bound is u(1 + u)."""
    oracle = R.add(exact([1.0]), exact([2.0**-24]))
    observed = F32(1) + F32(2.0**-24)
    assert error(observed, oracle.values()[0]) / Fraction(oracle.errs()[0]) >= Fraction(99, 100)


def test_chain_bound_is_tight():
    """(1 + u) * 3: the add's error is carried, tripled, by the exact-looking product.

    The bound also allows the product's own rounding (another 3u), which does not
    happen here, so at least half the bound is observed.
    """
    oracle = R.mul(R.add(exact([1.0]), exact([2.0**-24])), exact([3.0]))
    observed = (F32(1) + F32(2.0**-24)) * F32(3)
    assert error(observed, oracle.values()[0]) / Fraction(oracle.errs()[0]) >= Fraction(49, 100)


def test_div_and_mul_bounds_are_tight():
    """Over many exact operands one rounding comes within 10% of the bound u|x op y|."""
    rng = random.Random(400)
    for name in ("mul", "div"):
        best = Fraction(0)
        for _ in range(3000):
            x, y = F32(rng.uniform(1, 2)), F32(rng.uniform(1, 2))
            oracle = OPS[name][0](exact([x]), exact([y]))
            observed = OPS[name][1](x, y)
            best = max(best, error(observed, oracle.values()[0]) / Fraction(oracle.errs()[0]))
        assert best >= Fraction(9, 10), name


# ---- pow ----------------------------------------------------------------------------------------------


def pow_evaluations(x, k: int):
    """x**k as every product tree of k factors a backend might use, and as a rounded exact power."""
    if k == 0:
        yield F32(1)
        return
    yield seq_sum([x] * k, lambda a, b: a * b)
    if k == 4:
        square = x * x
        yield square * square
        yield x * (x * (x * x))
    if k == 3:
        yield x * (x * x)
    yield F32(float(round_float(Fraction(float(x)) ** k, R.float32)))  # a correctly rounded powf
    yield F32(np.float64(x) ** k)  # via double: two roundings


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
def test_pow_bound_holds(k):
    rng = random.Random(500 + k)
    for _ in range(500):
        x = F32(rng.uniform(0.5, 2) * rng.choice((1, -1)) * 2.0 ** rng.randint(-6, 6))
        oracle = R.pow(exact([x]), k)
        for observed in pow_evaluations(x, k):
            assert error(observed, oracle.values()[0]) <= Fraction(oracle.errs()[0]), (x, k, observed)


@pytest.mark.parametrize("k, fraction", [(2, Fraction(9, 10)), (3, Fraction(4, 5)), (4, Fraction(3, 4))])
def test_pow_bound_is_tight(k, fraction):
    """The largest error of left-to-right products over many x is a good part of the bound."""
    rng = random.Random(600 + k)
    best = Fraction(0)
    for _ in range(3000):
        x = F32(rng.uniform(1, 2))
        oracle = R.pow(exact([x]), k)
        observed = seq_sum([x] * k, lambda a, b: a * b)
        best = max(best, error(observed, oracle.values()[0]) / Fraction(oracle.errs()[0]))
    assert best >= fraction, float(best)
