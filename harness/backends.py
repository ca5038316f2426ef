"""Choosing a backend: a built-in name, ``module:attr`` or ``path/to/file.py:attr``."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from pathlib import Path

from tensorcts.adapters.base import Adapter

#: built-in name -> (adapter "module:attr", the package it needs, the pip extra that installs it)
BUILTINS: dict[str, tuple[str, str | None]] = {
    "torch": ("tensorcts.adapters.torch:TorchAdapter", "torch"),
    "reference": ("tensorcts.adapters.reference:ReferenceAdapter", None),
    "numpy": ("tensorcts.adapters.numpy:NumpyAdapter", "numpy"),
    "jax": ("tensorcts.adapters.jax:JaxAdapter", "jax"),
    "array_api_strict": ("tensorcts.adapters.array_api_strict:ArrayApiStrictAdapter", "array_api_strict"),
    "cupy": ("tensorcts.adapters.cupy:CupyAdapter", "cupy"),
    "tinygrad": ("tensorcts.adapters.tinygrad:TinygradAdapter", "tinygrad"),
}
DEFAULT = "torch"
ENV_VAR = "TENSORCTS_BACKEND"


class BackendError(Exception):
    """The backend cannot be loaded; the message says why and what to do."""


def _load_attr(spec: str):
    target, _, attr = spec.rpartition(":")
    if target.endswith(".py") or os.sep in target or "/" in target:
        path = Path(target)
        if not path.is_file():
            raise BackendError(f"backend file {target!r} does not exist")
        name = f"tensorcts_external_{path.stem}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        if module_spec is None or module_spec.loader is None:  # no import machinery handles its suffix
            raise BackendError(f"backend file {target!r} is not a Python module (name it *.py)")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:  # show the adapter's own import error, not a traceback
            raise BackendError(f"importing {target} failed: {type(exc).__name__}: {exc}") from exc
    else:
        try:
            module = importlib.import_module(target)
        except Exception as exc:
            raise BackendError(f"importing module {target!r} failed: {type(exc).__name__}: {exc}") from exc
    try:
        return getattr(module, attr)
    except AttributeError:
        raise BackendError(f"{target} has no attribute {attr!r}") from None


def _instantiate(obj, spec: str) -> Adapter:
    adapter = obj() if isinstance(obj, type) else obj
    if not isinstance(adapter, Adapter):
        raise BackendError(f"{spec} is not a tensorcts.adapters.base.Adapter (got {type(adapter).__name__})")
    return adapter


def resolve(spec: str | None) -> Adapter:
    """The adapter named by ``spec``, the environment variable, or the default (torch)."""
    spec = spec or os.environ.get(ENV_VAR) or DEFAULT
    if ":" in spec and spec not in BUILTINS:
        return _instantiate(_load_attr(spec), spec)
    if spec not in BUILTINS:
        raise BackendError(
            f"unknown backend {spec!r}. Known backends: {', '.join(sorted(BUILTINS))}; "
            "or name an adapter as module:attr or path/to/file.py:attr")
    target, package = BUILTINS[spec]
    if package is not None and importlib.util.find_spec(package) is None:
        raise BackendError(
            f"backend {spec!r} needs the Python package {package!r}, which is not installed: "
            f"pip install 'tensorcts[{spec.replace('_', '-')}]' (in a checkout: pip install -e '.[{spec.replace('_', '-')}]')")
    try:
        return _instantiate(_load_attr(target), spec)
    except BackendError as exc:
        raise BackendError(f"backend {spec!r}: {exc}") from exc
