"""Hypothesis profiles: ``ci`` (fast, derandomized), ``default`` (random, seed printed), ``thorough``."""

from __future__ import annotations

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
               print_blob=True)
# Every option a profile relies on is spelled out: register_profile's parent is settings.default,
# which Hypothesis replaces with its derandomized "ci" settings when it detects a CI environment.
_RANDOM = dict(derandomize=False, **_COMMON)

PROFILES = {
    "ci": dict(max_examples=25, derandomize=True, database=None, **_COMMON),
    "default": dict(max_examples=60, **_RANDOM),
    "thorough": dict(max_examples=600, **_RANDOM),
    # tinygrad compiles a kernel for every new shape: fewer examples keep its run near the others'
    "tinygrad": dict(max_examples=15, **_RANDOM),
    # the mutant runner: the ci examples, no shrinking (only the verdict matters there)
    "kill": dict(max_examples=25, derandomize=True, database=None,
                 phases=(Phase.explicit, Phase.reuse, Phase.generate), **_COMMON),
}


def register() -> None:
    for name, options in PROFILES.items():
        settings.register_profile(name, **options)
