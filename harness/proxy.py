"""The adapter as the suites see it: ``Unsupported`` becomes an ``unsupported`` skip.

Hypothesis would shrink an ordinary exception; a pytest skip propagates at once,
so a missing operation costs one call, not a shrink.
"""

from __future__ import annotations

import functools

import pytest

from adapters.base import Adapter, Unsupported

UNSUPPORTED_PREFIX = "unsupported: "


def skip_unsupported(exc: Unsupported):
    pytest.skip(UNSUPPORTED_PREFIX + str(exc))


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
                skip_unsupported(exc)

        self.__dict__[name] = call  # cache: the next lookup skips __getattr__
        return call

    @property
    def adapter(self) -> Adapter:
        return self._adapter
