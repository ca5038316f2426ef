"""Mutants of the in-place rules: each looks like a real bug in an in-place kernel or binding."""

from __future__ import annotations

from tensorcts.adapters.base import Unsupported
from tensorcts.adapters.torch import TorchAdapter


class AddReturnsNewObject(TorchAdapter):
    """add_ updates self but returns a fresh tensor object aliasing it (a binding that re-wraps its result)."""

    breaks = "inplace.returns-self"

    def add_(self, t, other):
        return t.add_(other).view_as(t)


class AddWritesOperand(TorchAdapter):
    """add_ accumulates into the other operand's buffer and copies it back: both change."""

    breaks = "inplace.mutates-self-only"

    def add_(self, t, other):
        if other.shape == t.shape and other.dtype == t.dtype:
            other.add_(t)
            return t.copy_(other)
        return t.add_(other)


class MixedAddCastsOperandFirst(TorchAdapter):
    """add_ converts the operand to self's dtype before adding: float32 arithmetic where float64 is due."""

    breaks = "inplace.values"

    def add_(self, t, other):
        return t.add_(other.to(t.dtype))


class AddResizesSelf(TorchAdapter):
    """add_ with an operand that broadcasts beyond self resizes self to the broadcast shape."""

    breaks = "inplace.no-shape-change"

    def add_(self, t, other):
        shape = self.lib.broadcast_shapes(t.shape, other.shape)
        if shape != t.shape:
            return t.set_(t + other)
        return t.add_(other)


class AddTruncatesFloatIntoInt(TorchAdapter):
    """add_ of a floating result into an integer tensor truncates it instead of raising."""

    breaks = "inplace.dtype"

    def add_(self, t, other):
        result = t + other
        if result.dtype != t.dtype and result.is_floating_point() and not t.is_floating_point():
            return t.copy_(result)
        return t.add_(other)


class FillRoundsToNearest(TorchAdapter):
    """fill_ of a float into an integer tensor rounds to nearest instead of truncating toward zero."""

    breaks = "inplace.cast-on-copy"

    def fill_(self, t, value):
        if isinstance(value, float) and not t.is_floating_point() and t.dtype != self.lib.bool:
            value = round(value)
        return t.fill_(value)


class AddOnExpandedSilently(TorchAdapter):
    """add_ on an expanded (self-overlapping) tensor returns an out-of-place sum instead of raising."""

    breaks = "inplace.overlap"

    def add_(self, t, other):
        if any(s == 0 and n > 1 for s, n in zip(t.stride(), t.shape, strict=True)):
            return t + other
        return t.add_(other)


class ViewWritesGoToCopy(TorchAdapter):
    """In-place ops on a view write into a temporary contiguous copy that is never written back."""

    breaks = "inplace.through-views"

    def _on_copy(self, t, op, *args):
        if t._base is not None:
            getattr(t.clone(), op)(*args)
            return t
        return getattr(t, op)(*args)

    def add_(self, t, other):
        return self._on_copy(t, "add_", other)

    def sub_(self, t, other):
        return self._on_copy(t, "sub_", other)

    def mul_(self, t, other):
        return self._on_copy(t, "mul_", other)

    def div_(self, t, other):
        return self._on_copy(t, "div_", other)

    def fill_(self, t, value):
        return self._on_copy(t, "fill_", value)


class AdvancedSetitemWritesCopy(TorchAdapter):
    """t[int_list] = v assigns into the gathered copy t[int_list] (a getitem-then-write bug): t unchanged."""

    breaks = "inplace.setitem"

    def setitem(self, t, index, value):
        if isinstance(index, list):
            target = t[index]
            if hasattr(value, "shape"):
                target.copy_(value)
            else:
                target.fill_(value)
            return
        t[index] = value


class CopyScribblesOnSource(TorchAdapter):
    """copy_ uses its source as scratch space and leaves it negated: the source's values change.
    Its repro must list the inputs as they were before the write, or it would not reproduce."""

    breaks = "inplace.mutates-self-only"

    def copy_(self, t, src):
        out = t.copy_(src)
        if src.dtype.is_floating_point:
            src.neg_()
        return out


class InplaceArithmeticUnsupported(TorchAdapter):
    """A binding without in-place arithmetic: every add_/sub_/mul_/div_ reports the operation unsupported.
    Only the cases that expect an error return early; the rule must not pass on those alone (a vacuous pass)."""

    breaks = "inplace.dtype"
    #: killed when the rule does not pass: unsupported or untested is the true verdict here
    killed_unless_pass = True

    def _missing(self, *args, **kwargs):
        raise Unsupported("this binding has no in-place arithmetic")

    add_ = sub_ = mul_ = div_ = _missing
