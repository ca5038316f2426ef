"""The reference's devices and the harness's device pairs (spec/device.md)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import tensorcts.reference as R
from tensorcts.reference.devices import canonical_device, result_device, select_device
from tensorcts.reference.exact import round_float

from tests.helpers import run_suites


def test_to_own_device_and_dtype_returns_self():
    t = R.tensor([1.5, 2.0])
    assert t.to("cpu") is t and t.cpu() is t and t.to(R.float32) is t and t.to("cpu", R.float32) is t
    assert t.to(t) is t and t.to(device="cpu", dtype=R.float32) is t
    c = t.to("cpu", copy=True)
    assert c is not t and c._storage is not t._storage and c.tolist() == t.tolist()


def test_transfer_copies_and_never_aliases():
    t = R.tensor([[1, 2], [3, 4]])
    u = t.to("sim:1")
    assert u.device == "sim:1" and u.dtype == t.dtype and u.tolist() == [[1, 2], [3, 4]]
    u.fill_(9)
    assert t.tolist() == [[1, 2], [3, 4]] and t.device == "cpu"
    assert u.cpu().tolist() == [[9, 9], [9, 9]]


def test_transfer_of_a_view_copies_only_the_view():
    t = R.arange(6)
    v = t._view_of((2,), (2,), 1)  # elements 1 and 3
    assert v.to("sim:0").tolist() == [1, 3]


def test_bare_accelerator_name_is_index_zero():
    assert canonical_device("sim") == "sim:0" and select_device() == "sim"
    t = R.zeros(2, device="sim:0")
    assert t.to("sim") is t
    with pytest.raises(RuntimeError):
        canonical_device("cuda:0")


def test_mixed_devices_raise_except_cpu_scalars():
    a, b = R.ones(2), R.ones(2, device="sim:0")
    with pytest.raises(RuntimeError, match="same device"):
        R.add(a, b)
    with pytest.raises(RuntimeError):
        R.matmul(R.ones(2, 2), R.ones(2, 2, device="sim:1"))
    with pytest.raises(RuntimeError):  # a 0-d tensor off the CPU gets no exemption
        R.add(R.tensor(1.0, device="sim:0"), R.ones(2))
    s = R.add(R.tensor(2.0), b)
    assert s.device == "sim:0" and s.tolist() == [3, 3]
    assert result_device((R.tensor(1.0), R.tensor(1.0, device="sim:1"))) == "sim:1"


def test_numpy_requires_cpu():
    t = R.tensor([1.5], device="sim:1")
    with pytest.raises(TypeError, match="cpu"):
        t.numpy()
    assert t.cpu().numpy() == [1.5]


def test_dtype_conversion_on_the_oracle_face_rounds_held_values_and_bounds_bounded_ones():
    held = R.tensor([0.1], dtype=R.float64, exact=True)  # the backend holds this value: its cast is deterministic
    f = held.to(R.float32)
    assert f.dtype == R.float32 and f.accuracy == "exact" and f.values() == [round_float(Fraction(0.1), R.float32)]
    assert R.tensor([0.5], dtype=R.float64, exact=True).to(R.float32).accuracy == "exact"
    bounded = (held + held).to(R.float32)  # known within u*|x| only: one more rounding's bound
    assert bounded.accuracy == "bounded" and bounded.errs()[0] > 0 and bounded.values() == [2 * Fraction(0.1)]


def test_pair_rules_without_two_devices_are_skipped_not_passed(tmp_path):
    run = run_suites(tmp_path, "suites/test_device.py", "--backend", "torch", "--device", "cpu")
    assert run.code == 0, run.output
    for rule in ("device.to-other", "device.mixed"):
        entry = run.report["rules"][rule]
        assert entry["status"] == "untested" and entry["tests"]["passed"] == 0
        assert "no device pair" in entry["message"]


def test_reference_runs_every_ordered_pair(tmp_path):
    run = run_suites(tmp_path, "suites/test_device.py", "--backend", "reference", "--rule", "device.to-other",
                     "-v")
    assert run.code == 0, run.output
    for pair in ("cpu->sim:0", "sim:0->cpu", "sim:0->sim:1", "sim:1->sim:0", "cpu->sim:1", "sim:1->cpu"):
        assert f"test_to_other[{pair}] PASSED" in run.output
    assert run.report["rules"]["device.to-other"]["status"] == "pass"


def test_value_rules_run_on_the_compute_devices_and_device_rules_on_every_device(tmp_path):
    """array-api-strict's device1 and device2 compute as CPU_DEVICE does: value rules skip them, the
    device rules do not, and --device overrides the choice."""
    pytest.importorskip("array_api_strict")
    run = run_suites(tmp_path, "--backend", "array_api_strict", "--collect-only", "-q",
                     "suites/test_elementwise.py", "suites/test_device.py")
    collected = run.output
    assert "test_add[cpu]" in collected and "test_add[no_x64]" in collected
    assert "test_add[device1]" not in collected and "test_add[device2]" not in collected
    assert "test_to_same[device1]" in collected and "test_to_same[device2]" in collected
    chosen = run_suites(tmp_path, "--backend", "array_api_strict", "--collect-only", "-q", "--device", "device1",
                        "suites/test_elementwise.py")
    assert "test_add[device1]" in chosen.output
