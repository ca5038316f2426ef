"""Elementary functions on tensors (spec/elementary.md) and their gradients (spec/autograd.md).

The scalar functions live in ``elementary.py``; this module maps them over a tensor's
elements and records each one's backward beside its forward (``autograd.record``).

Two faces (docs/design.md):
  * backend face: each element correctly rounded; the backward is PyTorch's formula,
    each step rounded (``FORMS[name][0]``);
  * oracle face (an exact tensor whose elements carry no bound): f(x) is not rational,
    so an element holds the midpoint of a narrow enclosure of f(x) (``elementary.py``)
    with the bound N ulp(f(x)) + the enclosure's half-width, N = ``N_ULPS``: the ulp(4)
    class of spec/elementary.md, which is all a backward formula may assume of a value
    of a function it reads (the forward's output y, or cos x, cosh x, x^(-1/2) ...).
    sqrt is held to the same N here: its correct rounding is a rule of its own.
    The gradient's bound is the largest over ``FORMS[name]``, every evaluation the rule
    covers (spec/autograd.md, ``autograd.elementary-grad``), each bounded by running
    the formula on oracle tensors (each operation's own bound, reference/elementwise.py
    and ``autograd.product``), around the enclosed exact g * f'(x).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from . import elementary
from .autograd import product, record
from .elementwise import add, div, mul, pow, sub
from .exact import up
from .tensor import Tensor

N_ULPS = 4  # the ulp(N) class (spec/elementary.md) of a function value a backward formula reads

Form = Callable[[Tensor, Tensor, Tensor], Tensor]  # (g, x, y) -> the gradient for x


def _up(q: Fraction) -> float:
    """An upper bound of the non-negative rational q as a float."""
    return 0.0 if q == 0 else up(float(q))


def read(name: str, a: Tensor) -> Tensor:
    """r(a) for r one of the nine functions, ``cosh`` or ``rsqrt`` (a^(-1/2)): on the backend face
    correctly rounded (the nine only), on the oracle face enclosed with the bound of ulp(N_ULPS)."""
    if not a.dtype.is_floating:
        raise TypeError(f"{name}: the reference defines elementary functions on float tensors only, "
                        f"not {a.dtype.name}")
    if not a.exact:
        floats = [elementary.value(name, float(v), a.dtype) for v in a.values()]
        rounded = [Fraction(v) if math.isfinite(v) else v for v in floats]  # NaN and infinities stay floats
        return Tensor.from_flat(rounded, a.shape, a.dtype, a.device, accuracy="correctly-rounded")
    if any(a.errs()):
        raise ValueError(f"{name} of an oracle tensor with nonzero bounds: the reference bounds elementary "
                         "functions of exact inputs only (spec/autograd.md)")
    values: list[Fraction] = []
    errs: list[float] = []
    for v in a.values():
        lo, hi = elementary.value_enclosure(name, float(v), a.dtype)
        widest = hi if abs(hi) >= abs(lo) else lo  # its binade's ulp is at least that of r(v)
        values.append((lo + hi) / 2)
        errs.append(_up(N_ULPS * elementary.ulp_of(widest, a.dtype) + (hi - lo) / 2))
    return Tensor.from_flat(values, a.shape, a.dtype, a.device, True, errs, "bounded")


def _scaled(a: Tensor, c: int) -> Tensor:
    """c * a for c = 2, -2 or -1: exact in binary floating point (the rule's inputs never overflow), so it
    stays an exact input on the oracle face (the multiplication's generic bound would not)."""
    return Tensor.from_flat([c * v for v in a.values()], a.shape, a.dtype, a.device, a.exact)


#: every evaluation of the backward that the bound covers, the first PyTorch's (the reference's own on
#: the backend face); g the output's gradient, x the input, y the forward's output
FORMS: dict[str, list[Form]] = {
    "exp": [
        lambda g, x, y: product(g, y),  # g*y (PyTorch, JAX, autograd); exp(x) recomputed is held to y's class
    ],
    "expm1": [
        lambda g, x, y: product(g, add(y, 1)),  # g*(y + 1) (PyTorch, JAX, autograd)
        lambda g, x, y: product(g, read("exp", x)),  # g*exp(x) (JAX, accuracy=HIGHEST)
    ],
    "log": [
        lambda g, x, y: product(g, over=(x,)),  # g/x, or g*fl(1/x) (PyTorch, JAX, autograd)
    ],
    "log1p": [
        lambda g, x, y: product(g, over=(add(x, 1),)),  # g/fl(x + 1), or g*fl(1/fl(x + 1)) (PyTorch, JAX, autograd)
    ],
    "sqrt": [
        lambda g, x, y: product(g, over=(y,), coeff=Fraction(1, 2)),  # g/(2y) (PyTorch), g*fl(0.5/y) (JAX)
        lambda g, x, y: product(g, read("rsqrt", x), coeff=Fraction(1, 2)),  # g*0.5*x**-0.5 (autograd)
    ],
    "sin": [
        lambda g, x, y: product(g, read("cos", x)),  # g*cos(x) (PyTorch, JAX, autograd)
    ],
    "cos": [
        lambda g, x, y: product(g, read("sin", x), coeff=-1),  # g*(-sin x) (PyTorch), -(g*sin x) (JAX, autograd)
    ],
    "tanh": [
        lambda g, x, y: product(g, sub(1, mul(y, y))),  # g*(1 - y*y), 1 - y*y fused or not (PyTorch)
        lambda g, x, y: mul(add(g, mul(g, y)), sub(1, y)),  # (g + g*y)*(1 - y) (JAX)
        lambda g, x, y: div(g, pow(read("cosh", x), 2)),  # g/cosh(x)**2 (autograd)
        lambda g, x, y: product(g, read("sigmoid", _scaled(x, 2)), read("sigmoid", _scaled(x, -2)),
                                coeff=4),  # g*(4*s(2x)*s(-2x)) in any association (JAX, accuracy=HIGHEST)
    ],
    "sigmoid": [
        lambda g, x, y: product(g, sub(1, y), y),  # g*(1 - y)*y in any association (PyTorch, JAX)
        lambda g, x, y: product(g, y, read("sigmoid", _scaled(x, -1))),  # g*(y*s(-x)) (JAX, accuracy=HIGHEST)
    ],
}

#: PyTorch's node name and whether the node saves its result (else its input), per function
NODES = {
    "exp": ("ExpBackward0", True), "expm1": ("Expm1Backward0", True), "log": ("LogBackward0", False),
    "log1p": ("Log1PBackward0", False), "sqrt": ("SqrtBackward0", True), "sin": ("SinBackward0", False),
    "cos": ("CosBackward0", False), "tanh": ("TanhBackward0", True), "sigmoid": ("SigmoidBackward0", True),
}


def gradient(name: str, g: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """x's gradient through y = f(x) given y's gradient g.

    Backend face: PyTorch's formula, each step rounded. Oracle face: the value is
    g * f'(x) (g's value times the midpoint of a narrow enclosure of f'(x)), its bound
    the largest over the forms k of err_k + |v_k - value|: each form's own running bound
    err_k around its value v_k, which its reads (y, cos x ...) carry within ulp(N_ULPS).
    """
    forms = FORMS[name]
    if not g.exact:
        return forms[0](g, x, y)
    results = [(r.values(), r.errs()) for r in (form(g, x, y) for form in forms)]
    values, errs = [], []
    for i, (gv, xv) in enumerate(zip(g.values(), x.values(), strict=True)):
        lo, hi = elementary.derivative_enclosure(name, float(xv), x.dtype)
        value = gv * (lo + hi) / 2  # the exact g * f'(x), to within 2^-20 ulp of f'(x)
        values.append(value)
        if any(math.isinf(es[i]) for _, es in results):  # a divisor within its own bound of 0: no bound
            errs.append(math.inf)
            continue
        errs.append(_up(max(Fraction(es[i]) + abs(vs[i] - value) for vs, es in results)))
    return Tensor.from_flat(values, g.shape, g.dtype, g.device, True, errs, "bounded")


def _elementwise(name: str) -> Callable[[Tensor], Tensor]:
    node, saves_result = NODES[name]

    def function(a: Tensor) -> Tensor:
        out = read(name, a)
        # backward: da = g * f'(a), by the forms above; saves the result (exp, expm1, sqrt, tanh, sigmoid) or a
        return record(out, node, (a,), (lambda g: gradient(name, g, a, out),),
                      saves=((out if saves_result else a,),))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"{name}(a), each element correctly rounded to a's dtype (spec/elementary.md); "
                        f"its gradient is recorded as {node} (spec/autograd.md).")
    return function


exp = _elementwise("exp")
expm1 = _elementwise("expm1")
log = _elementwise("log")
log1p = _elementwise("log1p")
sqrt = _elementwise("sqrt")
sin = _elementwise("sin")
cos = _elementwise("cos")
tanh = _elementwise("tanh")
sigmoid = _elementwise("sigmoid")
