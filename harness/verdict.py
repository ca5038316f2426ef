"""Verdicts: what one case's outcome means under a backend's expectations, and a rule's status.

Pure functions of their inputs (no pytest, no I/O), so every status the report can give is
unit-tested (tests/test_verdict.py). docs/suite-contract.md states the same rules in prose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .expectations import Expectation

#: every status a rule can have, in the report's order
STATUSES = ("pass", "fail", "xfail", "xpass", "flaky", "blocked", "unsupported", "untested")
#: the examples of a rule on which its operation must have run and held for a ``pass``
MIN_EXAMPLES = 1

Classes = Mapping[str, "str | None"]


def covering(entries: Iterable[Expectation], classes: Classes, statuses: Sequence[str]) -> list[Expectation]:
    """The entries of these statuses that cover a case of ``classes``."""
    return [e for e in entries if e.status in statuses and e.matches(classes)]


def case_outcome(failed: bool, entries: Sequence[Expectation], classes: Classes) -> str:
    """What one case of a rule means: a failure is ``flaky``, ``xfail`` or ``unsupported`` when an entry
    of that status covers its classes, else ``fail``; a case that held is ``xpass`` when a ``fail``
    entry covers it (evidence that the entry may be stale), else ``pass``."""
    if failed:
        for status, outcome in (("flaky", "flaky"), ("fail", "xfail"), ("unsupported", "unsupported")):
            if covering(entries, classes, (status,)):
                return outcome
        return "fail"
    return "xpass" if covering(entries, classes, ("fail",)) else "pass"


@dataclass
class RuleEvidence:
    """Everything the run saw of one rule (gathered by tally.py from every test that names it)."""

    #: (case classes, examples) where the operation under test ran and every check held
    held: list[tuple[dict, int]] = field(default_factory=list)
    #: each failing case: {"classes", "message", "repro", "test"}
    failures: list[dict] = field(default_factory=list)
    #: each blocked case: {"op", "rule", "message", "test"}
    blocked: list[dict] = field(default_factory=list)
    #: each unsupported operation: {"op", "message", "test"}
    unsupported: list[dict] = field(default_factory=list)
    #: operations missing in some examples of a test, which were discarded: {"op", "message", "examples", "test"}
    missing: list[dict] = field(default_factory=list)
    #: tests lost to a crash or a hang (a worker, or the one process): {"test", "reason"}
    lost: list[dict] = field(default_factory=list)
    #: (witness name, device) of each legacy witness test that passed
    witness_passed: list[tuple[str, str | None]] = field(default_factory=list)
    #: tests collected but never run: the run ended early (a hang in a one-process run, an interrupt)
    never_ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # skips for another reason (no device pair, ...)
    #: examples in which the operation ran and held (None: count ``held``, one example per class)
    ran_examples: int | None = None

    @property
    def ran(self) -> int:
        return self.ran_examples if self.ran_examples is not None else sum(n for _, n in self.held)


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str


def stale_entries(evidence: RuleEvidence, entries: Sequence[Expectation]) -> list[Expectation]:
    """``fail`` entries the run contradicts: their own legacy witness test passed on a device they
    cover, or cases in their classes ran and held while none of their cases failed (unless the entry's
    divergence shows on rare inputs only: then its code witness alone can say it is stale)."""
    out = []
    for e in entries:
        if e.status != "fail":
            continue
        witnessed = any(e.witness == w and e.applies(d) for w, d in evidence.witness_passed)
        held = not e.rare_inputs and any(e.matches(c) for c, _ in evidence.held)
        failed = any(_keeps_alive(e, f["classes"], entries) for f in evidence.failures)
        if witnessed or (held and not failed):
            out.append(e)
    return out


def _keeps_alive(entry: Expectation, classes: dict, entries: Sequence[Expectation]) -> bool:
    """Does this failure show the entry's divergence? Not when a narrower entry (one that names more case
    keys) also covers it: that failure is the narrower entry's, and a broader entry every other case of
    which held is stale (JAX's int64 / int64 entry lived on the broadcast-divisor entry's int64 failures)."""
    if not entry.matches(classes):
        return False
    return not any(o is not entry and o.status == "fail" and set(o.cases) > set(entry.cases) and o.matches(classes)
                   for o in entries)


def rule_status(evidence: RuleEvidence, entries: Sequence[Expectation], min_examples: int = MIN_EXAMPLES) -> Verdict:
    """A rule's status, by precedence: flaky (declared), fail, xpass, untested (tests lost or never run), xfail, pass,
    blocked, unsupported, untested."""
    statuses = {e.status for e in entries}
    if "flaky" in statuses:
        return Verdict("flaky", "declared flaky")
    outcomes = [case_outcome(True, entries, f["classes"]) for f in evidence.failures]
    undeclared = [f for f, o in zip(evidence.failures, outcomes) if o == "fail"]
    if undeclared:
        return Verdict("fail", f"{len(undeclared)} undeclared failing case(s)")
    stale = stale_entries(evidence, entries)
    if stale:
        return Verdict("xpass", "a declared failure held: " + "; ".join(e.reason[:80] for e in stale))
    if evidence.lost:
        return Verdict("untested", f"{len(evidence.lost)} test(s) lost to a crash or a hang")
    if evidence.never_ran:
        return Verdict("untested", f"{len(evidence.never_ran)} test(s) never ran: the run ended early")
    ran = evidence.ran
    if "xfail" in outcomes:
        return Verdict("xfail", "only declared cases failed")
    if "fail" in statuses and ran >= min_examples:  # the declaration stands on its witness (run by tools.witnesses)
        return Verdict("xfail", "every case that ran held; no case of the declared divergence was drawn this run")
    if ran >= min_examples:
        return Verdict("pass", f"the operation ran and held on {ran} example(s)")
    if evidence.blocked:
        return Verdict("blocked", "a setup step failed in every case that reached it")
    declared_unsupported = "unsupported" in statuses or "unsupported" in outcomes
    if evidence.unsupported or declared_unsupported:
        return Verdict("unsupported", "the backend lacks the operation")
    if ran:
        return Verdict("untested", f"the operation ran on {ran} example(s), fewer than {min_examples}")
    return Verdict("untested", "no case ran the operation under test")
