"""The reference tape itself: graph, names, accumulation, retain_graph, version counter, no_grad, detach."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
import tensorcts.reference as R
from tensorcts.reference.autograd import to_dot

ROOT = Path(__file__).resolve().parent.parent


def _tutorial():
    x = R.arange(3, dtype=R.float32, requires_grad=True, exact=True)
    a = x + 2
    b = a ** 2
    c = b + 3
    return x, (a, b, c), c.mean()


def test_tutorial_values_are_exact_and_bounded():
    x, _, y = _tutorial()
    y.backward()
    assert y.item() == Fraction(38, 3)
    assert x.grad.values() == [Fraction(4, 3), 2, Fraction(8, 3)]
    assert x.grad.accuracy == "bounded"
    assert all(0 < e < 2e-6 for e in x.grad.errs())  # arange(3.) carries its own (creation) bound


def test_tutorial_graph_names_are_pytorchs():
    x, (a, b, c), y = _tutorial()
    assert [t.grad_fn.name() for t in (y, c, b, a)] == ["MeanBackward0", "AddBackward0", "PowBackward0",
                                                          "AddBackward0"]
    assert a.grad_fn.next_functions[0][0].name() == "AccumulateGrad"
    assert x.grad_fn is None and x.is_leaf and not y.is_leaf


def test_committed_dot_is_what_the_tape_writes():
    import importlib.util
    spec = importlib.util.spec_from_file_location("tutorial_graph", ROOT / "spec/img/tutorial_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "spec/img/tutorial-graph.dot").read_text() == module.tutorial_dot()
    svg = (ROOT / "spec/img/tutorial-graph.svg").read_text()
    for name in ("MeanBackward0", "AddBackward0", "PowBackward0", "AccumulateGrad"):
        assert name in svg
    assert "img/tutorial-graph.svg" in (ROOT / "spec/autograd.md").read_text()


def test_to_dot_is_plain_dot_text():
    x, _, y = _tutorial()
    text = to_dot(y, {"x": x})
    assert text.startswith("digraph autograd {") and text.rstrip().endswith("}")
    assert text.count("->") == 4


@pytest.mark.parametrize("shapes,name", [(((3,), (3,)), "DotBackward0"), (((2, 3), (3, 4)), "MmBackward0"),
                                         (((3,), (3, 4)), "SqueezeBackward4"), (((2, 3), (3,)), "MvBackward0"),
                                         (((2, 2, 3), (3, 4)), "BmmBackward0")])
def test_matmul_node_names(shapes, name):
    a = R.ones(shapes[0], requires_grad=True)
    b = R.ones(shapes[1], requires_grad=True)
    assert R.matmul(a, b).grad_fn.name() == name


def test_gradients_meeting_at_a_leaf_are_summed():
    x = R.tensor([1.0, 2.0], requires_grad=True, exact=True)
    w = R.tensor([3.0, 4.0], requires_grad=True, exact=True)
    (x * w + x).sum().backward()
    assert x.grad.values() == [4, 5] and w.grad.values() == [1, 2]


def test_grad_accumulates_across_backward_calls():
    x = R.ones(3, requires_grad=True, exact=True)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert x.grad.values() == [4, 4, 4]


def test_second_backward_raises_only_for_graphs_that_saved_tensors():
    x = R.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    z = (x + 1).sum()  # add and sum save nothing
    z.backward()
    z.backward()
    w = (x * x).sum()
    w.backward(retain_graph=True)
    w.backward()


def test_version_counter_catches_saved_tensor_changed_in_place():
    x = R.ones(3, requires_grad=True)
    w = R.ones(3)
    y = (x * w).sum()
    w.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    v = R.ones(3)
    y = (x + v).sum()
    v.add_(1)
    y.backward()  # add saved nothing


def test_mul_saves_only_what_a_needed_gradient_reads():
    a = R.ones(2, requires_grad=True) * 1.0  # non-leaf
    w = R.ones(2)  # does not require grad: a is not saved by a * w
    y = (a * w).sum()
    a.add_(1)
    y.backward()


def test_scalar_backward_needs_numel_one():
    for shape in [(), (1,), (1, 1)]:
        x = R.ones(shape, requires_grad=True)
        (x * 2).backward()
        assert x.grad.values() == [2]
    for shape in [(0,), (2,)]:
        x = R.ones(shape, requires_grad=True)
        with pytest.raises(RuntimeError, match="scalar outputs"):
            (x * 2).backward()


def test_no_grad_and_detach():
    x = R.ones(3, requires_grad=True)
    with R.no_grad():
        y = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).requires_grad
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d._storage is x._storage
    d.fill_(7.0)
    assert x.values() == [7, 7, 7]


def test_inplace_on_leaf_requiring_grad():
    x = R.ones(3, requires_grad=True)
    for op in (lambda: x.add_(1), lambda: x.zero_(), lambda: x.fill_(2.0), lambda: x.copy_(R.ones(3))):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            op()
    with R.no_grad():
        assert x.add_(1) is x
    assert x.values() == [2, 2, 2] and x.requires_grad and x.is_leaf


def test_inplace_on_non_leaf_rebases_history():
    x = R.tensor([1.0, 2.0], requires_grad=True, exact=True)
    a = x * 3
    a.add_(x)
    assert a.grad_fn.name() == "AddBackward0"
    a.sum().backward()
    assert x.grad.values() == [4, 4]


def test_inplace_bumps_the_shared_version_counter():
    t = R.zeros(3)
    d = t.detach()
    before = t._storage.version
    t.add_(1)
    d.mul_(2)
    t.fill_(0)
    assert t._storage.version == before + 3


def test_functional_vjp_matches_the_tape():
    x = R.tensor([1.0, 2.0], exact=True)
    w = R.tensor([3.0, 5.0], exact=True)
    out, vjp_fn = R.func.vjp(lambda a, b: a * b + a, x, w)
    gx, gw = vjp_fn(R.tensor([1.0, 1.0], exact=True))
    assert out.values() == [4, 12] and gx.values() == [4, 6] and gw.values() == [1, 2]
    assert not x.requires_grad and x.grad is None  # the primals are not touched
    _, vjp_fn = R.func.vjp(lambda a, b: a * 2, x, w)
    assert vjp_fn(R.tensor([1.0, 1.0], exact=True))[1].values() == [0, 0]  # unused input: zeros


NAMED = {  # program on a (2, 3) x and a (3,) w, both requiring grad
    "add": lambda x, w: x + w, "sub": lambda x, w: x - w, "mul": lambda x, w: x * w, "div": lambda x, w: x / w,
    "neg": lambda x, w: -x, "pow": lambda x, w: x ** 2, "sum": lambda x, w: x.sum(),
    "sum dim": lambda x, w: x.sum(1), "mean": lambda x, w: x.mean(), "mean dim": lambda x, w: x.mean(0, True),
    "dot": lambda x, w: w @ w, "mm": lambda x, w: x @ x.t(), "vm": lambda x, w: w @ x.t(),
    "mv": lambda x, w: x @ w, "view": lambda x, w: x.view(6), "reshape": lambda x, w: x.reshape(3, 2),
    "reshape copy": lambda x, w: x.t().reshape(6), "transpose": lambda x, w: x.transpose(0, 1),
    "t": lambda x, w: x.t(), "permute": lambda x, w: x.permute(1, 0), "expand": lambda x, w: w.expand(2, 3),
    "select": lambda x, w: x[1], "slice": lambda x, w: x[:, 1:], "unsqueeze": lambda x, w: x[None],
    "alias": lambda x, w: x[...], "index": lambda x, w: x[[1, 0]],
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_node_names_match_pytorch(name):
    torch = pytest.importorskip("torch")
    fn = NAMED[name]
    expected = fn(torch.ones(2, 3, requires_grad=True), torch.ones(3, requires_grad=True)).grad_fn.name()
    observed = fn(R.ones(2, 3, requires_grad=True), R.ones(3, requires_grad=True)).grad_fn.name()
    assert observed == expected


ELEMENTARY_NODES = {"exp": "ExpBackward0", "expm1": "Expm1Backward0", "log": "LogBackward0",
                    "log1p": "Log1PBackward0", "sqrt": "SqrtBackward0", "sin": "SinBackward0",
                    "cos": "CosBackward0", "tanh": "TanhBackward0", "sigmoid": "SigmoidBackward0"}


@pytest.mark.parametrize("name", sorted(ELEMENTARY_NODES))
def test_elementary_nodes_are_pytorchs_and_bounded(name):
    """Each elementary function records PyTorch's node; on the oracle face the forward carries the
    ulp(4) bound a backward formula may assume, and the gradient holds the backend face's own."""
    from tensorcts.reference import elementary as E
    from tensorcts.reference.unary import N_ULPS
    xs = [0.5, 3.0, 0.125]
    x = R.tensor(xs, dtype=R.float32, requires_grad=True, exact=True)
    y = getattr(R, name)(x)
    assert y.grad_fn.name() == ELEMENTARY_NODES[name] and y.accuracy == "bounded"
    for v, e in zip(y.values(), y.errs(), strict=True):
        assert N_ULPS * E.ulp_of(v, R.float32) <= Fraction(e) <= (N_ULPS + Fraction(1, 2 ** 10)) * E.ulp_of(v, R.float32)
    y.backward(R.tensor([1.0, -0.75, 2.5], dtype=R.float32, exact=True))
    xb = R.tensor(xs, dtype=R.float32, requires_grad=True)
    getattr(R, name)(xb).backward(R.tensor([1.0, -0.75, 2.5], dtype=R.float32))
    for b, v, e in zip(xb.grad.values(), x.grad.values(), x.grad.errs(), strict=True):
        assert abs(b - v) <= Fraction(e)


def test_elementary_of_a_bounded_input_is_refused():
    """The reference bounds an elementary function of exact inputs only (spec/autograd.md)."""
    x = R.tensor([0.5, 3.0], dtype=R.float32, exact=True)
    with pytest.raises(ValueError, match="exact inputs only"):
        R.tanh(x * 3.0 + 0.1)
