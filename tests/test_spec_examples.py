"""Every **Example.** line of spec/<area>.md, run against the reference.

The examples are prose with code in backticks, so each is written here once as
code, under its rule ID, in the spec's own words where Python allows
(``torch.`` is the reference: ``import tensorcts.reference as torch``). A rule
whose example cannot run on the reference says why in ``NOT_ON_THE_REFERENCE``.
``test_every_example_has_its_code`` fails when the spec gains or loses an example,
so a new example is translated (or excused) in the same change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction

import pytest
import tensorcts.reference as torch
from tensorcts.reference import (
    arange,
    bool_,
    elementary,
    empty,
    float32,
    float64,
    full,
    half,
    int32,
    int64,
    manual_seed,
    matmul,
    mean,
    ones,
    rand,
    randn,
    sum,
    tensor,
    zeros,
)
from tensorcts.reference.creation import legacy_tensor
from tensorcts.reference.devices import select_device
from tensorcts.reference.exact import round_float

from tests.helpers import ROOT

EXAMPLES: dict[str, Callable[[], None]] = {}
_RATIONALS = "NaN, infinities and -0.0: the reference computes over the rationals (docs/design.md)"

NOT_ON_THE_REFERENCE = {
    "random.rand-uniform": "figures measured on PyTorch 2.13 (a Kolmogorov-Smirnov statistic of torch.rand)",
    "random.randn-normal": "figures measured on PyTorch 2.13 (moment statistics of torch.randn)",
    "interop.from-numpy-shares": "needs NumPy: the reference is stdlib only and has no from_numpy",
    "interop.from-numpy-dtype": "needs NumPy: the reference is stdlib only and has no from_numpy",
    "interop.from-numpy-rejects": "needs NumPy: the reference is stdlib only and has no from_numpy",
    "interop.tensor-copies": "needs NumPy arrays as data",
    "interop.numpy-shares": "the reference's numpy() returns a copy as lists (spec/interop.md: sharing needs a real backend)",
    "interop.numpy-requires-grad": "the rule names no reference face (spec/interop.md: it needs a real backend)",
    "elementary.special-values": _RATIONALS,
    "special.arithmetic": _RATIONALS,
    "special.reduction": _RATIONALS,
    "special.matmul": _RATIONALS,
}


def example(rule: str):
    def register(fn: Callable[[], None]) -> Callable[[], None]:
        assert rule not in EXAMPLES, rule
        EXAMPLES[rule] = fn
        return fn
    return register


def raises(fn: Callable[[], object], error: type[Exception] = Exception, match: str | None = None) -> bool:
    with pytest.raises(error, match=match):
        fn()
    return True


def r32(x) -> Fraction:
    return round_float(Fraction(x), float32)


# ---- attributes -----------------------------------------------------------------------------


@example("attributes.shape")
def _():
    x = zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and x.shape[-1] == 4
    d1, d2, d3 = x.shape
    assert (d1, d2, d3) == (2, 3, 4)
    assert zeros(()).shape == ()


@example("attributes.shape-size")
def _():
    x = zeros(2, 3, 4)
    assert x.shape == x.size() == (2, 3, 4)
    d1, d2, d3 = x.size()
    assert (d1, d2, d3) == (2, 3, 4)
    assert zeros(()).shape == ()


@example("attributes.size-dim")
def _():
    assert zeros(2, 3).size(-1) == 3
    assert raises(lambda: zeros(2, 3).size(2)) and raises(lambda: zeros(()).size(0))


@example("attributes.ndim-numel")
def _():
    assert (zeros(2, 0, 3).ndim, zeros(2, 0, 3).numel()) == (3, 0)
    assert (zeros(()).ndim, zeros(()).numel()) == (0, 1)


@example("attributes.dtype-device")
def _():
    t = zeros(2, dtype=int32, device="cpu")
    assert (t.dtype, t.device) == (int32, "cpu")


@example("attributes.strides")
def _():
    assert zeros(2, 3, 4).stride() == (12, 4, 1)
    assert zeros(3, 0).stride() == (1, 1)
    assert zeros(0, 3).stride() == (3, 1)


# ---- autograd ----------------------------------------------------------------------------------


@example("autograd.tutorial-example")
def _():
    # PyTorch's float32 figures lie within the oracle's bounds of 38/3 and [4/3, 2, 8/3]
    x = arange(3, dtype=float32, requires_grad=True, exact=True)
    y = ((x + 2) ** 2 + 3).mean()
    y.backward()
    assert y.values() == [Fraction(38, 3)] and abs(Fraction(12.666666984558105) - y.values()[0]) <= Fraction(y.errs()[0])
    assert Fraction(12.666666984558105) == r32(Fraction(38, 3))
    torch_grad = [1.3333333730697632, 2.0, 2.6666667461395264]
    assert x.grad.values() == [Fraction(4, 3), 2, Fraction(8, 3)]
    for got, err, want in zip(torch_grad, x.grad.errs(), x.grad.values(), strict=True):
        assert abs(Fraction(got) - want) <= Fraction(err)


@example("autograd.grad-values")
def _():
    x = tensor([1.0, 2.0], requires_grad=True)
    w = tensor([3.0, 4.0], requires_grad=True)
    y = (x * w + x).sum()
    y.backward()
    assert x.grad.tolist() == [4, 5] and w.grad.tolist() == [1, 2]


@example("autograd.broadcast-reduce")
def _():
    a = zeros(2, 3, requires_grad=True)
    b = zeros(3, requires_grad=True)
    (a + b).backward(ones(2, 3))
    assert b.grad.tolist() == [2, 2, 2] and b.grad.shape == (3,)


@example("autograd.elementary-grad")
def _():
    # PyTorch's float32 figures (the last 0.2 % off: g*(1 - y*y) on a y within its class) and HIPS autograd's
    # g/cosh(x)**2 lie within the bounds; the exact gradient is g*(1 - tanh(x)^2)
    x = tensor([0.5, -3.0, 6.5], requires_grad=True, exact=True)
    torch.tanh(x).backward(tensor([1.0, -0.75, 2.5], exact=True))
    exact = [0.78644773, -0.0073995279, 2.2603192e-05]
    assert all(abs(float(v) - e) <= 1e-8 * abs(e) for v, e in zip(x.grad.values(), exact, strict=True))
    assert [float(f"{e:.2g}") for e in x.grad.errs()] == [7.6e-7, 4.5e-7, 1.3e-6]
    for observed in ([0.7864477038383484, -0.007399486377835274, 2.2649712263955735e-05],  # PyTorch 2.13
                     [0.7864475846290588, -0.007399528753012419, 2.2603187971981242e-05]):  # HIPS autograd
        for got, v, err in zip(observed, x.grad.values(), x.grad.errs(), strict=True):
            assert abs(Fraction(got) - v) <= Fraction(err)
    assert abs(Fraction(2.2649712263955735e-05) / x.grad.values()[2] - 1) > Fraction(2, 1000)


@example("autograd.requires-grad-default")
def _():
    assert torch.ones((3,)).requires_grad is False


@example("autograd.requires-grad-set")
def _():
    x = torch.ones((3,))
    assert x.requires_grad_(True) is x and x.requires_grad is True
    assert torch.ones((3,), requires_grad=True).requires_grad is True


@example("autograd.requires-grad-float-only")
def _():
    assert raises(lambda: torch.tensor([1, 2]).requires_grad_())
    assert raises(lambda: torch.zeros(3, dtype=torch.int64, requires_grad=True))


@example("autograd.propagation")
def _():
    x = torch.ones(3, requires_grad=True)
    assert (x + 2).grad_fn.name() == "AddBackward0" and (x + 2).is_leaf is False
    assert x.grad_fn is None


@example("autograd.leaf-grad")
def _():
    x = torch.ones(3, requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    assert x.grad.tolist() == [2, 2, 2] and y.grad is None


@example("autograd.scalar-backward")
def _():
    x = torch.ones(1, 1, requires_grad=True)
    (x * 2).backward()
    assert x.grad.tolist() == [[2.0]]
    x = torch.ones(2, requires_grad=True)
    assert raises(lambda: (x * 2).backward())


@example("autograd.accumulate")
def _():
    x = torch.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [4, 4, 4]


@example("autograd.retain-graph")
def _():
    x, w = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    y = (x * w).sum()
    y.backward()
    assert raises(y.backward)
    y = (x + w).sum()
    x.grad = None
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2, 2, 2]
    y = (x * 2).sum()
    y.backward()
    assert raises(y.backward)


@example("autograd.no-grad")
def _():
    x = torch.ones(3, requires_grad=True)
    with torch.no_grad():
        z = x * 2
    assert z.requires_grad is False


@example("autograd.detach")
def _():
    x = torch.ones(3, requires_grad=True)
    d = x.detach()
    d.fill_(7.0)
    assert x.tolist() == [7, 7, 7] and x.requires_grad


@example("autograd.inplace-leaf")
def _():
    x = torch.ones(3, requires_grad=True)
    assert raises(lambda: x.add_(1))
    with torch.no_grad():
        x.add_(1)
    assert x.tolist() == [2, 2, 2]


@example("autograd.version-counter")
def _():
    x, w = torch.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    y = (x * w).sum()
    with torch.no_grad():  # w is a leaf: a plain w.add_(1) would raise first (autograd.inplace-leaf)
        w.add_(1)
    assert raises(y.backward, RuntimeError, "modified by an inplace operation")
    y = (x + w).sum()
    with torch.no_grad():
        w.add_(1)
    y.backward()


# ---- broadcasting --------------------------------------------------------------------------------


@example("broadcasting.shape")
def _():
    assert (ones(2, 1) + ones(3)).shape == (2, 3)
    assert (ones(0, 1) + ones(3)).shape == (0, 3)
    assert (tensor(1.0) + ones(2, 0)).shape == (2, 0)
    assert (tensor(1.0) + tensor(2.0)).ndim == 0


@example("broadcasting.values")
def _():
    a, b = tensor([[1], [2]]), tensor([10, 20, 30])
    assert (a + b).tolist() == [[11, 21, 31], [12, 22, 32]]
    assert (a + b)[1, 2].item() == a[1, 0].item() + b[2].item()


@example("broadcasting.error")
def _():
    assert raises(lambda: ones(4) + ones(2)) and raises(lambda: ones(0) + ones(2))


# ---- creation -------------------------------------------------------------------------------------


@example("creation.zeros-ones")
def _():
    assert full((2, 0), 7, dtype=int64).shape == (2, 0)
    assert float(full((), 2.0**-20, dtype=float32).item()) == 9.5367431640625e-07
    assert ones(3, dtype=bool_).tolist() == [True, True, True]


@example("creation.default-dtype")
def _():
    assert zeros(2).dtype == full((2,), 1.5).dtype == float32


@example("creation.empty")
def _():
    t = empty(2, 3, 4)
    assert (t.shape, t.dtype) == ((2, 3, 4), float32)
    assert empty(0).shape == (0,)


@example("creation.legacy-constructor")
def _():
    t = legacy_tensor(2, 3, 4)  # torch.Tensor(2, 3, 4)
    assert (t.shape, t.dtype) == ((2, 3, 4), float32)


@example("creation.tensor-data")
def _():
    assert tensor([[1, 2], [3, 4]]).shape == (2, 2)
    t = tensor(0.1)
    assert t.ndim == 0 and t.dtype == float32 and float(t.item()) == 0.10000000149011612


@example("creation.tensor-dtype")
def _():
    assert tensor([True, False]).dtype == bool_ and tensor([True, 2]).dtype == int64
    assert tensor([1, 2.5]).dtype == tensor([]).dtype == float32


@example("creation.arange-length")
def _():
    q = (Fraction(23.2) - Fraction(-2.0)) / Fraction(0.84)
    assert 30 < q < Fraction(300000000000000004, 10**16) + Fraction(1, 10**16) and float(q) == 30.0
    assert arange(-2.0, 23.2, 0.84).numel() == 30
    assert arange(0, 10, 3).tolist() == [0, 3, 6, 9]


@example("creation.arange-values")
def _():
    exact = 9 * Fraction(0.1)
    assert float(r32(exact)) == 0.8999999761581421
    torch_value = Fraction(0.9000000357627869)  # PyTorch's CPU element 9
    assert torch_value - r32(exact) == Fraction(1, 2**24)  # one float32 ulp above
    t = arange(0.0, 3.0, 0.1, exact=True)
    assert t.values()[9] == exact
    bound = Fraction(t.errs()[9])
    assert bound < Fraction(2.7e-7) and abs(torch_value - exact) <= bound and abs(r32(exact) - exact) <= bound


@example("creation.arange-dtype")
def _():
    assert arange(5).dtype == int64
    assert arange(5.0).dtype == arange(0, 5, 0.5).dtype == float32
    assert arange(5, dtype=float64).dtype == float64


@example("creation.arange-errors")
def _():
    for args in ((0, 5, 0), (5, 0), (0, 5, -1)):
        assert raises(lambda args=args: arange(*args))
    assert arange(3, 3).numel() == 0


# ---- devices -----------------------------------------------------------------------------------------


@example("device.default")
def _():
    assert zeros(2, 3).device == "cpu" and zeros(2, 3, device="sim:1").device == "sim:1"


@example("device.selection")
def _():
    assert select_device() == "sim"
    assert zeros(2).to("sim").device == "sim:0"


@example("device.to-same")
def _():
    x = zeros(2)
    assert x.to("cpu") is x and x.to("cpu", copy=True) is not x


@example("device.to-other")
def _():
    t = tensor([1.5, 2.0])
    u = t.to("sim:1")
    u.fill_(3)
    assert (t.tolist(), t.device) == ([1.5, 2.0], "cpu") and (u.tolist(), u.device) == ([3, 3], "sim:1")


@example("device.roundtrip")
def _():
    t = tensor([2**62 + 1]).to("sim:0").cpu()
    assert t.tolist() == [4611686018427387905] and t.dtype == int64 and t.device == "cpu"


@example("device.result")
def _():
    assert (ones(2, device="sim:1") * 2).device == "sim:1"


@example("device.mixed")
def _():
    assert raises(lambda: ones(2) + ones(2, device="sim:0"))
    assert raises(lambda: matmul(ones(2, 2), ones(2, 2, device="sim:1")))


@example("device.mixed-cpu-scalar")
def _():
    t = tensor(2.0) + ones(2, device="sim:0")
    assert t.tolist() == [3, 3] and t.device == "sim:0"


# ---- elementwise -------------------------------------------------------------------------------------


@example("elementwise.add")
def _():
    assert (tensor([1.5, 2.0]) + tensor([0.25, 2.0**-30])).tolist() == [1.75, 2.0]


@example("elementwise.sub")
def _():
    t = tensor([1, 2]) - tensor([3, 5])
    assert t.tolist() == [-2, -3] and t.dtype == int64


@example("elementwise.mul")
def _():
    t = tensor([3.0]) * tensor([1.0 + 2.0**-22])
    assert t.tolist() == [3 + 3 * Fraction(2) ** -22] and float(t.item()) == 3.0000007152557373
    assert (tensor([3.0]) * tensor([1.0 + 2.0**-23])).item() == 3 + Fraction(2) ** -21  # the tie, to even


@example("elementwise.div")
def _():
    t = tensor([1.0]) / tensor([3.0])
    assert t.dtype == float32 and float(t.item()) == 0.3333333432674408 and t.item() == r32(Fraction(1, 3))


@example("elementwise.neg")
def _():
    assert (-tensor([1.5, -2.0])).tolist() == [-1.5, 2.0]


@example("elementwise.pow-int")
def _():
    assert (tensor([3.0]) ** 2).tolist() == [9.0] and (tensor([2, -3]) ** 3).tolist() == [8, -27]


@example("elementwise.scalar-operand")
def _():
    t = tensor([1, 2], dtype=int32) + 5
    assert t.dtype == int32 and t.tolist() == [6, 7]
    u = tensor([1.0]) + 0.1
    assert u.dtype == float32 and u.item() == r32(1 + r32(0.1)) and float(u.item()) == 1.100000023841858


@example("elementwise.scalar-dividend")
def _():
    t = 5 / tensor([23.0])
    assert t.dtype == float32 and float(t.item()) == 0.21739129722118378 and t.item() == r32(Fraction(5, 23))


@example("elementwise.bool")
def _():
    assert (tensor([True, False]) + tensor([True, True])).tolist() == [True, True]
    assert raises(lambda: tensor([True]) - tensor([True]), RuntimeError, "with two bool tensors is not supported")


# ---- indexing ------------------------------------------------------------------------------------------


@example("indexing.basic-values")
def _():
    x = arange(12).view(3, 4)
    assert x[-1, 1::2].tolist() == [9, 11]
    assert x[None, ..., 0].shape == (1, 3) and x[None, ..., 0].tolist() == [[0, 4, 8]]
    assert x[5:].shape == (0, 4)


@example("indexing.basic-view")
def _():
    x = arange(12).view(3, 4)
    r = x[1, ::2]
    r.fill_(-7)
    assert x[1].tolist() == [-7, 5, -7, 7]


@example("indexing.advanced-copy")
def _():
    x = arange(12).view(3, 4)
    rows, cols = x[[2, 0]], x[:, tensor([True, False, False, True])]
    assert rows.tolist() == [[8, 9, 10, 11], [0, 1, 2, 3]] and cols.tolist() == [[0, 3], [4, 7], [8, 11]]
    x.fill_(0)
    assert rows.tolist() == [[8, 9, 10, 11], [0, 1, 2, 3]] and cols.tolist() == [[0, 3], [4, 7], [8, 11]]


@example("indexing.out-of-bounds")
def _():
    x = arange(12).view(3, 4)
    assert raises(lambda: x[3]) and raises(lambda: x[..., -5]) and raises(lambda: x[[0, 3]])


@example("indexing.out-of-bounds-empty")
def _():
    assert raises(lambda: zeros(1, 0)[[1]]) and raises(lambda: zeros(0, 2)[:, [-3]]) and raises(lambda: zeros(1, 0)[1])


@example("indexing.negative-step")
def _():
    assert raises(lambda: arange(5)[::-1])


@example("indexing.tutorial")
def _():  # "as stated": the rule's four indices
    x = arange(12).view(3, 4)
    assert x[:, 1].tolist() == [1, 5, 9] and x[0].tolist() == [0, 1, 2, 3] and x[:2, -1].tolist() == [3, 7]
    assert x[:1].tolist() == [[0, 1, 2, 3]] and x[:1].shape == (1, 4) and x[:1].dtype == int64


# ---- in place ------------------------------------------------------------------------------------------


@example("inplace.returns-self")
def _():
    t = torch.ones(3)
    assert t.add_(1) is t
    before = t
    t += 1
    assert t is before


@example("inplace.mutates-self-only")
def _():
    x1, x2 = tensor([1.0, 2.0]), tensor([10.0, 20.0])
    x2.add_(x1)
    assert x1.tolist() == [1, 2] and x2.tolist() == [11, 22]


@example("inplace.values")
def _():
    o = tensor([Fraction(2) ** -24 + Fraction(2) ** -60], dtype=float64)
    t = tensor([1.0], dtype=float32)
    t.add_(o)
    assert t.tolist() == [1.0]  # the sum rounded to float64 (a tie) and then to float32
    assert r32(1 + Fraction(2) ** -24 + Fraction(2) ** -60) == 1 + Fraction(2) ** -23  # one rounding: also allowed
    t = tensor([1.0], dtype=float32, exact=True)
    t.add_(tensor([Fraction(2) ** -24 + Fraction(2) ** -60], dtype=float64, exact=True))
    for allowed in (1, 1 + Fraction(2) ** -23):
        assert abs(allowed - t.values()[0]) <= Fraction(t.errs()[0])
    t = tensor([1.0], dtype=float32)
    t.add_(tensor([-1 + 2.0**-30], dtype=float64))
    assert t.item() == Fraction(2) ** -30  # not 0, as computing in float32 would give


@example("inplace.no-shape-change")
def _():
    assert torch.ones(2, 3).add_(torch.ones(3)).shape == (2, 3)
    assert raises(lambda: torch.ones(3).add_(torch.ones(2, 3))) and raises(lambda: torch.ones(1).add_(torch.ones(3)))


@example("inplace.dtype")
def _():
    assert torch.ones(3).add_(torch.ones(3, dtype=torch.float64)).dtype == torch.float32
    assert raises(lambda: torch.ones(3, dtype=torch.int64).add_(1.5))
    assert raises(lambda: torch.ones(3, dtype=torch.bool).add_(torch.ones(3, dtype=torch.int64)))
    assert torch.ones(3, dtype=torch.int64).add_(torch.ones(3, dtype=torch.bool)).tolist() == [2, 2, 2]


@example("inplace.cast-on-copy")
def _():
    assert torch.zeros(3, dtype=torch.int64).fill_(1.7).tolist() == [1, 1, 1]
    assert torch.zeros(3, dtype=torch.int64).fill_(-1.7).tolist() == [-1, -1, -1]
    assert torch.zeros(2, dtype=torch.int64).copy_(torch.tensor([1.7, 2.7])).tolist() == [1, 2]
    assert torch.zeros(2, dtype=torch.bool).fill_(0.3).tolist() == [True, True]
    t = torch.zeros(3, dtype=torch.int64)
    assert raises(lambda: t.__setitem__([0, 1], torch.tensor([1.5, 2.5])), RuntimeError, "dtypes match")


@example("inplace.through-views")
def _():
    b = torch.zeros(2, 3)
    v = b[0]
    v.add_(1)
    assert b.tolist() == [[1, 1, 1], [0, 0, 0]] and b.t()[1, 0].item() == 1


@example("inplace.setitem")
def _():
    t = torch.zeros(3)
    v = t[:]
    t[[0, 2]] = 5.0
    assert t.tolist() == v.tolist() == [5, 0, 5]


@example("inplace.overlap")
def _():
    e = torch.ones(1, 3).expand(2, 3)
    assert raises(lambda: e.add_(1))
    e.fill_(5)
    assert e.tolist() == [[5, 5, 5], [5, 5, 5]]
    e[0] = 7
    assert e.tolist() == [[7, 7, 7], [7, 7, 7]]


# ---- interop ---------------------------------------------------------------------------------------------


@example("interop.roundtrip")
def _():
    t = tensor([0.1])
    assert float(t.tolist()[0]) == 0.10000000149011612 != 0.1


@example("interop.numpy-requires-cpu")
def _():
    assert raises(lambda: ones(2, device="sim:0").numpy())
    assert ones(2, device="sim:0").cpu().numpy() == [1.0, 1.0]


# ---- matmul --------------------------------------------------------------------------------------------


@example("matmul.dot")
def _():
    t = matmul(tensor([1.0, 2.0, 3.0]), tensor([4.0, 5.0, 6.0]))
    assert t.ndim == 0 and t.item() == 32
    u = matmul(arange(3), arange(3))
    assert u.dtype == int64 and u.item() == 5


@example("matmul.matrix-matrix")
def _():
    assert matmul(arange(6).view(2, 3), arange(9).view(3, 3)).tolist() == [[15, 18, 21], [42, 54, 66]]


@example("matmul.vector-matrix")
def _():
    assert matmul(arange(3), arange(9).view(3, 3)).tolist() == [15, 18, 21]
    assert matmul(arange(3.0), arange(6.0).view(3, 2)).tolist() == [10.0, 13.0]


@example("matmul.matrix-vector")
def _():
    assert matmul(arange(9).view(3, 3), arange(3)).tolist() == [5, 14, 23]


@example("matmul.batched")
def _():
    assert matmul(arange(12.0).view(2, 2, 3), arange(3.0)).tolist() == [[5, 14], [23, 32]]
    assert matmul(ones(2, 1, 3, 4), ones(5, 4, 2)).shape == (2, 5, 3, 2)
    assert matmul(ones(3), ones(2, 3, 4)).shape == (2, 4)
    assert matmul(ones(2, 3, 4), ones(4)).shape == (2, 3)


@example("matmul.errors")
def _():
    assert raises(lambda: matmul(tensor(2.0), ones(3)))
    assert raises(lambda: matmul(arange(6), arange(9).view(3, 3)))
    assert raises(lambda: matmul(ones(2, 3, 4), ones(3, 4, 2)))


@example("matmul.dtype")
def _():
    t = matmul(ones(2, 3, dtype=int32), ones(3, dtype=int32))
    assert t.dtype == int32 and t.tolist() == [3, 3]
    assert raises(lambda: matmul(ones(3), ones(3, dtype=float64)))


@example("matmul.accuracy")
def _():
    assert matmul(ones(2, 0), ones(0, 3)).tolist() == zeros(2, 3).tolist()
    k = 4
    a = tensor([[1 + 2.0**-23] * k], exact=True)
    b = tensor([[-1.0]] * k, exact=True)
    c = matmul(a, b)
    u = Fraction(2) ** -24
    gamma_k = k * u / (1 - k * u)
    assert c.values() == [-k * (1 + Fraction(2) ** -23)]
    assert Fraction(c.errs()[0]) >= gamma_k * k * (1 + Fraction(2) ** -23)  # never less than the stated bound


@example("matmul.operator")
def _():
    assert (arange(3) @ arange(9).view(3, 3)).tolist() == [15, 18, 21]


# ---- promotion -------------------------------------------------------------------------------------------


@example("promotion.categories")
def _():
    assert (tensor([True]) + tensor([2], dtype=int32)).dtype == int32
    assert (tensor([1], dtype=int32) * tensor([2])).dtype == int64
    assert (tensor([1]) + tensor([1.5])).dtype == float32


@example("promotion.same-kind")
def _():
    assert (tensor([1], dtype=int32) * tensor([2])).dtype == int64
    assert (tensor([1.5]) + tensor([0.25], dtype=float64)).dtype == float64
    t = tensor([1], dtype=int32) - tensor([3], dtype=int32)
    assert t.dtype == int32 and t.tolist() == [-2]


@example("promotion.zero-dim")
def _():
    t = tensor([1.0, 2.0]) + tensor(1.0, dtype=float64)
    assert t.dtype == float32 and t.tolist() == [2, 3]
    u = tensor([1, 2]) + tensor(0.5, dtype=float64)
    assert u.dtype == float64 and u.tolist() == [1.5, 2.5]


@example("promotion.python-scalar")
def _():
    t = tensor([1, 2], dtype=int32) + 5
    assert t.dtype == int32 and t.tolist() == [6, 7]
    assert (tensor([True]) + 1).dtype == int64 and (tensor([1, 2]) * 2.5).dtype == float32
    assert (tensor([1.0], dtype=float64) + 2.5).dtype == float64


@example("promotion.mixed-float")
def _():
    t = tensor([0.1]) + tensor([0.0], dtype=float64)
    assert t.dtype == float64 and float(t.item()) == 0.10000000149011612 and t.item() == r32(0.1)


# ---- random ---------------------------------------------------------------------------------------------


@example("random.rand-range")
def _():
    manual_seed(0)
    t = rand(3)
    assert t.dtype == float32
    assert [float(v) for v in t.values()] == [float(r32(x)) for x in (0.8833108, 0.43152797, 0.026433766)]


@example("random.seed-reproducible")
def _():
    manual_seed(42)
    a, b = rand(2), randn(3)
    manual_seed(42)
    assert rand(2).tolist() == a.tolist() and randn(3).tolist() == b.tolist()


@example("random.seed-distinct")
def _():
    manual_seed(0)
    first = rand(16).tolist()
    manual_seed(1)
    assert rand(16).tolist() != first


@example("random.seed-returns")
def _():
    g = torch.manual_seed(5)
    assert g.initial_seed() == 5 and g is torch.default_generator


# ---- reduction ------------------------------------------------------------------------------------------


@example("reduction.sum")
def _():
    t = tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.sum().item() == 10 and t.sum(dim=1).tolist() == [3, 7] and t.sum(dim=(0, -1)).item() == 10
    s = tensor([1.0, 2.0**-24, 2.0**-24], exact=True).sum()
    u = Fraction(2) ** -24
    assert Fraction(s.errs()[0]) >= 2 * u / (1 - 2 * u) * (1 + Fraction(2) ** -23)
    for order in (1, 1 + Fraction(2) ** -23):
        assert abs(order - s.values()[0]) <= Fraction(s.errs()[0])


@example("reduction.sum-dtype")
def _():
    a, b = tensor([1, 2], dtype=int32).sum(), tensor([True, True, False]).sum()
    assert (a.dtype, a.item(), b.dtype, b.item()) == (int64, 3, int64, 2)


@example("reduction.mean")
def _():
    assert tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=0).tolist() == [2, 3]
    m = tensor([1.0, 2.0, 2.0], exact=True).mean()
    u = Fraction(2) ** -24
    g2 = 2 * u / (1 - 2 * u)
    stated = g2 * (5 + g2 * 5) / 3 + 5 * g2 / 3
    assert m.values()[0] == Fraction(5, 3) and Fraction(m.errs()[0]) <= stated * (1 + Fraction(1, 10**6))
    assert float(r32(Fraction(5, 3))) == 1.6666666269302368
    assert abs(r32(Fraction(5, 3)) - Fraction(5, 3)) <= Fraction(m.errs()[0])


@example("reduction.mean-int")
def _():
    assert raises(lambda: arange(4).mean()) and arange(4.0).mean().item() == 1.5


@example("reduction.keepdim")
def _():
    a = zeros(2, 3, 4)
    assert sum(a, dim=1).shape == (2, 4) and sum(a, dim=(0, -1), keepdim=True).shape == (1, 3, 1)
    assert mean(a, keepdim=True).shape == (1, 1, 1)


@example("reduction.zero-dim-dim")
def _():
    assert torch.sum(torch.tensor(2.5), dim=0).tolist() == 2.5
    kept = torch.mean(torch.tensor(2.5), dim=(-1,), keepdim=True)
    assert (kept.shape, kept.tolist()) == ((), 2.5)


# ---- views ------------------------------------------------------------------------------------------------


@example("view.shape-compat")
def _():
    assert arange(6).view(3, -1).shape == (3, 2)
    for shape in ((-1, 4), (-1, -1), (-2, -3)):
        assert raises(lambda shape=shape: arange(6).view(*shape))


@example("view.stride-compat")
def _():
    x = arange(24).view(2, 3, 4).transpose(0, 1)
    assert (x.shape, x.stride()) == ((3, 2, 4), (4, 12, 1))
    assert raises(lambda: x.view(3, 8))
    assert x.view(3, 2, 2, 2).stride() == (4, 12, 2, 1)


@example("view.aliasing")
def _():
    b = arange(6)
    v = b.view(2, 3)
    v[1] = -7
    assert b.tolist() == [0, 1, 2, -7, -7, -7]
    b.fill_(0)
    assert v.tolist() == [[0, 0, 0], [0, 0, 0]]


@example("view.strides")
def _():
    x = arange(24).view(2, 3, 4)
    assert x[1:, ::2].stride() == (12, 8, 1) and x[1:, ::2].storage_offset() == 12
    assert x[:, None].stride() == (12, 12, 4, 1)
    assert zeros(3, 1).expand(2, 1, 3, 5).stride() == (0, 3, 1, 0)


@example("view.transpose")
def _():
    base = arange(6).view(2, 3)
    t = base.t()
    assert (t.shape, t.stride(), t.tolist()) == ((3, 2), (1, 3), [[0, 3], [1, 4], [2, 5]])
    t[0, 1] = -1
    assert base.view(6)[3].item() == -1


@example("view.contiguous")
def _():
    x = arange(6).view(2, 3)
    assert x.contiguous() is x
    c = x.t().contiguous()
    assert c.stride() == (2, 1)
    c.fill_(9)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]


@example("view.reshape")
def _():
    x = arange(6).view(2, 3)
    r = x.reshape(3, 2)
    r[0, 0] = 7
    assert x[0, 0].item() == 7  # a view
    x = arange(6).view(2, 3)
    flat = x.t().reshape(6)
    assert flat.tolist() == [0, 3, 1, 4, 2, 5] and raises(lambda: x.t().view(6))
    flat.fill_(9)
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]


@example("view.torch-spellings")
def _():
    assert arange(3).t().tolist() == [0, 1, 2]
    assert tensor(5).transpose(0, -1).tolist() == 5
    e = zeros(3, 1).expand(-1, 4)
    assert (e.shape, e.stride()) == ((3, 4), (1, 0))


@example("view.chained")
def _():
    assert arange(9).view(3, 3).tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert arange(6).view(2, 3).tolist() == [[0, 1, 2], [3, 4, 5]]


# ---- elementary functions and special values --------------------------------------------------------------


def within_ulps(t, value: float, n: int) -> bool:
    """t's one element lies within n ulps (of t's dtype, at value's binade) of ``value``."""
    (got,) = t.tolist()
    return abs(Fraction(got) - Fraction(value)) <= n * elementary.ulp_of(Fraction(value), t.dtype)


@example("elementary.exp")
def _():
    assert torch.exp(tensor([1.0])).tolist() == [2.7182817459106445]  # e correctly rounded to float32


@example("elementary.expm1")
def _():
    assert within_ulps(torch.expm1(tensor([1e-10], dtype=float64)), 1.00000000005e-10, 4)


@example("elementary.log")
def _():
    assert within_ulps(torch.log(tensor([2.0])), 0.6931471805599453, 4)
    assert torch.log(tensor([2.0])).tolist() == [0.6931471824645996]


@example("elementary.log1p")
def _():
    assert within_ulps(torch.log1p(tensor([1e-10], dtype=float64)), 9.9999999995e-11, 4)


@example("elementary.sqrt")
def _():
    assert torch.sqrt(tensor([2.0])).tolist() == [1.4142135381698608]


@example("elementary.sin")
def _():
    assert within_ulps(torch.sin(tensor([1e22], dtype=float64)), -0.8522008497671888, 4)


@example("elementary.cos")
def _():
    assert within_ulps(torch.cos(tensor([1e22], dtype=float64)), 0.5232147853951389, 4)


@example("elementary.tanh")
def _():
    assert within_ulps(torch.tanh(tensor([0.5])), 0.46211715726000974, 4)


@example("elementary.sigmoid")
def _():
    assert torch.sigmoid(tensor([0.0])).tolist() == [0.5]


@example("special.subnormal")
def _():
    tiny = tensor([2.0 ** -149])
    assert (tiny + tiny).tolist() == [2.0 ** -148]
    assert (tensor([2.0 ** -126]) * tensor([0.5])).tolist() == [2.0 ** -127]


@example("half.elementwise")
def _():
    f16 = torch.float16
    assert (tensor([1.0], dtype=f16) + tensor([2.0 ** -11], dtype=f16)).tolist() == [1.0]
    assert (tensor([1.0 + 2.0 ** -10], dtype=f16) + tensor([2.0 ** -11], dtype=f16)).tolist() == [1.001953125]
    assert (tensor([65504.0], dtype=f16) + tensor([16.0], dtype=f16)).tolist() == [float("inf")]
    assert (tensor([65504.0], dtype=f16) + tensor([8.0], dtype=f16)).tolist() == [65504.0]
    assert (tensor([3 * 2.0 ** -24], dtype=f16) * tensor([0.5], dtype=f16)).tolist() == [2.0 ** -23]
    bf16 = torch.bfloat16
    assert (tensor([1.0], dtype=bf16) / tensor([3.0], dtype=bf16)).tolist() == [0.333984375]
    assert half.binary("+", Fraction(65504), Fraction(16), torch.float16) == float("inf")


def _half_bound(values, dtype, fn):
    oracle = getattr(half, fn)(tensor(values, dtype=dtype, exact=True))
    return oracle.values()[0], Fraction(oracle.errs()[0])


@example("half.sum")
def _():
    for dtype, small, total, bound in ((torch.float16, 2.0 ** -12, 1.015625, 4.998e-4),
                                       (torch.bfloat16, 2.0 ** -9, 1.125, 4.40e-3)):
        value, err = _half_bound([1.0] + [small] * 64, dtype, "sum")
        assert value == Fraction(total) and abs(float(err) - bound) < bound / 500
        assert abs(Fraction(total) - value) <= err < abs(1 - value)  # 1, a half accumulator's answer, fails
        assert tensor([1.0] + [small] * 64, dtype=dtype).sum().tolist() == total


@example("half.mean")
def _():
    value, err = _half_bound([1.0] + [2.0 ** -12] * 64, torch.float16, "mean")
    assert value == Fraction(1, 64) and abs(float(err) - 1.54e-5) < 1e-7
    assert abs(round_float(Fraction(1, 65), torch.float16) - value) > err  # float16 accumulation: round(1/65)
    assert tensor([1.0] + [2.0 ** -12] * 64, dtype=torch.float16).mean().tolist() == 0.015625


@example("half.matmul")
def _():
    a = tensor([[1.0] + [2.0 ** -6] * 31], dtype=torch.float16)
    b = tensor([[1.0]] + [[2.0 ** -6]] * 31, dtype=torch.float16)
    assert (a @ b).tolist() == [[1.0078125]]
    oracle = half.matmul(tensor(a.tolist(), dtype=torch.float16, exact=True),
                         tensor(b.tolist(), dtype=torch.float16, exact=True))
    value, err = oracle.values()[0], Fraction(oracle.errs()[0])
    assert value == 1 + Fraction(31, 2 ** 12) and abs(float(err) - 4.94e-4) < 1e-6
    assert abs(Fraction(1.0078125) - value) <= err < abs(1 - value)


# ---- the tests --------------------------------------------------------------------------------------------


def spec_examples() -> dict[str, str]:
    """Rule ID -> its **Example.** paragraph, from every spec/<area>.md."""
    found = {}
    for path in sorted((ROOT / "spec").glob("*.md")):
        if path.name == "README.md":
            continue
        rule, lines = None, path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            heading = re.match(r"### `([\w.-]+)`", line)
            if heading:
                rule = heading.group(1)
            elif line.startswith("**Example.**") and rule is not None:
                text = [line]
                for more in lines[i + 1:]:
                    if not more or more.startswith(("**", "#")):
                        break
                    text.append(more)
                found[rule] = " ".join(text)
    return found


def test_every_example_has_its_code():
    in_spec = set(spec_examples())
    assert in_spec, "no **Example.** line found in spec/"
    assert not set(EXAMPLES) & set(NOT_ON_THE_REFERENCE)
    missing = sorted(in_spec - set(EXAMPLES) - set(NOT_ON_THE_REFERENCE))
    stale = sorted((set(EXAMPLES) | set(NOT_ON_THE_REFERENCE)) - in_spec)
    assert not missing, f"spec examples without code here: {missing}"
    assert not stale, f"code here for rules without an example in spec/: {stale}"


@pytest.mark.parametrize("rule", sorted(EXAMPLES))
def test_spec_example_runs_on_the_reference(rule):
    EXAMPLES[rule]()
