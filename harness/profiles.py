"""Hypothesis profiles: ``ci`` (fast, derandomized), ``default`` (random, seed printed), ``thorough``."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
               print_blob=True)

PROFILES = {
    "ci": dict(max_examples=25, derandomize=True, database=None, **_COMMON),
    "default": dict(max_examples=60, **_COMMON),
    "thorough": dict(max_examples=600, **_COMMON),
    # tinygrad compiles a kernel for every new shape: fewer examples keep its run near the others'
    "tinygrad": dict(max_examples=15, **_COMMON),
    # the mutant runner: the ci examples, no shrinking (only the verdict matters there)
    "kill": dict(max_examples=25, derandomize=True, database=None,
                 phases=(Phase.explicit, Phase.reuse, Phase.generate), **_COMMON),
}


def register() -> None:
    for name, options in PROFILES.items():
        settings.register_profile(name, **options)
