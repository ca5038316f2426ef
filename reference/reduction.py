"""Reductions: ``sum`` and ``mean`` over all elements or over ``dim`` with ``keepdim``.

Bounds (docs/design.md), valid for any summation order or tree:
  sum of n terms:  sum(e_i) + gamma_(n-1) * sum(|x_i| + e_i)
  mean:            sum_bound / n + gamma_2 * (|S| + sum_bound) / n
The mean's two roundings cover both a division by n and a multiplication by a
rounded 1/n (some GPU kernels do the latter).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import exact as ex_
from .autograd import expand_to, product, record
from .bounds import exact_sum, sum_bound
from .dtypes import int64
from .exact import add_up, mag, mul_up, to_dtype
from .tensor import Tensor, numel_of


def _reduced_dims(t: Tensor, dim) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(t.ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    normalized = tuple(t._normalize_dim(d) for d in dims)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"dim {dims} appears multiple times in the list of dims")
    return normalized if t.ndim else ()


def _groups(t: Tensor, dims: Sequence[int]):
    """Output shapes and the (values, errs) of the elements each output element reduces."""
    kept = [d for d in range(t.ndim) if d not in dims]
    order = kept + sorted(dims)
    permuted = t._view_of([t.shape[d] for d in order], [t.stride()[d] for d in order], t.storage_offset())
    values, errs = permuted.values(), permuted.errs()
    n = numel_of([t.shape[d] for d in dims])
    out_count = numel_of([t.shape[d] for d in kept])
    groups = [(values[i * n:(i + 1) * n], errs[i * n:(i + 1) * n]) for i in range(out_count)]
    return groups, n


def _out_shape(t: Tensor, dims, keepdim: bool) -> tuple[int, ...]:
    if keepdim:
        return tuple(1 if d in dims else s for d, s in enumerate(t.shape))
    return tuple(s for d, s in enumerate(t.shape) if d not in dims)


def sum(t: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 - torch's name
    dims = _reduced_dims(t, dim)
    groups, n = _groups(t, dims)
    shape = _out_shape(t, dims, keepdim)
    if not t.dtype.is_floating:  # bool and integer sums are int64 (torch's rule)
        values = [to_dtype(exact_sum([int(x) for x in xs]), int64) for xs, _ in groups]
        return Tensor.from_flat(values, shape, int64, t.device, t.exact)
    values = [exact_sum(xs) for xs, _ in groups]
    if not t.exact:
        out = Tensor.from_flat([to_dtype(v, t.dtype) for v in values], shape, t.dtype, t.device)
    else:
        errs = [sum_bound(xs, es, t.dtype) for xs, es in groups]
        accuracy = "correctly-rounded" if n <= 1 and t._storage.err is None else "bounded"
        out = Tensor.from_flat(values, shape, t.dtype, t.device, True, errs, accuracy)
    # backward: the gradient repeated along the reduced dims (exact)
    keep = _out_shape(t, dims, True)
    return record(out, "SumBackward0" if dim is None else "SumBackward1", (t,),
                  (lambda g: expand_to(g, keep, t.shape),))


def mean(t: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    if not t.dtype.is_floating:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {t.dtype.name}")
    dims = _reduced_dims(t, dim)
    groups, n = _groups(t, dims)
    shape = _out_shape(t, dims, keepdim)
    if n == 0:  # 0/0: torch returns nan; outside the finite domain the suites generate
        return Tensor.from_flat([float("nan")] * len(groups), shape, t.dtype, t.device, t.exact,
                                [ex_.INF] * len(groups) if t.exact else None, "bounded")
    values = [exact_sum(xs) / n for xs, _ in groups]
    if not t.exact:
        out = Tensor.from_flat([to_dtype(v, t.dtype) for v in values], shape, t.dtype, t.device)
    else:
        g2 = ex_.gamma(2, t.dtype)
        errs = []
        for (xs, es), m in zip(groups, values, strict=True):
            s_err = sum_bound(xs, es, t.dtype)
            errs.append(add_up(ex_.up(s_err / n), ex_.up(mul_up(g2, add_up(mag(m * n), s_err)) / n)))
        out = Tensor.from_flat(values, shape, t.dtype, t.device, True, errs, "bounded")
    # backward: the gradient repeated along the reduced dims, over n (g/n or g*fl(1/n): product's bound)
    keep = _out_shape(t, dims, True)
    return record(out, "MeanBackward0" if dim is None else "MeanBackward1", (t,),
                  (lambda g: product(expand_to(g, keep, t.shape), over=(n,)),))
