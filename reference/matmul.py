"""``matmul`` and its five dimension cases, one visible branch each (spec/matmul.md).

Every case reduces to dot products of length k. Bound of one dot product
(docs/design.md; Higham, section 3.1, any order, fused multiply-add allowed):
  sum_t (|a_t| eb_t + |b_t| ea_t + ea_t eb_t) + gamma_k * sum_t (|a_t| + ea_t)(|b_t| + eb_t)
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator
from fractions import Fraction

from .autograd import record
from .bounds import dot_bound, exact_dot
from .broadcasting import broadcast_shapes, broadcast_to
from .devices import result_device
from .dtypes import int64
from .exact import gamma, mag, mul_up, to_dtype
from .tensor import Tensor, numel_of

_NODE_NAMES = {(1, 1): "DotBackward0", (2, 2): "MmBackward0", (1, 2): "SqueezeBackward4", (2, 1): "MvBackward0"}


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """The product in its five cases (``_matmul``), recorded with PyTorch's node names.

    Backward, for c = a @ b with output gradient g (spec/autograd.md):
        da = g @ b^T,  db = a^T @ g,  each summed over the batch dims that broadcast.
    """
    out = _matmul(a, b)
    return record(out, _NODE_NAMES.get((a.ndim, b.ndim), "BmmBackward0"), (a, b),
                  (lambda g: matmul_grad_a(a, b, g), lambda g: matmul_grad_b(a, b, g)), saves=((b,), (a,)))


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}")
    if a.dtype.is_bool:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    result_device((a, b))

    if a.ndim == 1 and b.ndim == 1:
        # 1. Both 1-D: the dot product, a 0-d tensor.
        _check_inner(a.shape[0], b.shape[0], a, b)
        return _products(_as_matrix(a, rows=1), _as_matrix(b, cols=1), ())
    if a.ndim == 2 and b.ndim == 2:
        # 2. Both 2-D: the matrix-matrix product (n, k) @ (k, m) -> (n, m).
        _check_inner(a.shape[1], b.shape[0], a, b)
        return _products(a, b, (a.shape[0], b.shape[1]))
    if a.ndim == 1 and b.ndim == 2:
        # 3. 1-D @ 2-D: a 1 is prepended to a's shape, then removed: (k,) @ (k, m) -> (m,).
        _check_inner(a.shape[0], b.shape[0], a, b)
        return _products(_as_matrix(a, rows=1), b, (b.shape[1],))
    if a.ndim == 2 and b.ndim == 1:
        # 4. 2-D @ 1-D: the matrix-vector product (n, k) @ (k,) -> (n,).
        _check_inner(a.shape[1], b.shape[0], a, b)
        return _products(a, _as_matrix(b, cols=1), (a.shape[0],))
    # 5. At least one operand N-D (N > 2): batched. A 1-D a gets a 1 prepended and a
    #    1-D b a 1 appended (both removed afterwards); batch dims broadcast, matrix dims do not.
    a2 = _as_matrix(a, rows=1) if a.ndim == 1 else a
    b2 = _as_matrix(b, cols=1) if b.ndim == 1 else b
    _check_inner(a2.shape[-1], b2.shape[-2], a, b)
    batch = broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    n, m = a2.shape[-2], b2.shape[-1]
    out_shape = batch + ((n,) if a.ndim > 1 else ()) + ((m,) if b.ndim > 1 else ())
    return _products(broadcast_to(a2, batch + a2.shape[-2:]), broadcast_to(b2, batch + b2.shape[-2:]), out_shape)


def _check_inner(ka: int, kb: int, a: Tensor, b: Tensor) -> None:
    if ka != kb:
        raise RuntimeError(f"matmul: inner sizes differ: shapes {a.shape} and {b.shape} ({ka} != {kb})")


def _as_matrix(v: Tensor, rows: int | None = None, cols: int | None = None) -> Tensor:
    """A 1-D tensor viewed as (1, k) (``rows=1``) or (k, 1) (``cols=1``)."""
    (k,), (s,) = v.shape, v.stride()
    if rows == 1:
        return v._view_of((1, k), (k * s or 1, s), v.storage_offset())
    return v._view_of((k, 1), (s, 1), v.storage_offset())


def _products(a: Tensor, b: Tensor, out_shape: tuple[int, ...]) -> Tensor:
    """c[p, i, j] = sum_t a[p, i, t] * b[p, t, j] for stacked matrices a (..., n, k) and b (..., k, m)
    of one batch shape, laid out as out_shape: one dot product of length k per element."""
    dtype, device, exact = a.dtype, result_device((a, b)), a.exact and b.exact
    k = a.shape[-1]
    ae, be = a.errs_or_none(), b.errs_or_none()
    if ae is None and be is None:
        values, errs = _dots_of_held_values(a, b)
    else:  # an operand that carries bounds (0 for the other's elements)
        av, bv = a.values(), b.values()
        values = [exact_dot(row, col) for row, col in _rows_and_columns(av, bv, a.shape, b.shape)]
        bounds = _rows_and_columns(ae or [0.0] * len(av), be or [0.0] * len(bv), a.shape, b.shape)
        errs = [dot_bound(row, col, row_errs, col_errs, dtype) for (row, col), (row_errs, col_errs)
                in zip(_rows_and_columns(av, bv, a.shape, b.shape), bounds, strict=True)]
    if not dtype.is_floating or not exact:
        return Tensor.from_flat([to_dtype(v, dtype) for v in values], out_shape, dtype, device, exact)
    accuracy = "correctly-rounded" if k <= 1 and ae is None and be is None else "bounded"
    return Tensor.from_flat(values, out_shape, dtype, device, True, errs, accuracy)


def _rows_and_columns(x: list, y: list, x_shape, y_shape) -> Iterator[tuple[list, list]]:
    """(row of x, column of y) for each element (p, i, j) of stacked x (..., n, k) @ y (..., k, m), row-major."""
    (n, k), m = x_shape[-2:], y_shape[-1]
    for p in range(numel_of(x_shape[:-2])):
        for i in range(n):
            row = x[(p * n + i) * k:(p * n + i + 1) * k]
            for j in range(m):
                yield row, y[p * k * m + j:(p + 1) * k * m:m]


def _dots_of_held_values(a: Tensor, b: Tensor) -> tuple[list, list[float]]:
    """``_products`` for operands without bounds (the common case), with its bound gamma_k * sum |a_t b_t|.

    Why: one integer matrix product over a common denominator is much faster than Fraction arithmetic.
    """
    (ai, sa), (bi, sb) = _scaled(a.values()), _scaled(b.values())
    scale, k = sa * sb, a.shape[-1]
    floating, exact = a.dtype.is_floating, a.exact and b.exact
    g = gamma(k, a.dtype) if floating else 0.0
    values: list = []
    errs: list[float] = []
    for row, col in _rows_and_columns(ai, bi, a.shape, b.shape):
        total = sum(map(operator.mul, row, col))
        if not floating:
            values.append(total)
            continue
        values.append(Fraction(total, scale))
        if exact:  # the sum of |a_t b_t| exact, then rounded up
            magnitude = sum(abs(x * y) for x, y in zip(row, col))
            errs.append(mul_up(g, mag(Fraction(magnitude, scale))) if magnitude else 0.0)
    return values, errs


def _scaled(values: list) -> tuple[list[int], int]:
    """Exact values as integers over one common denominator (fast exact dot products)."""
    if not values or not isinstance(values[0], Fraction):
        return [int(v) for v in values], 1
    scale = math.lcm(*(v.denominator for v in values))
    return [v.numerator * (scale // v.denominator) for v in values], scale


# ---- gradients -----------------------------------------------------------------------------------


def matmul_grad_a(a: Tensor, b: Tensor, g: Tensor) -> Tensor:
    """da = g @ b^T: da[..., i, t] = sum_j g[..., i, j] * b[..., t, j], and over the batches that
    broadcast onto a's: each element one dot product of its full length (``_summed_dots``)."""
    a2, b2, batch = _batched_operands(a, b)
    (n, k), m = a2.shape[-2:], b2.shape[-1]
    return _summed_dots(_as_shape(g, batch + (n, m)), _mT(broadcast_to(b2, batch + (k, m))),
                        _owners(a2, batch), a)


def matmul_grad_b(a: Tensor, b: Tensor, g: Tensor) -> Tensor:
    """db = a^T @ g, computed as (g^T @ a)^T: db[..., t, j] = sum_i g[..., i, j] * a[..., i, t], and over
    the batches that broadcast onto b's (g^T first keeps g's terms first in each product)."""
    a2, b2, batch = _batched_operands(a, b)
    (n, k), m = a2.shape[-2:], b2.shape[-1]
    return _summed_dots(_mT(_as_shape(g, batch + (n, m))), broadcast_to(a2, batch + (n, k)),
                        _mT_order(_owners(b2, batch), batch + (k, m)), b)


def _batched_operands(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor, tuple[int, ...]]:
    """a and b as stacked matrices (a 1-D a as (1, k), a 1-D b as (k, 1)) and their broadcast batch shape."""
    a2 = _as_matrix(a, rows=1) if a.ndim == 1 else a
    b2 = _as_matrix(b, cols=1) if b.ndim == 1 else b
    return a2, b2, broadcast_shapes(a2.shape[:-2], b2.shape[:-2])


def _summed_dots(x: Tensor, y: Tensor, owners: list[int], target: Tensor) -> Tensor:
    """target's gradient: element o is one dot product of every (row of x, column of y) pair whose product
    element belongs to o. Why one: the bound then covers any order, FMA, and a batch folded into the
    matrix dims or summed afterwards (Higham's lemma 3.3)."""
    terms: list[tuple[list, list, list[float], list[float]]] = [([], [], [], []) for _ in range(target.numel())]
    pairs = _rows_and_columns(x.values(), y.values(), x.shape, y.shape)
    err_pairs = _rows_and_columns(x.errs(), y.errs(), x.shape, y.shape)
    for owner, (row, col), (row_errs, col_errs) in zip(owners, pairs, err_pairs, strict=True):
        xs, ys, exs, eys = terms[owner]
        xs += row
        ys += col
        exs += row_errs
        eys += col_errs
    values = [Fraction(exact_dot(xs, ys)) for xs, ys, _, _ in terms]
    if not (x.exact and target.exact):
        return Tensor.from_flat([to_dtype(v, x.dtype) for v in values], target.shape, x.dtype, x.device)
    errs = [dot_bound(xs, ys, exs, eys, x.dtype) for xs, ys, exs, eys in terms]
    return Tensor.from_flat(values, target.shape, x.dtype, x.device, True, errs, "bounded")


def _owners(x2: Tensor, batch: tuple[int, ...]) -> list[int]:
    """For each element of x2 broadcast to batch + its matrix shape (row-major): the element of x2 it reads."""
    index = Tensor.from_flat(list(range(x2.numel())), x2.shape, int64)
    return broadcast_to(index, batch + x2.shape[-2:]).values()


def _mT_order(flat: list, shape: tuple[int, ...]) -> list:
    """Row-major values of stacked matrices of ``shape``, listed in the row-major order of their transposes."""
    return _mT(Tensor.from_flat(flat, shape, int64)).values()


def _mT(t: Tensor) -> Tensor:
    """The stacked matrices of t transposed (a view)."""
    shape, strides = list(t.shape), list(t.stride())
    shape[-2:], strides[-2:] = shape[:-3:-1], strides[:-3:-1]
    return t._view_of(shape, strides, t.storage_offset())


def _as_shape(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """t's elements (row-major) seen as ``shape``: g of a 1-D case gets its removed dims back."""
    return Tensor.from_flat(t.values(), shape, t.dtype, t.device, t.exact, t.errs_or_none(), t.accuracy)
