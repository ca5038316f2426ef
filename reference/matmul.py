"""``matmul`` and its five dimension cases, one visible branch each (spec/matmul.md).

Every case reduces to dot products of length k. Bound of one dot product
(docs/design.md; Higham, section 3.1, any order, fused multiply-add allowed):
  sum_t (|a_t| eb_t + |b_t| ea_t + ea_t eb_t) + gamma_k * sum_t (|a_t| + ea_t)(|b_t| + eb_t)
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction

from . import exact as ex_
from .autograd import record
from .broadcasting import broadcast_shapes, broadcast_to
from .devices import result_device
from .exact import add_up, mag, mul_up, to_dtype
from .tensor import Tensor, numel_of


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """The product; its gradients are dot products too (``_matmul_grad``), named as PyTorch's nodes."""
    out = _matmul(a, b)
    name = {(1, 1): "DotBackward0", (2, 2): "MmBackward0", (1, 2): "SqueezeBackward4",
            (2, 1): "MvBackward0"}.get((a.ndim, b.ndim), "BmmBackward0")
    return record(out, name, (a, b), (lambda g: _matmul_grad(a, b, g, 0), lambda g: _matmul_grad(a, b, g, 1)),
                  saves=((b,), (a,)))


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
        return _batched_product(_as_matrix(a, rows=1), _as_matrix(b, cols=1), ())
    if a.ndim == 2 and b.ndim == 2:
        # 2. Both 2-D: the matrix-matrix product (n, k) @ (k, m) -> (n, m).
        _check_inner(a.shape[1], b.shape[0], a, b)
        return _batched_product(a, b, (a.shape[0], b.shape[1]))
    if a.ndim == 1 and b.ndim == 2:
        # 3. 1-D @ 2-D: a 1 is prepended to a's shape, then removed: (k,) @ (k, m) -> (m,).
        _check_inner(a.shape[0], b.shape[0], a, b)
        return _batched_product(_as_matrix(a, rows=1), b, (b.shape[1],))
    if a.ndim == 2 and b.ndim == 1:
        # 4. 2-D @ 1-D: the matrix-vector product (n, k) @ (k,) -> (n,).
        _check_inner(a.shape[1], b.shape[0], a, b)
        return _batched_product(a, _as_matrix(b, cols=1), (a.shape[0],))
    # 5. At least one operand N-D (N > 2): batched. A 1-D a gets a 1 prepended and a
    #    1-D b a 1 appended (both removed afterwards); batch dims broadcast, matrix dims do not.
    a2 = _as_matrix(a, rows=1) if a.ndim == 1 else a
    b2 = _as_matrix(b, cols=1) if b.ndim == 1 else b
    _check_inner(a2.shape[-1], b2.shape[-2], a, b)
    batch = broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    n, m = a2.shape[-2], b2.shape[-1]
    out_shape = batch + ((n,) if a.ndim > 1 else ()) + ((m,) if b.ndim > 1 else ())
    return _batched_product(broadcast_to(a2, batch + a2.shape[-2:]),
                            broadcast_to(b2, batch + b2.shape[-2:]), out_shape)


def _check_inner(ka: int, kb: int, a: Tensor, b: Tensor) -> None:
    if ka != kb:
        raise RuntimeError(f"matmul: inner sizes differ: shapes {a.shape} and {b.shape} ({ka} != {kb})")


def _as_matrix(v: Tensor, rows: int | None = None, cols: int | None = None) -> Tensor:
    """A 1-D tensor viewed as (1, k) (``rows=1``) or (k, 1) (``cols=1``)."""
    (k,), (s,) = v.shape, v.stride()
    if rows == 1:
        return v._view_of((1, k), (k * s or 1, s), v.storage_offset())
    return v._view_of((k, 1), (s, 1), v.storage_offset())


def _scaled(values: list) -> tuple[list[int], int]:
    """Exact values as integers over one common denominator (fast exact dot products)."""
    if not values or not isinstance(values[0], Fraction):
        return [int(v) for v in values], 1
    scale = math.lcm(*(v.denominator for v in values))
    return [v.numerator * (scale // v.denominator) for v in values], scale


def _batched_product(a: Tensor, b: Tensor, out_shape: tuple[int, ...]) -> Tensor:
    """Products of the stacked matrices a (..., n, k) and b (..., k, m), laid out as out_shape."""
    n, k = a.shape[-2:]
    m = b.shape[-1]
    batches = numel_of(a.shape[:-2])
    ae = a.errs() if a._storage.err is not None else None
    be = b.errs() if b._storage.err is not None else None
    dtype, exact = a.dtype, a.exact and b.exact
    if ae or be:  # inputs that carry bounds: the general, slower bound
        return _batched_product_with_errs(a, b, out_shape, ae, be)
    (ai, sa), (bi, sb) = _scaled(a.values()), _scaled(b.values())
    aa, ba = [abs(x) for x in ai], [abs(y) for y in bi]
    scale, floating = sa * sb, dtype.is_floating
    g = ex_.gamma(k, dtype) if floating else 0.0
    values, errs = [], []
    for p in range(batches):
        ao, bo = p * n * k, p * k * m
        for i in range(n):
            row, row_abs = ai[ao + i * k: ao + (i + 1) * k], aa[ao + i * k: ao + (i + 1) * k]
            for j in range(m):
                total = sum(map(operator.mul, row, bi[bo + j: bo + k * m: m]))
                if not floating:
                    values.append(total)
                    continue
                values.append(Fraction(total, scale))
                if exact:  # gamma_k * sum |a_t b_t|, the sum exact then rounded up
                    magnitude = sum(map(operator.mul, row_abs, ba[bo + j: bo + k * m: m]))
                    errs.append(mul_up(g, mag(Fraction(magnitude, scale))) if magnitude else 0.0)
    device = result_device((a, b))
    if not floating or not exact:
        return Tensor.from_flat([to_dtype(v, dtype) for v in values], out_shape, dtype, device, exact)
    accuracy = "correctly-rounded" if k <= 1 else "bounded"
    return Tensor.from_flat(values, out_shape, dtype, device, True, errs, accuracy)


def _batched_product_with_errs(a: Tensor, b: Tensor, out_shape, ae, be) -> Tensor:
    """As _batched_product, for operands that already carry error bounds."""
    n, k = a.shape[-2:]
    m = b.shape[-1]
    batches = numel_of(a.shape[:-2])
    av, bv = a.values(), b.values()
    dtype = a.dtype
    values, errs = [], []
    for p in range(batches):
        ao, bo = p * n * k, p * k * m
        rows = [av[ao + i * k: ao + (i + 1) * k] for i in range(n)]
        cols = [bv[bo + j: bo + k * m: m] for j in range(m)]
        row_errs = [ae[ao + i * k: ao + (i + 1) * k] for i in range(n)] if ae else None
        col_errs = [be[bo + j: bo + k * m: m] for j in range(m)] if be else None
        for i in range(n):
            for j in range(m):
                values.append(_exact_dot(rows[i], cols[j]))
                errs.append(_dot_bound(rows[i], cols[j], row_errs[i] if ae else None,
                                       col_errs[j] if be else None, dtype))
    return Tensor.from_flat(values, out_shape, dtype, result_device((a, b)), True, errs, "bounded")


def _exact_dot(xs: list, ys: list):
    total = 0
    for x, y in zip(xs, ys, strict=True):
        total += x * y
    return total if not isinstance(total, int) or not xs or not isinstance(xs[0], Fraction) else Fraction(total)


def _dot_bound(xs, ys, exs, eys, dtype) -> float:
    k = len(xs)
    if k == 0:
        return 0.0
    if exs is None and eys is None:
        magnitude = add_up(*(mul_up(mag(x), mag(y)) for x, y in zip(xs, ys, strict=True)))
        return mul_up(ex_.gamma(k, dtype), magnitude)
    exs = exs or [0.0] * k
    eys = eys or [0.0] * k
    carried = add_up(*(add_up(mul_up(mag(x), ey), mul_up(mag(y), ex), mul_up(ex, ey))
                       for x, y, ex, ey in zip(xs, ys, exs, eys, strict=True)))
    magnitude = add_up(*(mul_up(add_up(mag(x), ex), add_up(mag(y), ey))
                         for x, y, ex, ey in zip(xs, ys, exs, eys, strict=True)))
    return add_up(carried, mul_up(ex_.gamma(k, dtype), magnitude))


def _matmul_grad(a: Tensor, b: Tensor, g: Tensor, wrt: int) -> Tensor:
    """d(a @ b) with output gradient g, for a (wrt=0: g @ b^T) or b (wrt=1: a^T @ g).

    With A = a as (..., n, k) and B = b as (..., k, m) (a 1-D operand made a matrix),
    gA[i, t] = sum over the batches that broadcast onto A's batch, and over j, of
    g[i, j] * B[t, j]; likewise gB[t, j] = sum of A[i, t] * g[i, j]. Each element is
    one dot product of its full length: the bound covers any order, FMA, and a batch
    folded into the matrix dims or summed afterwards (Higham's lemma 3.3).
    """
    a2 = _as_matrix(a, rows=1) if a.ndim == 1 else a
    b2 = _as_matrix(b, cols=1) if b.ndim == 1 else b
    (n, k), m = a2.shape[-2:], b2.shape[-1]
    batch = broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    maps = [broadcast_to(Tensor.from_flat(list(range(numel_of(x.shape[:-2]))), x.shape[:-2], a.dtype),
                         batch).values() for x in (a2, b2)]
    av, bv, gv = a.values(), b.values(), g.values()
    ae, be, ge = a.errs(), b.errs(), g.errs()
    target = a if wrt == 0 else b
    terms: dict[int, tuple[list, list, list, list]] = {i: ([], [], [], []) for i in range(target.numel())}
    for p in range(numel_of(batch)):
        pa, pb = maps[0][p], maps[1][p]
        for i in range(n):
            for t in range(k):
                for j in range(m):
                    ia, ib, ig = (pa * n + i) * k + t, (pb * k + t) * m + j, (p * n + i) * m + j
                    key, other = (ia, ib) if wrt == 0 else (ib, ia)
                    xs, ys, exs, eys = terms[key]
                    xs.append(gv[ig])
                    exs.append(ge[ig])
                    ys.append((bv if wrt == 0 else av)[other])
                    eys.append((be if wrt == 0 else ae)[other])
    values = [Fraction(_exact_dot(xs, ys)) for xs, ys, _, _ in terms.values()]
    if not (g.exact and target.exact):
        return Tensor.from_flat([to_dtype(v, g.dtype) for v in values], target.shape, g.dtype, g.device)
    errs = [_dot_bound(xs, ys, exs, eys, g.dtype) for xs, ys, exs, eys in terms.values()]
    return Tensor.from_flat(values, target.shape, g.dtype, g.device, True, errs, "bounded")
