"""Mutants of the indexing rules: each looks like a real bug in an indexing implementation."""

from __future__ import annotations

from tensorcts.adapters.reference import ReferenceAdapter
from tensorcts.adapters.torch import TorchAdapter


def _items(index) -> tuple:
    return index if isinstance(index, tuple) else (index,)


class NegativeIndexOffByOne(TorchAdapter):
    """A negative integer index wraps to size + i - 1 (an off-by-one in the wrap-around)."""

    breaks = "indexing.basic-values"

    def getitem(self, t, index):
        items, out, dim = _items(index), [], 0
        for item in items:
            if isinstance(item, int) and not isinstance(item, bool) and item < 0 and dim < t.ndim:
                item = max(item - 1, -t.shape[dim])
            out.append(item)
            dim += item is not None and item is not Ellipsis
        return t[tuple(out)]


class PlainNegativeIndexOffByOne(TorchAdapter):
    """``t[-i]`` written as a plain int wraps to size - i - 1; the same index inside a tuple is right
    (a fast path for the one-int spelling that misses the tuple path's wrap-around)."""

    breaks = "indexing.basic-values"

    def getitem(self, t, index):
        if isinstance(index, int) and not isinstance(index, bool) and index < 0 and t.ndim:
            index = max(index - 1, -t.shape[0])
        return t[index]


class BasicIndexCopies(TorchAdapter):
    """Basic indexing returns a copy of the selected elements instead of a view."""

    breaks = "indexing.basic-view"

    def getitem(self, t, index):
        return t[index].clone()


class ListIndexAsSlice(TorchAdapter):
    """An int list forming an increasing run (like [2] or [1, 2, 3]) becomes a slice: a view, not a copy."""

    breaks = "indexing.advanced-copy"

    def getitem(self, t, index):
        items = list(_items(index))
        for k, item in enumerate(items):
            if isinstance(item, list) and item and all(isinstance(v, int) and v >= 0 for v in item) \
                    and item == list(range(item[0], item[0] + len(item))):
                items[k] = slice(item[0], item[0] + len(item))
        return t[tuple(items)]


class IndexClamps(TorchAdapter):
    """An out-of-range integer index is clamped to the last (or first) position instead of raising."""

    breaks = "indexing.out-of-bounds"

    def getitem(self, t, index):
        items, out, dim = _items(index), [], 0
        for item in items:
            if dim < t.ndim and t.shape[dim] > 0:
                size = t.shape[dim]
                if isinstance(item, int) and not isinstance(item, bool):
                    item = min(max(item, -size), size - 1)
                elif isinstance(item, list):
                    item = [min(max(v, -size), size - 1) for v in item]
            out.append(item)
            dim += item is not None and item is not Ellipsis
        return t[tuple(out)]


class EmptyIndexUnchecked(ReferenceAdapter):
    """Advanced indices are not bounds-checked when the tensor has no elements (PyTorch 2.13's behaviour).

    A reference-based mutant: the torch adapter declares this very divergence."""

    breaks = "indexing.out-of-bounds-empty"

    def getitem(self, t, index):
        if t.numel() == 0:
            items = _items(index)
            shape = list(t.shape)
            advanced = [k for k, i in enumerate(items) if isinstance(i, (list, type(t)))]
            for k in advanced:
                shape[k] = len(items[k]) if isinstance(items[k], list) else items[k].numel()
            return self.lib.zeros(*shape, dtype=t.dtype, device=t.device)
        return t[index]


class NegativeStepReverses(TorchAdapter):
    """A negative slice step reverses (NumPy's reading) instead of raising."""

    breaks = "indexing.negative-step"

    def getitem(self, t, index):
        items = list(_items(index))
        for k, item in enumerate(items):
            if isinstance(item, slice) and item.step is not None and item.step < 0:
                start, stop, step = item.indices(t.shape[k])
                picks = list(range(start, stop, step))
                items[k] = self.lib.tensor(picks, dtype=self.lib.int64, device=t.device)
        return t[tuple(items)]


class SliceToReadsColumn(TorchAdapter):
    """x[:1] read as "the second column" x[:, 1] (the tutorial's mistake)."""

    breaks = "indexing.tutorial"

    def getitem(self, t, index):
        if index == slice(None, 1) and t.ndim == 2:
            return t[:, 1]
        return t[index]
