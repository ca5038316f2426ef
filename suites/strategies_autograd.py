"""Random small programs for the gradient rules: DAGs of 1-6 operations over a few leaves.

A ``Program`` is data: leaves (oracle tensors), steps (an op and the indices of its
operands among the values so far) and a cotangent. ``run`` evaluates it with any
``ops`` object that has the adapter's method names (``add(a, b)``, ``sum(a, dim,
keepdim)`` ...): the backend proxy, or ``REFERENCE_OPS`` on exact tensors.

Values stay where the bounds are meaningful: leaves are 0 or of magnitude 2^-4..8,
divisors are nonzero leaves, and a symbolic magnitude estimate keeps every
intermediate below 2^24 so nothing overflows and exact arithmetic stays cheap.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import tensorcts.reference as R
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.strategies import broadcastable_shapes, exact_tensor, reused, sampled
from tensorcts.suites.strategies_view import basic_index, expand_shape, format_index, restructured

MAX_OPS = 6
MAX_NUMEL = 48  # elements per program value: the exact backward stays cheap
MAX_MACS = 256  # multiply-adds per matmul
MAX_MAG = 24  # log2 of the largest magnitude an intermediate may reach
LEAF_MAG, DIVISOR_INV_MAG = 3, 4  # leaves: |x| <= 2^3; 1/|divisor| <= 2^4

ELEMENTWISE = ("add", "sub", "mul", "div")
VIEWS = ("view", "reshape", "transpose", "getitem", "expand")
OPS = ("add", "sub", "mul", "div", "neg", "pow", "sum", "mean", "matmul") + VIEWS


TINY = 2.0 ** -4


@functools.cache
def program_values(dtype: str, nonzero: bool = False) -> st.SearchStrategy:
    """0, or +-m with 2^-4 <= m <= 8 (representable in dtype); never 0 with nonzero=True."""
    width = 32 if dtype == "float32" else 64
    if nonzero:
        return st.floats(-8.0, 8.0, width=width).map(lambda x: x if abs(x) >= TINY else math.copysign(TINY, x))
    return st.floats(-8.0, 8.0, width=width).map(lambda x: x if abs(x) >= TINY else 0.0)


@dataclass
class Step:
    op: str
    args: tuple[int, ...]  # indices of the operands among the program's values
    params: tuple = ()  # pow: (k,); sum/mean: (dim, keepdim); view/reshape/expand: (shape,);
    #                     transpose: (dim0, dim1); getitem: (index,)

    def text(self, names: list[str]) -> str:
        a = [names[i] for i in self.args]
        if self.op == "getitem":
            return f"{a[0]}[{format_index(self.params[0])}]"
        if self.op in VIEWS:
            return f"{a[0]}.{self.op}({', '.join(map(repr, self.params))})"
        if self.op == "pow":
            return f"{{ns}}.pow({a[0]}, {self.params[0]})"
        if self.op in ("sum", "mean"):
            dim, keepdim = self.params
            extra = "" if dim is None and not keepdim else f", dim={dim!r}, keepdim={keepdim}"
            return f"{{ns}}.{self.op}({a[0]}{extra})"
        return f"{{ns}}.{self.op}({', '.join(a)})"


@dataclass
class Program:
    dtype: str
    leaves: list[Tensor] = field(default_factory=list)
    grad_leaves: list[bool] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    output: int = 0  # index of the value that is differentiated
    cotangent: Tensor | None = None

    def names(self) -> list[str]:
        return [f"x{i}" for i in range(len(self.leaves))] + [f"v{i}" for i in range(len(self.steps))]

    def run(self, ops, leaves: list):
        """The output value, evaluating each step with ``ops`` (adapter-like method names)."""
        return self.values(ops, leaves)[self.output]

    def values(self, ops, leaves: list) -> list:
        """The leaves, then the value of every step up to the output."""
        values = list(leaves)
        for step in self.steps[:max(0, self.output - len(self.leaves) + 1)]:
            args = [values[i] for i in step.args]
            if step.op == "pow" or step.op in VIEWS:
                values.append(getattr(ops, step.op)(args[0], *step.params))
            elif step.op in ("sum", "mean"):
                values.append(getattr(ops, step.op)(args[0], *step.params))
            else:
                values.append(getattr(ops, step.op)(*args))
        return values

    def _traced(self, n_values: int) -> set[int]:
        """The values computed from a leaf that requires grad: a tracing autograd (HIPS autograd builds
        each operation's VJP as it runs) differentiates every one of them, on the output's path or not."""
        n = len(self.leaves)
        traced = {i for i, g in enumerate(self.grad_leaves) if g}
        for i, step in enumerate(self.steps[:n_values - n]):
            if traced & set(step.args):
                traced.add(n + i)
        return traced

    def _feeding_output(self, n_values: int) -> set[int]:
        """The values the output is computed from (itself included)."""
        n = len(self.leaves)
        feeding = {self.output}
        for i in reversed(range(n, n_values)):
            if i in feeding:
                feeding.update(self.steps[i - n].args)
        return feeding

    def expand_class(self) -> str:
        """The program's ``expand`` case class, by the first expand step of a value traced for the gradient:
        ``adds-dims`` (more dimensions than its operand has), ``one-to-zero`` (a size 1 expanded to size
        0, on the output's path); else ``plain``. HIPS autograd cannot differentiate the first two."""
        values = self.values(REFERENCE_OPS, self.leaves)
        traced, feeding = self._traced(len(values)), self._feeding_output(len(values))
        for i, step in enumerate(self.steps[:len(values) - len(self.leaves)]):
            if step.op != "expand" or len(self.leaves) + i not in traced:
                continue
            old, new = values[step.args[0]].shape, step.params[0]
            if len(new) > len(old):  # refused as the step runs (HIPS checks it when it records the VJP)
                return "adds-dims"
            if len(self.leaves) + i in feeding and any(o == 1 and n == 0 for o, n in zip(old, new, strict=True)):
                return "one-to-zero"  # a wrong gradient, which only the backward pass reaches
        return "plain"

    def listing(self) -> list[str]:
        names = self.names()
        lines = [f"{names[len(self.leaves) + i]} = {s.text(names)}" for i, s in enumerate(self.steps)]
        return lines[:max(0, self.output - len(self.leaves) + 1)]

    def reference_grads(self) -> tuple[Tensor, list[Tensor | None]]:
        """The oracle: the output and each grad leaf's .grad (None where the output does not reach it)."""
        leaves = [R.tensor(leaf, exact=True).requires_grad_(g) for leaf, g in zip(self.leaves, self.grad_leaves,
                                                                                   strict=True)]
        out = self.run(REFERENCE_OPS, leaves)
        out.backward(self.cotangent)
        return out, [leaf.grad for leaf, g in zip(leaves, self.grad_leaves, strict=True) if g]


#: the reference library under the adapter's method names
REFERENCE_OPS = SimpleNamespace(
    add=R.add, sub=R.sub, mul=R.mul, div=R.div, neg=R.neg, pow=R.pow, matmul=R.matmul,
    sum=lambda t, dim=None, keepdim=False: R.sum(t, dim, keepdim),
    mean=lambda t, dim=None, keepdim=False: R.mean(t, dim, keepdim),
    view=lambda t, shape: t.view(shape), reshape=lambda t, shape: t.reshape(shape),
    expand=lambda t, shape: t.expand(shape), transpose=lambda t, d0, d1: t.transpose(d0, d1),
    getitem=lambda t, index: t[index],
    # the elementary functions: one-step programs of autograd.elementary-grad
    exp=R.exp, expm1=R.expm1, log=R.log, log1p=R.log1p, sqrt=R.sqrt, sin=R.sin, cos=R.cos, tanh=R.tanh,
    sigmoid=R.sigmoid,
)


def _log2_ceil(n: int) -> int:
    return max(0, math.ceil(math.log2(n))) if n > 0 else 0


@reused
@st.composite
def programs(draw, dtype_strategy, max_ops: int = MAX_OPS) -> Program:
    """A program: leaves (most require grad), then 1..max_ops steps on earlier values.

    Steps are planned on shapes and magnitude estimates; a step may add a fresh leaf
    (a broadcast partner, a divisor, a matmul partner). The output is the last value
    that depends on a leaf requiring grad; the cotangent has its shape.
    """
    dtype = draw(dtype_strategy, label="dtype")
    n_ops = draw(st.integers(1, max_ops), label="ops")
    leaves: list[tuple[tuple, bool, bool]] = []  # (shape, nonzero, requires_grad)
    # (shape, magnitude estimate, needs grad, row-major in every backend), in plan order
    values: list[tuple[tuple, int, bool, bool]] = []
    where: list[tuple[str, int]] = []  # each value: ("leaf", j) or ("step", j)
    plan: list[tuple[str, list[int], tuple]] = []

    def fresh(shape, nonzero=False, requires=None) -> int:
        if requires is None:
            requires = draw(st.integers(0, 3), label="requires_grad") > 0
        leaves.append((tuple(shape), nonzero, requires))
        values.append((tuple(shape), LEAF_MAG, requires, True))
        where.append(("leaf", len(leaves) - 1))
        return len(values) - 1

    fresh(draw(program_shapes(), label="x0 shape"), requires=True)
    for _ in range(n_ops):
        step = draw(_step(values, fresh), label="step")
        if step is None:
            continue
        op, args, params, shape, mag = step
        if mag > MAX_MAG or numel_of(shape) > MAX_NUMEL:
            continue
        plan.append((op, args, params))
        # a backend may lay out a result like its inputs (TensorIterator): view() only on row-major chains
        contiguous = op in ("view", "reshape") or op not in VIEWS
        contiguous = contiguous and all(values[i][3] for i in args)
        values.append((shape, mag, any(values[i][2] for i in args), contiguous))
        where.append(("step", len(plan) - 1))

    program = Program(dtype)
    for shape, nonzero, requires in leaves:
        n = numel_of(shape)
        data = draw(st.lists(program_values(dtype, nonzero), min_size=n, max_size=n), label="leaf")
        program.leaves.append(exact_tensor(data, shape, dtype))
        program.grad_leaves.append(requires)
    index = [j if kind == "leaf" else len(leaves) + j for kind, j in where]  # plan order -> program order
    program.steps = [Step(op, tuple(index[i] for i in args), params) for op, args, params in plan]
    last = max(i for i, (_, _, needs, _) in enumerate(values) if needs)
    program.output = index[last]
    shape = values[last][0]
    n = numel_of(shape)
    program.cotangent = exact_tensor(draw(st.lists(program_values(dtype), min_size=n, max_size=n),
                                          label="cotangent"), shape, dtype)
    return program


@st.composite
def _step(draw, values, fresh):
    """(op, operand value indices, params, result shape, magnitude estimate), or None to skip."""
    recent = len(values) - 1
    a = recent if draw(st.booleans(), label="chain") else draw(st.integers(0, recent), label="operand")
    shape_a, mag_a, _, contiguous_a = values[a]
    op = draw(st.sampled_from(OPS), label="op")
    if op in VIEWS:
        return _view_step(draw, op, a, shape_a, mag_a, contiguous_a)
    if op in ("add", "sub", "mul", "div"):
        partners = [i for i, (s, _, _, _) in enumerate(values) if _broadcast_ok(shape_a, s)]
        if op != "div" and draw(st.booleans(), label="reuse"):
            b = draw(st.sampled_from(partners), label="b")
        else:  # a fresh leaf; a divisor is always one, with no zero element
            b = fresh(draw(broadcastable_shapes(shape_a, max_dims=3), label="b shape"), nonzero=op == "div")
        args = [b, a] if op != "div" and draw(st.booleans(), label="swap") else [a, b]
        shape = R.broadcasting.broadcast_shapes(shape_a, values[b][0])
        mag_b = values[b][1]
        mag = {"mul": mag_a + mag_b, "div": mag_a + DIVISOR_INV_MAG}.get(op, max(mag_a, mag_b) + 1)
        return op, args, (), shape, mag
    if op == "neg":
        return op, [a], (), shape_a, mag_a
    if op == "pow":
        k = draw(st.integers(0, 3), label="k")
        return op, [a], (k,), shape_a, k * mag_a
    if op in ("sum", "mean"):
        dim, keepdim = draw(_reduction_dims(shape_a), label="dims")
        reduced = _reduced_count(shape_a, dim)
        if op == "mean" and reduced == 0:
            return None  # 0/0: outside the finite domain
        shape = _reduced_shape(shape_a, dim, keepdim)
        return op, [a], (dim, keepdim), shape, mag_a + (_log2_ceil(reduced) if op == "sum" else 0)
    if not shape_a:  # matmul needs at least 1-D operands
        return None
    other, a_left = draw(_matmul_partner(shape_a), label="matmul partner")
    if other is None:
        return None
    b = fresh(other)
    args = [a, b] if a_left else [b, a]
    left, right = values[args[0]][0], values[args[1]][0]
    shape = R.matmul(R.zeros(left), R.zeros(right)).shape
    return op, args, (), shape, mag_a + LEAF_MAG + _log2_ceil(left[-1])


def _view_step(draw, op: str, a: int, shape, mag: int, contiguous: bool):
    """A view step on value a (its result shape from the reference), or None where it does not apply."""
    probe = Tensor.from_flat([0] * numel_of(shape), shape, R.int64)
    if op == "view" and not contiguous:
        return None  # view() of a non-row-major value may fail on a backend that kept the layout
    if op in ("view", "reshape"):
        params = (draw(restructured(shape), label="shape"),)
    elif op == "expand":
        params = (draw(expand_shape(shape), label="expand to"),)
    elif op == "transpose":
        if not shape:
            return None  # transposing a 0-d tensor is PyTorch's spelling (view.torch-spellings), not core
        dim = st.integers(-len(shape), len(shape) - 1)
        params = (draw(dim, label="dim0"), draw(dim, label="dim1"))
    else:
        params = (draw(basic_index(shape), label="index"),)
    try:
        out = getattr(REFERENCE_OPS, op)(probe, *params)
    except (RuntimeError, IndexError, ValueError):
        return None
    return op, [a], params, out.shape, mag


def program_shapes():
    """Shapes of a program's leaves: up to 3 dims of sizes 0..4, at most MAX_NUMEL elements."""
    return st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple).filter(
        lambda s: numel_of(s) <= MAX_NUMEL)


def _broadcast_ok(a, b) -> bool:
    try:
        shape = R.broadcasting.broadcast_shapes(a, b)
    except RuntimeError:
        return False
    return numel_of(shape) <= MAX_NUMEL


@reused
@st.composite
def _reduction_dims(draw, shape):
    """dim=None, one dim (maybe negative) or a tuple of dims; keepdim either way."""
    keepdim = draw(st.booleans())
    if not shape or draw(st.integers(0, 2)) == 0:
        return None, keepdim
    ndim = len(shape)
    if draw(st.booleans()):
        return draw(st.integers(-ndim, ndim - 1)), keepdim
    dims = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(dims), keepdim


def _norm_dims(shape, dim) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(len(shape)))
    dims = (dim,) if isinstance(dim, int) else dim
    return tuple(d % len(shape) for d in dims)


def _reduced_count(shape, dim) -> int:
    return numel_of([shape[d] for d in _norm_dims(shape, dim)])


def _reduced_shape(shape, dim, keepdim) -> tuple[int, ...]:
    dims = _norm_dims(shape, dim)
    if keepdim:
        return tuple(1 if d in dims else s for d, s in enumerate(shape))
    return tuple(s for d, s in enumerate(shape) if d not in dims)


@reused
@st.composite
def _matmul_partner(draw, shape):
    """A shape to multiply ``shape`` with, and whether ``shape`` is the left operand: all five cases."""
    a_left = draw(st.booleans())
    k = shape[-1] if a_left else (shape[0] if len(shape) == 1 else shape[-2])
    m = draw(st.integers(1, 3))
    kind = draw(sampled(("vector", "matrix", "batched")))
    if kind == "vector":
        other = (k,)
    elif kind == "matrix":
        other = (k, m) if a_left else (m, k)
    else:
        batch = tuple(draw(st.lists(sampled((1, 2)), min_size=1, max_size=2)))
        own_batch = shape[:-2]
        if own_batch and draw(st.booleans()):  # broadcast against the existing batch dims
            batch = tuple(draw(sampled((s, 1))) for s in own_batch)
        other = batch + ((k, m) if a_left else (m, k))
    left, right = (shape, other) if a_left else (other, shape)
    try:
        out = R.matmul(R.zeros(left), R.zeros(right))
    except RuntimeError:
        return None, a_left
    inner = left[-1]
    if numel_of(out.shape) * max(inner, 1) > MAX_MACS or numel_of(out.shape) > MAX_NUMEL:
        return None, a_left
    return other, a_left
