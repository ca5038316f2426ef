"""Repro snippets: the suites write them in torch's spelling; adapters translate the common names."""

from __future__ import annotations

#: torch function names -> the NumPy-style names NumPy, JAX and CuPy use
NUMPY_NAMES = {"tensor": "array", "sub": "subtract", "mul": "multiply", "div": "divide", "neg": "negative",
               "pow": "power"}


def translate(expression: str, ns: str, names: dict[str, str], devices: dict[str, str] | None = None) -> str:
    """``ns.name(`` -> ``ns.new_name(``, and each ``device='d'`` by its spelling in ``devices``
    (an empty spelling drops the argument)."""
    for old, new in names.items():
        expression = expression.replace(f"{ns}.{old}(", f"{ns}.{new}(")
    for device, spelling in (devices or {}).items():
        expression = expression.replace(f", device={device!r}", f", device={spelling}" if spelling else "")
    return expression
