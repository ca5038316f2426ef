"""tools/witnesses.py: each outcome (holds, stale, broken, missing, unavailable), the exit status, and the
real expectations files (every `fail` entry has a code witness; NumPy's and array-api-strict's all hold)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from tensorcts.tools import witnesses as W

# Witness code here uses only the standard library, so each fresh interpreter starts fast.
FAKE = '''
[[expect]]
rule = "r.holds"
status = "fail"
cases = { dtype = ["float32"] }
reason = "x"
[expect.witness]
code = """
import fractions
got = fractions.Fraction(1, 3) * 3
"""
shows = "got == 1"

[[expect]]
rule = "r.stale"
status = "fail"
reason = "x"
[expect.witness]
code = "got = 2 + 2"
shows = "got == 5"

[[expect]]
rule = "r.raises"
status = "fail"
reason = "x"
[expect.witness]
code = "got = 1 / 0"
shows = "True"

[[expect]]
rule = "r.not-bool"
status = "fail"
reason = "x"
[expect.witness]
code = "got = [1]"
shows = "got"

[[expect]]
rule = "r.no-witness"
status = "fail"
reason = "x"

[[expect]]
rule = "r.suite-test"
status = "fail"
reason = "x"
witness = "some-suite-test"

[[expect]]
rule = "r.tensorcts"
status = "fail"
reason = "x"
[expect.witness]
code = "import tensorcts.reference as R"
shows = "True"

[[expect]]
rule = "r.absent-library"
status = "fail"
reason = "x"
[expect.witness]
code = "import a_library_that_is_not_installed_anywhere"
shows = "True"

[[expect]]
rule = "r.unsupported"
status = "unsupported"
reason = "no witness needed"
'''


@pytest.fixture(scope="module")
def fake_dir(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("expectations")
    (directory / "fake.toml").write_text(FAKE)
    (directory / "good.toml").write_text(FAKE.split("[[expect]]\nrule = \"r.stale\"")[0])
    return directory


@pytest.fixture(scope="module")
def outcomes(fake_dir) -> dict[str, W.Result]:
    return {r.rule: r for r in W.check_backend("fake", directory=fake_dir, timeout=60)}


@pytest.mark.parametrize("rule, outcome", [
    ("r.holds", "holds"), ("r.stale", "stale"), ("r.raises", "broken"), ("r.not-bool", "broken"),
    ("r.no-witness", "missing"), ("r.suite-test", "missing"), ("r.tensorcts", "broken"),
    ("r.absent-library", "unavailable"),
])
def test_each_witness_gets_its_outcome(outcomes, rule, outcome):
    assert outcomes[rule].outcome == outcome, outcomes[rule]


def test_details_say_why(outcomes):
    assert "ZeroDivisionError" in outcomes["r.raises"].detail
    assert "not a bool" in outcomes["r.not-bool"].detail
    assert "some-suite-test" in outcomes["r.suite-test"].detail
    assert outcomes["r.holds"].cases == {"dtype": ["float32"]}


def test_entries_without_fail_status_need_no_witness(outcomes):
    assert "r.unsupported" not in outcomes


def test_the_code_runs_in_a_fresh_interpreter_outside_the_repository():
    got = W.run_witness("import os, sys\nloaded = [m for m in sys.modules if m.split('.')[0] == 'tensorcts']\n"
                        "cwd = os.getcwd()", "loaded == [] and 'tensorcts-witness-' in cwd")
    assert got == {"value": True}


def test_exit_status_and_json(fake_dir, tmp_path, capsys):
    out = tmp_path / "w.json"
    assert W.main(["good", "--expectations-dir", str(fake_dir), "--json", str(out)]) == 0
    assert [r["outcome"] for r in json.loads(out.read_text())] == ["holds"]
    assert W.main(["fake", "--expectations-dir", str(fake_dir)]) == 1
    assert W.main(["fake", "--expectations-dir", str(fake_dir), "--rule", "r.absent-library", "--allow-missing"]) == 0
    assert "1 skipped" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        W.main(["nonesuch", "--expectations-dir", str(fake_dir)])


def test_every_fail_entry_of_every_backend_has_a_code_witness():
    missing = []
    for backend in W.backends():
        with (W.EXPECTATIONS_DIR / f"{backend}.toml").open("rb") as fh:
            for entry in tomllib.load(fh).get("expect", []):
                witness = entry.get("witness")
                if entry["status"] == "fail" and not (isinstance(witness, dict) and witness.get("code")
                                                      and witness.get("shows")):
                    missing.append(f"{backend}: {entry['rule']}")
    assert not missing, missing


@pytest.mark.parametrize("backend", ["numpy", "array_api_strict"])
def test_every_witness_of_the_ci_backends_holds(backend):
    pytest.importorskip(backend)
    bad = [r for r in W.check_backend(backend) if r.outcome != "holds"]
    assert not bad, bad
