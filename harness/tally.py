"""The tally: every test report of the run, gathered per rule where reports arrive (the xdist
controller, or the only process). Its evidence goes to verdict.py; report.py writes the result.

A worker that crashes (a segfault, an abort, a hang ended by pytest-timeout) sends no report
for the test it was running; xdist makes one in the controller, without the test's user
properties. The rules come from the test's setup report, remembered here, and the test is
``lost``: its rules are ``untested`` with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .verdict import RuleEvidence

UNSUPPORTED_PREFIX = "unsupported: "
BLOCKED_PREFIX = "blocked: "


@dataclass
class TestCounts:
    __test__ = False
    passed: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass
class Tally:
    evidence: dict[str, RuleEvidence] = field(default_factory=dict)
    counts: dict[str, TestCounts] = field(default_factory=dict)
    observations: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    measurements: dict[str, dict[str, dict]] = field(default_factory=dict)
    rules_of: dict[str, list[str]] = field(default_factory=dict)  # nodeid -> rules, from the setup report
    finished: set[str] = field(default_factory=set)  # nodeids with a final report
    lost: list[dict] = field(default_factory=list)  # {"test", "reason"}

    def _ev(self, rule: str) -> RuleEvidence:
        return self.evidence.setdefault(rule, RuleEvidence())

    def _count(self, rule: str) -> TestCounts:
        return self.counts.setdefault(rule, TestCounts())

    def add(self, rep) -> None:
        """One pytest TestReport (setup, call or teardown)."""
        props = dict(rep.user_properties)
        if "rules" in props:
            self.rules_of[rep.nodeid] = props["rules"]
        rules = props.get("rules") or self.rules_of.get(rep.nodeid) or []
        if rep.failed and "rules" not in props and rep.nodeid in self.rules_of and "tensorcts" not in props:
            self._lost(rep, rules)  # the report xdist makes for a test whose worker died
            return
        record = props.get("tensorcts")
        if record is not None:
            self._record(rep.nodeid, rules, record)
        if rep.when == "call" or (rep.skipped and rep.when == "setup") or rep.failed:
            self.finished.add(rep.nodeid)
        if rep.when == "call" and rep.passed:
            for r in rules:
                self._count(r).passed += 1
                if props.get("witness"):
                    self._ev(r).witness_passed.append((props["witness"], props.get("device")))
        elif rep.skipped:
            reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
            for r in rules:
                self._count(r).skipped += 1
            self._skip(rules, reason, props.get("unsupported_op"))
        elif rep.failed:
            for r in rules:
                self._count(r).failed += 1
            if record is None:  # a failure in setup or teardown: blamed on every rule of the test
                for r in rules:
                    self._ev(r).failures.append({"classes": {}, "message": rep.longreprtext[-4000:],
                                                 "repro": None, "test": rep.nodeid})

    def _record(self, nodeid: str, rules: list[str], record: dict) -> None:
        for rule, held in record["held"].items():
            self._ev(rule).held.extend((classes, n) for classes, n in held)
        for rule, n in record["ran"].items():
            ev = self._ev(rule)
            ev.ran_examples = (ev.ran_examples or 0) + n
        for f in record["failures"]:
            for r in f["rules"]:
                self._ev(r).failures.append({**f, "test": nodeid})
        for b in record["blocked"]:
            for r in b["rules"]:
                self._ev(r).blocked.append({**b, "test": nodeid})
        for u in record["unsupported"]:
            for r in u["rules"]:
                self._ev(r).unsupported.append({**u, "test": nodeid})
        for m in record.get("missing", ()):
            for r in m["rules"]:
                self._ev(r).missing.append({**m, "test": nodeid})
        for rule, keys in record["observations"].items():
            for key, values in keys.items():
                mine = self.observations.setdefault(rule, {}).setdefault(key, {})
                for v, n in values.items():
                    mine[v] = mine.get(v, 0) + n
        for rule, keys in record["measurements"].items():
            for key, m in keys.items():
                best = self.measurements.setdefault(rule, {}).get(key)
                if best is None or m["value"] > best["value"]:
                    self.measurements[rule][key] = {**m, "test": nodeid}

    def _skip(self, rules: list[str], reason: str, op: str | None) -> None:
        if UNSUPPORTED_PREFIX in reason:
            message = reason.split(UNSUPPORTED_PREFIX, 1)[-1]
            for r in rules:
                self._ev(r).unsupported.append({"op": op, "message": message})
        elif BLOCKED_PREFIX not in reason and "tensorcts:" not in reason:
            for r in rules:
                self._ev(r).skipped.append(reason)

    def _lost(self, rep, rules: list[str]) -> None:
        self.lose(rep.nodeid, rules, f"{rep.longreprtext.strip()[:300]}: the test crashed its process or hung "
                                     "until pytest-timeout ended it")

    def never_ran(self, nodeid: str, rules: list[str]) -> None:
        """A collected test the run ended before: its rules are ``untested``."""
        for r in rules:
            if nodeid not in self._ev(r).never_ran:
                self._ev(r).never_ran.append(nodeid)

    def lose(self, nodeid: str, rules: list[str], reason: str) -> None:
        """A test that ended without a verdict: its rules are ``untested`` with this reason."""
        self.lost.append({"test": nodeid, "reason": reason})
        self.finished.add(nodeid)
        for r in rules:
            self._count(r).failed += 1
            self._ev(r).lost.append({"test": nodeid, "reason": reason})
