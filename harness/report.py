"""Per-rule outcomes, rule statuses, and the JSON conformance report (tensorcts-report/1)."""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .expectations import Expectation
from .spec import Rule

SCHEMA = "tensorcts-report/1"
STATUSES = ("pass", "fail", "xfail", "xpass", "flaky", "unsupported", "untested")


@dataclass
class RuleTally:
    passed: int = 0
    failed: int = 0  # unexpected failures
    xfailed: int = 0  # failures an expectation covers
    unsupported: int = 0
    skipped: int = 0  # skipped for another reason (no such device, ...)
    witness_passed: list[tuple[str, str | None]] = field(default_factory=list)  # (witness, device)
    message: str | None = None


def rule_status(tally: RuleTally, expectations: list[Expectation]) -> str:
    statuses = {e.status for e in expectations}
    if "flaky" in statuses:
        return "flaky"
    if tally.failed:
        return "fail"
    if "unsupported" in statuses and not tally.passed and not tally.xfailed:
        return "unsupported"
    if "fail" in statuses:
        # only an entry's own witness, on a device the entry covers, can show it stale
        if any(e.witness == w and e.applies(d) for e in expectations for w, d in tally.witness_passed):
            return "xpass"
        if tally.xfailed:
            return "xfail"
        return "xpass" if tally.passed else ("unsupported" if tally.unsupported else "untested")
    if tally.passed:
        return "pass"
    if tally.xfailed:
        return "xfail"
    return "unsupported" if tally.unsupported else "untested"


def build(rules: dict[str, Rule], tallies: dict[str, RuleTally], expectations: dict[str, list[Expectation]],
          backend: dict, run: dict) -> dict:
    entries, summary = {}, {level: dict.fromkeys(STATUSES, 0) for level in ("core", "torch")}
    for rule_id, rule in sorted(rules.items()):
        tally = tallies.get(rule_id, RuleTally())
        own = expectations.get(rule_id, [])
        status = rule_status(tally, own)
        summary[rule.level][status] += 1
        entries[rule_id] = {
            "status": status,
            "level": rule.level,
            "title": rule.title,
            "tests": {"passed": tally.passed, "failed": tally.failed + tally.xfailed,
                      "skipped": tally.unsupported + tally.skipped},
            "message": tally.message,
            "expectation": [e.as_dict() for e in own] or None,
        }
    totals = dict.fromkeys(STATUSES, 0)
    for counts in summary.values():
        for k, v in counts.items():
            totals[k] += v
    return {"schema": SCHEMA, "backend": backend, "run": run, "rules": entries,
            "summary": {"total": totals, **summary}}


def run_info(started: str, duration: float, profile: str, seed, suite_version: str) -> dict:
    return {"started": started, "duration_s": round(duration, 3), "python": sys.version.split()[0],
            "platform": platform.platform(), "profile": profile, "seed": seed, "suite_version": suite_version}


def write(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, sort_keys=False) + "\n", encoding="utf-8")
