"""Correctly rounded elementary functions (spec/elementary.md), standard library only.

Each function encloses the exact value f(x) in an interval [lo, hi] of exact
fractions computed with fixed-point integer arithmetic of W bits and a proven
bound on every truncation (comments give the bound). Rounding is monotone, so
when lo and hi round to the same float, that float is the correctly rounded
f(x); otherwise W doubles. The only inputs where f(x) is exactly a float or a
midpoint between two floats are the ones handled before the loop (f(0), log(1),
sigmoid(0) = 1/2, exact square roots): for every other float x, exp, log, sin,
cos, tanh and sigmoid of x are transcendental (Lindemann-Weierstrass), so the
loop ends. ``MAX_BITS`` guards against a bug turning into an endless loop.

Scalars in and out are Python floats (exact for float16/bfloat16/float32/float64
values); the result carries NaN, infinities and the sign of zero as IEEE 754 says.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from functools import cache

from .dtypes import DType
from .exact import _floor_log2, round_float

MAX_BITS = 1 << 16
Interval = tuple[Fraction, Fraction]
NAN, INF = math.nan, math.inf
LN2_ABOVE = Fraction(6932, 10000)  # > ln 2: thresholds built with it are safe in one direction
LN2_BELOW = Fraction(6931, 10000)  # < ln 2


# ---- constants in fixed point: m with |c * 2**W - m| <= err ------------------------------------
@cache
def _ln2(w: int) -> tuple[int, int]:
    # ln 2 = sum_k 1/(k 2^k); each term is an exact floor (error < 1), the tail after w terms < 1
    return sum(((1 << w) >> k) // k for k in range(1, w + 1)), w + 1


def _atan_inv(n: int, w: int) -> tuple[int, int]:
    # atan(1/n) = sum_j (-1)^j / ((2j+1) n^(2j+1)); floor(floor(a)/b) = floor(a/b), so each term
    # is an exact floor (error < 1); the alternating tail is below the first zero term (< 1)
    total, power, j, sign = 0, (1 << w) // n, 0, 1
    while power:
        total += sign * (power // (2 * j + 1))
        power //= n * n
        j, sign = j + 1, -sign
    return total, j + 1


@cache
def _half_pi(w: int) -> tuple[int, int]:
    # pi/2 = 8 atan(1/5) - 2 atan(1/239) (Machin)
    a, ea = _atan_inv(5, w)
    b, eb = _atan_inv(239, w)
    return 8 * a - 2 * b, 8 * ea + 2 * eb


def _fixed(x: Fraction, w: int) -> int:
    """floor(x * 2**w): error below 1 unit."""
    return (x.numerator << w) // x.denominator


def _tdiv(a: int, d: int) -> int:
    """a/d truncated toward zero (error < 1): unlike floor, a tiny negative quotient becomes 0."""
    q = abs(a) // d
    return -q if a < 0 else q


def _interval(m: int, err: int, w: int, shift: int = 0) -> Interval:
    scale = Fraction(2) ** (shift - w)
    return (m - err) * scale, (m + err) * scale


# ---- series on small arguments -------------------------------------------------------------
def _exp_series(r: int, w: int, skip_one: bool) -> tuple[int, int]:
    """sum r^n/n! (from n = 1 when skip_one) for |r| <= 2**w/2: each term is a floor of the previous
    times r/n, error <= 1 + (previous error)/2 <= 2; the tail once a term is 0 is below 2 units."""
    assert abs(r) <= 1 << (w - 1), "argument reduction left |r| > 1/2"
    one = 1 << w
    term, n = (r, 1) if skip_one else (one, 0)
    total = 0
    while term:
        total += term
        n += 1
        term = _tdiv(term * r, one * n)
    return total, 2 * n + 4


def _sin_cos_series(r: int, w: int, odd: bool) -> tuple[int, int]:
    """sin (odd) or cos of r/2**w for |r| < 0.8 * 2**w: Taylor terms, each error <= 3.4, tail < next term."""
    one = 1 << w
    term, n = (r, 1) if odd else (one, 0)
    total = 0
    while term:
        total += term
        term = -_tdiv(_tdiv(term * r, one) * r, one * (n + 1) * (n + 2))
        n += 2
    return total, 4 * n + 8


# ---- enclosures of f(x) at working precision w ----------------------------------------------
def _exp_interval(x: Fraction, w: int) -> Interval:
    k = round(float(x) / math.log(2))
    ln2, eln2 = _ln2(w)
    r = _fixed(x, w) - k * ln2  # error <= 1 + |k| eln2
    er = 1 + abs(k) * eln2
    s, es = _exp_series(r, w, skip_one=False)
    # exp is 1.5-Lipschitz on |r| <= 0.4, so the argument's error adds <= 2 er
    return _interval(s, es + 2 * er, w, shift=k)


def _expm1_interval(x: Fraction, w: int) -> Interval:
    if abs(x) >= Fraction(1, 2):
        lo, hi = _exp_interval(x, w)
        return lo - 1, hi - 1
    s, es = _exp_series(_fixed(x, w), w, skip_one=True)
    return _interval(s, es + 2, w)  # floor(x 2^w) is off by < 1, exp' < 1.7 there


def _log_interval(x: Fraction, w: int) -> Interval:
    e = _floor_log2(x.numerator, x.denominator)
    m = x / Fraction(2) ** e  # in [1, 2)
    if m > Fraction(3, 2):
        m, e = m / 2, e + 1  # in [3/4, 3/2]: |z| <= 1/5 below
    z = _fixed((m - 1) / (m + 1), w)  # log m = 2 atanh(z) = 2 sum z^(2j+1)/(2j+1)
    z2 = z * z >> w  # non-negative; error <= 2|z| + 2 <= 3 units
    total, power, j = 0, z, 0
    while power:  # each power's error stays <= 2 (contraction by z^2 <= 1/25), each term's <= 3
        total += _tdiv(power, 2 * j + 1)
        power = _tdiv(power * z2, 1 << w)
        j += 1
    ln2, eln2 = _ln2(w)
    return _interval(2 * total + e * ln2, 8 * j + 8 + abs(e) * eln2, w)


def _sin_cos_interval(x: Fraction, w: int, want_sin: bool) -> Interval:
    wide = w + max(0, int(abs(x)).bit_length()) + 16  # pi/2 carries k's bits of extra precision
    hp, ehp = _half_pi(wide)
    xf = _fixed(x, wide)
    k = (2 * xf + hp) // (2 * hp)  # nearest multiple of pi/2 (the error of hp moves it by < 1 unit)
    r = xf - k * hp  # |r| <= pi/4 + tiny
    er = 1 + abs(k) * ehp
    quadrant = k % 4
    use_sin = want_sin == (quadrant % 2 == 0)
    v, ev = _sin_cos_series(r, wide, odd=use_sin)
    negate = quadrant in ((2, 3) if want_sin else (1, 2))
    lo, hi = _interval(v, ev + er, wide)  # sin and cos are 1-Lipschitz
    return (-hi, -lo) if negate else (lo, hi)


def _tanh_interval(x: Fraction, w: int) -> Interval:
    lo, hi = _expm1_interval(2 * abs(x), w)  # tanh|x| = E/(E+2), increasing in E > -2
    lo = max(lo, Fraction(-1))
    lo, hi = lo / (lo + 2), hi / (hi + 2)
    return (lo, hi) if x > 0 else (-hi, -lo)


def _sigmoid_interval(x: Fraction, w: int) -> Interval:
    lo, hi = _exp_interval(-x, w)  # sigmoid = 1/(1+E), decreasing in E > -1
    lo = max(lo, Fraction(-1, 2))
    return 1 / (1 + hi), 1 / (1 + lo)


# ---- rounding decided by the enclosure -------------------------------------------------------------
def _as_float(v: Fraction | float, negative: bool) -> float:
    f = float(v)  # exact: v is a float of the target dtype (or an infinity)
    return math.copysign(0.0, -1.0 if negative else 1.0) if f == 0 else f


def _start_bits(dtype: DType, estimate: float) -> int:
    """Working precision: the dtype's precision plus guard bits, plus the leading zero bits of a
    small result (fixed point loses them); the estimate only picks where to start."""
    lead = 0
    if math.isfinite(estimate) and estimate != 0:
        lead = max(0, -math.frexp(estimate)[1])
    return dtype.precision + 40 + lead


def decide(enclose: Callable[[Fraction, int], Interval], x: Fraction, dtype: DType, estimate: float) -> float:
    """The correctly rounded value of the function ``enclose`` encloses, at x."""
    w = _start_bits(dtype, estimate)
    while w <= MAX_BITS:
        lo, hi = enclose(x, w)
        a, b = round_float(lo, dtype), round_float(hi, dtype)
        if a == b and (lo > 0 or hi < 0 or a != 0):
            return _as_float(a, hi < 0)
        w *= 2
    raise ArithmeticError(f"rounding of {enclose.__name__}({x}) undecided at {MAX_BITS} bits")


def enclosure(name: str, x: float, dtype: DType, ulps: int = 1 << 20) -> Interval:
    """An interval around f(x) narrower than 1/ulps of an ulp of the result (for error measurement)."""
    return _narrow(_ENCLOSURES[name], name, x, dtype, ulps, _estimate(name, x))


def _narrow(fn: Callable[[Fraction, int], Interval], name: str, x: float, dtype: DType, ulps: int,
            estimate: float) -> Interval:
    """fn's enclosure at x, W doubling until it is narrower than 1/ulps of an ulp of its midpoint."""
    w = _start_bits(dtype, estimate) + ulps.bit_length()
    while w <= MAX_BITS:
        lo, hi = fn(Fraction(x), w)
        mid = abs(lo + hi) / 2
        if lo == hi or (mid and (hi - lo) * ulps <= ulp_of(mid, dtype)):
            return lo, hi
        w *= 2
    raise ArithmeticError(f"{name}({x}) not enclosed at {MAX_BITS} bits")


def ulp_of(v: Fraction, dtype: DType) -> Fraction:
    """The spacing of dtype's floats in the binade of |v| (subnormal spacing below the normal range)."""
    v = abs(v)
    e = dtype.emin if v == 0 else max(_floor_log2(v.numerator, v.denominator), dtype.emin)
    return Fraction(2) ** (e - dtype.precision + 1)


def _estimate(name: str, x: float) -> float:
    try:
        if name == "sigmoid":
            return 0.5
        return getattr(math, name)(x)
    except (OverflowError, ValueError):
        return 0.0


_ENCLOSURES = {
    "exp": _exp_interval, "expm1": _expm1_interval, "log": _log_interval,
    "log1p": lambda x, w: _log_interval(1 + x, w), "sin": lambda x, w: _sin_cos_interval(x, w, True),
    "cos": lambda x, w: _sin_cos_interval(x, w, False), "tanh": _tanh_interval, "sigmoid": _sigmoid_interval,
}


# ---- the functions, IEEE 754 special values first ----------------------------------------------------
def _overflows(x: float, dtype: DType) -> bool:
    return Fraction(x) >= (dtype.emax + 2) * LN2_ABOVE  # e^x >= 2^(emax+2): rounds to inf


def _underflows(x: float, dtype: DType) -> bool:
    # e^x < 2^(emin - precision - 1): below half the smallest subnormal, rounds to +0
    return Fraction(x) <= (dtype.emin - dtype.precision - 1) * LN2_ABOVE


def _saturates(x: float, dtype: DType, scale: Fraction) -> bool:
    # e^(-x/scale) < 2^-(precision+2): 1 - that rounds to 1 (the half-ulp below 1 is 2^-(precision+1))
    return Fraction(x) >= (dtype.precision + 2) * LN2_ABOVE * scale


def exp(x: float, dtype: DType) -> float:
    if math.isnan(x):
        return NAN
    if x == 0:
        return 1.0
    if math.isinf(x) or _overflows(x, dtype) or _underflows(x, dtype):
        return INF if x > 0 else 0.0
    return decide(_exp_interval, Fraction(x), dtype, _estimate("exp", x))


def expm1(x: float, dtype: DType) -> float:
    if math.isnan(x) or x == 0:
        return x  # keeps the sign of zero
    if x == INF or (x > 0 and _overflows(x, dtype)):
        return INF
    if x == -INF or (x < 0 and _saturates(-x, dtype, Fraction(1))):
        return -1.0  # e^x below a half-ulp of 1: -1 + e^x rounds to -1
    return decide(_expm1_interval, Fraction(x), dtype, _estimate("expm1", x))


def log(x: float, dtype: DType) -> float:
    if math.isnan(x) or x < 0:
        return NAN
    if x == 0:
        return -INF
    if x == INF:
        return INF
    if x == 1:
        return 0.0
    return decide(_log_interval, Fraction(x), dtype, _estimate("log", x))


def log1p(x: float, dtype: DType) -> float:
    if math.isnan(x) or x < -1:
        return NAN
    if x == -1:
        return -INF
    if x == 0 or x == INF:
        return x
    return decide(_ENCLOSURES["log1p"], Fraction(x), dtype, _estimate("log1p", x))


def sqrt(x: float, dtype: DType) -> float:
    """Correctly rounded square root by integer square root (IEEE 754 requires it)."""
    if math.isnan(x) or x < 0:
        return NAN
    if x == 0 or x == INF:
        return x  # sqrt(-0) = -0
    v = Fraction(x)
    w = dtype.precision + 8
    while True:  # s <= sqrt(v) 2^w < s + 1, with equality only when n is the exact square s^2
        n = v * Fraction(4) ** w
        s = math.isqrt(n.numerator // n.denominator)
        if n.denominator == 1 and s * s == n.numerator:
            return float(round_float(Fraction(s, 1 << w), dtype))
        a, b = round_float(Fraction(s, 1 << w), dtype), round_float(Fraction(s + 1, 1 << w), dtype)
        if a == b:
            return float(a)
        w *= 2


def sin(x: float, dtype: DType) -> float:
    if math.isnan(x) or math.isinf(x):
        return NAN
    if x == 0:
        return x
    return decide(_ENCLOSURES["sin"], Fraction(x), dtype, _estimate("sin", x))


def cos(x: float, dtype: DType) -> float:
    if math.isnan(x) or math.isinf(x):
        return NAN
    if x == 0:
        return 1.0
    return decide(_ENCLOSURES["cos"], Fraction(x), dtype, _estimate("cos", x))


def tanh(x: float, dtype: DType) -> float:
    if math.isnan(x) or x == 0:
        return x
    if math.isinf(x) or _saturates(abs(x), dtype, Fraction(1, 2)):
        return math.copysign(1.0, x)
    return decide(_tanh_interval, Fraction(x), dtype, _estimate("tanh", x))


def sigmoid(x: float, dtype: DType) -> float:
    if math.isnan(x):
        return NAN
    if x == 0:
        return 0.5
    if math.isinf(x):
        return 1.0 if x > 0 else 0.0
    if _saturates(x, dtype, Fraction(1)):
        return 1.0
    if _underflows(x, dtype):
        return 0.0
    return decide(_sigmoid_interval, Fraction(x), dtype, 0.5)


FUNCTIONS: dict[str, Callable[[float, DType], float]] = {
    "exp": exp, "expm1": expm1, "log": log, "log1p": log1p, "sqrt": sqrt,
    "sin": sin, "cos": cos, "tanh": tanh, "sigmoid": sigmoid,
}


def value(name: str, x: float, dtype: DType) -> float:
    """f(x) correctly rounded to dtype, for f named by ``name``; IEEE 754 special values included."""
    return FUNCTIONS[name](x, dtype)


def ulp_error(name: str, x: float, observed: float, dtype: DType) -> float:
    """|observed - f(x)| in ulps of f(x)'s binade in dtype (Zimmermann's measure), accurate to 2^-20
    ulp; 0 when both are the same special value, inf when only one is. Where f saturates for
    |x| > 4096 (exp, expm1, tanh, sigmoid), f(x) is taken as its rounded value (within 1/4 ulp)."""
    expected = FUNCTIONS[name](x, dtype)
    if math.isnan(expected) or math.isnan(observed):
        return 0.0 if math.isnan(expected) and math.isnan(observed) else INF
    if math.isinf(observed) or math.isinf(expected) or observed == expected:
        return 0.0 if observed == expected else INF
    if name == "sqrt":
        exact = _sqrt_enclosure(x, dtype)
    elif x == 0 or (name == "log" and x == 1) or (name not in ("sin", "cos", "log", "log1p") and abs(x) > 4096):
        exact = Fraction(expected)
    else:
        lo, hi = enclosure(name, x, dtype)
        exact = (lo + hi) / 2
    return float(abs(Fraction(observed) - exact) / ulp_of(exact, dtype))


def _sqrt_enclosure(x: float, dtype: DType) -> Fraction:
    w = 2 * (dtype.precision + 40) + max(0, -math.frexp(x)[1])
    n = Fraction(x) * Fraction(4) ** w
    return Fraction(math.isqrt(n.numerator // n.denominator), 1 << w)


# ---- derivatives, and the other values a backward formula reads (spec/autograd.md) --------------------
def _cosh_interval(x: Fraction, w: int) -> Interval:
    lo, hi = _exp_interval(abs(x), w)  # cosh x = (E + 1/E)/2, E = e^|x| >= 1, where it increases in E
    lo = max(lo, Fraction(1))
    return (lo + 1 / lo) / 2, (hi + 1 / hi) / 2


def _rsqrt_interval(x: Fraction, w: int) -> Interval:
    w += max(0, x.denominator.bit_length() - x.numerator.bit_length())  # keeps s >= 2^w below
    n = x * Fraction(4) ** w
    s = math.isqrt(n.numerator // n.denominator)  # s <= sqrt(x) 2^w < s + 1
    return Fraction(1 << w, s + 1), Fraction(1 << w, s)


def _bell(e_lo: Fraction, e_hi: Fraction, scale: int) -> Interval:
    """scale E/(1 + E)^2 for E in [e_lo, e_hi]: it increases in E on [0, 1], where E is clamped."""
    lo, hi = max(e_lo, Fraction(0)), min(e_hi, Fraction(1))
    return scale * lo / (1 + lo) ** 2, scale * hi / (1 + hi) ** 2


def _scale(interval: Interval, c: Fraction) -> Interval:
    lo, hi = c * interval[0], c * interval[1]
    return (lo, hi) if lo <= hi else (hi, lo)


#: enclosures of f'(x), by f's name
_DERIVATIVES: dict[str, Callable[[Fraction, int], Interval]] = {
    "exp": _exp_interval,  # exp' = exp
    "expm1": _exp_interval,  # expm1' = exp
    "log": lambda x, w: (1 / x, 1 / x),  # log' = 1/x, rational
    "log1p": lambda x, w: (1 / (1 + x), 1 / (1 + x)),  # log1p' = 1/(1 + x), rational
    "sqrt": lambda x, w: _scale(_rsqrt_interval(x, w), Fraction(1, 2)),  # sqrt' = 1/(2 sqrt x)
    "sin": lambda x, w: _sin_cos_interval(x, w, False),  # sin' = cos
    "cos": lambda x, w: _scale(_sin_cos_interval(x, w, True), Fraction(-1)),  # cos' = -sin
    "tanh": lambda x, w: _bell(*_exp_interval(-2 * abs(x), w), 4),  # tanh' = 1 - tanh^2 = 4E/(1+E)^2, E = e^-2|x|
    "sigmoid": lambda x, w: _bell(*_exp_interval(-abs(x), w), 1),  # s' = s(1 - s) = E/(1+E)^2, E = e^-|x|
}

#: besides the nine functions, what a library's backward formula may read: cosh x (autograd's tanh)
#: and x^(-1/2) (autograd's sqrt)
_READ = {**_ENCLOSURES, "sqrt": lambda x, w: _sqrt_interval(x, w), "cosh": _cosh_interval, "rsqrt": _rsqrt_interval}


def _sqrt_interval(x: Fraction, w: int) -> Interval:
    n = x * Fraction(4) ** w
    s = math.isqrt(n.numerator // n.denominator)  # s <= sqrt(x) 2^w < s + 1
    return Fraction(s, 1 << w), Fraction(s + 1, 1 << w)


def _rough(fn: Callable[[float], float], x: float) -> float:
    """A float estimate of a value (only to choose the starting precision); 0 where it fails."""
    try:
        return fn(x)
    except (OverflowError, ValueError, ZeroDivisionError):
        return 0.0


_READ_ESTIMATES: dict[str, Callable[[float], float]] = {
    "cosh": math.cosh, "rsqrt": lambda x: x ** -0.5, "sigmoid": lambda x: 1 / (1 + math.exp(-x))}
_DERIVATIVE_ESTIMATES: dict[str, Callable[[float], float]] = {
    "exp": math.exp, "expm1": math.exp, "log": lambda x: 1 / x, "log1p": lambda x: 1 / (1 + x),
    "sqrt": lambda x: 0.5 * x ** -0.5, "sin": math.cos, "cos": lambda x: -math.sin(x),
    "tanh": lambda x: 4 * math.exp(-2 * abs(x)), "sigmoid": lambda x: math.exp(-abs(x))}
#: the inputs where a value is exactly zero (an enclosure of 0 never narrows relative to it)
_VALUE_ZEROS = {"sin": 0.0, "tanh": 0.0, "expm1": 0.0, "log1p": 0.0, "log": 1.0, "sqrt": 0.0}
_DERIVATIVE_ZEROS = {"cos": 0.0}


def value_enclosure(name: str, x: float, dtype: DType, ulps: int = 1 << 20) -> Interval:
    """An interval around r(x) narrower than 1/ulps of an ulp of it, for r one of the nine functions,
    ``cosh`` or ``rsqrt`` (x^(-1/2)): the values a backward formula reads (spec/autograd.md)."""
    if _VALUE_ZEROS.get(name) == x:
        return Fraction(0), Fraction(0)
    estimate = _rough(_READ_ESTIMATES.get(name) or getattr(math, name), x)
    return _narrow(_READ[name], name, x, dtype, ulps, estimate)


def derivative_enclosure(name: str, x: float, dtype: DType, ulps: int = 1 << 20) -> Interval:
    """An interval around f'(x) narrower than 1/ulps of an ulp of it (spec/autograd.md,
    ``autograd.elementary-grad``), for x in f's domain."""
    if _DERIVATIVE_ZEROS.get(name) == x:
        return Fraction(0), Fraction(0)
    return _narrow(_DERIVATIVES[name], f"{name}'", x, dtype, ulps, _rough(_DERIVATIVE_ESTIMATES[name], x))
