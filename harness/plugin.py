"""The tensorcts pytest plugin: backend choice, rule markers, expectations, reports."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from tensorcts.suites.outcome import ConformanceFailure, failures_in

from . import backends, profiles
from . import expectations as expectations_mod
from . import report as report_mod
from .proxy import UNSUPPORTED_PREFIX, BackendProxy
from .spec import SpecError, load_rules

SUITE_VERSION = "0.1.0"
SUITES_DIR = Path(__file__).resolve().parent.parent / "suites"

profiles.register()


def pytest_addoption(parser):
    group = parser.getgroup("tensorcts", "tensorcts conformance suite")
    group.addoption("--backend", default=None,
                    help="backend to test: torch (default), reference, numpy, jax, array_api_strict, cupy, "
                         "tinygrad, module:attr or path/to/adapter.py:attr (env TENSORCTS_BACKEND)")
    group.addoption("--device", action="append", default=[],
                    help="run device-dependent tests on this device only (repeatable)")
    group.addoption("--conformance-report", default=None, metavar="PATH", help="write the JSON report here")
    group.addoption("--expectations", default=None, metavar="PATH",
                    help="expectations file (default adapters/expectations/<backend>.toml)")
    group.addoption("--rule", action="append", default=[], metavar="ID",
                    help="run only the tests that name this rule (repeatable)")


class State:
    """What the plugin knows about this run."""

    def __init__(self, config):
        self.rules = load_rules()
        self.adapter = backends.resolve(config.getoption("backend"))
        self.devices = self._devices(config.getoption("device"))
        path = config.getoption("expectations")
        entries = expectations_mod.load(Path(path) if path else None, self.adapter.name, self.rules)
        self.expectations: dict[str, list] = {}
        for e in entries:
            self.expectations.setdefault(e.rule, []).append(e)
        self.tallies: dict[str, report_mod.RuleTally] = {}
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.t0 = time.monotonic()

    def _devices(self, wanted: list[str]) -> list[str]:
        available = self.adapter.devices()
        for d in wanted:
            if d not in available:
                raise backends.BackendError(f"--device {d!r}: {self.adapter.name} has devices {available}")
        return wanted or available

    def expected(self, rule: str, device, dtype, statuses=("fail", "flaky")):
        return [e for e in self.expectations.get(rule, []) if e.status in statuses and e.applies(device, dtype)]


def _targets_suites(config) -> bool:
    """Only runs that collect suites/ need a backend (our own tests do not)."""
    if config.getoption("backend") or config.getoption("rule"):
        return True
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents or path in SUITES_DIR.parents:
            return True
    return False


def pytest_configure(config):
    config.addinivalue_line("markers", "rule(*ids): the spec rules a test checks")
    config.addinivalue_line("markers", "capability(*names): adapter capabilities a test needs")
    config.addinivalue_line("markers", "witness(name): a deterministic example named by expectations")
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("default")
    if not _targets_suites(config):
        return
    try:
        config._tensorcts = State(config)
    except (backends.BackendError, expectations_mod.ExpectationError, SpecError) as exc:
        raise pytest.UsageError(f"tensorcts: {exc}") from None
    own_profile = getattr(config._tensorcts.adapter, "hypothesis_profile", None)
    if own_profile and config.getoption("hypothesis_profile", None) is None:
        settings.load_profile(own_profile)  # a backend that compiles kernels asks for fewer examples
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(Tallier(config._tensorcts), "tensorcts-tallier")


def _state(config) -> State | None:
    return getattr(config, "_tensorcts", None)


# ---- fixtures and parametrization ----------------------------------------------------


@pytest.fixture(scope="session")
def backend(request):
    state = _state(request.config)
    if state is None:
        pytest.fail("the tensorcts plugin has no backend for this run")
    return BackendProxy(state.adapter)


def pytest_generate_tests(metafunc):
    state = _state(metafunc.config)
    if state is not None and "device" in metafunc.fixturenames:
        metafunc.parametrize("device", state.devices, ids=state.devices)
    if state is not None and "device_pair" in metafunc.fixturenames:
        pairs, ids = _device_pairs(state)
        metafunc.parametrize("device_pair", pairs, ids=ids)


def _device_pairs(state: State) -> tuple[list, list[str]]:
    """Every ordered pair of distinct devices; with fewer than two, one clearly skipped case."""
    pairs = [(a, b) for a in state.devices for b in state.devices if a != b]
    if pairs:
        return pairs, [f"{a}->{b}" for a, b in pairs]
    reason = (f"no device pair: {state.adapter.name} offers only {state.devices} here, "
              "and a transfer or mixed-device rule needs two devices")
    return [pytest.param(None, marks=pytest.mark.skip(reason=reason))], ["no-pair"]


def _item_device(callspec) -> str | None:
    """The device expectations match a test by: its device, or the accelerator of its pair."""
    if callspec is None:
        return None
    pair = callspec.params.get("device_pair")
    if pair:
        return next((d for d in pair if d != "cpu"), pair[0])
    return callspec.params.get("device")


def _item_rules(item) -> list[str]:
    return [rule for mark in item.iter_markers("rule") for rule in mark.args]


def pytest_collection_modifyitems(session, config, items):
    state = _state(config)
    if state is None:
        return
    problems, witnesses = [], set()
    for item in items:
        rules = _item_rules(item)
        if not rules and SUITES_DIR in Path(item.fspath).parents:
            problems.append(f"{item.nodeid}: names no rule (@pytest.mark.rule)")
        problems += [f"{item.nodeid}: unknown rule {r!r}" for r in rules if r not in state.rules]
        item.user_properties.append(("rules", rules))
        callspec = getattr(item, "callspec", None)
        item.user_properties.append(("device", _item_device(callspec)))
        for mark in item.iter_markers("witness"):
            witnesses.add(mark.args[0])
            item.user_properties.append(("witness", mark.args[0]))
    modules = {Path(str(item.fspath)).resolve() for item in items}
    if set(SUITES_DIR.glob("test_*.py")) <= modules:  # a witness can only be missing from a whole-suite run
        for entries in state.expectations.values():
            problems += [f"expectation for {e.rule}: unknown witness {e.witness!r}"
                         for e in entries if e.witness and e.witness not in witnesses]
    wanted = config.getoption("rule")
    problems += [f"--rule {r}: unknown rule" for r in wanted if r not in state.rules]
    if problems:
        raise pytest.UsageError("tensorcts:\n  " + "\n  ".join(problems))
    unavailable = getattr(state.adapter, "unavailable", None)
    if unavailable and not state.devices:  # e.g. cupy without CUDA: every test skips, saying why
        for item in items:
            item.add_marker(pytest.mark.skip(reason=f"{state.adapter.name}: {unavailable}"), append=False)
    for item in items:
        _no_shrinking_when_expected(state, item)
    if wanted:
        keep = [i for i in items if set(_item_rules(i)) & set(wanted)]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
    _add_timeouts(config, items)


#: seconds one suite test may take with the default profile's 60 examples (about 100 times the usual)
SUITE_TIMEOUT_S = 120


def _add_timeouts(config, items) -> None:
    """A per-test timeout for suite tests, scaled by the profile's max_examples.

    pytest-timeout's ``thread`` method (pyproject.toml) ends a hung process; under
    pytest-xdist the worker is replaced and the test fails alone. ``--timeout`` on the
    command line (or a test's own ``timeout`` mark) takes precedence.
    """
    if config.getoption("timeout", None) is not None:
        return
    scale = max(1.0, settings.default.max_examples / 60)
    mark = pytest.mark.timeout(round(SUITE_TIMEOUT_S * scale))
    for item in items:
        if SUITES_DIR in Path(item.fspath).parents and item.get_closest_marker("timeout") is None:
            item.add_marker(mark)


def _no_shrinking_when_expected(state: State, item) -> None:
    """A property whose every rule is a declared failure is not shrunk: its verdict is known, and
    shrinking a failure costs most of a run (its deterministic example is the entry's witness)."""
    rules = _item_rules(item)
    fn = getattr(item, "obj", None)
    current = getattr(fn, "_hypothesis_internal_use_settings", None)
    if not rules or current is None or getattr(fn, "_tensorcts_no_shrink", False):
        return
    device = dict(item.user_properties).get("device")
    if all(state.expected(r, device, None) for r in rules):
        fn._hypothesis_internal_use_settings = settings(
            current, phases=[p for p in current.phases if p is not Phase.shrink])
        fn._tensorcts_no_shrink = True


def pytest_runtest_setup(item):
    state = _state(item.config)
    if state is None:
        return
    for mark in item.iter_markers("capability"):
        missing = [c for c in mark.args if c not in state.adapter.capabilities]
        if missing:
            pytest.skip(f"{UNSUPPORTED_PREFIX}{state.adapter.name} lacks capability {', '.join(missing)}")
    device = dict(item.user_properties).get("device")
    for rule in _item_rules(item):
        declared = state.expected(rule, device, None, statuses=("unsupported",))
        if declared:
            pytest.skip(f"{UNSUPPORTED_PREFIX}declared in expectations: {declared[0].reason}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    state = _state(item.config)
    if state is None or call.excinfo is None or not rep.failed:
        return
    rules, device = _item_rules(item), dict(item.user_properties).get("device")
    leaves = failures_in(call.excinfo.value)
    conformance = [e for e in leaves if isinstance(e, ConformanceFailure)]
    blamed = []  # (rule, device, dtype) of each failure
    for exc in leaves:
        if isinstance(exc, ConformanceFailure):
            blamed += [(r, exc.device or device, exc.dtype) for r in exc.rules]
        else:
            blamed += [(r, device, None) for r in rules]
    covering = [state.expected(r, d, t) for r, d, t in blamed]
    message = str(conformance[0]) if conformance else rep.longreprtext[-4000:]
    rep.user_properties.append(("failed_rules", sorted({r for r, _, _ in blamed})))
    rep.user_properties.append(("failure", message))
    if blamed and all(covering) and call.when == "call":
        rep.outcome = "skipped"
        rep.wasxfail = "expected: " + "; ".join(sorted({e.reason for c in covering for e in c}))


class Tallier:
    """Counts outcomes per rule where reports arrive: the xdist controller, or the only process.

    A worker that crashes (a segfault, an abort, a hang killed by pytest-timeout) sends no
    report for the test it was running; xdist makes one in the controller, without the
    test's user properties. The rules come from the test's setup report, remembered here.
    """

    def __init__(self, state: State):
        self.state = state
        self.rules_of: dict[str, list[str]] = {}

    def pytest_runtest_logreport(self, report):
        props = dict(report.user_properties)
        if "rules" in props:
            self.rules_of[report.nodeid] = props["rules"]
        elif report.failed and report.nodeid in self.rules_of:  # the crash report of a dead worker
            report.user_properties.append(("rules", self.rules_of[report.nodeid]))
            report.user_properties.append(("failure", f"{report.longreprtext}: the test crashed the process or "
                                                      "hung until pytest-timeout ended it"))
        _tally(self.state, report)


def _tally(state: State, rep) -> None:
    props = dict(rep.user_properties)
    rules = props.get("rules") or []
    if rep.when == "call" and rep.passed:
        for r in rules:
            tally = state.tallies.setdefault(r, report_mod.RuleTally())
            tally.passed += 1
            if props.get("witness"):
                tally.witness_passed.append((props["witness"], props.get("device")))
    elif rep.skipped and hasattr(rep, "wasxfail"):
        for r in props.get("failed_rules") or rules:
            state.tallies.setdefault(r, report_mod.RuleTally()).xfailed += 1
    elif rep.skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        key = "unsupported" if UNSUPPORTED_PREFIX in reason else "skipped"
        for r in rules:
            tally = state.tallies.setdefault(r, report_mod.RuleTally())
            setattr(tally, key, getattr(tally, key) + 1)
            if tally.message is None:  # why it did not run (a missing device pair, ...)
                tally.message = reason.split(UNSUPPORTED_PREFIX, 1)[-1]
    elif rep.failed:
        for r in props.get("failed_rules") or rules:
            tally = state.tallies.setdefault(r, report_mod.RuleTally())
            tally.failed += 1
            if tally.message is None or not tally.failed - 1:
                tally.message = f"{rep.nodeid}\n{props.get('failure') or rep.longreprtext[-4000:]}"


def _report(config, state: State) -> dict:
    adapter = state.adapter
    backend = {"name": adapter.name, "version": adapter.version,
               "adapter": f"{type(adapter).__module__}:{type(adapter).__qualname__}",
               "devices": state.devices, "capabilities": sorted(adapter.capabilities)}
    run = report_mod.run_info(state.started, time.monotonic() - state.t0,
                              (config.getoption("hypothesis_profile", None)
                               or getattr(adapter, "hypothesis_profile", None) or "default"),
                              config.getoption("hypothesis_seed", None), SUITE_VERSION)
    return report_mod.build(state.rules, state.tallies, state.expectations, backend, run)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    state = _state(config)
    if state is None or hasattr(config, "workerinput"):
        return
    built = _report(config, state)
    config._tensorcts_report = built
    path = config.getoption("conformance_report")
    if path:
        report_mod.write(Path(path), built)
    if any(r["status"] == "xpass" for r in built["rules"].values()) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    built = getattr(config, "_tensorcts_report", None)
    if built is None:
        return
    tr = terminalreporter
    tr.section("tensorcts conformance")
    b = built["backend"]
    tr.write_line(f"backend {b['name']} {b['version']} on {', '.join(b['devices'])}")
    for level in ("core", "torch"):
        counts = ", ".join(f"{v} {k}" for k, v in built["summary"][level].items() if v)
        tr.write_line(f"{level:5} rules: {counts or 'none'}")
    for rule_id, entry in built["rules"].items():
        if entry["status"] in ("fail", "xpass"):
            tr.write_line(f"{entry['status'].upper():5} {rule_id}", red=True)
    path = config.getoption("conformance_report")
    if path:
        tr.write_line(f"report written to {path}")
