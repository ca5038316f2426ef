"""What the plugin knows about one run: rules, backend, devices, expectations, seed, tally."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import settings
from hypothesis.errors import InvalidArgument

from . import backends
from . import expectations as expectations_mod
from .expectations import Expectation
from .spec import load_rules
from .tally import Tally
from .verdict import MIN_EXAMPLES


class RunState:
    """Built once per process in ``pytest_configure`` and kept in ``config.stash``."""

    def __init__(self, config):
        self.rules = load_rules()
        self.adapter = backends.resolve(config.getoption("backend"))
        wanted = config.getoption("device")
        self.devices = self._devices(wanted)
        #: where rules outside the device area run: the devices asked for, else the adapter's compute devices
        self.compute_devices = wanted or [d for d in self.adapter.compute_devices() if d in self.devices]
        path = config.getoption("expectations")
        entries = expectations_mod.load(Path(path) if path else None, self.adapter.name, self.rules)
        self.expectations: dict[str, list[Expectation]] = {}
        for e in entries:
            self.expectations.setdefault(e.rule, []).append(e)
        self.min_examples: int = config.getoption("min_examples") or MIN_EXAMPLES
        self.profile: str = (config.getoption("hypothesis_profile", None)
                             or getattr(self.adapter, "hypothesis_profile", None) or "default")
        try:
            self.derandomize = bool(settings.get_profile(self.profile).derandomize)
        except InvalidArgument:  # an unknown profile: Hypothesis's own plugin says so
            self.derandomize = False
        self.seed: int | None = None
        self.tally = Tally()
        self.collected: set[str] = set()
        self.rules_of_test: dict[str, list[str]] = {}  # nodeid -> rules, where this process collects (one-process runs)
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.t0 = time.monotonic()

    def _devices(self, wanted: list[str]) -> list[str]:
        available = self.adapter.devices()
        for d in wanted:
            if d not in available:
                raise backends.BackendError(f"--device {d!r}: {self.adapter.name} has devices {available}")
        return wanted or available

    def expected(self, rule: str, device, dtype, statuses=("fail", "flaky")) -> list[Expectation]:
        return [e for e in self.expectations.get(rule, []) if e.status in statuses and e.applies(device, dtype)]

    def choose_seed(self, given) -> int | None:
        """The run's Hypothesis seed: the one given, else a fresh one (None under a derandomized profile,
        whose examples depend on each test alone)."""
        if given is not None:
            try:
                self.seed = int(given)
            except ValueError:
                self.seed = given
        elif not self.derandomize:
            self.seed = random.SystemRandom().randrange(2 ** 32)
        return self.seed
