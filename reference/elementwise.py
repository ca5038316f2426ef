"""Element-wise arithmetic: add, sub, mul, div, neg, pow with a small integer exponent.

Every binary operation goes through ``_binary``: promotion picks the result
dtype, broadcasting aligns the operands, then each element is computed exactly.
The oracle face keeps the exact value and its bound; the backend face converts
the operands to the result dtype and rounds the result, as IEEE arithmetic does.

Bounds (docs/design.md, Higham ch. 2), with u the unit roundoff of the result dtype:
  conversion of an operand s to the result dtype:  u*|s| when s is not representable
  x +- y:  ex + ey + u*(|x +- y| + ex + ey)
  x * y:   |x|ey + |y|ex + ex*ey + u*(|x*y| + |x|ey + |y|ex + ex*ey)
  x / y:   d + u*(|x/y| + d),  d = (ex + |x/y|*ey) / (|y| - ey)   (derived in spec/elementwise.md)
"""

from __future__ import annotations

import operator
from fractions import Fraction

from . import exact as ex_
from .autograd import product, record  # the tape: each op records its backward beside its forward
from .bounds import conversion_err
from .broadcasting import broadcast_shapes, broadcast_to
from .devices import result_device
from .dtypes import DEFAULT_FLOAT, DType
from .exact import INF, add_up, mag, mul_up, to_dtype
from .promotion import result_type, scalar_dtype
from .tensor import Tensor, numel_of

Number = int | float | bool


def _check_bool_sub(name: str, operands) -> None:
    # torch refuses sub when *any* operand is bool (tensor or Python bool), not only bool - bool
    if name != "sub" or not any(_dtype_of(x).is_bool for x in operands):
        return
    if all(_dtype_of(x).is_bool for x in operands):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                       "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _dtype_of(x) -> DType:
    return x.dtype if isinstance(x, Tensor) else scalar_dtype(x)


def _operand_columns(operands, shape) -> list[tuple[list, list[float] | None, DType | None]]:
    """For each operand: its exact values, bounds and dtype (None: a Python scalar) laid out over ``shape``."""
    n = numel_of(shape)
    columns: list[tuple[list, list[float] | None, DType | None]] = []
    for x in operands:
        if isinstance(x, Tensor):
            view = broadcast_to(x, shape)
            columns.append((view.values(), view.errs_or_none(), x.dtype))
        else:
            value = Fraction(x) if isinstance(x, float) else x
            columns.append(([value] * n, None, None))
    return columns


def _bound_add(x, y, r, ex, ey, u):
    return add_up(ex, ey, u * add_up(mag(r), ex, ey))


def _bound_mul(x, y, r, ex, ey, u):
    prop = add_up(mul_up(mag(x), ey), mul_up(mag(y), ex), mul_up(ex, ey))
    return add_up(prop, u * add_up(mag(r), prop))


def _bound_div(x, y, r, ex, ey, u):
    d = 0.0
    if ex or ey:
        slack = ex_.down(ex_.down(float(abs(y))) - ey)  # a lower bound of |y| - ey
        if slack <= 0:
            return INF
        d = ex_.up(add_up(ex, mul_up(mag(r), ey)) / slack)
    return add_up(d, u * add_up(mag(r), d))


_OPS = {
    "add": (operator.add, _bound_add),
    "sub": (operator.sub, _bound_add),
    "mul": (operator.mul, _bound_mul),
    "div": (operator.truediv, _bound_div),
}


def _bool_result(name: str, x: bool, y: bool) -> bool:
    # torch computes bool + bool and bool * bool in bool: logical or / and.
    return bool(x or y) if name == "add" else bool(x and y)


def _binary(name: str, a, b) -> Tensor:
    operands = (a, b)
    if not any(isinstance(x, Tensor) for x in operands):
        raise TypeError(f"{name}: at least one operand must be a tensor")
    _check_bool_sub(name, operands)
    dtype = result_type(a, b)
    if name == "div" and not dtype.is_floating:
        dtype = DEFAULT_FLOAT  # true division of integers gives the default float dtype
    device = result_device(operands)
    tensors = [x for x in operands if isinstance(x, Tensor)]
    exact = all(t.exact for t in tensors)
    shape = broadcast_shapes(*(x.shape for x in tensors))
    (xs, exs, xd), (ys, eys, yd) = _operand_columns(operands, shape)
    fn, bound = _OPS[name]

    if not dtype.is_floating:
        if dtype.is_bool:
            values = [_bool_result(name, x, y) for x, y in zip(xs, ys)]
        else:
            values = [to_dtype(fn(int(x), int(y)), dtype) for x, y in zip(xs, ys)]
        return Tensor.from_flat(values, shape, dtype, device, exact)

    if not exact:  # the backend face: convert, compute, round
        values = [to_dtype(fn(to_dtype(x, dtype), to_dtype(y, dtype)), dtype) for x, y in zip(xs, ys)]
        return Tensor.from_flat(values, shape, dtype, device, exact)

    u = dtype.unit_roundoff
    values, errs = [], []
    rounded_once = True
    for i, (x, y) in enumerate(zip(xs, ys)):
        ex = conversion_err(x, exs[i] if exs else 0.0, xd, dtype)
        ey = conversion_err(y, eys[i] if eys else 0.0, yd, dtype)
        r = fn(Fraction(x), y)  # Fraction: int / int must stay exact
        if ex or ey:
            rounded_once = False
        values.append(r)
        errs.append(bound(x, y, r, ex, ey, u))
    accuracy = "correctly-rounded" if rounded_once else "bounded"
    return Tensor.from_flat(values, shape, dtype, device, exact, errs, accuracy)


def add(a, b) -> Tensor:
    # backward: da = g, db = g
    return record(_binary("add", a, b), "AddBackward0", (a, b), (lambda g: g, lambda g: g))


def sub(a, b) -> Tensor:
    # backward: da = g, db = -g
    return record(_binary("sub", a, b), "SubBackward0", (a, b), (lambda g: g, neg))


def mul(a, b) -> Tensor:
    # backward: da = g * b, db = g * a
    return record(_binary("mul", a, b), "MulBackward0", (a, b),
                  (lambda g: product(g, b), lambda g: product(g, a)), saves=((b,), (a,)))


def div(a, b) -> Tensor:
    # backward: da = g / b, db = -g * a / b**2
    return record(_binary("div", a, b), "DivBackward0", (a, b),
                  (lambda g: product(g, over=(b,)), lambda g: product(g, a, over=(b, b), coeff=-1)),
                  saves=((b,), (a, b)))


def neg(a: Tensor) -> Tensor:
    """-a: exact, and the bound carries over unchanged."""
    if a.dtype.is_bool:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    values = [-v for v in a.values()]
    if not a.dtype.is_floating:
        values = [to_dtype(v, a.dtype) for v in values]
    err = a.errs_or_none()
    out = Tensor.from_flat(values, a.shape, a.dtype, a.device, a.exact, err, a.accuracy)
    return record(out, "NegBackward0", (a,), (neg,))  # backward: da = -g


def pow(a: Tensor, k: int) -> Tensor:
    """a ** k; its gradient k * a**(k-1) * g is a product of k + 1 factors (zeros for k = 0)."""
    out = _pow(a, k)
    grad = (lambda g: product(g, *[a] * (k - 1), coeff=k)) if k else (lambda g: product(g, coeff=0))
    return record(out, "PowBackward0", (a,), (grad,), saves=((a,),))


def _pow(a: Tensor, k: int) -> Tensor:
    """a ** k for an integer 0 <= k: the bound of k-1 multiplications in any order.

    Any product tree of k factors x' (|x' - x| <= ex) with k-1 roundings lies within
    (|x|+ex)**k * (1 + gamma_(k-1)) - |x|**k of x**k; that is the bound used.
    """
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"pow: the exponent must be a Python int, got {k!r}")
    dtype = result_type(a, k)
    if k < 0 and not dtype.is_floating:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    xs = a.values()
    if not dtype.is_floating:
        values = [to_dtype(int(x) ** k, dtype) for x in xs]
        return Tensor.from_flat(values, a.shape, dtype, a.device, a.exact)
    if k < 0:
        raise ValueError("the reference implements pow only for exponents k >= 0")
    if not a.exact:
        values = [to_dtype(to_dtype(x, dtype) ** k, dtype) for x in xs]
        return Tensor.from_flat(values, a.shape, dtype, a.device, False)
    values = [x ** k for x in xs]
    exs = a.errs()
    if k == 0:
        return Tensor.from_flat([Fraction(1)] * len(xs), a.shape, dtype, a.device, True)
    if k == 1 and a._storage.err is None:
        return Tensor.from_flat(values, a.shape, dtype, a.device, True)
    grow = add_up(1.0, ex_.gamma(k - 1, dtype))
    errs = []
    for x, e, r in zip(xs, exs, values):
        base = add_up(mag(x), e)
        hi = grow
        for _ in range(k):
            hi = mul_up(hi, base)
        errs.append(max(0.0, ex_.up(hi - ex_.down(float(abs(r))))))
    accuracy = "correctly-rounded" if k == 2 and a._storage.err is None else "bounded"
    return Tensor.from_flat(values, a.shape, dtype, a.device, True, errs, accuracy)
