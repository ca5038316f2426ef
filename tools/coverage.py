"""The rule coverage table: every rule with its level, reference, tests and mutants; gaps fail.

    python -m tensorcts.tools.coverage                      # every area, the catalogue docs/rules.md
    python -m tensorcts.tools.coverage --areas elementwise,matmul --rules /path/to/rules.md

A gap is a rule without a suite test, without a reference function that exists,
or without a mutant; a test or mutant that names an unknown rule; a spec rule ID
that RULES.md does not list (or lists with another level); a RULES.md rule of a
checked area that has no spec entry; a spec rule ID missing from the published list
spec/rule-ids.txt, or a published ID with no spec entry (IDs are retired, never removed).
Exits 1 on any gap, 0 otherwise. It reads nothing outside the checkout.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from tensorcts.harness.spec import AREAS, RULE_IDS, SPEC_DIR, Rule, SpecError, load_rules, published_ids

ROOT = Path(__file__).resolve().parent.parent
SUITES_DIR = ROOT / "suites"
RULES_ENV = "TENSORCTS_RULES_MD"
#: a RULES.md catalogue line: - `area.slug` core: statement
_RULES_LINE = re.compile(r"^- `([a-z0-9-]+\.[a-z0-9-]+)` (core|torch)\b")


@dataclass
class Row:
    """One rule of the table."""

    id: str
    level: str
    reference: str | None
    tests: list[str] = field(default_factory=list)
    mutants: list[str] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    retired: bool = False


@dataclass
class Coverage:
    rows: list[Row]
    problems: list[str]  # gaps not tied to one known rule (unknown IDs, collection errors)
    notes: list[str]
    areas: tuple[str, ...]

    @property
    def gap_count(self) -> int:
        return sum(len(r.gaps) for r in self.rows) + len(self.problems)

    def as_dict(self) -> dict:
        return {"areas": list(self.areas), "rows": [r.__dict__ for r in self.rows],
                "problems": self.problems, "notes": self.notes, "gaps": self.gap_count}


# ---- the inputs ---------------------------------------------------------------------------------


def default_rules_md() -> Path | None:
    """The catalogue: $TENSORCTS_RULES_MD if set, else docs/rules.md of this checkout (absent when installed)."""
    if os.environ.get(RULES_ENV):
        return Path(os.environ[RULES_ENV])
    candidate = ROOT / "docs" / "rules.md"
    return candidate if candidate.is_file() else None


def parse_rules_md(text: str) -> dict[str, str]:
    """Rule ID -> level, from the catalogue lines of RULES.md."""
    return {m.group(1): m.group(2) for line in text.splitlines() if (m := _RULES_LINE.match(line))}


def reference_problem(reference: str | None, root: Path = ROOT) -> str | None:
    """Why ``reference/<file>.py:<function>`` does not name an existing function (None: it does)."""
    if not reference:
        return "no **Reference.** line"
    path_text, _, qualname = reference.partition(":")
    path = root / path_text
    if not path_text.startswith("reference/") or not path_text.endswith(".py") or not qualname:
        return f"reference {reference!r} is not of the form reference/<file>.py:<function>"
    if not path.is_file():
        return f"reference file {path_text} does not exist"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError as exc:
        return f"reference file {path_text} does not parse: {exc}"
    scope: list[ast.stmt] = tree.body
    for part in qualname.split("."):
        found = next((node for node in scope if isinstance(node, (ast.FunctionDef, ast.ClassDef))
                      and node.name == part), None)
        if found is None:
            # a name bound another way (an assignment, an import) still counts as defined
            names = {t.id for node in scope if isinstance(node, ast.Assign) for t in node.targets
                     if isinstance(t, ast.Name)}
            names |= {(a.asname or a.name) for node in scope if isinstance(node, ast.ImportFrom) for a in node.names}
            if part in names and part == qualname.split(".")[-1]:
                return None
            return f"reference function {qualname} not found in {path_text}"
        scope = found.body
    return None


class _Recorder:
    """A pytest plugin that records each collected item's rules before the harness validates them."""

    def __init__(self):
        self.items: dict[str, list[str]] = {}
        self.errors: list[str] = []

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(f"collecting {report.nodeid or 'suites'} failed: "
                               f"{report.longreprtext.strip().splitlines()[-1] if report.longreprtext else ''}")

    @pytest.hookimpl(tryfirst=True)  # before the harness plugin, which rejects unknown rules
    def pytest_collection_modifyitems(self, items):
        for item in items:
            self.items[item.nodeid] = [r for mark in item.iter_markers("rule") for r in mark.args]


def collect_tests(suites: Path = SUITES_DIR) -> tuple[dict[str, list[str]], list[str]]:
    """Every suite test's node ID -> the rules it names, by pytest's own collection (in-process)."""
    recorder = _Recorder()
    out = io.StringIO()
    args = [str(suites), "--collect-only", "-q", "--backend=reference", "-p", "tensorcts", "-p", "no:cacheprovider",
            "--rootdir", str(ROOT), "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = pytest.main(args, plugins=[recorder])
    if code not in (0, 4, 5) and not recorder.items:  # 4: the harness's usage error on unknown rules
        recorder.errors.append(f"pytest collection exited {int(code)}:\n{out.getvalue()[-2000:]}")
    return recorder.items, recorder.errors


def collect_mutants() -> tuple[dict[str, list[str]], list[str]]:
    """Rule ID -> the mutant adapters that declare they break it."""
    from tensorcts.adapters.mutants import discover, spec_of

    found: dict[str, list[str]] = {}
    errors = []
    try:
        mutants = discover()
    except Exception as exc:  # a mutant module that does not import is a gap, not a crash
        return {}, [f"importing adapters.mutants failed: {type(exc).__name__}: {exc}"]
    for cls in mutants:
        found.setdefault(cls.breaks, []).append(spec_of(cls).removeprefix("tensorcts.adapters.mutants."))
    return found, errors


# ---- the table ------------------------------------------------------------------------------------


def build(rules: dict[str, Rule], tests: dict[str, list[str]], mutants: dict[str, list[str]],
          catalogue: dict[str, str] | None, areas: tuple[str, ...] = AREAS, root: Path = ROOT,
          extra_problems: list[str] | None = None, published: list[str] | None = None) -> Coverage:
    """The coverage of ``areas``: rows and gaps, from already collected inputs."""
    def in_areas(rule_id: str) -> bool:
        return rule_id.split(".")[0] in areas

    problems = [p for p in extra_problems or []]
    notes = []
    by_rule: dict[str, list[str]] = {}
    for nodeid, named in tests.items():
        for r in named:
            if r not in rules:
                if in_areas(r) or r.split(".")[0] not in AREAS:
                    problems.append(f"test {nodeid} names unknown rule {r!r}")
            else:
                by_rule.setdefault(r, []).append(nodeid)
    for r, names in mutants.items():
        if r not in rules and (in_areas(r) or r.split(".")[0] not in AREAS):
            problems += [f"mutant {m} breaks unknown rule {r!r}" for m in names]
    rows = []
    for rule_id, rule in sorted(rules.items()):
        if not in_areas(rule_id):
            continue
        row = Row(rule_id, rule.level, rule.reference, sorted(by_rule.get(rule_id, [])),
                  sorted(mutants.get(rule_id, [])), retired=rule.retired)
        if not row.retired:
            if not row.tests:
                row.gaps.append("no suite test")
            problem = reference_problem(rule.reference, root)
            if problem:
                row.gaps.append(problem)
            if not row.mutants:
                row.gaps.append("no mutant")
        if catalogue is not None:
            if rule_id not in catalogue:
                if not rule.added:
                    row.gaps.append("not in RULES.md (a new rule's entry says so with an '**Added** why' line)")
            elif catalogue[rule_id] != rule.level:
                row.gaps.append(f"level {rule.level}, RULES.md says {catalogue[rule_id]}")
        if published is not None and rule_id not in published:
            row.gaps.append(f"not in the published IDs ({RULE_IDS.name}): append it")
        rows.append(row)
    for rule_id in published or []:
        if in_areas(rule_id) and rule_id not in rules:
            problems.append(f"published rule ID {rule_id!r} has no spec entry (retire a rule, never remove it)")
    if catalogue is None:
        notes.append("RULES.md not found: the check against the catalogue was skipped "
                     f"(pass --rules PATH or set {RULES_ENV})")
    else:
        for rule_id, level in sorted(catalogue.items()):
            if in_areas(rule_id) and rule_id not in rules:
                rows.append(Row(rule_id, level, None, gaps=["in RULES.md, no spec entry"]))
        rows.sort(key=lambda r: r.id)
    return Coverage(rows, problems, notes, tuple(areas))


def measure(areas: tuple[str, ...] = AREAS, rules_md: Path | None = None) -> Coverage:
    """Collect everything from this checkout and build the table."""
    problems: list[str] = []
    try:
        rules = load_rules(SPEC_DIR)
    except SpecError as exc:
        rules, problems = {}, [f"the spec does not parse: {exc}"]
    tests, errors = collect_tests()
    mutants, mutant_errors = collect_mutants()
    catalogue = parse_rules_md(rules_md.read_text(encoding="utf-8")) if rules_md else None
    published = published_ids() if RULE_IDS.is_file() else None
    if published is None:
        problems.append(f"{RULE_IDS} is missing: the published rule IDs cannot be checked")
    return build(rules, tests, mutants, catalogue, areas, extra_problems=problems + errors + mutant_errors,
                 published=published)


# ---- output -----------------------------------------------------------------------------------------


def _short_test(nodeid: str) -> str:
    return nodeid.removeprefix("suites/").split("[")[0]


def render(cov: Coverage) -> str:
    lines = []
    width = max([len(r.id) for r in cov.rows] + [4])
    lines.append(f"{'rule':{width}}  level  reference                                 tests  mutants  gaps")
    for r in cov.rows:
        tests = sorted({_short_test(t) for t in r.tests})
        ref = (r.reference or "-").removeprefix("reference/")
        status = "retired" if r.retired else ("; ".join(r.gaps) if r.gaps else "ok")
        lines.append(f"{r.id:{width}}  {r.level:5}  {ref[:40]:40}  {len(tests):5}  {len(r.mutants):7}  {status}")
        for t in tests:
            lines.append(f"{'':{width}}    test   {t}")
        for m in r.mutants:
            lines.append(f"{'':{width}}    mutant {m}")
    for p in cov.problems:
        lines.append(f"GAP: {p}")
    for n in cov.notes:
        lines.append(f"note: {n}")
    complete = sum(1 for r in cov.rows if not r.gaps)
    lines.append(f"coverage: {len(cov.rows)} rules in {len(cov.areas)} area(s), {complete} complete, "
                 f"{cov.gap_count} gap(s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=None, help="the rule catalogue (default: docs/rules.md)")
    parser.add_argument("--areas", default=None,
                        help="comma-separated areas to check (default all; 'spec' = those with a spec file)")
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    parser.add_argument("--brief", action="store_true", help="one line per rule, no test/mutant names")
    args = parser.parse_args(argv)
    if args.areas is None:
        areas = AREAS
    elif args.areas == "spec":
        areas = tuple(a for a in AREAS if (SPEC_DIR / f"{a}.md").is_file())
    else:
        areas = tuple(a.strip() for a in args.areas.split(",") if a.strip())
        unknown = [a for a in areas if a not in AREAS]
        if unknown:
            parser.error(f"unknown areas {unknown}; known: {', '.join(AREAS)}")
    rules_md = args.rules or default_rules_md()
    if rules_md is not None and not rules_md.is_file():
        parser.error(f"{rules_md} does not exist")
    cov = measure(areas, rules_md)
    text = render(cov)
    if args.brief:
        text = "\n".join(line for line in text.splitlines() if not line.startswith(" "))
    print(text)
    if args.json:
        args.json.write_text(json.dumps(cov.as_dict(), indent=1) + "\n")
    return 1 if cov.gap_count else 0


if __name__ == "__main__":
    sys.exit(main())
