"""The tensorcts pytest plugin's hooks: options, collection, per-test records, tally and report.

The jobs live in their own modules: session.py (what a run knows), recording.py (what one
test saw, example by example), verdict.py (pure: outcomes and expectations to statuses),
tally.py (reports gathered per rule) and report.py (the JSON report).
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest
from hypothesis import is_hypothesis_test, settings
from hypothesis.errors import FailedHealthCheck, Unsatisfiable
from tensorcts.adapters.base import Unsupported
from tensorcts.suites import strategies
from tensorcts.suites.outcome import TEST_RULES

from . import backends, profiles
from . import expectations as expectations_mod
from . import report as report_mod
from .hang import OneProcessTimeout
from .proxy import BackendProxy, skip_unsupported
from .recording import RECORD, EndOfTest, ShrinkCut, TestRecord, wrap_inner_test
from .session import RunState
from .spec import SpecError
from .tally import BLOCKED_PREFIX, UNSUPPORTED_PREFIX
from .verdict import case_outcome, covering

SUITE_VERSION = "0.2.0"
SUITES_DIR = Path(__file__).resolve().parent.parent / "suites"
#: crashed workers xdist replaces before giving up (its own default, 4 per worker, loses a long run)
MAX_WORKER_RESTARTS = 10_000
#: workers that may die before collecting any test (a crash at start would otherwise loop)
MAX_STARTUP_CRASHES = 8

STATE = pytest.StashKey[RunState]()
REPORT = pytest.StashKey[dict]()
RECORD_KEY = pytest.StashKey[TestRecord]()

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
    group.addoption("--min-examples", type=int, default=None, metavar="N",
                    help="examples on which a rule's operation must run and hold for a pass (default 1)")


def _targets_suites(config) -> bool:
    """Only runs that collect suites/ need a backend (our own tests do not)."""
    if config.getoption("backend") or config.getoption("rule"):
        return True
    for arg in config.args:
        path = Path(arg.split("::")[0]).resolve()
        if path == SUITES_DIR or SUITES_DIR in path.parents or path in SUITES_DIR.parents:
            return True
    return False


def _state(config) -> RunState | None:
    return config.stash.get(STATE, None)


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's own pytest_configure reads --hypothesis-seed
def pytest_configure(config):
    config.addinivalue_line("markers", "rule(*ids): the spec rules a test checks")
    config.addinivalue_line("markers", "capability(*names): adapter capabilities a test needs")
    config.addinivalue_line("markers", "witness(name): a deterministic example named by expectations")
    if config.getoption("hypothesis_profile", None) is None:
        settings.load_profile("default")
    if not _targets_suites(config):
        return
    try:
        state = RunState(config)
    except (backends.BackendError, expectations_mod.ExpectationError, SpecError) as exc:
        raise pytest.UsageError(f"tensorcts: {exc}") from None
    config.stash[STATE] = state
    own_profile = getattr(state.adapter, "hypothesis_profile", None)
    if own_profile and config.getoption("hypothesis_profile", None) is None:
        settings.load_profile(own_profile)  # a backend that compiles kernels asks for fewer examples
    worker = getattr(config, "workerinput", None)
    given = config.getoption("hypothesis_seed", None)
    if worker is not None and given is None:
        given = worker.get("tensorcts_seed")
    seed = state.choose_seed(given)
    if seed is not None:
        config.option.hypothesis_seed = str(seed)  # Hypothesis's plugin seeds every test from it
    strategies.use_shape_pool(getattr(state.adapter, "shape_pool", None), 0 if seed is None else seed)
    if worker is None:
        if getattr(config.option, "numprocesses", None) and getattr(config.option, "maxworkerrestart", 0) is None:
            config.option.maxworkerrestart = str(MAX_WORKER_RESTARTS)
        config.pluginmanager.register(Tallier(state), "tensorcts-tallier")
        if not getattr(config.option, "numprocesses", None):  # a hang would end the run: report it first
            config.pluginmanager.register(
                OneProcessTimeout(config, lambda item, seconds: _report_hang(config, state, item, seconds)),
                "tensorcts-one-process-timeout")


def pytest_report_header(config):
    state = _state(config)
    if state is None:
        return None
    seed = (f"hypothesis seed {state.seed} (replay: --hypothesis-seed {state.seed})" if state.seed is not None
            else f"hypothesis profile {state.profile} is derandomized (the same examples every run)")
    return f"tensorcts: backend {state.adapter.name} {state.adapter.version}; {seed}"


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
        rules = [rule for mark in metafunc.definition.iter_markers("rule") for rule in mark.args]
        devices = state.devices if any(map(_is_placement_rule, rules)) else state.compute_devices
        metafunc.parametrize("device", devices, ids=devices)
    if state is not None and "device_pair" in metafunc.fixturenames:
        pairs, ids = _device_pairs(state)
        metafunc.parametrize("device_pair", pairs, ids=ids)


def _is_placement_rule(rule: str) -> bool:
    """A rule about where tensors live: it runs on every device, not only on the compute devices."""
    return rule.startswith("device.") or rule == "interop.numpy-requires-cpu"


def _device_pairs(state: RunState) -> tuple[list, list[str]]:
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


def _setup_classes(item) -> dict:
    """The case classes a test's parameters show before it runs."""
    callspec = getattr(item, "callspec", None)
    known = {"device": _item_device(callspec)}
    dtype = callspec.params.get("dtype") if callspec is not None else None
    if isinstance(dtype, str):
        known["dtype"] = dtype
    return {k: v for k, v in known.items() if v is not None}


def _item_rules(item) -> list[str]:
    return [rule for mark in item.iter_markers("rule") for rule in mark.args]


def _in_suites(item) -> bool:
    return SUITES_DIR in Path(item.path).resolve().parents


def pytest_collection_modifyitems(session, config, items):
    state = _state(config)
    if state is None:
        return
    problems, witnesses = [], set()
    for item in items:
        rules = _item_rules(item)
        if not rules and _in_suites(item):
            problems.append(f"{item.nodeid}: names no rule (@pytest.mark.rule)")
        problems += [f"{item.nodeid}: unknown rule {r!r}" for r in rules if r not in state.rules]
        item.user_properties.append(("rules", rules))
        state.rules_of_test[item.nodeid] = rules
        item.user_properties.append(("device", _item_device(getattr(item, "callspec", None))))
        for mark in item.iter_markers("witness"):
            witnesses.add(mark.args[0])
            item.user_properties.append(("witness", mark.args[0]))
    modules = {Path(item.path).resolve() for item in items}
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
    if wanted:
        keep = [i for i in items if set(_item_rules(i)) & set(wanted)]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep
    _add_timeouts(config, items)


def pytest_collection_finish(session):
    state = _state(session.config)
    if state is not None:
        # the tests the run will run: after every plugin's deselection (-k, -m), which may come after ours
        state.collected.update(item.nodeid for item in session.items)
        # The backend's modules, Hypothesis and the collected tests are here for the whole run: out
        # of the collector's reach, they are not traversed again by every full collection (and by
        # pytest's own at exit). About a tenth of a one-process `ci` run (docs/benchmarks.md).
        gc.collect()
        gc.freeze()


#: seconds one suite test may take with the default profile's 60 examples (about 100 times the usual)
SUITE_TIMEOUT_S = 120


def _add_timeouts(config, items) -> None:
    """A per-test timeout for suite tests, scaled by the profile's max_examples.

    pytest-timeout's ``thread`` method (pyproject.toml) ends a hung process; under
    pytest-xdist the worker is replaced and the test is lost alone. ``--timeout`` on the
    command line (or a test's own ``timeout`` mark) takes precedence.
    """
    if config.getoption("timeout", None) is not None:
        return
    scale = max(1.0, profiles.max_examples() / 60)
    mark = pytest.mark.timeout(round(SUITE_TIMEOUT_S * scale))
    for item in items:
        if _in_suites(item) and item.get_closest_marker("timeout") is None:
            item.add_marker(mark)


# ---- running one test ----------------------------------------------------------------------


def pytest_runtest_setup(item):
    state = _state(item.config)
    if state is None:
        return
    for mark in item.iter_markers("capability"):
        missing = [c for c in mark.args if c not in state.adapter.capabilities]
        if missing:
            skip_unsupported(Unsupported(f"{state.adapter.name} lacks capability {', '.join(missing)}"),
                             f"capability {', '.join(missing)}")
    known = _setup_classes(item)
    for rule in _item_rules(item):
        # an entry narrowed by keys the parameters do not show (dtype of a drawn tensor, form, ...) is
        # matched case by case while the test runs, not here
        declared = [e for e in state.expectations.get(rule, [])
                    if e.status == "unsupported" and set(e.cases) <= set(known) and e.matches(known)]
        if declared:
            pytest.skip(f"{UNSUPPORTED_PREFIX}declared in expectations: {declared[0].reason}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    state = _state(item.config)
    rules = _item_rules(item)
    if state is None or not rules:
        return (yield)
    budget = max(10, profiles.max_examples())
    record = TestRecord(item.nodeid, rules, {r: state.expectations.get(r, []) for r in rules}, budget,
                        shrink_seconds=_shrink_seconds(item))
    item.stash[RECORD_KEY] = record
    rules_token, record_token = TEST_RULES.set(tuple(rules)), RECORD.set(record)
    try:
        if is_hypothesis_test(item.obj):
            wrap_inner_test(item.obj.hypothesis)  # each example runs through the record
            return (yield)
        cases, token = record.begin_example()  # a deterministic test is one example
        try:
            result = yield
        except BaseException as exc:
            record.end_example(cases, token, exc)
            raise
        record.end_example(cases, token, None)
        return result
    finally:
        RECORD.reset(record_token)
        TEST_RULES.reset(rules_token)


def _shrink_seconds(item) -> float | None:
    """Half the test's timeout: what is left lets the failure found be reported before pytest-timeout
    would end the test as hung (None where the test has no timeout)."""
    mark = item.get_closest_marker("timeout")
    seconds = mark.args[0] if mark is not None and mark.args else item.config.getoption("timeout", None)
    return float(seconds) / 2 if seconds else None


def _cut_shrink_report(rep, record: TestRecord) -> None:
    """A test whose shrinking was cut (ShrinkCut) fails with the failures found so far."""
    found = record.undeclared_failures()
    rep.outcome = "failed"
    rep.longrepr = (f"tensorcts: Hypothesis was still shrinking this failure after {record.elapsed():.0f} s (half the "
                    f"test's timeout), so it is reported as found, not minimal:\n\n"
                    + "\n\n".join(f["message"] for f in found))


def _declared_reasons(record: TestRecord) -> list[str]:
    reasons = set()
    for f in record.failures.values():
        for r in f["rules"]:
            entries = record.entries.get(r, [])
            if case_outcome(True, entries, f["classes"]) != "fail":
                reasons |= {e.reason for e in covering(entries, f["classes"], ("fail", "flaky", "unsupported"))}
    return sorted(reasons)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    state = _state(item.config)
    if state is None:
        return rep
    exc = call.excinfo.value if call.excinfo is not None else None
    op = getattr(exc, "tensorcts_op", None)
    if op is not None:
        rep.user_properties.append(("unsupported_op", op))
    record = item.stash.get(RECORD_KEY, None)
    if call.when != "call" or record is None:
        return rep
    if rep.skipped and op is not None:
        record.held.clear()  # a test cut short by a missing operation is unsupported, not a partial pass
        record.ran.clear()
    budget_end = isinstance(exc, FailedHealthCheck | Unsatisfiable) and record.discarded and not record.undeclared_seen
    if isinstance(exc, ShrinkCut):
        _cut_shrink_report(rep, record)
    elif budget_end and record.only_missing():  # Hypothesis gave up on the discards before our budget did
        op, skip = next(iter(record.missing)), record.missing_skip()
        rep.outcome, rep.longrepr = "skipped", (str(item.path), item.location[1], str(skip))
        rep.user_properties.append(("unsupported_op", op))
    elif isinstance(exc, EndOfTest) or budget_end:
        rep.outcome = "skipped"
        reasons = _declared_reasons(record)
        if reasons:
            rep.wasxfail = "declared: " + "; ".join(r[:120] for r in reasons)
            rep.longrepr = None
        else:
            blocked = next(iter(record.blocked.values()), None)
            why = (f"{BLOCKED_PREFIX}{blocked['message']}" if blocked
                   else f"tensorcts: every example was discarded ({exc})")
            rep.longrepr = (str(item.path), item.location[1], why)
    elif rep.failed and not record.undeclared_seen:
        record.note_failure(rep.longreprtext)
    rep.user_properties.append(("tensorcts", record.as_dict()))
    return rep


# ---- tally, report and summary (the controller, or the only process) ----------------------


class Tallier:
    """Gathers reports where they arrive; under xdist, also keeps the run going through crashes."""

    def __init__(self, state: RunState):
        self.state = state
        self.started_nodes: set[str] = set()
        self.startup_crashes = 0

    def pytest_runtest_logreport(self, report):
        self.state.tally.add(report)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node):
        """Every xdist worker runs with the controller's seed, so ``--hypothesis-seed`` replays the run."""
        if self.state.seed is not None:
            node.workerinput["tensorcts_seed"] = self.state.seed

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids):
        self.started_nodes.add(node.gateway.id)
        self.state.collected.update(ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error):
        if error and node.gateway.id not in self.started_nodes:
            self.startup_crashes += 1
            if self.startup_crashes > MAX_STARTUP_CRASHES:
                pytest.exit(f"tensorcts: {self.startup_crashes} workers crashed before collecting a test: {error}",
                            returncode=pytest.ExitCode.INTERNAL_ERROR)


def _report(config, state: RunState, exitstatus) -> dict:
    adapter = state.adapter
    backend = {"name": adapter.name, "version": adapter.version,
               "adapter": f"{type(adapter).__module__}:{type(adapter).__qualname__}",
               "devices": state.devices, "compute_devices": state.compute_devices,
               "shape_pool": getattr(adapter, "shape_pool", None), "capabilities": sorted(adapter.capabilities)}
    not_run = sorted(state.collected - state.tally.finished)
    for nodeid in not_run:
        state.tally.never_ran(nodeid, state.rules_of_test.get(nodeid, []))
    interrupted = exitstatus in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR)
    run = report_mod.run_info(state.started, time.monotonic() - state.t0, state.profile, state.seed, SUITE_VERSION,
                              derandomize=state.derandomize, completed=not interrupted and not not_run,
                              lost=state.tally.lost, not_run=not_run, min_examples=state.min_examples)
    return report_mod.build(state.rules, state.tally, state.expectations, backend, run, state.min_examples)


def _report_hang(config, state: RunState, item: pytest.Item, seconds: float) -> None:
    """Called from the timer thread of a one-process run just before it ends the process."""
    state.tally.lose(item.nodeid, _item_rules(item),
                     f"ran past its {seconds:g} s timeout (pytest-timeout); in a one-process run that ends the "
                     "process, so the tests after it never ran (under -n 1 or more a hung worker is replaced)")
    built = _report(config, state, pytest.ExitCode.INTERRUPTED)
    path = config.getoption("conformance_report")
    if path:
        report_mod.write(Path(path), built)
    print(f"\ntensorcts: LOST {item.nodeid} (hung past {seconds:g} s); the run ends here, "
          f"{len(built['run']['not_run'])} test(s) never ran" + (f"; report written to {path}" if path else ""),
          flush=True)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    state = _state(config)
    if state is None or hasattr(config, "workerinput"):
        return
    built = _report(config, state, exitstatus)
    config.stash[REPORT] = built
    path = config.getoption("conformance_report")
    if path:
        report_mod.write(Path(path), built)
    if any(r["status"] == "xpass" for r in built["rules"].values()) and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    built = config.stash.get(REPORT, None)
    if built is None:
        return
    tr = terminalreporter
    tr.section("tensorcts conformance")
    b, run = built["backend"], built["run"]
    tr.write_line(f"backend {b['name']} {b['version']} on {', '.join(b['devices'])}")
    for level in ("core", "torch"):
        counts = ", ".join(f"{v} {k}" for k, v in built["summary"][level].items() if v)
        tr.write_line(f"{level:5} rules: {counts or 'none'}")
    for rule_id, entry in built["rules"].items():
        if entry["status"] in ("fail", "xpass"):
            tr.write_line(f"{entry['status'].upper():5} {rule_id}", red=True)
        elif entry["status"] == "blocked":
            by = entry["blocked_by"][0] if entry["blocked_by"] else {}
            tr.write_line(f"BLOCKED {rule_id} by {by.get('op')}" + (f" ({by['rule']})" if by.get("rule") else ""),
                          yellow=True)
    for lost in run["lost"]:
        tr.write_line(f"LOST  {lost['test']}: {lost['reason'][:200]}", red=True)
    if not run["completed"]:
        tr.write_line(f"the run did not complete: {len(run['not_run'])} test(s) never ran", red=True)
    if run["seed"] is not None:
        tr.write_line(f"hypothesis seed {run['seed']}: replay with --hypothesis-seed {run['seed']}")
    else:
        tr.write_line(f"hypothesis profile {run['profile']} is derandomized: every run draws the same examples")
    path = config.getoption("conformance_report")
    if path:
        tr.write_line(f"report written to {path}")
