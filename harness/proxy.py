"""The adapter as the suites see it: ``Unsupported`` becomes an ``unsupported`` skip.

Hypothesis would shrink an ordinary exception; a pytest skip propagates at once,
so a missing operation costs one call, not a shrink.
"""

from __future__ import annotations

import functools
import os
import time

import pytest
from tensorcts.adapters.base import Adapter, Unsupported

from .tally import UNSUPPORTED_PREFIX

#: set TENSORCTS_TIME_CALLS=1 to time every adapter call (bench/): off, calls are not wrapped at all
TIME_CALLS = os.environ.get("TENSORCTS_TIME_CALLS") == "1"


class CallTimer:
    """Seconds spent inside adapter calls (the outermost one, when calls nest) and their number."""

    seconds = 0.0
    calls = 0
    _depth = 0

    @classmethod
    def reset(cls) -> tuple[float, int]:
        out = (cls.seconds, cls.calls)
        cls.seconds, cls.calls = 0.0, 0
        return out


def unsupported_skip(message: str, op: str | None = None) -> BaseException:
    """The skip that ends a test as ``unsupported``; it carries the adapter operation that is missing."""
    skip = pytest.skip.Exception(UNSUPPORTED_PREFIX + message)
    setattr(skip, "tensorcts_op", op)  # noqa: B010 (read back with getattr: pytest's Skipped declares no such field)
    return skip


def skip_unsupported(exc: Unsupported, op: str | None = None):
    """End the test as ``unsupported``, naming the adapter operation that raised."""
    raise unsupported_skip(str(exc), op) from None


class BackendProxy:
    """Forwards every attribute to the adapter; calls turn ``Unsupported`` into a skip."""

    def __init__(self, adapter: Adapter):
        self._adapter = adapter

    def __getattr__(self, name: str):
        value = getattr(self._adapter, name)
        if not callable(value):
            return value

        @functools.wraps(value)
        def call(*args, **kwargs):
            try:
                return value(*args, **kwargs)
            except Unsupported as exc:
                skip_unsupported(exc, f"capability {', '.join(args)}" if name == "require" else name)

        if TIME_CALLS:
            call = _timed(call)
        self.__dict__[name] = call  # cache: the next lookup skips __getattr__
        return call

    @property
    def adapter(self) -> Adapter:
        return self._adapter


def _timed(fn):
    @functools.wraps(fn)
    def timed(*args, **kwargs):
        if CallTimer._depth:
            return fn(*args, **kwargs)
        CallTimer._depth += 1
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            CallTimer.seconds += time.perf_counter() - t0
            CallTimer.calls += 1
            CallTimer._depth -= 1

    return timed
