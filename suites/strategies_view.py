"""Strategies for views and indexing: random chains of view-producing operations.

A chain starts from a fresh tensor with distinct values and applies view
operations (basic indexing with steps and offsets, ``None``, ``...``, transpose,
permute, expand, view), so later operations see non-contiguous strides,
offsets, stride-0 and size-0/size-1/0-d tensors, not only fresh row-major ones.

Chains are written as semantic operations that every tensor library offers in some
spelling (``core``): indices of a chain always hold ``...`` (array-api-strict needs it
where an index does not cover every dimension, and NumPy then returns a 0-d view, not a
scalar), ``transpose`` only swaps dimensions a tensor has (two or more), and ``expand``
names every size. PyTorch's own spellings (``t()``, ``transpose`` of a 0-d or 1-d tensor,
``expand(-1)``) are drawn only for the ``torch``-level rule ``view.torch-spellings``.
Each operation is data (``ViewOp``): the suite applies it to the reference and
through the adapter, and prints it in the repro.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.strategies import MAX_NUMEL, dtypes, exact_tensor, reused, shapes, values_of

# Strategies are built once and reused (lru_cache): building one per example (with a .filter or
# .map lambda) costs more than drawing from it, and these suites must stay fast.


def pick(draw, options):
    """One of ``options`` (a sequence), by a cached integer draw that shrinks to the first."""
    return options[draw(st.integers(0, len(options) - 1))]


def choose(data, options, label: str | None = None):
    """``pick`` for a test's ``st.data()``."""
    return options[data.draw(st.integers(0, len(options) - 1), label=label)]


def cached_shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 0, max_side: int = 5,
                  max_numel: int = MAX_NUMEL, nestable: bool = False) -> st.SearchStrategy:
    """``shapes(...)`` (itself built once per bounds and shape pool); ``nestable`` keeps size 0 to the last
    dimension (nested lists can express no other empty shape)."""
    strategy = shapes(min_dims, max_dims, min_side, max_side, max_numel)
    return _nestable(strategy) if nestable else strategy


@cache  # keyed by the shapes strategy, so a new shape pool (strategies.use_shape_pool) gets its own
def _nestable(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return strategy.filter(lambda s: 0 not in s[:-1])


@cache
def cached_dtypes(backend, device: str, kinds: str = "bif") -> st.SearchStrategy:
    return dtypes(backend, device, kinds)


@cache
def cached_values(dtype: str) -> st.SearchStrategy:
    return values_of(dtype)


@cache
def permutations_of(n: int) -> st.SearchStrategy:
    return st.permutations(tuple(range(n)))


def format_index(index: tuple) -> str:
    """Python source for an index tuple: ``1:4:2, None, ...``."""
    def one(item) -> str:
        if isinstance(item, slice):
            parts = ["" if v is None else str(v) for v in (item.start, item.stop)]
            return ":".join(parts) + ("" if item.step is None else f":{item.step}")
        if item is Ellipsis:
            return "..."
        return repr(item)
    return ", ".join(one(i) for i in index) if index else "()"


@dataclass(frozen=True)
class ViewOp:
    """One view operation: ``name`` is getitem, view, reshape, transpose, t, permute or expand."""

    name: str
    arg: Any = None

    def on_reference(self, t: Tensor) -> Tensor:
        if self.name == "getitem":
            return t[self.arg]
        if self.name == "t":
            return t.t()
        if self.name == "transpose":
            return t.transpose(*self.arg)
        return getattr(t, self.name)(*self.arg)

    def on_backend(self, backend, t):
        if self.name == "getitem":
            return backend.getitem(t, self.arg)
        if self.name == "t":
            return backend.t(t)
        if self.name == "transpose":
            return backend.transpose(t, *self.arg)
        return getattr(backend, self.name)(t, self.arg)

    def text(self) -> str:
        if self.name == "getitem":
            return f"[{format_index(self.arg)}]"
        if self.name == "t":
            return ".t()"
        if self.name == "transpose":
            return f".transpose({self.arg[0]}, {self.arg[1]})"
        return f".{self.name}({tuple(self.arg)!r})"  # one shape argument: the form every adapter method takes


def chain_text(name: str, ops) -> str:
    return name + "".join(op.text() for op in ops)


def distinct_tensor(shape, dtype: str, first: int = 1) -> Tensor:
    """A fresh tensor whose elements are first, first+1, ...: every element tells where it came from."""
    n = numel_of(shape)
    if dtype == "bool":
        return exact_tensor([i % 2 == 1 for i in range(n)], shape, dtype)
    values = [first + i for i in range(n)]
    return exact_tensor([float(v) for v in values] if dtype.startswith("float") else values, shape, dtype)


# ---- one operation, drawn for the current shape ------------------------------------------


@cache
def basic_index(shape: tuple[int, ...], allow_int: bool = True, with_ellipsis: bool = False,
                in_bounds: bool = False, allow_none: bool = True) -> st.SearchStrategy:
    """ints (negative too), slices with positive steps and any bounds, None and one ``...``
    (always, with ``with_ellipsis``: the spelling a chain uses to ask for a view in every library;
    with ``in_bounds`` slice bounds stay in [-size, size], the only ones the array API specifies;
    without ``allow_none`` no None, which array-api-strict refuses in an assignment)."""
    return _basic_index(tuple(shape), allow_int, with_ellipsis, in_bounds, allow_none)


@reused
@st.composite
def _basic_index(draw, shape: tuple[int, ...], allow_int: bool, with_ellipsis: bool = False,
                 in_bounds: bool = False, allow_none: bool = True) -> tuple:
    items: list = []
    dims = draw(st.integers(0, len(shape)))
    for size in shape[:dims]:
        kinds = ("slice", "slice", "int", "none") if allow_int and size else ("slice", "slice", "none")
        kind = pick(draw, kinds if allow_none else tuple(k for k in kinds if k != "none"))
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
        elif kind == "none":
            items += [None, slice(None)]
        else:
            spread = 0 if in_bounds else 2
            bounds = [draw(st.integers(-size - spread, size + spread)) if draw(st.booleans()) else None
                      for _ in "ab"]
            if in_bounds and bounds[0] is not None and size:
                bounds[0] = min(bounds[0], size - 1)  # array-api-strict: a start must name an element
            items.append(slice(*bounds, pick(draw, (None, 1, 2, 3))))
    if with_ellipsis or draw(st.booleans()):  # "..." stands for the dims not covered; it goes after them unless none is left
        at = draw(st.integers(0, len(items))) if dims == len(shape) else len(items)
        items.insert(at, Ellipsis)
    if allow_none and draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@cache
def restructured(shape: tuple[int, ...]) -> st.SearchStrategy:
    """A shape with the same element count (see ``_restructured``)."""
    return _restructured(tuple(shape))


@st.composite
def _restructured(draw, shape: tuple[int, ...]) -> tuple[int, ...]:
    """A shape with the same element count: adjacent dims merged or split, 1s added or removed,
    sometimes a random factorization, sometimes with one -1."""
    n = numel_of(shape)
    dims = [s for s in shape]
    if draw(st.integers(0, 3)) == 0 or not dims:
        out = _factorization(draw, n)
    else:
        out = []
        i = 0
        while i < len(dims):
            move = pick(draw, ("keep", "keep", "merge", "split", "one"))
            if move == "merge" and i + 1 < len(dims):
                out.append(dims[i] * dims[i + 1])
                i += 2
                continue
            if move == "split" and dims[i] > 1:
                divisors = [d for d in range(1, dims[i] + 1) if dims[i] % d == 0]
                d = pick(draw, divisors)
                out += [d, dims[i] // d]
            elif move == "one":
                out += [1, dims[i]]
            elif not (dims[i] == 1 and draw(st.booleans())):  # sometimes drop a size-1 dim
                out.append(dims[i])
            i += 1
        if numel_of(out) != n:  # dropped 1s only change nothing; a 0-size needs care
            out = list(shape)
    if out and n and draw(st.integers(0, 3)) == 0:
        out[draw(st.integers(0, len(out) - 1))] = -1
    return tuple(out)


def _factorization(draw, n: int) -> list[int]:
    if n == 0:
        k = draw(st.integers(1, 3))
        out = [draw(st.integers(0, 3)) for _ in range(k)]
        out[draw(st.integers(0, k - 1))] = 0
        return out
    out, m = [], n
    while m > 1:
        divisors = [d for d in range(2, m + 1) if m % d == 0]
        d = pick(draw, divisors)
        out.append(d)
        m //= d
    for _ in range(draw(st.integers(0, 2))):
        out.insert(draw(st.integers(0, len(out))), 1)
    return [out[k] for k in draw(permutations_of(len(out)))] if out else out


@cache
def expand_shape(shape: tuple[int, ...], keep_as_minus_one: bool = False) -> st.SearchStrategy:
    """A shape ``shape`` expands to; every size is explicit unless ``keep_as_minus_one`` (PyTorch's
    ``-1`` for "keep this size", a ``torch``-level spelling)."""
    return _expand_shape(tuple(shape), keep_as_minus_one)


@reused
@st.composite
def _expand_shape(draw, shape: tuple[int, ...], keep_as_minus_one: bool = False) -> tuple[int, ...]:
    keep = (-1,) if keep_as_minus_one else ()
    out = [pick(draw, (s, *keep, 0, 2, 3)) if s == 1 else pick(draw, (s, *keep)) for s in shape]
    lead = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2)))]
    result = tuple(lead + out)
    concrete = [s for s in lead] + [shape[i] if v == -1 else v for i, v in enumerate(out)]
    return result if numel_of(concrete) <= MAX_NUMEL else tuple(shape)


#: the semantic view operations of a chain (core)
ALL_KINDS = ("getitem", "transpose", "permute", "expand", "view")
#: PyTorch's spellings on top: t(), transpose of 0-d/1-d tensors, expand(-1) (torch level)
TORCH_KINDS = (*ALL_KINDS, "t")


@cache
def view_ops(shape: tuple[int, ...], kinds: tuple[str, ...] = ALL_KINDS) -> st.SearchStrategy:
    """One view operation valid for a tensor of ``shape`` (a view may still be refused by strides).

    With ``kinds`` holding ``t`` (the torch spellings), transposes of 0-d and 1-d tensors and
    ``expand(-1)`` are drawn too; otherwise every operation is valid in the array API's terms."""
    torch = "t" in kinds
    usable = tuple(k for k in kinds if not (k == "t" and len(shape) > 2)
                   and not (k == "transpose" and len(shape) < 2 and not torch))
    return _view_ops(tuple(shape), usable, torch)


@reused
@st.composite
def _view_ops(draw, shape: tuple[int, ...], kinds: tuple[str, ...], torch: bool = False) -> ViewOp:
    n = len(shape)
    kind = pick(draw, kinds)
    dim = st.integers(-n, n - 1) if n else st.integers(-1, 0)
    if kind == "getitem":
        return ViewOp("getitem", draw(basic_index(shape, with_ellipsis=not torch, in_bounds=not torch)))
    if kind == "transpose":
        return ViewOp("transpose", (draw(dim), draw(dim)))
    if kind == "t":
        return ViewOp("t")
    if kind == "permute":
        return ViewOp("permute", tuple(draw(permutations_of(n))))
    if kind == "expand":
        return ViewOp("expand", draw(expand_shape(shape, keep_as_minus_one=torch)))
    return ViewOp("view", draw(restructured(shape)))


@cache
def view_chains(dtype: str, max_ops: int = 4, kinds: tuple[str, ...] = ALL_KINDS, min_ops: int = 0,
                min_ndim: int = 0) -> st.SearchStrategy:
    """(base, ops, result): a fresh base with distinct values and view operations that all succeed
    on the reference (the result is the reference's view, with at least ``min_ndim`` dimensions)."""
    return _view_chains(dtype, max_ops, kinds, min_ops, min_ndim)


@reused
@st.composite
def _view_chains(draw, dtype, max_ops, kinds, min_ops, min_ndim):
    base = distinct_tensor(draw(cached_shapes(max_dims=4, max_side=5, max_numel=120)), dtype)
    ops, t = draw(chains_from(base, max_ops, kinds, min_ops))
    assume(t.ndim >= min_ndim)
    return base, ops, t


@st.composite
def chains_from(draw, start: Tensor, max_ops: int = 4, kinds: tuple[str, ...] = ALL_KINDS, min_ops: int = 0):
    """(ops, result): view operations applied to ``start`` that all succeed on the reference."""
    ops, t = [], start
    for _ in range(draw(st.integers(min_ops, max_ops))):
        op = draw(view_ops(t.shape, kinds))
        try:
            nxt = op.on_reference(t)
        except (RuntimeError, IndexError, ValueError):
            continue  # not valid here (an incompatible view): the chain goes on without it
        ops.append(op)
        t = nxt
    return ops, t


def value_for(dtype: str, k: int = 0):
    """A value no distinct_tensor holds (negative), as a Python scalar of the dtype's kind."""
    if dtype == "bool":
        return k % 2 == 0
    v = -7 - k
    return float(v) if dtype.startswith("float") else v


def exact_scalar(v):
    return Fraction(v) if isinstance(v, float) else v
