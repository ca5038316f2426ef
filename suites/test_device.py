"""Devices: where tensors are created, transfers, results and mixed operands (spec/device.md).

Device rules run on every device the adapter reports (the ``device`` fixture);
transfer and mixed-device rules on every ordered pair of distinct devices (the
``device_pair`` fixture). With a single device a pair test has nothing to run and
is reported skipped, never passed. The reference's ``sim:0`` and ``sim:1`` make
every test here run without a GPU. ``interop.numpy-requires-cpu`` lives here too:
it is a device rule about ``numpy()``.
"""

from __future__ import annotations

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import dtypes, exact_tensor, operand_pair, shapes, tensors
from tensorcts.suites.strategies_device import common_dtypes, fill_value, placed_tensors


class PlacedCase(Case):
    """A case whose inputs may live on different devices; the repro puts each on its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.placed: dict[str, str] = {}

    def input_on(self, name: str, value, device: str):
        self.inputs.append((name, value))
        self.placed[name] = device
        return self.backend.asarray(value, device)

    def input_device(self, name: str) -> str | None:
        return self.placed.get(name, self.device)


def _is_cpu(device: str) -> bool:
    """``cpu`` and further host devices ``cpu:N`` (JAX can have several) are CPUs, not accelerators."""
    return device.split(":")[0] == "cpu"


def _accelerators(backend) -> list[str]:
    return [d for d in backend.devices() if not _is_cpu(d)]


def _has_inplace(backend) -> bool:
    return "inplace" in backend.capabilities


def _expect_copy(case: Case, observed, expected, device: str, what: str) -> None:
    """A transfer's result: on ``device`` with the source's dtype, shape and values, bit for bit."""
    case.check(observed.device == device, f"{what} is on {observed.device}, expected {device}")
    case.expect(observed, expected, what=what)


# ---- device.default ---------------------------------------------------------------------------

CREATORS = {  # name -> (call text, call); shape (2, 3) or its 6 elements
    "zeros": ("{ns}.zeros((2, 3){kw})", lambda b, kw: b.zeros((2, 3), **kw)),
    "ones": ("{ns}.ones((2, 3){kw})", lambda b, kw: b.ones((2, 3), **kw)),
    "full": ("{ns}.full((2, 3), 7{kw})", lambda b, kw: b.full((2, 3), 7, **kw)),
    "empty": ("{ns}.empty((2, 3){kw})", lambda b, kw: b.empty((2, 3), **kw)),
    "tensor": ("{ns}.tensor([[1, 2, 3], [4, 5, 6]]{kw})", lambda b, kw: b.tensor([[1, 2, 3], [4, 5, 6]], **kw)),
    "arange": ("{ns}.arange(6{kw})", lambda b, kw: b.arange(6, **kw)),
}


@pytest.mark.rule("device.default")
@pytest.mark.parametrize("creator", sorted(CREATORS))
def test_default_device(backend, device, creator):
    text, make = CREATORS[creator]
    case = Case(backend, "device.default", device)
    made = case.run(text.format(ns="{ns}", kw=""), lambda: make(backend, {}))
    where = backend.device_name(made)
    case.check(where == "cpu", f"{creator} without device= made a tensor on {where}, expected cpu")
    placed = case.run(text.format(ns="{ns}", kw=f", device={device!r}"), lambda: make(backend, {"device": device}))
    where = backend.device_name(placed)
    case.check(where == device, f"{creator}(device={device!r}) made a tensor on {where}")


# ---- device.selection -----------------------------------------------------------------------------


@pytest.mark.rule("device.selection")
def test_selection(backend):
    accelerators = _accelerators(backend)
    first = accelerators[0] if accelerators else "cpu"
    case = Case(backend, "device.selection", first)
    chosen = case.run("'cuda' if {ns}.cuda.is_available() else 'cpu'", backend.default_device)
    # the tutorial's own lines: x = torch.zeros(2, 3); x = x.to(device)
    t = case.run(f"{{ns}}.zeros((2, 3)).to({chosen!r})", lambda: backend.to(backend.zeros((2, 3)), chosen))
    where = backend.device_name(t)
    case.check(where == first, f"the selection idiom chose {chosen!r}, whose tensors are on {where}; "
                               f"expected {first} (the first accelerator if there is one, else cpu)")
    if not accelerators:
        return
    # the bare accelerator name and its index-0 form name one device: no mixed-device error, no copy
    u = case.input("u", exact_tensor([1.0, 2.0], (2,), "float32"))
    total = case.run(f"{{ns}}.zeros(2, device={chosen!r}) + u",
                     lambda: backend.add(backend.zeros((2,), device=chosen), u))
    case.check(backend.device_name(total) == first, f"the sum is on {backend.device_name(total)}, expected {first}")
    same = case.run(f"u.to({chosen!r}) is u", lambda: backend.to(u, chosen))
    case.check(same is u, f"u.to({chosen!r}) on {first} returned a new tensor: {chosen!r} is not {first}")


# ---- device.to-same -------------------------------------------------------------------------------


@pytest.mark.rule("device.to-same")
@given(data=st.data())
def test_to_same(backend, device, data):
    ref = data.draw(placed_tensors(backend, device, min_side=1), label="t")
    dtype = ref.dtype.name
    case = Case(backend, "device.to-same", device, dtype)
    t = case.input("t", ref)
    for text, call in (
        (f"t.to({device!r}) is t", lambda: backend.to(t, device)),
        (f"t.to({{ns}}.{dtype}) is t", lambda: backend.to(t, dtype=dtype)),
        (f"t.to({device!r}, {{ns}}.{dtype}) is t", lambda: backend.to(t, device, dtype)),
    ) + ((("t.cpu() is t", lambda: backend.cpu(t)),) if device == "cpu" else ()):
        case.check(case.run(text, call) is t, f"{text.replace('{ns}', '')} is False: a copy where self is required")
    copied = case.run(f"t.to({device!r}, copy=True)", lambda: backend.to(t, device, copy=True))
    case.check(copied is not t, "t.to(device, copy=True) returned t itself; copy=True requires a new tensor")
    _expect_copy(case, backend.observe(copied), ref, device, "t.to(device, copy=True)")
    if _has_inplace(backend):
        v = fill_value(ref)
        case.run(f"((c := t.to({device!r}, copy=True)).fill_({v!r}), t)", lambda: backend.fill_(copied, v))
        _expect_copy(case, backend.observe(t), ref, device, "t after filling its copy (aliasing)")


# ---- device.to-other --------------------------------------------------------------------------------


@pytest.mark.rule("device.to-other")
@given(data=st.data())
def test_to_other(backend, device_pair, data):
    src, dst = device_pair
    ref = data.draw(placed_tensors(backend, src, min_side=1, also_on=dst), label="t")
    case = Case(backend, "device.to-other", src, ref.dtype.name)
    t = case.input("t", ref)
    _check_transfer(case, t, ref, src, dst, f"t.to({dst!r})", lambda x: backend.to(x, dst))
    if dst == "cpu":
        _check_transfer(case, backend.asarray(ref, src), ref, src, dst, "t.cpu()", backend.cpu)


def _check_transfer(case: Case, t, ref, src: str, dst: str, text: str, move) -> None:
    """``move(t)`` is a new tensor on ``dst`` equal to ``t``; ``t`` is unchanged; neither aliases."""
    backend = case.backend
    moved = case.run(text, lambda: move(t))
    case.check(moved is not t, f"{text} returned t itself, still on {src}")
    _expect_copy(case, backend.observe(moved), ref, dst, text)
    _expect_copy(case, backend.observe(t), ref, src, f"the source t after {text}")
    if not _has_inplace(backend):
        return  # aliasing is only observable through writes
    v = fill_value(ref)
    case.run(f"((u := {text}).fill_({v!r}), t)", lambda: backend.fill_(moved, v))
    _expect_copy(case, backend.observe(t), ref, src, f"t after u = {text}; u.fill_({v!r}) (aliasing)")
    other = case.run(text, lambda: move(t))
    case.run(f"(u := {text}, t.fill_({v!r}), u)", lambda: backend.fill_(t, v))
    _expect_copy(case, backend.observe(other), ref, dst, f"u = {text} after t.fill_({v!r}) (aliasing)")


# ---- device.roundtrip ---------------------------------------------------------------------------------


@pytest.mark.rule("device.roundtrip")
@given(data=st.data())
def test_roundtrip(backend, device, data):
    if device == "cpu":
        pytest.skip("cpu -> cpu -> cpu is device.to-same's case; the round trip needs another device")
    ref = data.draw(placed_tensors(backend, device), label="t")
    case = Case(backend, "device.roundtrip", "cpu", ref.dtype.name)
    t = case.input("t", ref)
    back = case.observe(f"t.to({device!r}).to('cpu')", lambda: backend.to(backend.to(t, device), "cpu"))
    _expect_copy(case, back, ref, "cpu", f"t.to({device!r}).to('cpu')")
    back = case.observe(f"t.to({device!r}).cpu()", lambda: backend.cpu(backend.to(t, device)))
    _expect_copy(case, back, ref, "cpu", f"t.to({device!r}).cpu()")


# ---- device.result --------------------------------------------------------------------------------------


@pytest.mark.rule("device.result")
@given(data=st.data())
def test_result_device(backend, device, data):
    a_ref, b_ref = data.draw(operand_pair(backend, device, same_dtype=True), label="operands")
    case = Case(backend, "device.result", device, a_ref.dtype.name)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    m = case.input("m", data.draw(tensors(a_ref.dtype.name, (2, 3)), label="m"))
    n = case.input("n", data.draw(tensors(a_ref.dtype.name, (3, 2)), label="n"))
    results = {
        "{ns}.add(a, b)": lambda: backend.add(a, b),
        "a * b": lambda: backend.binary_operator("*", a, b),
        "-a": lambda: backend.unary_minus(a),
        "{ns}.sum(a)": lambda: backend.sum(a),
        "{ns}.matmul(m, n)": lambda: backend.matmul(m, n),
    }
    if a_ref.dtype.is_floating:
        results["{ns}.mean(a)"] = lambda: backend.mean(a)
    for text, call in results.items():
        where = backend.device_name(case.run(text, call))
        case.check(where == device, f"{text.replace('{ns}.', '')} is on {where}; its operands are on {device}")


# ---- device.mixed -----------------------------------------------------------------------------------------


@pytest.mark.rule("device.mixed")
@given(data=st.data())
def test_mixed_devices_raise(backend, device_pair, data):
    src, dst = device_pair
    dtype = data.draw(common_dtypes(backend, src, dst, "if"), label="dtype")
    a_ref = data.draw(tensors(dtype, data.draw(shapes(min_dims=1, max_dims=2, min_side=1), label="shape")),
                      label="a")
    b_ref = data.draw(tensors(dtype, a_ref.shape), label="b")
    case = PlacedCase(backend, "device.mixed", src, dtype)
    a, b = case.input_on("a", a_ref, src), case.input_on("b", b_ref, dst)
    case.expect_error("a + b", lambda: backend.binary_operator("+", a, b))
    case.expect_error("{ns}.mul(b, a)", lambda: backend.mul(b, a))
    if not _is_cpu(src):  # a 0-d tensor is exempt only on the CPU (device.mixed-cpu-scalar)
        s = case.input_on("s", exact_tensor([a_ref.values()[0]], (), dtype), src)
        c = case.input_on("c", b_ref, "cpu")
        case.expect_error("s + c", lambda: backend.binary_operator("+", s, c))
    m_ref = data.draw(tensors(dtype, (2, 2)), label="m")
    m, n = case.input_on("m", m_ref, src), case.input_on("n", m_ref, dst)
    case.expect_error("{ns}.matmul(m, n)", lambda: backend.matmul(m, n))


# ---- device.mixed-cpu-scalar ----------------------------------------------------------------------------


@pytest.mark.rule("device.mixed-cpu-scalar")
@given(data=st.data(), scalar_first=st.booleans())
def test_mixed_cpu_scalar(backend, device, data, scalar_first):
    if _is_cpu(device):
        pytest.skip("the exception is for a 0-d cpu tensor with a tensor on an accelerator")
    dtype = data.draw(dtypes(backend, device, "if"), label="dtype")
    t_ref = data.draw(tensors(dtype, data.draw(shapes(min_dims=1), label="shape")), label="t")
    s_ref = data.draw(tensors(dtype, ()), label="s")
    case = PlacedCase(backend, "device.mixed-cpu-scalar", device, dtype)
    t, s = case.input_on("t", t_ref, device), case.input_on("s", s_ref, "cpu")
    for text, call, expected in (
        ("s + t" if scalar_first else "t + s",
         lambda: backend.binary_operator("+", *((s, t) if scalar_first else (t, s))),
         R.add(s_ref, t_ref) if scalar_first else R.add(t_ref, s_ref)),
        ("{ns}.mul(t, s)", lambda: backend.mul(t, s), R.mul(t_ref, s_ref)),
    ):
        observed = case.observe(text, call)
        case.check(observed.device == device, f"{text.replace('{ns}.', '')} is on {observed.device}; "
                                               f"the result belongs on {device}")
        case.expect(observed, expected)


# ---- interop.numpy-requires-cpu --------------------------------------------------------------------------


def _host_values(array) -> list:
    """An exported array's values as nested lists (NumPy arrays have tolist())."""
    return array.tolist() if hasattr(array, "tolist") else array


@pytest.mark.rule("interop.numpy-requires-cpu")
@given(data=st.data())
def test_numpy_requires_cpu(backend, device, data):
    if _is_cpu(device):
        pytest.skip("numpy() of a cpu tensor is interop.numpy-shares' case; this rule needs an accelerator")
    ref = data.draw(placed_tensors(backend, device, min_side=1), label="t")
    case = Case(backend, "interop.numpy-requires-cpu", device, ref.dtype.name)
    t = case.input("t", ref)
    host = _host_values(case.run("t.cpu().numpy()", lambda: backend.to_numpy(backend.cpu(t))))
    case.check(host == ref.tolist(), f"t.cpu().numpy() holds {host!r}, expected {ref.tolist()!r}")
    case.expect_error("t.numpy()", lambda: backend.to_numpy(t))


# ---- witnesses: fixed examples that expectations may name (@pytest.mark.witness) ---------------------------


@pytest.mark.rule("device.result")
@pytest.mark.witness("sum-int32-on-each-device")
def test_sum_of_int32_stays_on_its_device(backend, device):
    a_ref = exact_tensor([1, 2, 3], (3,), "int32")
    case = Case(backend, "device.result", device, "int32")
    a = case.input("a", a_ref)
    where = backend.device_name(case.run("{ns}.sum(a)", lambda: backend.sum(a)))
    case.check(where == device, f"sum(a) is on {where}; its operand is on {device}")
