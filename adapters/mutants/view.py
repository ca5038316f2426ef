"""Mutants of the view rules: each looks like a real bug in a view implementation."""

from __future__ import annotations

from tensorcts.adapters.torch import TorchAdapter


class ViewTruncatesCount(TorchAdapter):
    """view accepts a shape with fewer elements and shows a prefix (no element-count check)."""

    breaks = "view.shape-compat"

    def view(self, t, shape):
        n = 1
        for s in shape:
            n *= s
        if -1 not in shape and 0 <= n < t.numel() and t.is_contiguous():
            return t.reshape(-1)[:n].view(tuple(shape))
        return t.view(tuple(shape))


class ViewContiguousOnly(TorchAdapter):
    """view refuses every non-contiguous input ("contiguous or error"), not ATen's chunk rule."""

    breaks = "view.stride-compat"

    def view(self, t, shape):
        if not t.is_contiguous():
            raise RuntimeError("view: input is not contiguous")
        return t.view(tuple(shape))


class ViewCopies(TorchAdapter):
    """view returns a new tensor with the right values: no storage shared."""

    breaks = "view.aliasing"

    def view(self, t, shape):
        return t.view(tuple(shape)).clone()


class UnsqueezeStrideOne(TorchAdapter):
    """Indexing with None gives the new size-1 dimension stride 1 instead of ATen's size*stride."""

    breaks = "view.strides"

    def getitem(self, t, index):
        out = t[index]
        items = index if isinstance(index, tuple) else (index,)
        if any(i is None for i in items):
            strides = [1 if s == 1 else st for s, st in zip(out.shape, out.stride(), strict=True)]
            return out.as_strided(out.shape, strides, out.storage_offset())
        return out


class TransposeCopies(TorchAdapter):
    """transpose, permute and t return contiguous copies (right values, no aliasing, row-major strides)."""

    breaks = "view.transpose"

    def transpose(self, t, dim0, dim1):
        return t.transpose(dim0, dim1).contiguous()

    def permute(self, t, dims):
        return t.permute(tuple(dims)).contiguous()

    def t(self, t):
        return t.t().contiguous()


class ContiguousAlwaysCopies(TorchAdapter):
    """contiguous() clones even a contiguous tensor."""

    breaks = "view.contiguous"

    def contiguous(self, t):
        return t.clone(memory_format=self.lib.contiguous_format)


class ReshapeViaContiguous(TorchAdapter):
    """reshape as contiguous().view(): copies every non-contiguous input, even a viewable one."""

    breaks = "view.reshape"

    def reshape(self, t, shape):
        return t.contiguous().view(tuple(shape))


class ViewColumnMajor(TorchAdapter):
    """view of a fresh tensor reads it in column-major (Fortran) order."""

    breaks = "view.chained"

    def view(self, t, shape):
        shape = tuple(shape)
        if len(shape) < 2 or not t.is_contiguous():
            return t.view(shape)
        flipped = t.reshape(-1).view(tuple(reversed(shape)))
        return flipped.permute(tuple(reversed(range(len(shape)))))


class TransposeRejectsLowRank(TorchAdapter):
    """t() and transpose refuse 0-d and 1-D tensors, as NumPy's swapaxes does (PyTorch accepts them)."""

    breaks = "view.torch-spellings"

    def t(self, t):
        if t.dim() < 2:
            raise RuntimeError("t() expects a tensor with 2 dimensions")
        return t.t()

    def transpose(self, t, dim0, dim1):
        if t.dim() < 2:
            raise RuntimeError("transpose expects a tensor with at least 2 dimensions")
        return t.transpose(dim0, dim1)
