"""The plugin end to end (pytester, one pytest subprocess per case): case classes against
expectations, declared failures discarded while other classes run, blocked, no vacuous pass,
MAY observations and measurements, and the Hypothesis seed."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

pytest_plugins = ["pytester"]

HEAD = """
import pytest
from hypothesis import given, strategies as st
from tensorcts.suites.checks import Case
"""

#: a property over 0..9 whose odd examples fail; the case class ``form`` says odd or even
PARITY = HEAD + """
@pytest.mark.rule("elementwise.add")
@given(x=st.integers(0, 9))
def test_parity(backend, x):
    case = Case(backend, "cpu", "int64", form="odd" if x % 2 else "even")
    got = case.run("{ns}.add(x, 0)", lambda: x + 0)
    case.check(got % 2 == 0 or ALLOW_ODD, f"odd value {got}")
"""


def _expect(rule: str, status: str = "fail", cases: str | None = None, extra: str = "") -> str:
    return (f"[[expect]]\nrule = '{rule}'\nstatus = '{status}'\nreason = 'declared for this test'\n"
            + (f"cases = {cases}\n" if cases else "") + extra)


def _run(pytester, source: str, expectations: str | None = None, *args: str):
    pytester.makepyfile(test_it=textwrap.dedent(source))
    extra = []
    if expectations is not None:
        (pytester.path / "expect.toml").write_text(expectations)
        extra = ["--expectations", str(pytester.path / "expect.toml")]
    report = pytester.path / "report.json"
    profile = [] if any(a.startswith("--hypothesis-profile") for a in args) else ["--hypothesis-profile", "ci"]
    result = pytester.runpytest_subprocess("--backend", "reference", "--device", "cpu", "-p", "no:cacheprovider",
                                           f"--conformance-report={report}", *profile, *extra, *args)
    data = json.loads(report.read_text()) if report.is_file() else None
    return result, data


XDIST = pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["one-process", "xdist"])


@XDIST
def test_a_declared_case_class_is_discarded_and_the_other_classes_still_run(pytester, xdist):
    result, report = _run(pytester, PARITY.replace("ALLOW_ODD", "False"), _expect("elementwise.add", cases="{form = ['odd']}"),
                          *xdist)
    entry = report["rules"]["elementwise.add"]
    assert result.ret == 0, result.stdout.str()
    assert entry["status"] == "xfail"
    assert entry["ran"] >= 3  # Hypothesis kept generating: the even examples ran and held
    assert [f["classes"]["form"] for f in entry["failures"]] == ["odd"] and entry["failures"][0]["declared"]
    assert "odd value" in entry["failures"][0]["message"] and entry["failures"][0]["repro"]


def test_an_undeclared_class_still_fails(pytester):
    result, report = _run(pytester, PARITY.replace("ALLOW_ODD", "False"), _expect("elementwise.add", cases="{form = ['seven']}"))
    assert result.ret != 0
    assert report["rules"]["elementwise.add"]["status"] == "fail"


def test_a_declared_class_that_runs_and_holds_is_an_xpass(pytester):
    result, report = _run(pytester, PARITY.replace("ALLOW_ODD", "True"), _expect("elementwise.add", cases="{form = ['odd']}"))
    assert report["rules"]["elementwise.add"]["status"] == "xpass"
    assert report["rules"]["elementwise.add"]["stale"][0]["cases"] == {"form": ["odd"]}
    assert result.ret != 0 and "XPASS elementwise.add" in result.stdout.str()


def test_each_distinct_failing_class_is_listed_not_only_the_first(pytester):
    source = HEAD + """
@pytest.mark.rule("elementwise.add")
@given(x=st.integers(0, 9))
def test_classes(backend, x):
    case = Case(backend, "cpu", "int64", form=["zero", "one", "two"][x % 3])
    case.run("{ns}.add(x, 0)", lambda: x)
    case.check(x % 3 == 0, f"x = {x}")
"""
    result, report = _run(pytester, source)
    forms = sorted(f["classes"]["form"] for f in report["rules"]["elementwise.add"]["failures"])
    assert forms == ["one", "two"], report["rules"]["elementwise.add"]["failures"]
    assert result.ret != 0


def test_a_deterministic_test_is_one_example(pytester):
    source = HEAD + """
@pytest.mark.rule("elementwise.add")
@pytest.mark.parametrize("form", ["operator", "function"])
def test_fixed(backend, form):
    case = Case(backend, "cpu", "int64", form=form)
    case.run("{ns}.add(1, 2)", lambda: 3)
    case.check(form == "function", "operator form broke")
"""
    result, report = _run(pytester, source, _expect("elementwise.add", cases="{form = ['operator']}"))
    entry = report["rules"]["elementwise.add"]
    assert (entry["status"], entry["ran"]) == ("xfail", 1), entry
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*1 passed*1 xfailed*"])


def test_a_failing_setup_step_blocks_the_rule_naming_the_operation(pytester):
    source = HEAD + """
@pytest.mark.rule("elementwise.add")
@given(x=st.integers(0, 9))
def test_blocked(backend, x):
    case = Case(backend, "cpu", "int64")
    y = case.setup("expand", lambda: 1 // 0, rule="view.expand")
    case.run("{ns}.add(x, y)", lambda: x + y)
"""
    result, report = _run(pytester, source)
    entry = report["rules"]["elementwise.add"]
    assert entry["status"] == "blocked"
    assert entry["blocked_by"][0]["op"] == "expand" and entry["blocked_by"][0]["rule"] == "view.expand"
    assert "ZeroDivisionError" in entry["blocked_by"][0]["message"]
    assert report["summary"]["core"]["blocked"] == 1
    assert "BLOCKED elementwise.add by expand (view.expand)" in result.stdout.str()
    assert result.ret == 0  # a blocked rule is no failure of the library


def test_blocked_examples_do_not_hide_the_ones_that_ran(pytester):
    source = HEAD + """
@pytest.mark.rule("elementwise.add")
@given(x=st.integers(0, 9))
def test_partly_blocked(backend, x):
    case = Case(backend, "cpu", "int64")
    y = case.setup("transpose", lambda: 1 // (x % 2), rule="view.transpose")
    case.run("{ns}.add(x, y)", lambda: x + y)
    case.check(x + y == x + 1, "wrong sum")
"""
    result, report = _run(pytester, source)
    entry = report["rules"]["elementwise.add"]
    assert entry["status"] == "pass" and entry["ran"] >= 3
    assert entry["blocked_by"][0]["op"] == "transpose"  # still reported: some cases could not run


def test_an_unsupported_setup_step_blocks_rather_than_hides_the_rule(pytester, tmp_path):
    adapter = tmp_path / "no_expand.py"
    adapter.write_text(textwrap.dedent("""
        from tensorcts.adapters.base import Unsupported
        from tensorcts.adapters.reference import ReferenceAdapter

        class NoExpand(ReferenceAdapter):
            name = "no-expand"

            def expand(self, a, shape):
                raise Unsupported("no-expand does not offer expand")
    """))
    source = HEAD + """
@pytest.mark.rule("elementwise.add")
def test_needs_expand(backend):
    case = Case(backend, "cpu", "int64")
    y = case.setup("expand", lambda: backend.expand(1, (2,)), rule="view.expand")
    case.run("{ns}.add(1, y)", lambda: 1 + y)
"""
    result, report = _run(pytester, source, None, f"--backend={adapter}:NoExpand")
    entry = report["rules"]["elementwise.add"]
    assert entry["status"] == "blocked" and entry["blocked_by"][0]["op"] == "expand"
    assert "does not offer expand" in entry["blocked_by"][0]["message"]


def test_an_operation_that_never_ran_is_not_a_pass(pytester, tmp_path):
    """The array-api-strict inplace.dtype story: every in-place call unsupported, early returns counted as passes."""
    adapter = tmp_path / "no_inplace.py"
    adapter.write_text(textwrap.dedent("""
        from tensorcts.adapters.base import Unsupported
        from tensorcts.adapters.reference import ReferenceAdapter

        class NoInplace(ReferenceAdapter):
            name = "no-inplace"

            def add_(self, a, b):
                raise Unsupported("no-inplace does not offer add_")
    """))
    source = HEAD + """
@pytest.mark.rule("inplace.dtype")
@pytest.mark.parametrize("dtype", ["bool", "int64"])
def test_table(backend, dtype):
    if dtype == "bool":
        return  # an early return: nothing ran
    case = Case(backend, "cpu", dtype)
    case.run("t.add_(o)", lambda: backend.add_(1, 2))

@pytest.mark.rule("elementwise.add")
def test_vacuous(backend):
    Case(backend, "cpu", "int64")  # a case whose operation never runs
"""
    result, report = _run(pytester, source, None, f"--backend={adapter}:NoInplace")
    inplace, add = report["rules"]["inplace.dtype"], report["rules"]["elementwise.add"]
    assert (inplace["status"], inplace["ran"]) == ("unsupported", 0), inplace
    assert inplace["unsupported_op"] == "add_"
    assert (add["status"], add["ran"]) == ("untested", 0)
    assert add["tests"]["passed"] == 1  # pytest says passed; the verdict says nothing was tested


def test_min_examples_is_a_stated_option(pytester):
    source = PARITY.replace("ALLOW_ODD", "True")
    _, report = _run(pytester, source, None, "--min-examples", "1000")
    assert report["rules"]["elementwise.add"]["status"] == "untested"
    assert report["run"]["min_examples"] == 1000


@XDIST
def test_may_observations_and_the_largest_measurement_are_reported(pytester, xdist):
    source = HEAD + """
@pytest.mark.rule("elementwise.add")
@given(x=st.integers(0, 9))
def test_observed(backend, x):
    case = Case(backend, "cpu", "int64")
    case.input("x", x)
    case.run("{ns}.add(x, 0)", lambda: x)
    case.may("elementwise.add", "parity", "odd" if x % 2 else "even")
    case.measure("elementwise.add", "ulp", float(x))
"""
    result, report = _run(pytester, source, None, *xdist)
    entry = report["rules"]["elementwise.add"]
    assert entry["status"] == "pass"
    assert set(entry["observations"]["parity"]) == {"'odd'", "'even'"}
    assert entry["measurements"]["ulp"]["value"] == 9.0
    assert "x = 9" in entry["measurements"]["ulp"]["repro"]


def test_a_narrowed_unsupported_entry_skips_only_the_parametrisations_it_covers(pytester):
    source = HEAD + """
@pytest.mark.rule("elementwise.add")
@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_dtypes(backend, dtype):
    case = Case(backend, "cpu", dtype)
    case.run("{ns}.add(1, 2)", lambda: 3)
"""
    result, report = _run(pytester, source, _expect("elementwise.add", "unsupported", "{dtype = ['float64']}"))
    result.stdout.fnmatch_lines(["*1 passed, 1 skipped*"])
    assert report["rules"]["elementwise.add"]["status"] == "pass"


SEEDED = HEAD + """
import os

@pytest.mark.rule("elementwise.add")
@pytest.mark.parametrize("n", range(4))
@given(x=st.integers(0, 10 ** 9))
def test_draws(backend, n, x):
    with open(os.environ["DRAWS"], "a") as f:
        f.write(f"{n} {x}\\n")
    Case(backend, "cpu", "int64").run("{ns}.add(x, 0)", lambda: x)
"""


def _draws(path) -> list[str]:
    return sorted(path.read_text().splitlines())


@XDIST
def test_the_seed_is_recorded_printed_and_replays_the_run(pytester, monkeypatch, xdist):
    draws = pytester.path / "draws.txt"
    monkeypatch.setenv("DRAWS", str(draws))
    result, report = _run(pytester, SEEDED, None, "--hypothesis-profile", "default", *xdist)
    seed = report["run"]["seed"]
    assert isinstance(seed, int)
    assert f"replay with --hypothesis-seed {seed}" in result.stdout.str()
    first = _draws(draws)
    draws.unlink()
    _run(pytester, SEEDED, None, "--hypothesis-profile", "default", f"--hypothesis-seed={seed}", *xdist)
    assert _draws(draws) == first
    draws.unlink()
    _, other = _run(pytester, SEEDED, None, "--hypothesis-profile", "default", *xdist)
    assert other["run"]["seed"] != seed and _draws(draws) != first


def test_the_ci_profile_is_derandomized_and_says_so(pytester, monkeypatch):
    draws = pytester.path / "draws.txt"
    monkeypatch.setenv("DRAWS", str(draws))
    result, report = _run(pytester, SEEDED)
    assert report["run"]["seed"] is None and report["run"]["derandomize"] is True
    assert re.search(r"profile ci is derandomized", result.stdout.str())
    first = _draws(draws)
    draws.unlink()
    _run(pytester, SEEDED)
    assert _draws(draws) == first


def test_the_default_profile_stays_random_where_hypothesis_detects_ci(pytester, monkeypatch):
    """Seeing a CI variable, Hypothesis makes its derandomized settings the parent of every profile
    registered later; the default profile must still draw from a recorded seed."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("DRAWS", str(pytester.path / "draws.txt"))
    _, report = _run(pytester, SEEDED, None, "--hypothesis-profile", "default")
    assert isinstance(report["run"]["seed"], int) and report["run"]["derandomize"] is False
