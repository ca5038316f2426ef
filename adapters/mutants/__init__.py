"""Mutant adapters: each subclasses a real adapter and breaks exactly one rule.

A mutant declares the rule it breaks (``breaks = "matmul.vector-matrix"``) and
lives in the module of that rule's area (``adapters/mutants/<area>.py``). The
suite must kill it: running that rule's tests against it must report the rule
as failed. ``python -m tensorcts.tools.mutants`` runs them all.
"""

from __future__ import annotations

import importlib
import pkgutil


def discover() -> list[type]:
    """Every mutant class in this package, sorted by the rule it breaks."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and getattr(obj, "breaks", None) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}:{obj.__qualname__}"] = obj
    return sorted(found.values(), key=lambda c: (c.breaks, c.__qualname__))


def spec_of(cls: type) -> str:
    """The ``--backend`` value that loads this mutant."""
    return f"{cls.__module__}:{cls.__qualname__}"
