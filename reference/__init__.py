"""tensorcts reference: the executable spec, a small exact tensor library (stdlib only).

It reads like PyTorch so that the spec's examples run against it::

    >>> from tensorcts.reference import arange, matmul
    >>> matmul(arange(3.0), arange(6.0).view(3, 2)).tolist()

Pass ``exact=True`` at creation for the oracle face (exact values with error
bounds); the default face rounds every result to its dtype like an IEEE backend.

Modules form a DAG: ``tensor.py`` holds data and views of data; each operation is
a function in its area's module; ``METHODS`` below binds them as torch-style
``Tensor`` methods (register a new operation's method there).
"""

from collections.abc import Callable

from . import autograd, broadcasting, devices, func, indexing, inplace, interop, views
from .autograd import backward, detach, is_grad_enabled, no_grad, requires_grad_
from .creation import arange, empty, full, ones, tensor, zeros
from .dtypes import BY_NAME, HALF_BY_NAME, DType, bfloat16, bool_, float16, float32, float64, int32, int64
from .elementwise import add, div, mul, neg, pow, sub
from .matmul import matmul
from .promotion import result_type
from .random import Generator, default_generator, initial_seed, manual_seed, rand, randn
from .reduction import mean, sum
from .tensor import Tensor
from .unary import cos, exp, expm1, log, log1p, sigmoid, sin, sqrt, tanh

__version__ = "0.1.0"
bool = bool_  # noqa: A001 - torch's spelling, reference.bool


def _reflected(op: Callable) -> Callable:
    """``other <op> t`` as a method of t (``__radd__`` ...)."""
    def method(self: Tensor, other) -> Tensor:
        return op(other, self)
    method.__name__ = f"__r{op.__name__}__"
    return method


#: Tensor method name -> the function it calls with the tensor first: the one place methods are bound.
METHODS: dict[str, Callable] = {
    # elementwise (spec/elementwise.md)
    "add": add, "sub": sub, "mul": mul, "div": div, "neg": neg, "pow": pow,
    "__add__": add, "__sub__": sub, "__mul__": mul, "__truediv__": div, "__neg__": neg, "__pow__": pow,
    "__radd__": _reflected(add), "__rsub__": _reflected(sub), "__rmul__": _reflected(mul),
    "__rtruediv__": _reflected(div),
    # elementary functions (spec/elementary.md)
    "exp": exp, "expm1": expm1, "log": log, "log1p": log1p, "sqrt": sqrt,
    "sin": sin, "cos": cos, "tanh": tanh, "sigmoid": sigmoid,
    # reductions and matmul (spec/reduction.md, spec/matmul.md)
    "sum": sum, "mean": mean, "matmul": matmul, "__matmul__": matmul,
    # views and indexing (spec/view.md, spec/indexing.md)
    "view": views.view, "reshape": views.reshape, "transpose": views.transpose, "t": views.t_,
    "permute": views.permute, "expand": views.expand, "unsqueeze": views.unsqueeze,
    "contiguous": views.contiguous, "is_contiguous": views.is_contiguous,
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
    # in place (spec/inplace.md): ``t += u`` rebinds t to what add_ returns, t itself
    "fill_": inplace.fill_, "zero_": inplace.zero_, "copy_": inplace.copy_,
    "add_": inplace.add_, "sub_": inplace.sub_, "mul_": inplace.mul_, "div_": inplace.div_,
    "__iadd__": inplace.add_, "__isub__": inplace.sub_, "__imul__": inplace.mul_, "__itruediv__": inplace.div_,
    # devices and interop (spec/device.md, spec/interop.md)
    "to": devices.to, "cpu": devices.cpu, "numpy": interop.numpy,
    # autograd (spec/autograd.md)
    "requires_grad_": requires_grad_, "backward": backward, "detach": detach,
}

for _name, _function in METHODS.items():
    setattr(Tensor, _name, _function)

__all__ = [
    "BY_NAME", "HALF_BY_NAME", "DType", "Tensor", "add", "broadcasting", "devices", "arange", "bool", "bool_", "div", "empty", "float32",
    "float64", "float16", "bfloat16", "full", "int32", "int64", "matmul", "mean", "mul", "neg", "ones", "pow",
    "result_type", "sub", "sum", "tensor", "zeros",
    "cos", "exp", "expm1", "log", "log1p", "sigmoid", "sin", "sqrt", "tanh",
    "autograd", "func", "is_grad_enabled", "no_grad",
    # devices and random (spec/device.md, spec/random.md)
    "Generator", "default_generator", "initial_seed", "manual_seed", "rand", "randn",
]
