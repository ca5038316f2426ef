"""Hypothesis profiles: ``ci`` (fast, derandomized), ``default`` (random, seed printed), ``thorough``."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, settings

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
               print_blob=True)
# Every option a profile relies on is spelled out: register_profile's parent is settings.default,
# which Hypothesis replaces with its derandomized "ci" settings when it detects a CI environment.
_RANDOM = dict(derandomize=False, **_COMMON)

#: profile name -> settings.register_profile's keyword arguments
PROFILES: dict[str, dict[str, Any]] = {
    # 15 examples: the gate's time target (docs/benchmarks.md); every mutant dies within them (tools/mutants.py)
    "ci": dict(max_examples=15, derandomize=True, database=None, **_COMMON),
    "default": dict(max_examples=60, **_RANDOM),
    "thorough": dict(max_examples=600, **_RANDOM),
    # tinygrad compiles a kernel for every new shape: fewer examples keep its run near the others'
    "tinygrad": dict(max_examples=15, **_RANDOM),
    # the mutant runner: the ci examples, no shrinking (only the verdict matters there)
    "kill": dict(max_examples=15, derandomize=True, database=None,
                 phases=(Phase.explicit, Phase.reuse, Phase.generate), **_COMMON),
}


def register() -> None:
    for name, options in PROFILES.items():
        settings.register_profile(name, **options)


def max_examples() -> int:
    """The active profile's max_examples (Hypothesis loads a profile on import: there always is one)."""
    active = settings.default
    if active is None:
        raise RuntimeError("no Hypothesis settings profile is active")
    return active.max_examples
