"""A test that hangs in a one-process run.

A hung thread cannot be stopped, so pytest-timeout's ``thread`` method ends the whole process.
Under pytest-xdist only a worker ends (it is replaced and its test is reported lost); with no
workers the run itself ends, and without this module no report would be written. Here the
timer is ours (pytest-timeout's documented ``pytest_timeout_set_timer`` hook): when it fires,
the report is written first (the test lost, the run not completed, the tests never run listed),
then, as pytest-timeout does, every thread's stack is printed and the process exits 1.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
from collections.abc import Callable

import pytest

_TIMER = pytest.StashKey[threading.Timer]()


class OneProcessTimeout:
    """Registered in one-process suite runs only; ``on_hang(item, seconds)`` writes the report."""

    def __init__(self, config: pytest.Config, on_hang: Callable[[pytest.Item, float], None]):
        self.config, self.on_hang = config, on_hang

    @pytest.hookimpl(optionalhook=True)
    def pytest_timeout_set_timer(self, item: pytest.Item, settings) -> bool | None:
        if settings.method != "thread" or not settings.timeout:
            return None  # the signal method raises inside the test: the run goes on by itself
        timer = threading.Timer(settings.timeout, self._expire, (item, settings.timeout))
        timer.daemon = True
        item.stash[_TIMER] = timer
        timer.start()
        return True

    @pytest.hookimpl(optionalhook=True)
    def pytest_timeout_cancel_timer(self, item: pytest.Item) -> bool | None:
        timer = item.stash.get(_TIMER, None)
        if timer is None:
            return None
        timer.cancel()
        del item.stash[_TIMER]
        return True

    def _expire(self, item: pytest.Item, seconds: float) -> None:
        capture = self.config.pluginmanager.getplugin("capturemanager")
        if capture is not None:  # what follows must reach the terminal, not the hung test's captured output
            capture.suspend_global_capture(in_=True)
        try:
            self.on_hang(item, seconds)
        finally:
            sys.stderr.write(f"\n+++ Timeout +++ {item.nodeid} ran past {seconds:g} s; every thread's stack:\n")
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
            sys.stderr.flush()
            os._exit(1)
