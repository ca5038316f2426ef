"""Reading conformance reports (schema tensorcts-report/1 and /2) for the site.

The site only displays what a report says. Schema /2 adds per-rule ``failures``,
``blocked_by``, ``unsupported_op``, ``observations`` and ``measurements`` and
witnesses with code; /1 has none of them. Unknown keys are ignored, missing ones
read as empty, so a newer report still builds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

SCHEMAS = ("tensorcts-report/1", "tensorcts-report/2")
#: every status a report may give a rule, in the contract's order of severity
STATUSES = ("fail", "xpass", "xfail", "blocked", "flaky", "pass", "unsupported", "untested")
LEVELS = ("core", "torch")


class ReportError(ValueError):
    """A file is not a readable tensorcts report."""


@dataclass(frozen=True)
class Report:
    path: Path
    data: dict[str, Any]
    #: set when two reports name the same backend (a CPU and a GPU run): then the file's stem
    unique_name: str | None = None

    @property
    def name(self) -> str:
        """The backend's name: a column of the matrix and the name of its page."""
        return self.unique_name or str(self.backend.get("name") or self.path.stem)

    @property
    def backend(self) -> dict[str, Any]:
        return self.data.get("backend") or {}

    @property
    def run(self) -> dict[str, Any]:
        return self.data.get("run") or {}

    @property
    def rules(self) -> dict[str, dict[str, Any]]:
        return self.data.get("rules") or {}

    def status(self, rule_id: str) -> str | None:
        entry = self.rules.get(rule_id)
        return entry.get("status") if entry else None

    def counts(self) -> dict[str, dict[str, int]]:
        """Rules per level and status, counted from the rules (not trusted from ``summary``)."""
        counts = {level: dict.fromkeys(STATUSES, 0) for level in LEVELS}
        for entry in self.rules.values():
            level = counts.setdefault(entry.get("level", "?"), dict.fromkeys(STATUSES, 0))
            status = entry.get("status", "?")
            level[status] = level.get(status, 0) + 1
        return counts


def load(path: Path) -> Report:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: cannot read a report: {exc}") from None
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema not in SCHEMAS:
        raise ReportError(f"{path}: schema {schema!r} is none of {', '.join(SCHEMAS)}")
    if not isinstance(data.get("rules"), dict):
        raise ReportError(f"{path}: no 'rules' object")
    return Report(path, data)


def load_dir(directory: Path) -> list[Report]:
    """Every ``*.json`` report in ``directory``, ordered by backend name."""
    if not directory.is_dir():
        raise ReportError(f"{directory}: no such directory of reports")
    found = [load(p) for p in sorted(directory.glob("*.json"))]
    names = [r.name for r in found]
    found = [replace(r, unique_name=r.path.stem) if names.count(r.name) > 1 else r for r in found]
    if len({r.name for r in found}) < len(found):
        raise ReportError(f"{directory}: two reports share a backend name and a file name")
    return sorted(found, key=lambda r: r.name)


def witness(expectation: dict[str, Any]) -> dict[str, str] | None:
    """An expectation's witness as {name, code, shows}: /1 names it, /2 gives its code."""
    w = expectation.get("witness")
    if not w:
        return None
    if isinstance(w, str):
        return {"name": w, "code": "", "shows": ""}
    if isinstance(w, dict):
        return {"name": str(w.get("name", "")), "code": str(w.get("code", "")), "shows": str(w.get("shows", ""))}
    return {"name": str(w), "code": "", "shows": ""}


def failures(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry's failures, each with ``class`` (a dict), ``message`` and ``repro``."""
    raw = entry.get("failures") or []
    return [f if isinstance(f, dict) else {"message": str(f)} for f in raw] if isinstance(raw, list) else []


def blocked_by(entry: dict[str, Any]) -> dict[str, str] | None:
    """The operation (and its rule) whose setup failure blocked the rule."""
    b = entry.get("blocked_by")
    if not b:
        return None
    if isinstance(b, dict):
        return {"op": str(b.get("op") or b.get("operation") or ""), "rule": str(b.get("rule") or "")}
    return {"op": str(b), "rule": ""}


def measurements(entry: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(key, largest value, repro) per measurement key of the entry."""
    raw = entry.get("measurements") or {}
    rows = []
    items = raw.items() if isinstance(raw, dict) else ((m.get("key", "?"), m) for m in raw if isinstance(m, dict))
    for key, m in items:
        if isinstance(m, dict):
            rows.append((str(key), m.get("value", m.get("max")), str(m.get("repro") or "")))
        else:
            rows.append((str(key), m, ""))
    return rows


def observations(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    """(key, value) per MAY observation of the entry."""
    raw = entry.get("observations") or {}
    if isinstance(raw, dict):
        return [(str(k), v) for k, v in raw.items()]
    if isinstance(raw, list):
        return [(str(o.get("key", "?")), o.get("value", o)) if isinstance(o, dict) else ("", o) for o in raw]
    return []
