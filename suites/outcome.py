"""The outcomes a suite check raises or records: the vocabulary suites and harness share.

Suites raise these; the harness (tensorcts.harness) turns them into rule statuses.
docs/suite-contract.md says what each one means for a verdict.

The two context variables let the harness see every ``Case`` a test creates (to count
where the operation under test ran, and which case classes held) without suites
importing the harness: the harness sets them around each test and each example.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any


class ConformanceFailure(AssertionError):
    """A backend broke a rule. ``rules``, ``device``, ``dtype`` and ``case_class`` let expectations match it;
    ``repro`` is code in the backend's own API that shows the failure (None when not known), and
    ``shows`` what running it must show (``tensorcts.tools.repros`` checks it): ``{"raises": type name}``,
    ``{"returns": True}`` (a result where an error was required), ``{"result": {shape, dtype, values}}``
    of the printed value, or None where the check is not about the printed value."""

    def __init__(self, message: str, rules: tuple[str, ...], device: str | None = None,
                 dtype: str | None = None, case_class: Mapping[str, str] | None = None,
                 repro: str | None = None, shows: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.rules = tuple(rules)
        self.device = device
        self.dtype = dtype
        self.case_class = dict(case_class or {})
        self.repro = repro
        self.shows = dict(shows) if shows is not None else None
        if device is not None:
            self.case_class.setdefault("device", device)
        if dtype is not None:
            self.case_class.setdefault("dtype", dtype)


class Blocked(Exception):
    """A setup step (building inputs with another operation) failed: the rule under test could not run.

    ``op`` is the operation that failed and ``rule`` the rule it belongs to (None when it is plain
    construction through ``asarray``); the rules under test are then ``blocked``, never ``fail``.
    """

    def __init__(self, message: str, rules: tuple[str, ...], op: str, rule: str | None = None):
        super().__init__(message)
        self.rules = tuple(rules)
        self.op = op
        self.rule = rule


def failures_in(exc: BaseException) -> list[BaseException]:
    """The leaf exceptions of an exception (group), as Hypothesis may raise several."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in failures_in(sub)]
    return [exc]


#: the rules of the running test (its ``@pytest.mark.rule`` marks), set by the harness
TEST_RULES: ContextVar[tuple[str, ...]] = ContextVar("tensorcts_test_rules", default=())
#: the cases created in the running example, collected by the harness (None: nobody is collecting)
EXAMPLE_CASES: ContextVar[list[Any] | None] = ContextVar("tensorcts_example_cases", default=None)


def register_case(case: Any) -> None:
    """Called by every new ``Case``: the harness reads ran counts, classes and observations from it."""
    cases = EXAMPLE_CASES.get()
    if cases is not None:
        cases.append(case)
