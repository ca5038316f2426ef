"""The JSON conformance report (tensorcts-report/2): one entry per spec rule, and the run.

docs/suite-contract.md describes every field; tools/matrix.py reads it back.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

from .expectations import Expectation
from .spec import Rule
from .tally import Tally
from .verdict import MIN_EXAMPLES, STATUSES, RuleEvidence, case_outcome, rule_status, stale_entries

SCHEMA = "tensorcts-report/2"
MAX_FAILURES = 20  # distinct failing case classes listed per rule


def _distinct_failures(evidence: RuleEvidence, entries: list[Expectation]) -> list[dict]:
    """One entry per distinct failing case class: undeclared first, then declared."""
    seen: dict[tuple, dict] = {}
    for f in evidence.failures:
        key = tuple(sorted(f["classes"].items()))
        if key in seen:
            seen[key]["count"] += 1
            continue
        outcome = case_outcome(True, entries, f["classes"])
        seen[key] = {"classes": f["classes"], "declared": outcome != "fail", "outcome": outcome,
                     "message": f["message"], "repro": f.get("repro"), "shows": f.get("shows"),
                     "test": f.get("test"), "count": 1}
    out = sorted(seen.values(), key=lambda f: f["declared"])
    return out[:MAX_FAILURES]


def _distinct(items: list[dict], keys: tuple[str, ...]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for item in items:
        seen.setdefault(tuple(str(item.get(k)) for k in keys), {k: item.get(k) for k in (*keys, "message", "test")})
    return list(seen.values())


def _missing_ops(missing: list[dict]) -> list[dict]:
    """One entry per missing operation: the examples it cut short, summed over tests, and one test."""
    out: dict[str, dict] = {}
    for m in missing:
        slot = out.setdefault(str(m["op"]), {"op": m["op"], "examples": 0, "message": m["message"], "test": m["test"]})
        slot["examples"] += m["examples"]
    return list(out.values())


def _message(status: str, evidence: RuleEvidence, failures: list[dict], blocked: list[dict],
             unsupported: list[dict]) -> str | None:
    """The one-line-or-more summary matrix and console show (report/1's ``message``)."""
    if failures and status in ("fail", "xfail", "flaky"):
        f = failures[0]
        return f"{f['test']}\n{f['message']}" if f.get("test") else f["message"]
    if status == "untested" and evidence.lost:
        return evidence.lost[0]["reason"]
    if status == "untested" and evidence.never_ran:
        return "the run ended before " + ", ".join(evidence.never_ran[:3]) + (" and more" if len(evidence.never_ran) > 3 else "")
    if status == "blocked" and blocked:
        return blocked[0]["message"]
    if status == "unsupported" and unsupported:
        return unsupported[0]["message"]
    if evidence.skipped and status == "untested":
        return evidence.skipped[0]
    return None


def build(rules: dict[str, Rule], tally: Tally, expectations: dict[str, list[Expectation]],
          backend: dict, run: dict, min_examples: int = MIN_EXAMPLES) -> dict:
    entries, summary = {}, {level: dict.fromkeys(STATUSES, 0) for level in ("core", "torch")}
    for rule_id, rule in sorted(rules.items()):
        evidence = tally.evidence.get(rule_id, RuleEvidence())
        own = expectations.get(rule_id, [])
        verdict = rule_status(evidence, own, min_examples)
        summary[rule.level][verdict.status] += 1
        counts = tally.counts.get(rule_id)
        failures = _distinct_failures(evidence, own)
        blocked = _distinct(evidence.blocked, ("op", "rule"))
        unsupported = _distinct(evidence.unsupported, ("op",))
        entries[rule_id] = {
            "status": verdict.status,
            "level": rule.level,
            "title": rule.title,
            "why": verdict.reason,
            "tests": {"passed": counts.passed if counts else 0, "failed": counts.failed if counts else 0,
                      "skipped": counts.skipped if counts else 0},
            "ran": evidence.ran,
            "message": _message(verdict.status, evidence, failures, blocked, unsupported),
            "failures": failures,
            "blocked_by": blocked,
            "unsupported_op": next((u["op"] or u["message"] for u in unsupported), None)
            if verdict.status == "unsupported" else None,
            # operations the adapter lacks that cut some examples short: those examples were discarded, and
            # the rule was judged on the others (an ``unsupported`` rule names its operation above)
            "missing_ops": _missing_ops(evidence.missing),
            "lost": evidence.lost,
            "expectation": [e.as_dict() for e in own] or None,
            "stale": [e.as_dict() for e in stale_entries(evidence, own)],
            "observations": tally.observations.get(rule_id, {}),
            "measurements": tally.measurements.get(rule_id, {}),
        }
    totals = dict.fromkeys(STATUSES, 0)
    for level_counts in summary.values():
        for k, v in level_counts.items():
            totals[k] += v
    return {"schema": SCHEMA, "backend": backend, "run": run, "rules": entries,
            "summary": {"total": totals, **summary}}


def run_info(started: str, duration: float, profile: str, seed: int | None, suite_version: str, *,
             derandomize: bool = False, completed: bool = True, lost: list[dict] | None = None,
             not_run: list[str] | None = None, min_examples: int = MIN_EXAMPLES) -> dict:
    return {"started": started, "duration_s": round(duration, 3), "python": sys.version.split()[0],
            "platform": platform.platform(), "profile": profile, "seed": seed, "derandomize": derandomize,
            "suite_version": suite_version, "min_examples": min_examples, "completed": completed,
            "lost": lost or [], "not_run": not_run or []}


def write(path: Path, report: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, sort_keys=False) + "\n", encoding="utf-8")
