"""What one test saw, example by example: the cases it ran, which held, which failed, which were
blocked, what they observed and measured. Runs inside the test's process (an xdist worker or the
only process); ``TestRecord.as_dict`` travels to the tally in the report's user properties.

A failure that the backend's expectations declare, a case blocked by a setup step, and a case
in a class declared unsupported do not end the test: the example is discarded
(``hypothesis.reject()``) so Hypothesis keeps generating, and the rule's other classes still
run and must hold. After ``budget`` discarded examples the test ends (``EndOfTest``), as
every example may be in a declared class.

An example cut short by a missing operation (the adapter raised ``Unsupported``) is discarded the
same way and counts nothing: a test that draws among operations is judged on the examples that
drew ones the backend has, and ends ``unsupported`` only when no example ran to its end. One
example that drew a missing operation used to end the whole test, hiding what the others showed,
on some seeds only.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import currently_in_test_context, reject
from hypothesis.errors import UnsatisfiedAssumption
from tensorcts.suites.outcome import EXAMPLE_CASES, Blocked, ConformanceFailure, failures_in

from .expectations import Expectation
from .proxy import unsupported_skip
from .tally import UNSUPPORTED_PREFIX
from .verdict import case_outcome

#: the record of the running test (None outside suite tests)
RECORD: ContextVar[TestRecord | None] = ContextVar("tensorcts_record", default=None)
MAX_MESSAGE = 4000  # characters of a failure message kept in the report


if TYPE_CHECKING:  # pytest's public name is the attribute pytest.skip.Exception, which mypy can't take as a base class
    from _pytest.outcomes import Skipped as _Skipped
else:
    _Skipped = pytest.skip.Exception


class EndOfTest(_Skipped):
    """Ends a test whose cases were all discarded (declared, blocked) without a failure of its own.

    A pytest skip, so Hypothesis re-raises it at once instead of shrinking; the plugin turns it
    into the test's real outcome from its record."""


class ShrinkCut(_Skipped):
    """Ends a test whose undeclared failure Hypothesis was still shrinking when the test had used its
    shrink time (``TestRecord.shrink_seconds``): the failure already recorded is reported as found.

    Shrinking re-runs the test, and a backend that compiles a kernel for every new input (tinygrad)
    could shrink past the test's timeout: the test was then lost as hung, and a real failure read
    ``untested``. A skip, so Hypothesis stops at once; the plugin turns it into the failure."""


def _key(classes: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in classes.items()))


class TestRecord:
    """The evidence of one test item (one parametrisation)."""

    __test__ = False  # not a pytest test class

    def __init__(self, nodeid: str, rules: Sequence[str], entries: dict[str, list[Expectation]], budget: int,
                 shrink_seconds: float | None = None):
        self.nodeid = nodeid
        self.shrink_seconds = shrink_seconds  # after this long, an undeclared failure ends the test (ShrinkCut)
        self.started = time.monotonic()
        self.rules = tuple(rules)
        self.entries = entries
        self.budget = budget
        self.examples = 0
        self.discarded = 0
        self.undeclared_seen = False  # once a real failure is found, never end the test early
        self.held: dict[str, dict[tuple, list]] = {}  # rule -> class key -> [classes, examples]
        self.ran: dict[str, int] = {}  # rule -> examples in which a case of it ran and held
        self.failures: dict[tuple, dict] = {}  # (rules, class key) -> failure, the latest (most shrunk) kept
        self.blocked: dict[tuple, dict] = {}
        self.unsupported: dict[tuple, dict] = {}
        self.missing: dict[str, dict] = {}  # adapter operation -> {"message", "examples"}: examples it cut short
        self.observations: dict[str, dict[str, dict[str, int]]] = {}
        self.measurements: dict[str, dict[str, dict]] = {}

    # ---- one example ------------------------------------------------------------------------
    def run_example(self, fn: Callable, /, *args, **kwargs):
        """Run one example, collecting its cases; discard it when every failure in it is declared."""
        cases, token = self.begin_example()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            self.end_example(cases, token, exc)
            self._cut_shrinking()
            raise
        self.end_example(cases, token, None)
        self._cut_shrinking()
        return result

    def _cut_shrinking(self) -> None:
        """After an example (its draws done, so Hypothesis sees the same choices as before): end a test
        whose undeclared failure is still being shrunk once it has used its shrink time."""
        if self.undeclared_seen and self.shrink_seconds is not None and self.elapsed() > self.shrink_seconds:
            raise ShrinkCut(f"tensorcts: shrinking stopped after {self.elapsed():.0f} s")

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def undeclared_failures(self) -> list[dict]:
        """The recorded failures no expectation covers (what makes the test fail)."""
        return [f for f in self.failures.values()
                if any(case_outcome(True, self.entries.get(r, []), f["classes"]) == "fail" for r in f["rules"])]

    def begin_example(self) -> tuple[list, Any]:
        """Start collecting the cases of one example (``Case`` registers itself in ``EXAMPLE_CASES``)."""
        self.examples += 1
        cases: list = []
        return cases, EXAMPLE_CASES.set(cases)

    def end_example(self, cases: list, token, exc: BaseException | None) -> None:
        """Absorb the example's cases. With an exception: return to let it propagate (a real failure,
        a skip, Hypothesis's own control flow), or discard the example (raises)."""
        EXAMPLE_CASES.reset(token)
        op = getattr(exc, "tensorcts_op", None)
        if exc is not None and op is not None and currently_in_test_context():
            self._discard_missing(op, exc)  # what the example did before the missing call counts nothing
            return
        self._absorb(cases)
        if exc is None or not isinstance(exc, Exception) or isinstance(exc, UnsatisfiedAssumption):
            return  # a skip (unsupported, in a test of one example), an interrupt, an assume(): not a case outcome
        if not self._discardable(exc, cases):
            self.undeclared_seen = True
            return
        self._discard()

    def _discard_missing(self, op: str, exc: BaseException) -> None:
        slot = self.missing.setdefault(op, {"message": str(exc).removeprefix(UNSUPPORTED_PREFIX), "examples": 0})
        slot["examples"] += 1
        self._discard()

    def only_missing(self) -> bool:
        """True when every example was cut short by a missing operation (nothing ran, held or failed):
        the test is ``unsupported``."""
        return bool(self.missing) and not (self.held or self.failures or self.blocked or self.unsupported)

    def missing_skip(self) -> BaseException:
        """The ``unsupported`` skip that ends a test every example of which missed an operation."""
        op, slot = next(iter(self.missing.items()))
        return unsupported_skip(slot["message"], op)

    def _discard(self):
        self.discarded += 1
        if self.discarded >= self.budget and not self.undeclared_seen:
            if self.only_missing():
                raise self.missing_skip()
            raise EndOfTest(f"tensorcts: {self.discarded} examples discarded (declared, blocked, "
                            f"declared unsupported or missing an operation), {self.examples - self.discarded} kept")
        if currently_in_test_context():
            reject()
        raise EndOfTest("tensorcts: the test's only case was discarded (declared, blocked or declared unsupported)")

    def _absorb(self, cases: list) -> None:
        """Held cases, observations and measurements of a finished example."""
        seen: set[tuple[str, tuple]] = set()
        ran_rules: set[str] = set()
        for case in cases:
            for rule, key, value in getattr(case, "observations", ()):
                counts = self.observations.setdefault(rule, {}).setdefault(key, {})
                text = repr(value)[:200]
                counts[text] = counts.get(text, 0) + 1
            for rule, key, value, repro in getattr(case, "measurements", ()):
                best = self.measurements.setdefault(rule, {}).get(key)
                if best is None or value > best["value"]:
                    self.measurements[rule][key] = {"value": value, "repro": repro}
            if not getattr(case, "ran", 0) or getattr(case, "failed", None) is not None:
                continue
            classes = _plain(case.classes())
            for rule in case.rules:
                k = _key(classes)
                if (rule, k) in seen:
                    continue  # one example counts once per class
                seen.add((rule, k))
                slot = self.held.setdefault(rule, {}).setdefault(k, [classes, 0])
                slot[1] += 1
                ran_rules.add(rule)
        for rule in ran_rules:  # an example counts once per rule, whatever its number of cases
            self.ran[rule] = self.ran.get(rule, 0) + 1

    def _discardable(self, exc: BaseException, cases: list) -> bool:
        """Record each leaf failure of ``exc``; True when all of them are declared or blocked."""
        ok = True
        for leaf in failures_in(exc):
            if isinstance(leaf, Blocked):
                rules = leaf.rules or self.rules
                self.blocked[(rules, leaf.op, leaf.rule)] = {
                    "rules": list(rules), "op": leaf.op, "rule": leaf.rule, "message": str(leaf)[:MAX_MESSAGE]}
                continue
            if isinstance(leaf, ConformanceFailure):
                rules, classes, repro, shows = leaf.rules or self.rules, _plain(leaf.case_class), leaf.repro, leaf.shows
            else:
                rules, classes, repro, shows = self.rules, _classes_of_cases(cases), None, None
            outcomes = {case_outcome(True, self.entries.get(r, []), classes) for r in rules}
            self.failures[(tuple(rules), _key(classes))] = {
                "rules": list(rules), "classes": classes, "repro": repro, "shows": shows,
                "message": _message(leaf)}
            if outcomes & {"fail"}:
                ok = False
            elif outcomes == {"unsupported"}:
                self.unsupported[(tuple(rules), _key(classes))] = {
                    "rules": list(rules), "op": None, "message": "declared unsupported: " + _message(leaf)[:300]}
        return ok

    def note_failure(self, message: str) -> None:
        """A failure outside any example (a fixture, Hypothesis itself): blamed on every rule of the test."""
        key = (self.rules, ())
        if not any(f["rules"] == list(self.rules) for f in self.failures.values()):
            self.failures[key] = {"rules": list(self.rules), "classes": {}, "repro": None,
                                  "message": message[-MAX_MESSAGE:]}

    def as_dict(self) -> dict:
        """Plain data (str keys, lists) that pytest-xdist can send to the controller."""
        return {
            "examples": self.examples, "discarded": self.discarded,
            "held": {r: [[c, n] for c, n in by.values()] for r, by in self.held.items()}, "ran": self.ran,
            "failures": list(self.failures.values()), "blocked": list(self.blocked.values()),
            "unsupported": list(self.unsupported.values()),
            "missing": [{"rules": list(self.rules), "op": op, **slot} for op, slot in self.missing.items()],
            "observations": self.observations, "measurements": self.measurements,
        }


def _plain(classes) -> dict:
    return {str(k): (None if v is None else str(v)) for k, v in dict(classes).items()}


def _classes_of_cases(cases: list) -> dict:
    """The classes of an example's last case (an exception outside a check still belongs to it)."""
    return _plain(cases[-1].classes()) if cases else {}


def _message(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, ConformanceFailure) else f"{type(exc).__name__}: {exc}"
    return text[:MAX_MESSAGE]


def wrap_inner_test(handle) -> None:
    """Run each Hypothesis example of a test through its record (``hypothesis.inner_test`` is public and
    reassignable). The wrapper finds the record of the running item, so one function shared by every
    parametrisation is wrapped once."""
    inner = handle.inner_test
    if getattr(inner, "_tensorcts_examples", False):
        return

    @functools.wraps(inner)
    def each_example(*args: Any, **kwargs: Any):
        record = RECORD.get()
        if record is None:
            return inner(*args, **kwargs)
        return record.run_example(inner, *args, **kwargs)

    setattr(each_example, "_tensorcts_examples", True)  # noqa: B010 (a function attribute mypy would not know)
    handle.inner_test = each_example
