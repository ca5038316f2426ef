"""Half precision (spec/half.md): float16 and bfloat16 through + - * /, sum, mean and matmul.

The oracle face only: each function takes exact half tensors (``exact=True``, values
representable in their half dtype, no carried bounds) and returns the exact result with
its accuracy class and, where bounded, its bound. With p the half format's precision,
u_h = 2**-p its unit roundoff, eta = 2**(emin - p) (half the spacing of its subnormals:
the absolute error of one rounding into the subnormal range), u32 = 2**-24 and
gamma_j(u) = j*u / (1 - j*u):

  + - * /          the exact value rounded once to nearest-even in the half format
                   (overflow gives +-inf, results below the normal range round on the subnormal grid)
  sum of n terms   E + u_h*(|S| + E) + eta          with E = gamma_(n-1)(u32) * sum |x_i|
  mean of n terms  E/n + gamma_2(u_h)*(|S| + E)/n + 2*eta
  dot product      E + u_h*(|S| + E) + eta          with E = gamma_(k-1)(u32) * sum |a_t*b_t|

that is: accumulation in float32 or any wider format, in any order or tree, then one rounding
to the half format (the mean: a division and a cast, two roundings). Accumulating in the half
format itself is not covered: its error grows with gamma_(n-1)(u_h), 2**13 (float16) or 2**16
(bfloat16) times E. The derivations are spec/half.md's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

from .bounds import exact_dot, exact_sum
from .dtypes import HALF, DType, float32
from .exact import add_up, exact_binary, gamma, mag, mul_up, round_float, up
from .reduction import _groups, _out_shape, _reduced_dims
from .tensor import Tensor

Exact = int | Fraction

#: the accumulator format the bounds allow at the narrowest (any wider one is covered)
ACCUMULATOR = float32


def _check_half(*tensors: Tensor) -> DType:
    dtype = tensors[0].dtype
    if dtype not in HALF or any(t.dtype != dtype for t in tensors):
        raise TypeError(f"expected tensors of one half dtype (float16, bfloat16), got "
                        f"{', '.join(t.dtype.name for t in tensors)}")
    return dtype


def eta(dtype: DType) -> float:
    """Half the spacing of the subnormals of ``dtype``: what one rounding below the normal range may add."""
    return math.ldexp(1.0, dtype.emin - dtype.precision)


# ---- + - * / : one correctly rounded operation ----------------------------------------------------------


def binary(op: str, x: Exact, y: Exact, dtype: DType) -> Fraction | float:
    """What ``x op y`` MUST give in the half ``dtype``: the exact value rounded once, to nearest-even
    (+-inf past the overflow threshold (2 - 2**-p) * 2**emax, the subnormal grid below 2**emin)."""
    return round_float(exact_binary(op, x, y), dtype)


def elementwise(op: str, a: Tensor, b: Tensor) -> Tensor:
    """``a op b`` for two half tensors of one shape: the exact values, accuracy correctly-rounded
    (each element MUST equal ``binary(op, x, y, dtype)``)."""
    dtype = _check_half(a, b)
    if a.shape != b.shape:
        raise ValueError(f"shapes {a.shape} and {b.shape} differ: the half rules take operands of one shape")
    values = [exact_binary(op, x, y) for x, y in zip(a.values(), b.values(), strict=True)]
    return Tensor.from_flat(values, a.shape, dtype, a.device, True, None, "correctly-rounded")


# ---- sum, mean and matmul: float32 (or wider) accumulation, then one rounding --------------------------


def accumulation_err(terms: Sequence) -> float:
    """E = gamma_(n-1)(u32) * sum |t_i|: the error of adding n exact terms in float32, any order or tree."""
    if len(terms) < 2:
        return 0.0
    return mul_up(gamma(len(terms) - 1, ACCUMULATOR), add_up(*(mag(t) for t in terms)))


def sum_bound(xs: Sequence, dtype: DType) -> float:
    """The bound of a half sum: E + u_h*(|S| + E) + eta (float32 accumulation, then one rounding)."""
    if not xs:
        return 0.0
    e = accumulation_err(xs)
    return add_up(e, mul_up(dtype.unit_roundoff, add_up(mag(exact_sum(xs)), e)), eta(dtype))


def mean_bound(xs: Sequence, dtype: DType) -> float:
    """The bound of a half mean: E/n + gamma_2(u_h)*(|S| + E)/n + 2*eta (the sum as above, then a
    division by n and a cast: in float32 then to the half format, or both in the half format)."""
    n = len(xs)
    e = accumulation_err(xs)
    spread = mul_up(gamma(2, dtype), add_up(mag(exact_sum(xs)), e))
    return add_up(up(e / n), up(spread / n), 2 * eta(dtype))


def dot_bound(xs: Sequence, ys: Sequence, dtype: DType) -> float:
    """The bound of a half dot product: the products are exact in float32 (2p <= 22 < 24 bits), so
    E = gamma_(k-1)(u32) * sum |x_t y_t|, then one rounding: E + u_h*(|S| + E) + eta."""
    if not xs:
        return 0.0
    e = accumulation_err([x * y for x, y in zip(xs, ys, strict=True)])
    return add_up(e, mul_up(dtype.unit_roundoff, add_up(mag(exact_dot(xs, ys)), e)), eta(dtype))


def sum(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 - torch's name
    """``sum(a, dim, keepdim)`` of a half tensor: exact sums with the half sum bound (a sum of one
    term is that term, correctly rounded; of none, exactly 0)."""
    dtype = _check_half(a)
    dims = _reduced_dims(a, dim)
    groups, n = _groups(a, dims)
    values = [exact_sum(xs) for xs, _ in groups]
    errs = [sum_bound(xs, dtype) for xs, _ in groups]
    accuracy = "correctly-rounded" if n <= 1 else "bounded"
    return Tensor.from_flat(values, _out_shape(a, dims, keepdim), dtype, a.device, True, errs, accuracy)


def mean(a: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """``mean(a, dim, keepdim)`` of a half tensor: exact means with the half mean bound."""
    dtype = _check_half(a)
    dims = _reduced_dims(a, dim)
    groups, n = _groups(a, dims)
    if n == 0:
        raise ValueError("a mean over zero elements is nan (0/0): outside the finite domain")
    values = [exact_sum(xs) / n for xs, _ in groups]
    errs = [mean_bound(xs, dtype) for xs, _ in groups]
    accuracy = "correctly-rounded" if n == 1 else "bounded"
    return Tensor.from_flat(values, _out_shape(a, dims, keepdim), dtype, a.device, True, errs, accuracy)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """``matmul(a, b)`` of 1-D or 2-D half tensors (the four cases of spec/matmul.md without batch
    dimensions): exact dot products with the half dot bound."""
    dtype = _check_half(a, b)
    if a.ndim not in (1, 2) or b.ndim not in (1, 2):
        raise ValueError("the half rules take 1-D and 2-D operands")
    k = a.shape[-1]
    if b.shape[0] != k:
        raise ValueError(f"inner sizes differ: {a.shape} @ {b.shape}")
    av, bv = a.values(), b.values()
    rows = [av] if a.ndim == 1 else [av[i * k:(i + 1) * k] for i in range(a.shape[0])]
    m = 1 if b.ndim == 1 else b.shape[1]
    cols = [bv[j::m] for j in range(m)]
    values, errs = [], []
    for row in rows:
        for col in cols:
            values.append(exact_dot(row, col) if k else Fraction(0))
            errs.append(dot_bound(row, col, dtype))
    shape = a.shape[:-1] + b.shape[1:]
    accuracy = "correctly-rounded" if k <= 1 else "bounded"
    return Tensor.from_flat(values, shape, dtype, a.device, True, errs, accuracy)
