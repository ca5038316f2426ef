"""The backward bounds hold on brute-forced evaluation orders and are tight on constructed worst cases.

Evaluation is simulated in float32 with exact rounding (reference.exact.round_float), so
every association, every division done as a multiplication by a rounded reciprocal,
and every summation order can be enumerated.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
import tensorcts.reference as R
from tensorcts.reference.autograd import _sum_terms, product
from tensorcts.reference.exact import round_float
from tensorcts.reference.matmul import matmul_grad_b
from tensorcts.reference.tensor import Tensor

F32 = R.float32
U = Fraction(1, 2 ** 24)


def rnd(x) -> Fraction:
    return round_float(Fraction(x), F32)


def _exact(values, errs=None, shape=None) -> Tensor:
    values = [Fraction(v) for v in values]
    return Tensor.from_flat(values, shape or (len(values),), F32, exact=True, err=errs,
                            accuracy="bounded" if errs else "exact")


def _ulp(v: Fraction) -> Fraction:
    from tensorcts.reference.exact import _floor_log2
    return Fraction(2) ** (_floor_log2(abs(v).numerator, abs(v).denominator) - 23) if v else Fraction(0)


def _evaluations(items: tuple) -> set:
    """Every float32 value of a product/quotient tree over items ((value, 'num'|'den'), ...)."""
    if len(items) == 1:
        value, kind = items[0]
        return {(value, kind), (rnd(1 / value), "num")} if kind == "den" else {(value, kind)}
    out = set()
    n = len(items)
    for mask in range(1, 2 ** n - 1):
        if not mask & 1:  # each split once
            continue
        left = tuple(items[i] for i in range(n) if mask >> i & 1)
        right = tuple(items[i] for i in range(n) if not mask >> i & 1)
        for (x, kx), (y, ky) in itertools.product(_evaluations(left), _evaluations(right)):
            for (p, kp), (q, kq) in (((x, kx), (y, ky)), ((y, ky), (x, kx))):
                if kp == kq:
                    out.add((rnd(p * q), kp))  # two numerators, or a product of divisors
                elif kp == "num":
                    out.add((rnd(p / q), "num"))
    return out


def _check_product(num, den, coeff, errs_num, errs_den, perturb: int) -> tuple[Fraction, float]:
    """The worst error over every evaluation order of perturbed operands, and the bound."""
    tensors = [_exact([v], [e] if e else None) for v, e in zip(num, errs_num, strict=True)]
    divisors = [_exact([v], [e] if e else None) for v, e in zip(den, errs_den, strict=True)]
    result = product(*tensors, over=divisors, coeff=coeff)
    exact, bound = result.values()[0], result.errs()[0]
    worst = Fraction(0)
    signs = list(itertools.product((-1, 0, 1), repeat=len(num) + len(den)))
    for choice in random.Random(perturb).sample(signs, min(len(signs), 6)):
        items = [(v + s * Fraction(e), "num") for v, e, s in zip(num, errs_num, choice, strict=False)]
        items += [(v + s * Fraction(e), "den")
                  for v, e, s in zip(den, errs_den, choice[len(num):], strict=True)]
        if coeff not in (1, -1):
            items.append((Fraction(coeff), "num"))
        for value, kind in _evaluations(tuple(items)):
            if kind == "num":
                worst = max(worst, abs(value * (1 if coeff != -1 else -1) - exact))
    return worst, bound


@pytest.mark.parametrize("num_count,den_count,coeff", [(2, 0, 1), (1, 1, 1), (2, 2, -1), (3, 0, 3), (4, 0, 2),
                                                       (1, 1, 1)])
def test_product_bound_holds_for_every_evaluation_order(num_count, den_count, coeff):
    rng = random.Random(num_count * 10 + den_count)
    for trial in range(8):
        num = [rnd(Fraction(rng.uniform(-8, 8))) for _ in range(num_count)]
        den = [rnd(Fraction(rng.choice([-1, 1]) * rng.uniform(0.25, 8))) for _ in range(den_count)]
        # bounds of whole ulps, so the perturbed operands v +- e are float32 values
        errs_num = [0.0] + [float(_ulp(v) * rng.choice([0, 1, 3])) for v in num[1:]]
        errs_den = [float(_ulp(v) * rng.choice([0, 2])) for v in den]
        worst, bound = _check_product(num, den, coeff, errs_num, errs_den, trial)
        assert worst <= Fraction(bound), (num, den, coeff, float(worst), bound)


def test_product_bound_is_tight_on_a_midpoint():
    """g * b with the exact product on a rounding tie: the error is u*|v| (to first order), the bound gamma_1*|v|."""
    g = b = 1 + Fraction(1, 2 ** 12)
    v = g * b  # 1 + 2^-11 + 2^-24: a tie between two float32 neighbours
    result = product(_exact([g]), _exact([b]))
    error = abs(rnd(v) - v)
    assert error == U
    assert Fraction(result.errs()[0]) <= error * Fraction(101, 100) * v  # tight within 1 %


@pytest.mark.parametrize("n", [3, 5, 7, 10])
def test_mean_backward_covers_division_and_reciprocal(n):
    rng = random.Random(n)
    for _ in range(50):
        g = rnd(Fraction(rng.uniform(-4, 4)))
        result = product(_exact([g]), over=(n,))
        exact, bound = result.values()[0], Fraction(result.errs()[0])
        assert abs(rnd(g / n) - exact) <= bound
        assert abs(rnd(g * rnd(Fraction(1, n))) - exact) <= bound


def _sums_in_every_order(values: list) -> set:
    if len(values) == 1:
        return {values[0]}
    out = set()
    for i, j in itertools.combinations(range(len(values)), 2):
        rest = [v for k, v in enumerate(values) if k not in (i, j)]
        out |= _sums_in_every_order(rest + [rnd(values[i] + values[j])])
    return out


def test_gradients_meeting_at_a_tensor_any_order():
    rng = random.Random(7)
    for _ in range(20):
        xs = [rnd(Fraction(rng.uniform(-100, 100))) for _ in range(4)]
        total = _sum_terms([_exact([x]) for x in xs])
        exact, bound = total.values()[0], Fraction(total.errs()[0])
        assert all(abs(s - exact) <= bound for s in _sums_in_every_order(xs))


def test_matmul_grad_covers_folded_and_per_batch_sums():
    """d(a @ b)/db for a batched a (2, 2, 3) and a 2-D b: a dot product of length 4 per element,
    whether evaluated as one long dot product (batch folded) in any order or as two dots then summed."""
    rng = random.Random(3)
    a_vals = [rnd(Fraction(rng.uniform(-4, 4))) for _ in range(12)]
    g_vals = [rnd(Fraction(rng.uniform(-4, 4))) for _ in range(8)]
    a = _exact(a_vals, shape=(2, 2, 3))
    b = _exact([rnd(Fraction(rng.uniform(-4, 4))) for _ in range(6)], shape=(3, 2))
    g = _exact(g_vals, shape=(2, 2, 2))
    grad = matmul_grad_b(a, b, g)
    assert grad.shape == (3, 2)
    for t, j in itertools.product(range(3), range(2)):
        terms = [(a_vals[(p * 2 + i) * 3 + t], g_vals[(p * 2 + i) * 2 + j]) for p in range(2) for i in range(2)]
        exact, bound = grad.values()[t * 2 + j], Fraction(grad.errs()[t * 2 + j])
        products = [rnd(x * y) for x, y in terms]
        for s in _sums_in_every_order(products):  # one long dot product, any order
            assert abs(s - exact) <= bound
        per_batch = [rnd(rnd(products[0]) + products[1]), rnd(rnd(products[2]) + products[3])]
        assert abs(rnd(per_batch[0] + per_batch[1]) - exact) <= bound
        fma = rnd(terms[0][0] * terms[0][1] + products[1])  # a fused multiply-add step
        assert abs(rnd(rnd(fma + products[2]) + products[3]) - exact) <= bound
