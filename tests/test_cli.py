"""The tensorcts console script: subcommands, one-line errors, and a real run through pytest."""

import json

import pytest
from tensorcts.harness.spec import load_rules

from tensorcts import cli


def test_rules_lists_every_rule_with_level_and_status(capsys):
    assert cli.main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(load_rules())
    assert all(line.split()[1] in ("core", "torch") and line.split()[2] in ("active", "retired") for line in lines)


def test_unknown_backend_is_one_line_and_nonzero(capsys):
    assert cli.main(["run", "--backend", "no-such-library"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown backend 'no-such-library'" in err


def test_missing_adapter_file_is_one_line_and_nonzero(capsys, tmp_path):
    assert cli.main(["run", "--backend", f"{tmp_path}/absent.py:Adapter"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err


def test_unknown_command_and_bad_arguments(capsys):
    assert cli.main(["frobnicate"]) == 2
    assert cli.main(["rules", "--area", "nowhere"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "unknown command 'frobnicate'" in err[0] and "--area" in err[1]


def test_no_command_prints_usage_and_fails(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert all(name in out for name in cli.COMMANDS)


def test_a_tool_subcommand_hands_its_arguments_to_the_module(capsys):
    command = cli.Command("merge reports", cli.tool("tensorcts.tools.matrix"))
    with pytest.raises(SystemExit) as exit_:
        command.run(["--help"])
    assert exit_.value.code == 0 and "REPORT.json" in capsys.readouterr().out


def test_run_writes_a_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # --pyargs: the suites come from the installed package, not the cwd
    report = tmp_path / "r.json"
    status = cli.main(["run", "--backend", "reference", "--report", str(report), "--rule", "elementwise.neg",
                       "--hypothesis-profile", "ci", "-q"])
    assert status == 0
    rules = json.loads(report.read_text())["rules"]
    assert set(rules) == set(load_rules()) and rules["elementwise.neg"]["status"] == "pass"
