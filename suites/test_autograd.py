"""Autograd (spec/autograd.md): gradient values of random programs, and PyTorch's tape rules.

Gradients are compared with the reference tape run on exact tensors: each gradient
element must lie within the bound of its exact value. A program runs through the
backend's tape (``autograd.tape``: requires_grad_, backward, .grad) or its function
transform (``autograd.functional``: vjp), whichever the backend declares.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import tensorcts.reference as R
from hypothesis import assume, given
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, nest, numel_of
from tensorcts.suites.checks import Case, _source_value, bound_use
from tensorcts.suites.strategies import broadcastable_shapes, dtypes, exact_tensor, offered, sampled
from tensorcts.suites.strategies_autograd import REFERENCE_OPS, Program, Step, program_shapes, program_values, programs
from tensorcts.suites.strategies_elementary import grad_inputs

BAND = (Fraction(1, 2 ** 60), Fraction(2 ** 60))  # exact nonzero magnitudes where no value is subnormal


def _float_dtypes(backend, device):
    return dtypes(backend, device, "f")


def _in_band(tensors) -> bool:
    lo, hi = BAND
    return all(v == 0 or lo <= abs(v) <= hi for t in tensors if t is not None for v in t.values())


class ProgramCase(Case):
    """A case whose repro is a whole program: leaves, steps, backward (or vjp), gradients."""

    def __init__(self, backend, rules, device, program: Program, mode: str, **case_class: str):
        super().__init__(backend, rules, device, program.dtype, **case_class)
        self.program, self.mode = program, mode

    def source(self) -> str:
        ns = getattr(self.backend, "repro_namespace", "torch")
        p = self.program
        lines = []
        for i, (leaf, grad) in enumerate(zip(p.leaves, p.grad_leaves, strict=True)):
            data = nest([_source_value(v) for v in leaf.values()], leaf.shape)
            flag = ", requires_grad=True" if grad and self.mode == "tape" else ""
            lines.append(f"x{i} = {ns}.tensor({data!r}, dtype={ns}.{p.dtype}, device={self.device!r}{flag})"
                         + (f".reshape({leaf.shape})" if 0 in leaf.shape else ""))
        g = p.cotangent
        lines.append(f"g = {ns}.tensor({nest([_source_value(v) for v in g.values()], g.shape)!r}, "
                     f"dtype={ns}.{p.dtype}, device={self.device!r})" + (f".reshape({g.shape})" if 0 in g.shape else ""))
        names = p.names()
        wrt = [names[i] for i, grad in enumerate(p.grad_leaves) if grad]
        body = [line.format(ns=ns) for line in p.listing()]
        out = names[p.output]
        if self.mode == "tape":
            lines += body + [f"{out}.backward(g)", f"print({', '.join(w + '.grad' for w in wrt)})"]
        else:
            lines.append(f"def fn({', '.join(wrt)}):")
            lines += ["    " + line for line in body] + [f"    return {out}"]
            lines += [f"print({ns}.autograd.functional.vjp(fn, ({', '.join(wrt)},), g))"]
        return self.backend.repro("\n".join(lines))


def _modes(backend) -> list[str]:
    modes = [m for m in ("tape", "functional") if f"autograd.{m}" in backend.capabilities]
    if not modes:
        backend.require("autograd.tape")  # reported unsupported
    return modes


def run_program(backend, device, program: Program, mode: str, rules="autograd.grad-values",
                generated: bool = True, measure=None, **case_class: str) -> None:
    """Run ``program`` on the backend and compare every gradient with the reference's;
    ``measure(case, observation, expected)`` runs before each gradient's check."""
    expected_out, expected = program.reference_grads()
    if generated:
        assume(_in_band([expected_out, *expected, *program.leaves]))
    case = ProgramCase(backend, rules, device, program, mode, **case_class)
    natives = [case.input(f"x{i}", leaf) for i, leaf in enumerate(program.leaves)]
    cotangent = case.input("g", program.cotangent)
    wrt = [i for i, grad in enumerate(program.grad_leaves) if grad]
    text = "; ".join(program.listing())
    if mode == "tape":
        for i in wrt:
            case.run(f"x{i}.requires_grad_()", lambda i=i: backend.requires_grad_(natives[i], True))
        out = case.run(text, lambda: program.run(backend, natives))
        case.run(f"{text}; backward(g)", lambda: backend.backward(out, cotangent))
        observed = [backend.grad(natives[i]) for i in wrt]
    else:
        def fn(*xs):
            args = list(natives)
            for i, x in zip(wrt, xs, strict=True):
                args[i] = x
            return program.run(backend, args)
        _, observed = case.run(f"vjp({text})", lambda: backend.vjp(fn, [natives[i] for i in wrt], cotangent))
    for i, exp, obs in zip(wrt, expected, observed, strict=True):
        what = f"x{i}.grad" if mode == "tape" else f"vjp for x{i}"
        if exp is None:  # the output does not depend on x{i}
            if mode == "tape":
                case.check(obs is None, f"{what}: expected None (x{i} is not in the graph), observed a tensor")
                continue
            exp = Tensor.from_flat([Fraction(0)] * program.leaves[i].numel(), program.leaves[i].shape,
                                   program.leaves[i].dtype, exact=True)
        case.check(obs is not None, f"{what}: expected a gradient, observed None")
        observation = backend.observe(obs)
        if measure is not None:
            measure(case, observation, exp)
        case.expect(observation, exp, what=what)


@pytest.mark.rule("autograd.grad-values")
@given(data=st.data())
def test_grad_values(backend, device, data):
    mode = data.draw(sampled(tuple(_modes(backend))), label="mode")
    program = data.draw(programs(_float_dtypes(backend, device)), label="program")
    run_program(backend, device, program, mode, expand=program.expand_class())


def _fixed(shape, start: float, dtype: str = "float32") -> Tensor:
    """Deterministic nonzero values: start, start + 1.25, ... with alternating signs."""
    return exact_tensor([(start + 1.25 * i) * (-1) ** i for i in range(numel_of(shape))], shape, dtype)


#: one fixed program per operation (every matmul case): each op's backward is checked on every run
WITNESSES = {
    "add": ((2, 3), (3,), Step("add", (0, 1))), "sub": ((3,), (2, 3), Step("sub", (0, 1))),
    "mul": ((2, 3), (3,), Step("mul", (0, 1))), "div": ((2, 3), (3,), Step("div", (0, 1))),
    "neg": ((2, 3), None, Step("neg", (0,))), "pow": ((2, 3), None, Step("pow", (0,), (3,))),
    "sum": ((2, 3), None, Step("sum", (0,), (1, True))), "mean": ((2, 3), None, Step("mean", (0,), (0, False))),
    "dot": ((3,), (3,), Step("matmul", (0, 1))), "mm": ((2, 3), (3, 2), Step("matmul", (0, 1))),
    "vm": ((3,), (3, 2), Step("matmul", (0, 1))), "mv": ((2, 3), (3,), Step("matmul", (0, 1))),
    "batched": ((2, 2, 3), (3, 2), Step("matmul", (0, 1))),
}


@pytest.mark.rule("autograd.grad-values")
@pytest.mark.parametrize("name", sorted(WITNESSES))
def test_grad_values_each_op(backend, device, name):
    mode = _modes(backend)[0]
    shape_a, shape_b, step = WITNESSES[name]
    leaves = [_fixed(shape_a, 1.5)] + ([_fixed(shape_b, 0.75)] if shape_b else [])
    program = Program("float32", leaves, [True] * len(leaves), [step], len(leaves))
    out_shape = program.run(REFERENCE_OPS, leaves).shape
    program.cotangent = _fixed(out_shape, 0.5)
    run_program(backend, device, program, mode, generated=False)


@pytest.mark.rule("autograd.broadcast-reduce")
@given(data=st.data(), op=st.sampled_from(["add", "sub", "mul", "div"]))
def test_broadcast_reduce(backend, device, data, op):
    mode = data.draw(sampled(tuple(_modes(backend))), label="mode")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    shape_a = data.draw(program_shapes(), label="shape a")
    shape_b = data.draw(broadcastable_shapes(shape_a, max_dims=3), label="shape b")
    if data.draw(st.booleans(), label="swap"):
        shape_a, shape_b = shape_b, shape_a
    out_shape = R.broadcasting.broadcast_shapes(shape_a, shape_b)
    leaves = [_leaf(data, dtype, shape_a), _leaf(data, dtype, shape_b, nonzero=op == "div")]
    program = Program(dtype, leaves, [True, True], [Step(op, (0, 1))], 2, _leaf(data, dtype, out_shape))
    run_program(backend, device, program, mode, "autograd.broadcast-reduce")


@pytest.mark.rule("autograd.broadcast-reduce")
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("shape_b", [(3,), (2, 1), (1, 1, 3)], ids=str)
def test_broadcast_reduce_fixed(backend, device, op, shape_b):
    """Fixed shapes on every run: b broadcast along leading, size-1 and new dims."""
    mode = _modes(backend)[0]
    leaves = [_fixed((2, 3), 1.5), _fixed(shape_b, 0.75)]
    out_shape = R.broadcasting.broadcast_shapes((2, 3), shape_b)
    program = Program("float32", leaves, [True, True], [Step(op, (0, 1))], 2, _fixed(out_shape, 0.5))
    run_program(backend, device, program, mode, "autograd.broadcast-reduce", generated=False)


# ---- gradients of the elementary functions --------------------------------------------------------

ELEMENTARY = ("exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid")


def _bound_use(name: str):
    """The measurement of autograd.elementary-grad: checks.bound_use of the gradient."""
    def measure(case, observation, expected: Tensor) -> None:
        case.measure("autograd.elementary-grad", f"bound-use.{name}.{case.dtype}", bound_use(observation, expected))
    return measure


def _elementary_program(name: str, dtype: str, xs: list, gs: list) -> Program:
    """y = f(x) for a leaf x of shape (n,) requiring grad, and the cotangent g."""
    n = len(xs)
    return Program(dtype, [exact_tensor(xs, (n,), dtype)], [True], [Step(name, (0,))], 1,
                   exact_tensor(gs, (n,), dtype))


@pytest.mark.rule("autograd.elementary-grad")
@pytest.mark.parametrize("name", ELEMENTARY)  # one test per function: a library lacking one skips only it
@given(data=st.data())
def test_elementary_grad(backend, device, data, name):
    mode = data.draw(sampled(tuple(_modes(backend))), label="mode")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    xs = data.draw(grad_inputs(name, dtype), label="x")
    gs = data.draw(st.lists(program_values(dtype), min_size=len(xs), max_size=len(xs)), label="cotangent")
    run_program(backend, device, _elementary_program(name, dtype, xs, gs), mode, "autograd.elementary-grad",
                measure=_bound_use(name), function=name)


#: fixed inputs per function, run on every run: moderate values and each formula's hard region
#: (tanh and sigmoid near saturation, where 1 - y cancels; log1p near -1; sin and cos near a zero)
ELEMENTARY_WITNESSES = {
    "exp": [0.5, -3.25, 10.0], "expm1": [0.5, -3.25, 2.0 ** -20], "log": [0.5, 3.0, 1.0 + 2.0 ** -20],
    "log1p": [0.5, -0.75, -1 + 2.0 ** -12], "sqrt": [0.5, 3.0, 2.0 ** -40], "sin": [0.5, -3.0, 1.5703125],
    "cos": [0.5, -3.0, 3.140625], "tanh": [0.5, -3.0, 6.5], "sigmoid": [0.5, -3.0, 12.0],
}


@pytest.mark.rule("autograd.elementary-grad")
@pytest.mark.parametrize("name", ELEMENTARY)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_elementary_grad_fixed(backend, device, name, dtype):
    if dtype not in backend.dtypes(device):
        pytest.skip(f"{backend.name} has no {dtype} on {device}")
    mode = _modes(backend)[0]
    program = _elementary_program(name, dtype, ELEMENTARY_WITNESSES[name], [1.0, -0.75, 2.5])
    run_program(backend, device, program, mode, "autograd.elementary-grad", generated=False,
                measure=_bound_use(name), function=name)


def _leaf(data, dtype: str, shape, nonzero: bool = False) -> Tensor:
    n = numel_of(shape)
    return exact_tensor(data.draw(st.lists(program_values(dtype, nonzero), min_size=n, max_size=n)), shape, dtype)


# ---- the tutorial's example ----------------------------------------------------------------------


def tutorial_program(ops, x):
    """y = mean((x + 2) ** 2 + 3), as the tutorial writes it."""
    a = ops.add(x, 2)
    b = ops.pow(a, 2)
    c = ops.add(b, 3)
    return ops.mean(c)


@pytest.mark.rule("autograd.tutorial-example")
def test_tutorial_example(backend, device):
    modes = _modes(backend)
    x_ref = R.arange(3, dtype=R.float32, requires_grad=True, exact=True)
    y_ref = tutorial_program(REFERENCE_OPS, x_ref)
    y_ref.backward()
    assert y_ref.item() == Fraction(38, 3) and x_ref.grad.values() == [Fraction(4, 3), 2, Fraction(8, 3)]
    case = Case(backend, "autograd.tutorial-example", "cpu" if device is None else device, "float32")
    if "tape" not in modes:  # a functional transform computes the same gradient: the library's own way
        x = case.input("x", R.arange(3, dtype=R.float32, exact=True))
        g = backend.asarray(exact_tensor([1.0], (), "float32"), case.device)
        text = ("fn = lambda x: {ns}.mean((x + 2) ** 2 + 3); g = {ns}.tensor(1.0, dtype={ns}.float32); "
                "{ns}.autograd.functional.vjp(fn, (x,), g)")
        y, grads = case.run(text, lambda: backend.vjp(lambda v: tutorial_program(backend, v), [x], g))
        case.expect(backend.observe(y), y_ref, what="y (exactly 38/3)")
        case.expect(backend.observe(grads[0]), x_ref.grad, what="the gradient of y at x (exactly [4/3, 2, 8/3])")
        return
    x = case.run("{ns}.arange(3, dtype={ns}.float32, requires_grad=True)",
                 lambda: backend.requiring_grad("arange", 3, dtype="float32", device=device))
    text = "x = {ns}.arange(3, dtype={ns}.float32, requires_grad=True); y = ((x + 2) ** 2 + 3).mean()"
    y = case.run(text, lambda: tutorial_program(backend, x))
    case.expect(backend.observe(y), y_ref, what="y (exactly 38/3)")
    case.run(text + "; y.backward(); x.grad", lambda: backend.backward(y))
    grad = backend.grad(x)
    case.check(grad is not None, "x.grad is None after y.backward()")
    case.expect(backend.observe(grad), x_ref.grad, what="x.grad (exactly [4/3, 2, 8/3])")


# ---- requires_grad ------------------------------------------------------------------------------

FACTORIES = [("zeros", ((2, 3),)), ("ones", ((2, 3),)), ("full", ((2, 3), 1.5)), ("empty", ((2, 3),)),
             ("arange", (3.0,)), ("tensor", ([1.0, 2.0],))]


@pytest.mark.rule("autograd.requires-grad-default")
@pytest.mark.parametrize("factory,args", FACTORIES, ids=[f for f, _ in FACTORIES])
def test_requires_grad_default(backend, device, factory, args):
    backend.require("autograd.tape")
    case = Case(backend, "autograd.requires-grad-default", device, "float32")
    t = case.run(f"{{ns}}.{factory}(*{args!r}).requires_grad",
                 lambda: getattr(backend, factory)(*args, device=device))
    case.check(backend.requires_grad(t) is False, f"{factory}(...).requires_grad is not False")
    case.check(backend.grad_fn_name(t) is None and backend.is_leaf(t), f"{factory}(...) is not a leaf")


@pytest.mark.rule("autograd.requires-grad-set")
@given(data=st.data())
def test_requires_grad_set(backend, device, data):
    backend.require("autograd.tape")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    t_ref = _leaf(data, dtype, data.draw(sampled(((), (3,), (2, 2))), label="shape"))
    case = Case(backend, "autograd.requires-grad-set", device, dtype)
    t = case.input("t", t_ref)
    r = case.run("t.requires_grad_()", lambda: backend.requires_grad_(t))
    case.check(r is t, "t.requires_grad_() did not return t itself")
    case.check(backend.requires_grad(t) is True and backend.is_leaf(t), "after requires_grad_(): not a leaf "
               "requiring grad")
    backend.requires_grad_(t, False)
    case.check(backend.requires_grad(t) is False, "requires_grad_(False) left requires_grad True")
    factory, args = data.draw(st.sampled_from(FACTORIES), label="factory")
    k = case.run(f"{{ns}}.{factory}(*{args!r}, requires_grad=True)",
                 lambda: backend.requiring_grad(factory, *args, dtype=dtype, device=device))
    case.check(backend.requires_grad(k) is True and backend.is_leaf(k),
               f"{factory}(..., requires_grad=True) is not a leaf requiring grad")


@pytest.mark.rule("autograd.requires-grad-float-only")
@given(data=st.data())
def test_requires_grad_float_only(backend, device, data):
    backend.require("autograd.tape")
    dtype = data.draw(dtypes(backend, device, "bi"), label="dtype")
    t_ref = exact_tensor([1, 0, 1], (3,), dtype) if dtype != "bool" else exact_tensor([True, False, True], (3,),
                                                                                       dtype)
    case = Case(backend, "autograd.requires-grad-float-only", device, dtype)
    t = case.input("t", t_ref)
    case.expect_error("t.requires_grad_()", lambda: backend.requires_grad_(t))
    case.expect_error(f"{{ns}}.zeros(3, dtype={{ns}}.{dtype}, requires_grad=True)",
                      lambda: backend.requiring_grad("zeros", (3,), dtype=dtype, device=device))


# ---- the graph -------------------------------------------------------------------------------------


def _native_program(backend, case: Case, program: Program, requires: list[bool]):
    natives = [case.input(f"x{i}", leaf) for i, leaf in enumerate(program.leaves)]
    for x, flag in zip(natives, requires, strict=True):
        if flag:
            backend.requires_grad_(x, True)
    return natives


@pytest.mark.rule("autograd.propagation")
@given(data=st.data())
def test_propagation(backend, device, data):
    backend.require("autograd.tape")
    program = data.draw(programs(_float_dtypes(backend, device), max_ops=1), label="program")
    assume(program.steps and program.output >= len(program.leaves))
    case = Case(backend, "autograd.propagation", device, program.dtype)
    natives = _native_program(backend, case, program, program.grad_leaves)
    out = case.run("; ".join(program.listing()), lambda: program.run(backend, natives))
    case.check(backend.requires_grad(out) is True, "the result of an op on inputs requiring grad does not "
               "require grad")
    case.check(backend.grad_fn_name(out) is not None, "the result has no grad_fn")
    case.check(backend.is_leaf(out) is False, "the result is a leaf")
    for i, x in enumerate(natives):
        case.check(backend.is_leaf(x) and backend.grad_fn_name(x) is None, f"input x{i} is not a leaf with "
                   "grad_fn None")
    plain = [case.input(f"y{i}", leaf) for i, leaf in enumerate(program.leaves)]
    out = program.run(backend, plain)
    case.check(backend.requires_grad(out) is False and backend.grad_fn_name(out) is None,
               "an op on inputs that do not require grad recorded a graph")


@pytest.mark.rule("autograd.leaf-grad")
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
@given(data=st.data())
def test_leaf_grad(backend, device, data):
    backend.require("autograd.tape")
    program = data.draw(programs(_float_dtypes(backend, device), max_ops=3), label="program")
    assume(program.output >= len(program.leaves))
    case = Case(backend, "autograd.leaf-grad", device, program.dtype)
    natives = _native_program(backend, case, program, program.grad_leaves)
    out = program.run(backend, natives)
    case.check(all(backend.grad(x) is None for x in natives), ".grad of a leaf is not None before backward")
    cot = case.input("g", program.cotangent)
    case.run("; ".join(program.listing()) + "; out.backward(g)", lambda: backend.backward(out, cot))
    _, expected = program.reference_grads()
    wrt = [i for i, g in enumerate(program.grad_leaves) if g]
    for i, exp in zip(wrt, expected, strict=True):
        if exp is not None:
            case.check(backend.grad(natives[i]) is not None, f"x{i}.grad is None after backward")
    for i, g in enumerate(program.grad_leaves):
        if not g:
            case.check(backend.grad(natives[i]) is None, f"x{i} does not require grad, yet has a .grad")
    case.check(backend.grad(out) is None, "the non-leaf output has a .grad after backward")


SCALAR_SHAPES = ((), (1,), (1, 1), (1, 1, 1))


@pytest.mark.rule("autograd.scalar-backward")
@given(data=st.data())
def test_scalar_backward(backend, device, data):
    backend.require("autograd.tape")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    numel_one = data.draw(st.booleans(), label="numel 1")
    shape = data.draw(sampled(SCALAR_SHAPES) if numel_one else
                      sampled(((0,), (2,), (1, 2), (3, 1), (2, 2))), label="shape")
    x_ref = _leaf(data, dtype, shape)
    case = Case(backend, "autograd.scalar-backward", device, dtype)
    x = case.input("x", x_ref)
    backend.requires_grad_(x, True)
    y = backend.pow(x, 2)
    if not numel_one:
        case.expect_error("y = x ** 2; y.backward()", lambda: backend.backward(y))
        g_ref = _leaf(data, dtype, shape)
        g = case.input("g", g_ref)
        case.run("y = x ** 2; y.backward(g)", lambda: backend.backward(y, g))
        xr = R.tensor(x_ref, exact=True).requires_grad_()
        R.pow(xr, 2).backward(g_ref)
        case.expect(backend.observe(backend.grad(x)), xr.grad, what="x.grad (vector-Jacobian product)")
        return
    case.run("y = x ** 2; y.backward()", lambda: backend.backward(y))
    xr = R.tensor(x_ref, exact=True).requires_grad_()
    R.pow(xr, 2).backward()
    case.expect(backend.observe(backend.grad(x)), xr.grad, what="x.grad (implicit gradient 1)")


@pytest.mark.rule("autograd.accumulate")
@given(data=st.data())
def test_accumulate(backend, device, data):
    backend.require("autograd.tape")
    program = data.draw(programs(_float_dtypes(backend, device), max_ops=3), label="program")
    second = _leaf(data, program.dtype, program.cotangent.shape)
    leaves = [R.tensor(x, exact=True).requires_grad_(g) for x, g in zip(program.leaves, program.grad_leaves,
                                                                         strict=True)]
    program.run(REFERENCE_OPS, leaves).backward(program.cotangent)
    program.run(REFERENCE_OPS, leaves).backward(second)
    expected = [x.grad for x, g in zip(leaves, program.grad_leaves, strict=True) if g]
    assume(_in_band([*expected, *program.leaves]))
    case = Case(backend, "autograd.accumulate", device, program.dtype)
    natives = _native_program(backend, case, program, program.grad_leaves)
    g1, g2 = case.input("g1", program.cotangent), case.input("g2", second)
    text = "; ".join(program.listing())
    for g, name in ((g1, "g1"), (g2, "g2")):  # the graph is rebuilt for each backward
        out = case.run(text, lambda: program.run(backend, natives))
        case.run(f"{text}; out.backward({name})", lambda out=out, g=g: backend.backward(out, g))
    wrt = [i for i, g in enumerate(program.grad_leaves) if g]
    for i, exp in zip(wrt, expected, strict=True):
        obs = backend.grad(natives[i])
        if exp is None:
            case.check(obs is None, f"x{i}.grad: expected None")
            continue
        case.check(obs is not None, f"x{i}.grad is None after two backward calls")
        case.expect(backend.observe(obs), exp, what=f"x{i}.grad after two backward calls (the sum)")


SAVING = ["mul", "pow", "matmul", "div"]
NOT_SAVING = ["add", "sub", "neg", "sum", "mean"]


def _one_op_text(op: str) -> str:
    """``_one_op`` as the repro writes it."""
    inner = {"pow": "{ns}.pow(x, 2)", "neg": "{ns}.neg(x)", "sum": "{ns}.sum(x)", "mean": "{ns}.mean(x)",
             "matmul": "{ns}.matmul(x, w)"}.get(op, f"{{ns}}.{op}(x, w)")
    return inner if op in ("sum", "mean", "matmul") else f"{{ns}}.sum({inner})"


def _one_op(backend, op: str, x, w):
    """y = op(x, w) reduced to a scalar: the ops of autograd.retain-graph."""
    if op == "pow":
        y = backend.pow(x, 2)
    elif op == "neg":
        y = backend.neg(x)
    elif op in ("sum", "mean"):
        y = getattr(backend, op)(x)
    elif op == "matmul":
        return backend.matmul(x, w)
    else:
        y = getattr(backend, op)(x, w)
    return backend.sum(y) if op not in ("sum", "mean") else y


@pytest.mark.rule("autograd.retain-graph")
@given(data=st.data(), op=st.sampled_from(SAVING + NOT_SAVING), retain=st.booleans())
def test_retain_graph(backend, device, data, op, retain):
    backend.require("autograd.tape")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    n = data.draw(st.integers(1, 4), label="n")
    x_ref, w_ref = _leaf(data, dtype, (n,)), _leaf(data, dtype, (n,), nonzero=True)
    case = Case(backend, "autograd.retain-graph", device, dtype)
    x, w = case.input("x", x_ref), case.input("w", w_ref)
    backend.requires_grad_(x, True)
    y = _one_op(backend, op, x, w)
    text = f"x.requires_grad_(); y = {_one_op_text(op)}; y.backward(retain_graph={retain}); y.backward()"
    case.run(text, lambda: backend.backward(y, None, retain))
    if op in SAVING and not retain:
        case.expect_error(text, lambda: backend.backward(y))
        return
    case.run(text, lambda: backend.backward(y))
    xr = R.tensor(x_ref, exact=True).requires_grad_()
    wr = R.tensor(w_ref, exact=True)
    yr = _one_op(REFERENCE_OPS, op, xr, wr)
    yr.backward(retain_graph=True)
    yr.backward()
    case.expect(backend.observe(backend.grad(x)), xr.grad, what="x.grad after two backward calls")


@pytest.mark.rule("autograd.no-grad")
@given(data=st.data())
def test_no_grad(backend, device, data):
    backend.require("autograd.tape")
    program = data.draw(programs(_float_dtypes(backend, device), max_ops=2), label="program")
    assume(program.output >= len(program.leaves))
    case = Case(backend, "autograd.no-grad", device, program.dtype)
    natives = _native_program(backend, case, program, program.grad_leaves)
    text = "; ".join(program.listing())
    with backend.no_grad():
        out = case.run(f"with {{ns}}.no_grad(): {text}", lambda: program.run(backend, natives))
    case.check(backend.requires_grad(out) is False and backend.grad_fn_name(out) is None,
               "a result computed inside no_grad requires grad or has a grad_fn")
    out = program.run(backend, natives)
    case.check(backend.requires_grad(out) is True, "after no_grad exits, results do not require grad again")


@pytest.mark.rule("autograd.detach")
@given(data=st.data())
def test_detach(backend, device, data):
    backend.require("autograd.tape", "inplace")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    x_ref = _leaf(data, dtype, data.draw(sampled(((), (3,), (2, 3))), label="shape"))
    case = Case(backend, "autograd.detach", device, dtype)
    x = case.input("x", x_ref)
    backend.requires_grad_(x, True)
    d = case.run("d = x.detach()", lambda: backend.detach(x))
    case.check(backend.requires_grad(d) is False, "x.detach() requires grad")
    case.check(backend.is_leaf(d) and backend.grad_fn_name(d) is None, "x.detach() is not a leaf")
    case.check(backend.requires_grad(x) is True, "x.detach() changed x.requires_grad")
    case.run("d = x.detach(); d.fill_(7.0)", lambda: backend.fill_(d, 7.0))
    filled = R.full(x_ref.shape, 7.0, dtype=dtype, exact=True)
    case.expect(backend.observe(x), filled, what="x after d = x.detach(); d.fill_(7.0) (shared storage)")


INPLACE_OPS = ("add_", "sub_", "mul_", "div_", "zero_", "fill_", "copy_", "iadd")


@pytest.mark.rule("autograd.inplace-leaf")
@given(data=st.data())
def test_inplace_leaf(backend, device, data):
    backend.require("autograd.tape", "inplace")
    op = data.draw(sampled(offered(backend, INPLACE_OPS)), label="op")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    x_ref = _leaf(data, dtype, (3,))
    o_ref = _leaf(data, dtype, (3,), nonzero=True)
    case = Case(backend, "autograd.inplace-leaf", device, dtype)
    x, other = case.input("x", x_ref), case.input("o", o_ref)
    backend.requires_grad_(x, True)
    args = {"zero_": (), "fill_": (2.0,)}.get(op, (other,))
    call = f"x.{op}({'o' if args and args[0] is other else ', '.join(map(repr, args))})"
    case.expect_error(f"x.requires_grad_(); {call}", lambda: getattr(backend, op)(x, *args))
    with backend.no_grad():
        r = case.run(f"x.requires_grad_(); with {{ns}}.no_grad(): {call}", lambda: getattr(backend, op)(x, *args))
    case.check(r is x, f"{call} under no_grad did not return x itself")
    case.check(backend.requires_grad(x) is True and backend.is_leaf(x),
               "after an in-place op under no_grad, x is no longer a leaf requiring grad")


@pytest.mark.rule("autograd.version-counter")
@given(data=st.data(), op=st.sampled_from(["mul", "matmul", "pow"]))
def test_version_counter(backend, device, data, op):
    backend.require("autograd.tape", "inplace")
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    n = data.draw(st.integers(1, 4), label="n")
    x_ref, w_ref = _leaf(data, dtype, (n,)), _leaf(data, dtype, (n,))
    case = Case(backend, "autograd.version-counter", device, dtype)
    x, w = case.input("x", x_ref), case.input("w", w_ref)
    backend.requires_grad_(x, True)
    if op == "pow":  # pow saves its input: a non-leaf a = x * w, changed in place after a ** 2
        a = backend.mul(x, w)
        y = backend.sum(backend.pow(a, 2))
        backend.add_(a, 1.0)
        text = "x.requires_grad_(); a = x * w; y = (a ** 2).sum(); a.add_(1.0); y.backward()"
    else:  # mul and matmul save w (needed for x's gradient); w changes in place
        y = backend.sum(backend.mul(x, w)) if op == "mul" else backend.matmul(x, w)
        backend.add_(w, 1.0)
        text = f"x.requires_grad_(); y = {{ns}}.{op}(x, w).sum(); w.add_(1.0); y.backward()"
    case.expect_error(text, lambda: backend.backward(y))
    # add saves nothing: changing w after x + w leaves backward valid
    y = backend.sum(backend.add(x, w))
    backend.add_(w, 1.0)
    case.run("x.requires_grad_(); y = (x + w).sum(); w.add_(1.0); y.backward()", lambda: backend.backward(y))


@pytest.mark.rule("interop.numpy-requires-grad")
@given(data=st.data())
def test_numpy_requires_grad(backend, device, data):
    backend.require("autograd.tape", "interop.numpy")
    if device != "cpu":
        return  # numpy() needs a CPU tensor (interop.numpy-requires-cpu)
    dtype = data.draw(_float_dtypes(backend, device), label="dtype")
    x_ref = _leaf(data, dtype, data.draw(sampled(((), (3,), (2, 2))), label="shape"))
    case = Case(backend, "interop.numpy-requires-grad", device, dtype)
    x = case.input("x", x_ref)
    backend.requires_grad_(x, True)
    case.expect_error("x.numpy()", lambda: backend.to_numpy(x))
    array = case.run("x.detach().numpy()", lambda: backend.to_numpy(backend.detach(x)))
    values = array.tolist()
    case.check([Fraction(v) for v in _flatten(values)] == x_ref.values(),
               f"x.detach().numpy() holds {values}, not x's values")


def _flatten(v):
    if isinstance(v, list):
        return [y for x in v for y in _flatten(x)]
    return [v]
