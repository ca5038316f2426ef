"""Every mutant adapter is killed under its own rule (CI mode of tools/mutants.py).

The runner runs once, in a subprocess, for the whole session; each mutant is one test item.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tensorcts.adapters.mutants import discover, spec_of

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = discover()

# the session fixture runs every mutant; the first test pays for it
pytestmark = pytest.mark.timeout(3600)


@pytest.fixture(scope="session")
def mutant_results(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("mutants") / "mutants.json"
    proc = subprocess.run([sys.executable, "-m", "tensorcts.tools.mutants", "--json", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    assert out.is_file(), f"tensorcts.tools.mutants wrote no results (exit {proc.returncode}):\n{proc.stdout[-4000:]}" \
                          f"{proc.stderr[-4000:]}"
    return {r["mutant"]: r for r in json.loads(out.read_text())}


def test_there_are_mutants():
    assert MUTANTS, "adapters/mutants/ holds no mutant"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[spec_of(m).removeprefix("tensorcts.adapters.mutants.") for m in MUTANTS])
def test_mutant_is_killed_under_its_rule(mutant_results, mutant):
    result = mutant_results.get(spec_of(mutant))
    assert result is not None, f"{spec_of(mutant)} was not run"
    assert result["rule"] == mutant.breaks
    assert result["killed"], (f"{spec_of(mutant)} survived: rule {mutant.breaks} reported {result['status']}\n"
                              f"{result['output_tail']}")


@pytest.mark.parametrize("mutant", MUTANTS, ids=[spec_of(m).removeprefix("tensorcts.adapters.mutants.") for m in MUTANTS])
def test_the_repros_of_a_mutants_failures_run_as_pasted(mutant_results, mutant):
    """Each failure that killed the mutant has a repro, and it runs up to its call (tools.repros --runs-only)."""
    result = mutant_results[spec_of(mutant)]
    if getattr(mutant, "killed_unless_pass", False):
        pytest.skip("a vacuous-pass mutant is killed by a verdict other than pass, with no failure to repro")
    assert result["repros"], f"{spec_of(mutant)}: its failures carry no repro"
    broken = [f"{detail}\n{repro}" for outcome, detail, repro in result["repros"] if outcome == "broken"]
    assert not broken, "\n\n".join(broken)


def test_every_mutant_names_a_docstring():
    """A mutant says which realistic bug it models."""
    assert [spec_of(m) for m in MUTANTS if not (m.__doc__ or "").strip()] == []


def test_the_kill_profile_draws_the_ci_gates_examples():
    """A mutant the runner kills is one the ci gate kills: the same derandomized examples, as many."""
    from tensorcts.harness.profiles import PROFILES
    ci, kill = PROFILES["ci"], PROFILES["kill"]
    assert (kill["max_examples"], kill["derandomize"]) == (ci["max_examples"], ci["derandomize"]) == \
        (ci["max_examples"], True)
