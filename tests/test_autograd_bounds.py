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


# ---- the elementary functions' gradients (spec/autograd.md, autograd.elementary-grad) -------------------

def _reads(name: str, x) -> list[Fraction]:
    """Every float32 within N_ULPS ulp of r(x): the values a correct library may read for r(x)."""
    from tensorcts.reference import elementary as E
    from tensorcts.reference.unary import N_ULPS
    lo, hi = E.value_enclosure(name, float(x), F32)
    mid, ulp = (lo + hi) / 2, E.ulp_of(hi if abs(hi) >= abs(lo) else lo, F32)
    room = N_ULPS * ulp - (hi - lo)  # within N ulp of every point of the enclosure, so of r(x)
    return sorted({c for k in range(-2 * N_ULPS, 2 * N_ULPS + 1) for c in [rnd(mid + k * ulp / 2)]
                   if abs(c - mid) <= room})


def _evaluations_of(name: str, x: Fraction, g: Fraction) -> set[Fraction]:
    """Every float32 result of the formulas autograd.elementary-grad covers, over every read in class,
    each association, fused or not, division or reciprocal, as the spec lists them."""
    out: set[Fraction] = set()
    ys = _reads(name, x)
    if name == "exp":
        out |= {rnd(g * y) for y in ys}
    elif name == "expm1":
        out |= {rnd(g * rnd(y + 1)) for y in ys} | {rnd(g * e) for e in _reads("exp", x)}
    elif name == "log":
        out |= {rnd(g / x), rnd(g * rnd(1 / x))}
    elif name == "log1p":
        q = rnd(x + 1)
        out |= {rnd(g / q), rnd(g * rnd(1 / q))}
    elif name == "sqrt":
        out |= {rnd(g / rnd(2 * y)) for y in ys} | {rnd(g * rnd(Fraction(1, 2) / y)) for y in ys}
        out |= {rnd(rnd(g / 2) * p) for p in _reads("rsqrt", x)}
    elif name == "sin":
        out |= {rnd(g * c) for c in _reads("cos", x)}
    elif name == "cos":
        out |= {rnd(g * -s) for s in _reads("sin", x)} | {-rnd(g * s) for s in _reads("sin", x)}
    elif name == "tanh":
        for y in ys:
            out |= {rnd(g * rnd(1 - rnd(y * y))), rnd(g * rnd(1 - y * y)),  # 1 - y*y unfused and fused
                    rnd(rnd(g + rnd(g * y)) * rnd(1 - y))}
        out |= {rnd(g / rnd(c * c)) for c in _reads("cosh", x)}
        for s1, s2 in itertools.product(_reads("sigmoid", 2 * x), _reads("sigmoid", -2 * x)):
            out |= {rnd(rnd(4 * g) * rnd(s1 * s2)), rnd(rnd(rnd(4 * g) * s1) * s2), rnd(g * rnd(4 * rnd(s1 * s2)))}
    else:  # sigmoid
        for y in ys:
            out |= {rnd(rnd(g * rnd(1 - y)) * y), rnd(g * rnd(rnd(1 - y) * y)), rnd(rnd(g * y) * rnd(1 - y))}
            out |= {rnd(g * rnd(y * s)) for s in _reads("sigmoid", -x)}
    return out


ELEMENTARY_POINTS = {  # moderate values and each formula's hard region
    "exp": [0.5, -3.25, 10.0, 2.0 ** -30], "expm1": [0.5, -3.25, 2.0 ** -20, 1e-3],
    "log": [0.5, 3.0, 1.0 + 2.0 ** -20, 1e6], "log1p": [0.5, -0.75, -1 + 2.0 ** -12, 2.0 ** -30],
    "sqrt": [0.5, 3.0, 2.0 ** -40, 1e6], "sin": [0.5, -3.0, 1.5703125, 1e4], "cos": [0.5, -3.0, 3.140625, 1e-5],
    "tanh": [0.5, -3.0, 6.5, 9.5, 2.0 ** -20], "sigmoid": [0.5, -3.0, 12.0, -30.0],
}


def _elementary_grad(name: str, x: Fraction, g: Fraction) -> tuple[Fraction, Fraction]:
    leaf = _exact([x]).requires_grad_()
    getattr(R, name)(leaf).backward(_exact([g]))
    return leaf.grad.values()[0], Fraction(leaf.grad.errs()[0])


@pytest.mark.parametrize("name", sorted(ELEMENTARY_POINTS))
def test_elementary_grad_bound_holds_for_every_covered_evaluation(name):
    for x in ELEMENTARY_POINTS[name]:
        for g in (Fraction(1), rnd(Fraction(-0.7))):
            x = rnd(x)
            exact, bound = _elementary_grad(name, x, g)
            worst = max(abs(v - exact) for v in _evaluations_of(name, x, g))
            assert worst <= bound, (name, float(x), float(worst), float(bound))


@pytest.mark.parametrize(("name", "x"), [("exp", 0.5), ("sin", 0.5), ("tanh", 6.5), ("tanh", 9.5),
                                         ("sigmoid", 12.0), ("sqrt", 3.0)])
def test_elementary_grad_bound_is_tight(name, x):
    """Some covered evaluation, with reads a correct forward may return, uses most of the bound: at
    least 60 % of it where one read dominates (the farthest float32 within 4 ulp is at least 3.5 ulp away)."""
    x = rnd(x)
    exact, bound = _elementary_grad(name, x, Fraction(1))
    worst = max(abs(v - exact) for v in _evaluations_of(name, x, Fraction(1)))
    assert worst >= bound * Fraction(6, 10), (name, x, float(worst), float(bound))


def test_elementary_grad_rejects_a_dropped_factor():
    """tanh's backward as g*(1 - y) (the mutant TanhBackwardDropsFactor) is far outside the bound at
    moderate x, and inside it only where the derivative is below the absolute part of the bound."""
    for x, caught in ((0.5, True), (-3.0, True), (6.5, True), (12.0, False)):
        x = rnd(x)
        exact, bound = _elementary_grad("tanh", x, Fraction(1))
        wrong = {rnd(1 - y) for y in _reads("tanh", x)}
        assert all(abs(w - exact) > bound for w in wrong) == caught, (x, float(bound))
