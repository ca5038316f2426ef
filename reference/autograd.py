"""The reference tape: reverse-mode autograd in the spirit of micrograd's ``Value``.

Each operation records one ``Node`` with ``record(out, name, inputs, grads, saves)``
right where it computes its forward (elementwise.py, unary.py, reduction.py, matmul.py),
so an op's backward formula sits next to its forward. ``grads[i](g)`` is the
gradient for input i given the output gradient ``g``; it is written in reference
operations, so on the oracle face (``exact=True``) a gradient has an exact value
and a rigorous bound, and on the backend face it is rounded like IEEE arithmetic.

What the tape models (spec/autograd.md): leaves and ``.grad`` accumulation,
``retain_graph`` (a released node that saved tensors refuses a second backward),
saved tensors checked against the storage version counter, ``no_grad`` and
``detach``. Node names are PyTorch's (``AddBackward0``, ``MulBackward0`` ...).

Bounds of the backward formulas cover every reasonable evaluation of them by a
backend, not only the reference's own order:
  * ``product``: coeff * prod(num) / prod(den) in any association, each division
    possibly done as a multiplication by a rounded reciprocal;
  * gradients meeting at a tensor are summed as n terms in any order (sum bound);
  * a broadcast operand's gradient is one sum over the broadcast dims (sum bound);
  * matmul's gradients are dot products of their full length (any order, FMA).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from types import SimpleNamespace

from . import exact as ex_
from .bounds import conversion_err, exact_sum, sum_bound
from .broadcasting import broadcast_shapes, broadcast_to
from .conversion import cast
from .dtypes import DType, int64
from .exact import add_up, mag, mul_up, to_dtype
from .tensor import Tensor, contiguous_strides, numel_of

_grad_enabled = True


def is_grad_enabled() -> bool:
    return _grad_enabled


@contextmanager
def no_grad() -> Iterator[None]:
    """Operations inside record nothing: results do not require grad (like ``torch.no_grad``)."""
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous


# ---- the graph ------------------------------------------------------------------------


class AccumulateGrad:
    """The node of a leaf that requires grad: adds the incoming gradient to ``leaf.grad``."""

    def __init__(self, leaf: Tensor):
        self.variable = leaf
        self.next_functions = ()

    def name(self) -> str:
        return "AccumulateGrad"

    def apply(self, g: Tensor) -> None:
        leaf = self.variable
        leaf.grad = g if leaf.grad is None else _sum_terms([leaf.grad, g])


_accumulators: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _accumulator(leaf: Tensor) -> AccumulateGrad:
    """One AccumulateGrad per leaf, as in PyTorch: every use of a leaf meets there."""
    node = _accumulators.get(leaf)
    if node is None:
        node = _accumulators[leaf] = AccumulateGrad(leaf)
    return node


class Node:
    """One recorded operation: how to send the output gradient to each input."""

    def __init__(self, name: str, inputs: Sequence, grads: Sequence[Callable | None], saves: Sequence):
        self._name = name
        self.grads = tuple(grads)
        # (node, shape, dtype) per input; node None where no gradient flows
        self.next_functions = tuple(
            (_node_of(x), x.shape, x.dtype) if isinstance(x, Tensor) else (None, (), None) for x in inputs)
        needed = [t for i, (node, _, _) in enumerate(self.next_functions) if node is not None
                  for t in (saves[i] if i < len(saves) else ())]
        self.saved = [(t, t._storage.version) for t in _unique([t for t in needed if isinstance(t, Tensor)])]
        # PyTorch wraps a Python scalar operand in a tensor and saves that: it is freed like the others
        self.saves_anything = bool(needed)
        self.released = False

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name}>"

    def apply(self, g: Tensor) -> list:
        """The gradient for each input (None where none flows), in that input's shape and dtype."""
        if self.released and self.saves_anything:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Specify retain_graph=True if you need to backward "
                "through the graph a second time.")
        for t, version in self.saved:
            if t._storage.version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.dtype.name} {list(t.shape)}] is at version {t._storage.version}; "
                    f"expected version {version} instead.")
        out = []
        for grad, (node, shape, dtype) in zip(self.grads, self.next_functions, strict=True):
            # a node exists only for a tensor input, which has a dtype
            out.append(None if node is None or grad is None or dtype is None else sum_to(grad(g), shape, dtype))
        return out


def _unique(tensors: list) -> list:
    seen, out = set(), []
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            out.append(t)
    return out


def _node_of(t: Tensor):
    if t.grad_fn is not None:
        return t.grad_fn
    return _accumulator(t) if t.requires_grad else None


def record(out: Tensor, name: str, inputs: Sequence, grads: Sequence[Callable | None],
           saves: Sequence[Sequence] = ()) -> Tensor:
    """Attach a node to ``out`` when recording is on and some input requires grad.

    ``grads[i](g)`` gives input i's gradient (in the output's broadcast shape; the
    engine sums it to the input's shape); ``saves[i]`` are the tensors that gradient
    reads, saved (with their version) only when input i requires grad, as PyTorch does.
    """
    if not _grad_enabled or not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        return out
    out.grad_fn = Node(name, inputs, grads, saves)
    out.requires_grad = True
    return out


# ---- the engine ---------------------------------------------------------------------------


def backward(t: Tensor, gradient: Tensor | None = None, retain_graph: bool | None = None) -> None:
    """Accumulate d(t)/d(leaf) (a vector-Jacobian product with ``gradient``) into each leaf's .grad."""
    if not t.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if gradient is None:
        if t.numel() != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        gradient = Tensor.from_flat([_one(t.dtype)], t.shape, t.dtype, t.device, t.exact)
    elif tuple(gradient.shape) != tuple(t.shape):
        raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of {gradient.shape} and "
                           f"output[0] has a shape of {t.shape}.")
    root = t.grad_fn if t.grad_fn is not None else _accumulator(t)
    order = _topological(root)
    pending = {root: [gradient]}
    with no_grad():  # backward builds no graph of its own
        for node in order:
            incoming = pending.pop(node, None)
            if not incoming:
                continue
            g = _sum_terms(incoming)
            if isinstance(node, AccumulateGrad):
                node.apply(g)
                continue
            for (nxt, _, _), gi in zip(node.next_functions, node.apply(g), strict=True):
                if gi is not None:
                    pending.setdefault(nxt, []).append(gi)
    if not retain_graph:
        for node in order:
            if isinstance(node, Node):
                node.released = True


def _topological(root) -> list:
    """Nodes reachable from root, each before every node it feeds (reverse post-order)."""
    post, seen = [], {root}
    stack = [(root, iter(n for n, _, _ in root.next_functions if n is not None))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            post.append(node)
        elif child not in seen:
            seen.add(child)
            stack.append((child, iter(n for n, _, _ in child.next_functions if n is not None)))
    return post[::-1]


def _one(dtype: DType):
    return Fraction(1) if dtype.is_floating else 1


# ---- building blocks of backward formulas -------------------------------------------------


def _like(t: Tensor, values: list, shape, errs: list[float] | None, accuracy: str) -> Tensor:
    return Tensor.from_flat(values, shape, t.dtype, t.device, t.exact,
                            errs if t.exact and t.dtype.is_floating else None, accuracy)


def _factor(x, shape, dtype: DType) -> tuple[list, list[float]]:
    """A factor's exact values over ``shape`` and their bounds as operands in ``dtype``."""
    if isinstance(x, Tensor):
        view = broadcast_to(x, shape)
        vals, errs = view.values(), view.errs()
        source = x.dtype
    else:
        vals = [Fraction(x)] * numel_of(shape)
        errs, source = [0.0] * len(vals), None
    return vals, [conversion_err(v, e, source, dtype) for v, e in zip(vals, errs, strict=True)]


def product(*num, over: Sequence = (), coeff=1) -> Tensor:
    """c * prod(f) / prod(d) for factors f = num (num[0] is the gradient) and divisors d = over,
    element-wise and broadcast: the backward value of mul, div, pow and mean (spec/autograd.md).

    Bound (oracle face), with r = ``_roundings``:
        |c| * (1 + gamma_r) * prod(|f| + e_f) / prod(|d| - e_d)  -  |c * prod(f) / prod(d)|.
    *Why:* |prod(f') - prod(f)| <= prod(|f| + e) - prod(|f|) for |f' - f| <= e;
    1/d' lies within e / (|d| (|d| - e)) of 1/d, so a divisor acts as a factor
    1/|d| with bound 1/(|d| - e) - 1/|d|; the roundings multiply by at most 1 + gamma_r
    (Higham, Lemma 3.1). The backend face evaluates left to right, rounding each step.
    """
    g = num[0]
    dtype, shape = g.dtype, broadcast_shapes(*(x.shape for x in (*num, *over) if isinstance(x, Tensor)))
    c = Fraction(coeff)
    factors = [_factor(x, shape, dtype) for x in num]
    divisors = [_factor(x, shape, dtype) for x in over]
    if not g.exact:
        return _like(g, _product_left_to_right(c, factors, divisors, numel_of(shape), dtype), shape, None, "bounded")
    r = _roundings(len(num), len(over), c)
    grow = add_up(1.0, ex_.gamma(r, dtype))
    values, errs = [], []
    for i in range(numel_of(shape)):
        value = c
        hi = mul_up(grow, mag(c))  # grows to an upper bound of |c| (1 + gamma_r) prod(|f| + e) / prod(|d| - e)
        for vals, es in factors:
            value *= vals[i]
            hi = mul_up(hi, add_up(mag(vals[i]), es[i]))
        for vals, es in divisors:
            value /= vals[i]
            low = ex_.down(ex_.down(float(abs(vals[i]))) - es[i])  # a lower bound of |d| - e
            hi = ex_.INF if low <= 0 else ex_.up(hi / low)
        values.append(value)
        errs.append(0.0 if value == 0 and hi == 0 else max(0.0, ex_.up(hi - ex_.down(float(abs(value))))))
    exact_class = r == 0 and not any(e for _, es in (*factors, *divisors) for e in es)
    return _like(g, values, shape, errs, "exact" if exact_class else "bounded")


def _roundings(n_factors: int, n_divisors: int, c: Fraction) -> int:
    """r: every association of the factors and divisors (their count - 1 operations), each division
    possibly done as a rounded reciprocal times (one more each), and the coefficient unless it is +-1."""
    return (n_factors + n_divisors - 1) + n_divisors + (0 if abs(c) == 1 else 1)


def _product_left_to_right(c: Fraction, factors: list, divisors: list, n: int, dtype: DType) -> list:
    """The backend face of ``product``: ((c*f0)*f1 ...)/d0 ..., rounding each step to dtype."""
    out = []
    for i in range(n):
        v = factors[0][0][i]
        if c != 1:
            v = to_dtype(c * v, dtype)
        for vals, _ in factors[1:]:
            v = to_dtype(v * to_dtype(vals[i], dtype), dtype)
        for vals, _ in divisors:
            v = to_dtype(v / to_dtype(vals[i], dtype), dtype)
        out.append(v)
    return out


def expand_to(g: Tensor, keep_shape, shape) -> Tensor:
    """``g`` (the reduced result) repeated along the reduced dims: exact, like ``expand``."""
    kept = Tensor(g._storage, keep_shape, contiguous_strides(keep_shape), g.storage_offset(), g.dtype,
                  g.device, g.exact)
    view = broadcast_to(kept, shape)
    errs = view.errs() if g._storage.err is not None else None
    return _like(g, view.values(), shape, errs, g.accuracy)


def sum_to(g: Tensor, shape, dtype: DType) -> Tensor:
    """A broadcast gradient summed to an input's shape (one sum, any order), cast to its dtype.

    x broadcast to g's shape is a view of x: its gradient is ``view_grad``'s, then
    a gradient is cast to its input's dtype (one more rounding where they differ).
    """
    shape = tuple(shape)
    if shape != tuple(g.shape):
        g = _gathered_back(g, shape, lambda x: broadcast_to(x, g.shape))
    return cast(g, dtype)


def view_grad(g: Tensor, x: Tensor, view_fn: Callable[[Tensor], Tensor]) -> Tensor:
    """The gradient of y = view_fn(x) for any view or gather (view, transpose, expand, indexing ...).

    dx[i] = sum of g[k] over the elements k of y that read x[i] (0 where none does):
    a plain view moves values; where several elements of y read one element of x
    (expand, a repeated advanced index) they are one sum each, in any order (the
    sum bound), as PyTorch's ExpandBackward0/IndexBackward0 do.
    """
    return _gathered_back(g, x.shape, view_fn)


def _gathered_back(g: Tensor, shape, view_fn: Callable[[Tensor], Tensor]) -> Tensor:
    """``view_grad`` for an input of ``shape``. Which element of x each element of y reads is
    found by applying view_fn to a tensor of x's shape holding 0, 1, 2 ..."""
    with no_grad():
        targets = view_fn(Tensor.from_flat(list(range(numel_of(shape))), shape, int64)).values()
    readers: list[list[int]] = [[] for _ in range(numel_of(shape))]
    for k, target in enumerate(targets):
        readers[target].append(k)
    gv, ge = g.values(), g.errs()
    if all(len(r) <= 1 for r in readers):  # a plain view: values move, nothing is computed
        zero = Fraction(0) if g.dtype.is_floating else 0
        values = [gv[r[0]] if r else zero for r in readers]
        errs = [ge[r[0]] if r else 0.0 for r in readers]
        return _like(g, values, shape, errs, g.accuracy)
    return _sums(g, [([gv[k] for k in r], [ge[k] for k in r]) for r in readers], shape)


def _sums(like: Tensor, groups: list[tuple[list, list[float]]], shape) -> Tensor:
    """One sum per element of its group's terms (values, bounds), in any order: the sum bound.

    The backend face adds left to right, rounding each step.
    """
    zero = Fraction(0) if like.dtype.is_floating else 0
    if not like.exact or not like.dtype.is_floating:
        values = []
        for xs, _ in groups:
            total = xs[0] if xs else zero
            for x in xs[1:]:
                total = to_dtype(total + x, like.dtype)
            values.append(total)
        return _like(like, values, shape, None, "bounded" if like.dtype.is_floating else "exact")
    values = [exact_sum(xs) if xs else zero for xs, _ in groups]
    errs = [sum_bound(xs, es, like.dtype) if xs else 0.0 for xs, es in groups]
    return _like(like, values, shape, errs, "bounded")


def record_view(out: Tensor, name: str, x: Tensor, view_fn: Callable[[Tensor], Tensor]) -> Tensor:
    """``record`` for an op that only selects elements of x: its backward is ``view_grad``."""
    return record(out, name, (x,), (lambda g: view_grad(g, x, view_fn),))


def _sum_terms(terms: list[Tensor]) -> Tensor:
    """Gradients meeting at one tensor, added in any order (the sum bound of n terms)."""
    if len(terms) == 1:
        return terms[0]
    columns = [(t.values(), t.errs()) for t in terms]
    groups = [([vals[i] for vals, _ in columns], [errs[i] for _, errs in columns]) for i in range(terms[0].numel())]
    return _sums(terms[0], groups, terms[0].shape)


# ---- detach and the functional face ---------------------------------------------------------


def requires_grad_(t: Tensor, requires_grad: bool = True) -> Tensor:
    """Make ``t`` a leaf that records operations (floating dtypes only, as in PyTorch)."""
    if requires_grad and not t.dtype.is_floating:
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    t.requires_grad = requires_grad
    return t


def detach(t: Tensor) -> Tensor:
    """The same storage (and version counter), cut from the graph: a leaf not requiring grad."""
    return Tensor(t._storage, t.shape, t.stride(), t.storage_offset(), t.dtype, t.device, t.exact)


def vjp(fn: Callable, *primals: Tensor):
    """(fn(*primals), vjp_fn) like ``torch.func.vjp``: vjp_fn(cotangent) gives one gradient per primal.

    Runs the tape on fresh leaves; a primal the output does not depend on gets zeros.
    """
    leaves = [requires_grad_(detach(p), True) for p in primals]
    out = fn(*leaves)

    def vjp_fn(cotangent: Tensor) -> tuple[Tensor, ...]:
        for leaf in leaves:
            leaf.grad = None
        if out.requires_grad:
            backward(out, cotangent, retain_graph=True)
        return tuple(leaf.grad if leaf.grad is not None else _zeros_like(leaf) for leaf in leaves)

    return detach(out), vjp_fn


def _functional_vjp(func: Callable, inputs, v: Tensor):
    """``torch.autograd.functional.vjp``: (func(*inputs), one vector-Jacobian product per input)."""
    single = isinstance(inputs, Tensor)
    out, vjp_fn = vjp(func, *((inputs,) if single else inputs))
    grads = vjp_fn(v)
    return out, grads[0] if single else grads


#: ``reference.autograd.functional.vjp``, spelled as in torch
functional = SimpleNamespace(vjp=_functional_vjp)


def _zeros_like(t: Tensor) -> Tensor:
    zero = Fraction(0) if t.dtype.is_floating else 0
    return Tensor.from_flat([zero] * t.numel(), t.shape, t.dtype, t.device, t.exact)


# ---- the graph as a picture -------------------------------------------------------------------


def to_dot(t: Tensor, names: dict[str, Tensor] | None = None) -> str:
    """Graphviz DOT text of the graph that produced ``t``, nodes named as PyTorch names them.

    ``names`` labels tensors: ``{"x": x, "a = x + 2": a}``; a leaf's label goes on its
    AccumulateGrad node, a result's on the node that made it.
    """
    labels: dict[int, str] = {}
    for label, tensor in (names or {}).items():
        node = tensor.grad_fn if tensor.grad_fn is not None else _node_of(tensor)
        if node is not None:
            labels[id(node)] = label
    lines = ["digraph autograd {", '  rankdir="BT";', '  node [shape=box, fontname="Helvetica"];']
    root = t.grad_fn if t.grad_fn is not None else _node_of(t)
    if root is None:
        return "\n".join(lines + ["}"]) + "\n"
    order = _topological(root)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    for node in order:
        label = node.name()
        if id(node) in labels:
            label += f"\\n{labels[id(node)]}"
        style = ', style=filled, fillcolor="lightblue"' if isinstance(node, AccumulateGrad) else ""
        lines.append(f'  {ids[node]} [label="{label}"{style}];')
    for node in order:
        for nxt, _, _ in node.next_functions:
            if nxt is not None:
                lines.append(f"  {ids[nxt]} -> {ids[node]};")
    lines.append("}")
    return "\n".join(lines) + "\n"
