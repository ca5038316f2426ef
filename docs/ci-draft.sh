#!/usr/bin/env bash
# Draft for .ci/run (the lead owns .ci/run and tox.ini; this file is a proposal, not run by anything).
#
# CI gate: install, run the project's tests (which include the coverage table for the areas
# that have a spec file, every mutant under its own rule, crash/hang isolation, ruff), then the
# full coverage table against RULES.md, then the suite against torch under the ci profile
# with the conformance report kept as an artifact.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# 1. our own tests, two workers: tests/test_coverage.py, test_mutants.py, test_isolation.py, ...
python3 -m pytest -n 2

# 2. the coverage table over every area; RULES.md is looked up in $TENSORCTS_RULES_MD, ../shared/,
#    ./shared/, ./RULES.md. Without it the catalogue check is skipped with a note, so point at it:
export TENSORCTS_RULES_MD="${TENSORCTS_RULES_MD:-$PWD/../shared/RULES.md}"
python3 -m harness.coverage --brief

# 3. the suite against torch, fast and derandomized, with its report (the verdict a user sees)
python3 -m pytest suites -n 2 --backend torch --hypothesis-profile ci --conformance-report reports/torch-ci.json

# Outside CI (tox.ini environments proposed below), on a quiet machine:
#   tox -e mutants   -> python -m harness.mutants --full          (cross-kill table, 2 at a time)
#   tox -e flake     -> python -m harness.flake -n 20             (20 default-profile seeds, must be 0 failures)
#   tox -e bench     -> python bench/run.py                       (docs/benchmarks.md numbers)
#
# [testenv:mutants]
# extras = torch
# commands = python -m harness.mutants --full {posargs}
#
# [testenv:flake]
# extras = torch
# commands = python -m harness.flake -n 20 {posargs}
#
# [testenv:bench]
# extras = torch
# commands = python bench/run.py {posargs}
#
# [testenv:coverage]
# commands = python -m harness.coverage {posargs}
