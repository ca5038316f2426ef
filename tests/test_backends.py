"""The third-party adapters: they load, declare what they have, pass the suites with their
expectations files, and fail clearly where their library or device is missing."""

from __future__ import annotations

import importlib.util
import textwrap

import pytest
from tensorcts.harness import backends
from tensorcts.harness.expectations import EXPECTATIONS_DIR, load
from tensorcts.harness.spec import load_rules

from tests.helpers import run_suites

THIRD_PARTY = ("numpy", "jax", "array_api_strict", "cupy", "tinygrad")


def _installed(package: str) -> bool:
    return importlib.util.find_spec(package) is not None


@pytest.mark.parametrize("name", THIRD_PARTY)
def test_expectations_files_parse_and_give_every_entry_a_reason(name):
    path = EXPECTATIONS_DIR / f"{name}.toml"
    if not path.is_file():
        pytest.skip(f"{name} declares no divergences")
    for entry in load(path, name, load_rules()):
        assert len(entry.reason) > 40, f"{entry.rule}: the reason must state the library's behaviour"


@pytest.mark.parametrize("name", ("numpy", "jax", "array_api_strict", "tinygrad"))
def test_adapter_declares_only_known_capabilities_and_its_dtypes(name):
    if not _installed(name):
        pytest.skip(f"{name} is not installed")
    adapter = backends.resolve(name)
    from tensorcts.adapters.base import CAPABILITIES, DTYPE_NAMES

    assert adapter.capabilities <= CAPABILITIES
    assert adapter.version and adapter.version != "unknown"
    for device in adapter.devices():
        assert set(adapter.dtypes(device)) <= set(DTYPE_NAMES)


def test_array_api_strict_models_its_restricted_devices():
    if not _installed("array_api_strict"):
        pytest.skip("array_api_strict is not installed")
    adapter = backends.resolve("array_api_strict")
    assert adapter.devices() == ["cpu", "device1", "device2", "no_float64", "no_x64"]
    assert "float64" not in adapter.dtypes("no_float64") and "int64" in adapter.dtypes("no_float64")
    assert not {"float64", "int64"} & set(adapter.dtypes("no_x64"))


def test_cupy_without_the_package_says_what_to_install(tmp_path):
    if _installed("cupy"):
        pytest.skip("cupy is installed here")
    with pytest.raises(backends.BackendError, match=r"needs the Python package 'cupy'.*pip install"):
        backends.resolve("cupy")


def test_cupy_without_cuda_skips_every_test_with_the_reason(tmp_path):
    """A CuPy that imports but finds no CUDA device: the run skips everything and says why."""
    if _installed("cupy"):
        pytest.skip("a real cupy is installed here")
    fake = tmp_path / "cupy"
    fake.mkdir()
    (fake / "__init__.py").write_text(textwrap.dedent("""
        __version__ = "0.0-fake"

        class cuda:
            @staticmethod
            def is_available():
                return False

            class runtime:
                @staticmethod
                def getDeviceCount():
                    raise RuntimeError("cudaErrorNoDevice")
    """))
    run = run_suites(tmp_path, "suites/test_elementwise.py", "--backend", "cupy", "-rs",
                     env={"PYTHONPATH": str(tmp_path)})
    assert run.code == 0, run.output
    assert "CUDA is not available" in run.output and "needs one" in run.output
    assert all(r["status"] == "untested" for r in run.report["rules"].values())


@pytest.mark.parametrize("name", ("numpy", "array_api_strict"))
def test_suites_pass_with_the_expectations_file(tmp_path, name):
    """The CI gate for the adapters: the whole suite, ci profile, exits 0 with the declared divergences."""
    if not _installed(name):
        pytest.skip(f"{name} is not installed")
    run = run_suites(tmp_path, "--backend", name, "-p", "no:randomly", timeout=600)
    assert run.code == 0, run.output[-4000:]
    assert not [r for r, e in run.report["rules"].items() if e["status"] in ("fail", "xpass")]


@pytest.mark.parametrize("name", ("numpy", "jax", "tinygrad"))
def test_vjp_of_a_function_of_adapter_operations(name):
    """autograd.functional: the gradient of sum(x * y + x) is (y + 1, x), through the adapter's own ops."""
    if not _installed(name) or (name == "numpy" and not _installed("autograd")):
        pytest.skip(f"{name} (or HIPS autograd) is not installed")
    from fractions import Fraction

    from tensorcts.suites.strategies import exact_tensor

    adapter = backends.resolve(name)
    assert "autograd.functional" in adapter.capabilities
    x = adapter.asarray(exact_tensor([1.0, 2.0, 3.0], (3,), "float32"), "cpu")
    y = adapter.asarray(exact_tensor([4.0, 5.0, 6.0], (3,), "float32"), "cpu")
    one = adapter.asarray(exact_tensor([1.0], (), "float32"), "cpu")
    value, (gx, gy) = adapter.vjp(lambda a, b: adapter.sum(adapter.add(adapter.mul(a, b), a)), [x, y], one)
    assert adapter.observe(value).values == Fraction(38)
    assert adapter.observe(gx).values == [5, 6, 7] and adapter.observe(gy).values == [1, 2, 3]
