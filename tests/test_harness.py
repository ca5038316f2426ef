"""The harness's handling of bad input, expectations, unsupported operations and reports."""

from __future__ import annotations

import time

import pytest
from tensorcts.harness.spec import load_rules

from tests.helpers import run_suites

MINIMAL = "examples/minimal_adapter.py:MinimalNumpy"
#: NumPy under PyTorch's conventions: int / int gives float64 where the declared convention says float32
PYTORCH_CONVENTIONS_NUMPY = "tests/isolation_adapters.py:NumpyWithPytorchConventions"


def test_unknown_backend_exits_fast_and_lists_known_names(tmp_path):
    t0 = time.monotonic()
    run = run_suites(tmp_path, "--backend", "no-such-lib")
    assert run.code != 0
    assert "unknown backend 'no-such-lib'" in run.output
    assert "torch" in run.output and "numpy" in run.output and "module:attr" in run.output
    assert "Traceback" not in run.output
    assert time.monotonic() - t0 < 30


def test_module_attr_that_fails_to_import_shows_the_import_error(tmp_path):
    run = run_suites(tmp_path, "--backend", "no_such_module_xyz:Adapter")
    assert run.code != 0
    assert "No module named 'no_such_module_xyz'" in run.output


def test_file_adapter_whose_import_raises_shows_the_error(tmp_path):
    bad = tmp_path / "bad_adapter.py"
    bad.write_text("import library_that_is_not_there\n")
    run = run_suites(tmp_path, "--backend", f"{bad}:Adapter")
    assert run.code != 0
    assert "library_that_is_not_there" in run.output and "Traceback" not in run.output


def test_missing_backend_package_says_what_to_install(tmp_path):
    # cupy is not installed on CI machines (no GPU): the message must say what to install.
    pytest.importorskip("torch")
    try:
        import cupy  # noqa: F401
        pytest.skip("cupy is installed here")
    except ImportError:
        pass
    run = run_suites(tmp_path, "--backend", "cupy")
    assert run.code != 0
    assert "pip install" in run.output and "cupy" in run.output


def test_environment_variable_chooses_the_backend(tmp_path):
    run = run_suites(tmp_path, "suites/test_elementwise.py", "-k", "neg", env={"TENSORCTS_BACKEND": "reference"})
    assert run.code == 0, run.output
    assert run.report["backend"]["name"] == "reference"


def test_unknown_rule_marker_fails_collection(tmp_path):
    suite = tmp_path / "suites_extra"
    suite.mkdir()
    (suite / "test_bad.py").write_text(
        "import pytest\n\n@pytest.mark.rule('elementwise.no-such-rule')\ndef test_x(backend):\n    pass\n")
    run = run_suites(tmp_path, str(suite / "test_bad.py"), "--backend", "reference")
    assert run.code != 0
    assert "unknown rule 'elementwise.no-such-rule'" in run.output


def test_unknown_rule_filter_is_an_error(tmp_path):
    run = run_suites(tmp_path, "--backend", "reference", "--rule", "matmul.nope")
    assert run.code != 0 and "--rule matmul.nope: unknown rule" in run.output


@pytest.mark.parametrize("witness, known", [("t-of-1d", True), ("no-such-witness", False)])
def test_an_expectation_naming_an_unknown_witness_test_is_an_error(tmp_path, witness, known):
    """A legacy ``witness = "name"`` is found by the marker in whichever suite module holds the test
    (t-of-1d: suites/test_view.py); a name no suite test carries is an error."""
    path = tmp_path / "witness.toml"
    path.write_text(f"[[expect]]\nrule = 'view.torch-spellings'\nstatus = 'fail'\nreason = 'x'\nwitness = '{witness}'\n")
    run = run_suites(tmp_path, "--backend", "reference", "--expectations", str(path), "--collect-only", "-q")
    assert (run.code == 0) == known, run.output
    assert (f"unknown witness {witness!r}" in run.output) != known, run.output


@pytest.mark.parametrize("text, complaint", [
    ("[[expect]]\nrule = 'elementwise.neg'\nstatus = 'fail'\n", "'reason' is required"),
    ("[[expect]]\nrule = 'elementwise.nope'\nstatus = 'fail'\nreason = 'x'\n", "unknown rule 'elementwise.nope'"),
    ("[[expect]]\nrule = 'elementwise.neg'\nstatus = 'broken'\nreason = 'x'\n", "status must be one of"),
    ("[[expect]\nrule = ", "not valid TOML"),
    ("[[expect]]\nrule = 'elementwise.neg'\nstatus = 'fail'\nreason = 'x'\ncolour = 'red'\n", "unknown keys"),
    ("[[expect]]\nrule = 'elementwise.neg'\nstatus = 'fail'\nreason = 'x'\ndtypes = ['complex64']\n", "unknown values"),
])
def test_malformed_expectations_are_an_error(tmp_path, text, complaint):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    run = run_suites(tmp_path, "--backend", "reference", "--expectations", str(path))
    assert run.code != 0
    assert complaint in run.output


def test_an_expected_failure_that_passes_is_an_xpass_error(tmp_path):
    path = tmp_path / "stale.toml"
    path.write_text("[[expect]]\nrule = 'elementwise.neg'\nstatus = 'fail'\nreason = 'stale entry'\n")
    run = run_suites(tmp_path, "suites/test_elementwise.py", "--backend", "reference", "--device", "cpu",
                     "--expectations", str(path))
    assert run.code != 0, run.output
    assert run.status("elementwise.neg") == "xpass"
    assert "XPASS elementwise.neg" in run.output


def test_an_expected_failure_is_reported_xfail_and_the_run_passes(tmp_path):
    # NumPy divides integers into float64; the adapter declares PyTorch's convention, float32.
    path = tmp_path / "numpy.toml"
    path.write_text("[[expect]]\nrule = 'elementwise.div'\nstatus = 'fail'\n"
                    "reason = 'numpy true division of integers gives float64'\ndtypes = ['int32', 'int64']\n")
    run = run_suites(tmp_path, "suites/test_elementwise.py", "-k", "div", "--backend", PYTORCH_CONVENTIONS_NUMPY,
                     "--expectations", str(path))
    assert run.code == 0, run.output
    assert run.status("elementwise.div") == "xfail"
    assert run.report["rules"]["elementwise.div"]["expectation"][0]["reason"].startswith("numpy true division")


def test_a_narrowed_expectation_does_not_cover_other_dtypes(tmp_path):
    path = tmp_path / "numpy.toml"
    path.write_text("[[expect]]\nrule = 'elementwise.div'\nstatus = 'fail'\nreason = 'only float64'\n"
                    "dtypes = ['float64']\n")
    run = run_suites(tmp_path, "suites/test_elementwise.py", "-k", "div", "--backend", PYTORCH_CONVENTIONS_NUMPY,
                     "--expectations", str(path))
    assert run.code != 0
    assert run.status("elementwise.div") == "fail"


def test_missing_operations_are_unsupported_not_failures(tmp_path):
    run = run_suites(tmp_path, "--backend", MINIMAL, "--expectations", str(tmp_path / "none.toml"))
    assert run.code != 0 and "does not exist" in run.output  # an explicit --expectations path must exist
    adapter = tmp_path / "no_neg.py"
    adapter.write_text("from tensorcts.adapters.base import Adapter\nfrom examples.minimal_adapter import MinimalNumpy\n\n"
                       "class NoNeg(MinimalNumpy):\n    neg = Adapter.neg\n\n"
                       "    def unary_minus(self, a):\n        return self.neg(a)\n")
    run = run_suites(tmp_path, "suites/test_elementwise.py", "-k", "neg", "--backend", f"{adapter}:NoNeg")
    assert run.code == 0, run.output
    assert run.status("elementwise.neg") == "unsupported"
    assert "does not offer neg" in run.report["rules"]["elementwise.neg"]["message"]
    assert run.report["rules"]["elementwise.neg"]["tests"]["skipped"] >= 1


def test_report_lists_every_rule_with_level_and_status(tmp_path):
    run = run_suites(tmp_path, "suites/test_elementwise.py", "--backend", "reference", "--device", "cpu")
    assert run.code == 0, run.output
    rules = load_rules()
    assert set(run.report["rules"]) == set(rules)
    for rule_id, entry in run.report["rules"].items():
        assert entry["level"] == rules[rule_id].level
        assert entry["status"] in {"pass", "fail", "xfail", "xpass", "flaky", "blocked", "unsupported", "untested"}
    assert run.report["schema"] == "tensorcts-report/2"
    assert run.report["backend"]["devices"] == ["cpu"]
    assert run.report["rules"]["elementwise.add"]["status"] == "pass"
    assert run.report["summary"]["total"]["pass"] == sum(
        1 for e in run.report["rules"].values() if e["status"] == "pass")


def test_report_is_complete_under_xdist(tmp_path):
    run = run_suites(tmp_path, "suites/test_elementwise.py", "--backend", "reference", "--device", "cpu",
                     "-n", "2")
    assert run.code == 0, run.output
    elementwise = {r: e for r, e in run.report["rules"].items() if r.startswith("elementwise.")}
    assert elementwise and all(e["status"] == "pass" and e["tests"]["passed"] >= 1 for e in elementwise.values())


def test_unknown_device_is_an_error(tmp_path):
    run = run_suites(tmp_path, "--backend", "reference", "--device", "tpu:7")
    assert run.code != 0 and "--device 'tpu:7'" in run.output


def test_failure_message_names_rule_inputs_bound_and_repro(tmp_path):
    run = run_suites(tmp_path, "suites/test_elementwise.py", "-k", "mul",
                     "--backend", "tensorcts.adapters.mutants.elementwise:MulFusedWrongly")
    assert run.code != 0
    message = run.report["rules"]["elementwise.mul"]["message"]
    for part in ("rule elementwise.mul broken by torch", "expected", "observed", "inputs:", "repro:",
                 "import torch", "torch.tensor("):
        assert part in message, part


def test_no_rule_passes_unless_its_operation_ran(tmp_path):
    """array-api-strict's inplace.dtype once passed on early returns alone, with every in-place call
    unsupported (issue 10). Whatever the adapter maps today, a pass needs the operation to have run."""
    pytest.importorskip("array_api_strict")
    run = run_suites(tmp_path, "suites/test_inplace.py", "--backend", "array_api_strict")
    assert run.report is not None, run.output
    minimum = run.report["run"]["min_examples"]
    for rule_id, entry in run.report["rules"].items():
        if entry["status"] in ("pass", "xfail") and not entry["failures"]:
            assert entry["ran"] >= minimum, (rule_id, entry)
    dtype = run.report["rules"]["inplace.dtype"]
    assert dtype["status"] != "pass" or dtype["ran"] >= minimum
