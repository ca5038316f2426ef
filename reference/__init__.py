"""tensorcts reference: the executable spec, a small exact tensor library (stdlib only).

It reads like PyTorch so that the spec's examples run against it::

    >>> from tensorcts.reference import arange, matmul
    >>> matmul(arange(3.0), arange(6.0).view(3, 2)).tolist()

Pass ``exact=True`` at creation for the oracle face (exact values with error
bounds); the default face rounds every result to its dtype like an IEEE backend.
"""

from . import autograd, broadcasting, devices, func
from .autograd import is_grad_enabled, no_grad
from .creation import arange, empty, full, ones, tensor, zeros
from .dtypes import BY_NAME, DType, bool_, float32, float64, int32, int64
from .elementwise import add, div, mul, neg, pow, sub
from .matmul import matmul
from .promotion import result_type
from .random import Generator, default_generator, initial_seed, manual_seed, rand, randn
from .reduction import mean, sum
from .tensor import Tensor

__version__ = "0.1.0"
bool = bool_  # noqa: A001 - torch's spelling, reference.bool

__all__ = [
    "BY_NAME", "DType", "Tensor", "add", "broadcasting", "devices", "arange", "bool", "bool_", "div", "empty", "float32",
    "float64", "full", "int32", "int64", "matmul", "mean", "mul", "neg", "ones", "pow",
    "result_type", "sub", "sum", "tensor", "zeros",
    "autograd", "func", "is_grad_enabled", "no_grad",
    # devices and random (spec/device.md, spec/random.md)
    "Generator", "default_generator", "initial_seed", "manual_seed", "rand", "randn",
]
