"""A pytest plugin for bench/run.py: per-test time, Hypothesis examples, and where the time goes.

Enabled with ``-p bench.timing`` and TENSORCTS_BENCH_OUT=<dir> (one JSON file per process).
Backend time is measured exactly by harness/proxy.py (TENSORCTS_TIME_CALLS=1). The rest of a
test's time is split by a stack sampler (every 2 ms): a sample inside the reference package
is "reference", inside Hypothesis "hypothesis", inside suites/ "checks"; anything else "other".
(Samples inside adapter calls are counted as "backend" but not used for the share: a sampler
thread gets the GIL mostly when a kernel releases it, so it over-counts the backend.)
TENSORCTS_BENCH_MAX_EXAMPLES=N overrides the profile's max_examples (to measure scaling).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.statistics import collector
from tensorcts.harness.proxy import CallTimer

ROOT = Path(__file__).resolve().parent.parent
ZONES = (("reference", str(ROOT / "reference") + os.sep), ("checks", str(ROOT / "suites") + os.sep),
         ("hypothesis", os.sep + "hypothesis" + os.sep))
PROXY = str(ROOT / "harness" / "proxy.py")
INTERVAL_S = 0.002


class Sampler(threading.Thread):
    """Samples the main thread's stack and counts, per zone, where it was."""

    def __init__(self, main_ident: int):
        super().__init__(daemon=True)
        self.main_ident = main_ident
        self.counts: dict[str, int] = {}
        self.active = False
        self.stopped = False

    def classify(self, frame) -> str:
        innermost = None
        in_reference = False
        while frame is not None:
            name = frame.f_code.co_filename
            if name == PROXY:
                return "backend"
            if name.startswith(ZONES[0][1]):
                in_reference = True
            if innermost is None:
                for zone, prefix in ZONES[1:]:
                    if prefix in name if zone == "hypothesis" else name.startswith(prefix):
                        innermost = zone
                        break
            frame = frame.f_back
        return "reference" if in_reference else (innermost or "other")

    def run(self):
        while not self.stopped:
            time.sleep(INTERVAL_S)
            if self.active:
                frame = sys._current_frames().get(self.main_ident)
                if frame is not None:
                    zone = self.classify(frame)
                    self.counts[zone] = self.counts.get(zone, 0) + 1

    def take(self) -> dict[str, int]:
        out, self.counts = self.counts, {}
        return out


class BenchPlugin:
    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.tests: list[dict] = []
        self.failed: set[str] = set()
        self.sampler = Sampler(threading.main_thread().ident)
        self.sampler.start()
        self.t0 = time.monotonic()

    @pytest.hookimpl(trylast=True, hookwrapper=True)
    def pytest_runtest_call(self, item):
        # innermost, inside Hypothesis's own wrapper that sets the collector: chain to it
        outer = collector.value

        def note(stats: dict) -> None:
            self.stats.append(stats)
            if outer is not None:
                outer(stats)

        with collector.with_value(note):
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.stats: list[dict] = []
        CallTimer.reset()
        self.sampler.take()
        self.sampler.active = True
        t0 = time.perf_counter()
        yield
        wall = time.perf_counter() - t0
        self.sampler.active = False
        backend_s, calls = CallTimer.reset()
        cases = [c for s in self.stats for k, phase in s.items() if k.endswith("-phase") for c in phase["test-cases"]]
        self.tests.append({"nodeid": item.nodeid, "failed": item.nodeid in self.failed, "seconds": wall, "backend_s": backend_s, "calls": calls,
                           "examples": sum(1 for c in cases if c["status"] == "valid"), "test_cases": len(cases),
                           "samples": self.sampler.take()})

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed.add(report.nodeid)

    def pytest_sessionfinish(self, session):
        self.sampler.stopped = True
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.out_dir.mkdir(parents=True, exist_ok=True)
        (self.out_dir / f"bench-{worker}.json").write_text(json.dumps(
            {"worker": worker, "session_s": time.monotonic() - self.t0,
             "max_examples": settings.default.max_examples, "tests": self.tests}))


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    out = os.environ.get("TENSORCTS_BENCH_OUT")
    if not out:
        return
    n = os.environ.get("TENSORCTS_BENCH_MAX_EXAMPLES")
    if n:
        settings.register_profile("bench-scaled", parent=settings.default, max_examples=int(n))
        settings.load_profile("bench-scaled")
    config.pluginmanager.register(BenchPlugin(Path(out)), "tensorcts-bench")
