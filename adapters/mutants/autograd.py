"""Mutants of the autograd rules: each looks like a real bug in a backward formula or in the tape."""

from __future__ import annotations

import contextlib

from tensorcts.adapters.torch import TorchAdapter


def _custom_binary(torch, forward, grad_a, grad_b, name: str):
    """A torch.autograd.Function with a hand-written backward (works with backward() and torch.func.vjp)."""

    class Op(torch.autograd.Function):
        @staticmethod
        def forward(a, b):
            return forward(a, b)

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            ga = grad_a(g, a, b).sum_to_size(a.shape) if ctx.needs_input_grad[0] else None
            gb = grad_b(g, a, b).sum_to_size(b.shape) if ctx.needs_input_grad[1] else None
            return ga, gb

    Op.__name__ = name
    return Op


class MulBackwardOffByPermille(TorchAdapter):
    """MulBackward0 scales both gradients by 1 + 1e-3: a gradient wrong by a relative 1e-3."""

    breaks = "autograd.grad-values"

    def mul(self, a, b):
        if not (hasattr(a, "requires_grad") and hasattr(b, "requires_grad")):
            return self.lib.mul(a, b)
        op = _custom_binary(self.lib, self.lib.mul, lambda g, a, b: g * b * (1 + 1e-3),
                            lambda g, a, b: g * a * (1 + 1e-3), "SloppyMul")
        return op.apply(a, b)


class TanhBackwardDropsFactor(TorchAdapter):
    """TanhBackward0 computed as g*(1 - y) instead of g*(1 - y*y): a factor 1 + y dropped from
    1 - y^2 = (1 - y)(1 + y), right at 0 and wrong by |y|/(1 + |y|) relative elsewhere."""

    breaks = "autograd.elementary-grad"

    def tanh(self, a):
        torch = self.lib
        if not getattr(a, "requires_grad", False):
            return torch.tanh(a)

        class SloppyTanh(torch.autograd.Function):
            @staticmethod
            def forward(x):
                return torch.tanh(x)

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(output)

            @staticmethod
            def backward(ctx, g):
                y, = ctx.saved_tensors
                return g * (1 - y)

        return SloppyTanh.apply(a)


class AddBackwardMeansBroadcast(TorchAdapter):
    """The gradient of a broadcast operand of add is averaged over the broadcast dims instead of summed."""

    breaks = "autograd.broadcast-reduce"

    def add(self, a, b):
        if not (hasattr(a, "requires_grad") and hasattr(b, "requires_grad")):
            return self.lib.add(a, b)

        def mean_to(g, x):  # _custom_binary sums g to x's shape: dividing by the copies makes it a mean
            return g / max(g.numel() // x.numel(), 1) if x.numel() else g

        op = _custom_binary(self.lib, self.lib.add, lambda g, a, b: mean_to(g, a), lambda g, a, b: mean_to(g, b),
                            "MeanBroadcastAdd")
        return op.apply(a, b)


class SquareDropsOneFactor(TorchAdapter):
    """a ** 2 as a * a.detach(): the forward is right, the gradient is half (a fused square kernel bug)."""

    breaks = "autograd.tutorial-example"

    def pow(self, a, k):
        if k == 2:
            return a * a.detach()
        return self.lib.pow(a, k)


class ZerosRequireGrad(TorchAdapter):
    """zeros() returns a tensor that requires grad (a default flipped in a factory)."""

    breaks = "autograd.requires-grad-default"

    def zeros(self, shape, dtype=None, device=None):
        return super().zeros(shape, dtype, device).requires_grad_()


class RequiresGradReturnsAlias(TorchAdapter):
    """requires_grad_() returns a new tensor sharing storage, instead of self."""

    breaks = "autograd.requires-grad-set"

    def requires_grad_(self, t, flag=True):
        return t.detach().requires_grad_(flag)


class IntRequiresGradPromotes(TorchAdapter):
    """requires_grad_() on an integer tensor silently converts it to float instead of raising."""

    breaks = "autograd.requires-grad-float-only"

    def requires_grad_(self, t, flag=True):
        if flag and not t.is_floating_point():
            return t.double().requires_grad_()
        return t.requires_grad_(flag)

    def requiring_grad(self, factory, *args, dtype=None, device=None):
        if dtype in ("bool", "int32", "int64"):
            return super().requiring_grad(factory, *args, dtype="float32", device=device)
        return super().requiring_grad(factory, *args, dtype=dtype, device=device)


class ResultsDropGraph(TorchAdapter):
    """Every op runs with recording off: results never require grad (a kernel that forgets the tape)."""

    breaks = "autograd.propagation"

    def _untaped(self, name, *args):
        with self.lib.no_grad():
            return getattr(TorchAdapter, name)(self, *args)

    def add(self, a, b):
        return self._untaped("add", a, b)

    def sub(self, a, b):
        return self._untaped("sub", a, b)

    def mul(self, a, b):
        return self._untaped("mul", a, b)

    def div(self, a, b):
        return self._untaped("div", a, b)

    def neg(self, a):
        return self._untaped("neg", a)

    def pow(self, a, k):
        return self._untaped("pow", a, k)

    def sum(self, a, dim=None, keepdim=False):
        return self._untaped("sum", a, dim, keepdim)

    def mean(self, a, dim=None, keepdim=False):
        return self._untaped("mean", a, dim, keepdim)

    def matmul(self, a, b):
        return self._untaped("matmul", a, b)


class GradIsZerosBeforeBackward(TorchAdapter):
    """A leaf's .grad reads as zeros before any backward (eagerly allocated) instead of None."""

    breaks = "autograd.leaf-grad"

    def grad(self, t):
        if t.grad is None and t.is_leaf and t.requires_grad:
            return self.lib.zeros_like(t)
        return t.grad


class BackwardSumsNonScalar(TorchAdapter):
    """backward() on a non-scalar output silently uses a gradient of ones instead of raising."""

    breaks = "autograd.scalar-backward"

    def backward(self, t, gradient=None, retain_graph=None):
        if gradient is None and t.numel() != 1:
            gradient = self.lib.ones_like(t)
        t.backward(gradient=gradient, retain_graph=retain_graph)


def _leaves(grad_fn) -> list:
    """The leaf tensors a graph accumulates into (its AccumulateGrad nodes' variables)."""
    found, stack, seen = [], [grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, "variable"):
            found.append(node.variable)
        stack.extend(n for n, _ in node.next_functions)
    return found


class GradOverwritten(TorchAdapter):
    """backward assigns each leaf's .grad instead of adding to it (AccumulateGrad without the add)."""

    breaks = "autograd.accumulate"

    def backward(self, t, gradient=None, retain_graph=None):
        for leaf in _leaves(t.grad_fn):
            leaf.grad = None
        t.backward(gradient=gradient, retain_graph=retain_graph)


class AlwaysRetainGraph(TorchAdapter):
    """backward always keeps the graph: a second backward through freed saved tensors does not raise."""

    breaks = "autograd.retain-graph"

    def backward(self, t, gradient=None, retain_graph=None):
        t.backward(gradient=gradient, retain_graph=True)


class NoGradDoesNothing(TorchAdapter):
    """no_grad() is a no-op context: results inside it still record a graph."""

    breaks = "autograd.no-grad"

    def no_grad(self):
        return contextlib.nullcontext()


class DetachCopies(TorchAdapter):
    """detach() returns a copy instead of a tensor sharing storage."""

    breaks = "autograd.detach"

    def detach(self, t):
        return t.detach().clone()


class InplaceIgnoresLeafRequiresGrad(TorchAdapter):
    """In-place ops on a leaf that requires grad run as if under no_grad instead of raising."""

    breaks = "autograd.inplace-leaf"

    def _quiet(self, t, op, *args):
        if t.requires_grad and t.is_leaf:
            with self.lib.no_grad():
                return getattr(t, op)(*args)
        return getattr(t, op)(*args)

    def add_(self, t, other):
        return self._quiet(t, "add_", other)

    def sub_(self, t, other):
        return self._quiet(t, "sub_", other)

    def mul_(self, t, other):
        return self._quiet(t, "mul_", other)

    def div_(self, t, other):
        return self._quiet(t, "div_", other)

    def zero_(self, t):
        return self._quiet(t, "zero_")

    def fill_(self, t, value):
        return self._quiet(t, "fill_", value)

    def copy_(self, t, src):
        return self._quiet(t, "copy_", src)

    def iadd(self, t, other):
        return self._quiet(t, "__iadd__", other)


class InplaceSkipsVersionCounter(TorchAdapter):
    """add_ writes through .data, which does not bump the version counter: stale saved tensors go unnoticed."""

    breaks = "autograd.version-counter"

    def add_(self, t, other):
        t.data.add_(other)
        return t


class NumpyDetachesSilently(TorchAdapter):
    """numpy() on a tensor that requires grad detaches it instead of raising."""

    breaks = "interop.numpy-requires-grad"

    def to_numpy(self, t):
        return t.detach().numpy()
