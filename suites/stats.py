"""Distribution checks for the random rules, with a stated false-alarm rate (spec/random.md).

A check compares the empirical CDF of n draws with the target CDF by the
Kolmogorov-Smirnov distance D_n = sup_x |F_n(x) - F(x)|. The
Dvoretzky-Kiefer-Wolfowitz inequality with Massart's constant,

    P(D_n > t) <= 2 exp(-2 n t^2)      for every n and every distribution,

makes the threshold t = sqrt(ln(2k / alpha) / (2 n)) give a false-alarm rate of at most
alpha for k such checks together (union bound). A generator's values are rounded to
a grid, so its true CDF G differs from the ideal F by at most SLACK, and
D_n(F) <= D_n(G) + SLACK: the threshold adds SLACK.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

ALPHA = 1e-6  # the false-alarm rate of each statistical test, all its checks together
SLACK = 2.0 ** -20  # |G - F|: rounding to the dtype's grid, float evaluation of F, Box-Muller tails


def ks_threshold(n: int, checks: int = 1, alpha: float = ALPHA) -> float:
    """The largest D_n a correct generator may show, with ``checks`` checks sharing ``alpha``."""
    return math.sqrt(math.log(2 * checks / alpha) / (2 * n)) + SLACK


def ks_distance(samples: Sequence[float], cdf: Callable[[float], float]) -> tuple[float, float]:
    """(D_n, the x where it is reached) of the samples against ``cdf``; ties are handled."""
    xs = sorted(samples)
    n = len(xs)
    worst, at = 0.0, math.nan
    for i, x in enumerate(xs):
        f = cdf(x)
        # F_n jumps from i/n to (i+1)/n at x; with ties the extreme rows are the group's ends
        gap = max(f - i / n, (i + 1) / n - f)
        if gap > worst:
            worst, at = gap, x
    return worst, at


def uniform_cdf(x: float) -> float:
    """U[0, 1)."""
    return min(max(x, 0.0), 1.0)


def normal_cdf(x: float) -> float:
    """The standard normal distribution, Phi(x)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def half_normal_cdf(x: float) -> float:
    """|Z| for a standard normal Z: 2 Phi(x) - 1 = erf(x / sqrt 2) for x >= 0."""
    return math.erf(x / math.sqrt(2.0)) if x > 0 else 0.0
