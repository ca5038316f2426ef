"""PyTorch adapter: the CPU plus every CUDA device torch sees (torch >= 2.4).

Each spec operation goes to torch's own function or method; nothing is repaired.
The reference adapter reuses this class with the reference module in place of
torch, since the reference reads like PyTorch.
"""

from __future__ import annotations

from fractions import Fraction
from types import ModuleType

from .base import CAPABILITIES, Adapter, Observation, exact_nested, kwargs_given


class TorchAdapter(Adapter):
    name = "torch"
    capabilities = CAPABILITIES

    def __init__(self, lib: ModuleType | None = None):
        if lib is None:
            import torch as lib
        self.lib = lib
        self.version = str(lib.__version__)

    def devices(self) -> list[str]:
        cuda = getattr(self.lib, "cuda", None)
        count = cuda.device_count() if cuda is not None and cuda.is_available() else 0
        return ["cpu"] + [f"cuda:{i}" for i in range(count)]

    def half_dtypes(self, device: str) -> list[str]:
        """torch.float16 and torch.bfloat16 on every device (spec/half.md)."""
        return ["float16", "bfloat16"]

    # ---- data in and out ------------------------------------------------------------
    def native_dtype(self, name: str | None):
        return None if name is None else getattr(self.lib, name)

    def canonical_dtype(self, dtype) -> str:
        return str(dtype).removeprefix("torch.")

    def asarray(self, ref, device: str):
        flat = [float(v) if isinstance(v, Fraction) else v for v in ref.values()]
        return self.lib.tensor(flat, dtype=self.native_dtype(ref.dtype.name), device=device).reshape(ref.shape)

    def observe(self, t) -> Observation:
        t = t.detach()
        return Observation(
            shape=tuple(int(s) for s in t.shape),
            dtype=self.canonical_dtype(t.dtype),
            device=str(t.device),
            values=exact_nested(t.cpu().tolist(), t.ndim),
            strides=tuple(t.stride()),
            offset=int(t.storage_offset()),
        )

    def repro(self, expression: str) -> str:
        return f"import torch\n{expression}"

    # ---- creation ------------------------------------------------------------------------
    def tensor(self, data, dtype=None, device=None):
        return self.lib.tensor(data, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def zeros(self, shape, dtype=None, device=None):
        return self.lib.zeros(shape, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def ones(self, shape, dtype=None, device=None):
        return self.lib.ones(shape, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def full(self, shape, fill_value, dtype=None, device=None):
        return self.lib.full(shape, fill_value, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def empty(self, shape, dtype=None, device=None):
        return self.lib.empty(shape, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def legacy_constructor(self, *sizes):
        return self.lib.Tensor(*sizes)

    def arange(self, *args, dtype=None, device=None):
        return self.lib.arange(*args, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    # ---- attributes -----------------------------------------------------------------------
    def shape(self, t):
        return t.shape

    def size(self, t, dim=None):
        return t.size() if dim is None else t.size(dim)

    def ndim(self, t):
        return t.ndim

    def dim(self, t):
        return t.dim()

    def numel(self, t):
        return t.numel()

    def dtype_name(self, t) -> str:
        return self.canonical_dtype(t.dtype)

    def device_name(self, t) -> str:
        return str(t.device)

    def stride(self, t):
        return t.stride()

    def storage_offset(self, t):
        return t.storage_offset()

    def is_contiguous(self, t):
        return t.is_contiguous()

    # ---- element-wise, reductions, matmul ---------------------------------------------------
    def add(self, a, b):
        return self.lib.add(a, b)

    def sub(self, a, b):
        return self.lib.sub(a, b)

    def mul(self, a, b):
        return self.lib.mul(a, b)

    def div(self, a, b):
        return self.lib.div(a, b)

    def neg(self, a):
        return self.lib.neg(a)

    def pow(self, a, k):
        return self.lib.pow(a, k)

    def sum(self, a, dim=None, keepdim=False):
        if dim is None and not keepdim:
            return self.lib.sum(a)
        return self.lib.sum(a, dim=dim, keepdim=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        if dim is None and not keepdim:
            return self.lib.mean(a)
        return self.lib.mean(a, dim=dim, keepdim=keepdim)

    def matmul(self, a, b):
        return self.lib.matmul(a, b)

    # ---- shapes and memory: views, indexing, minimal in-place writes, NumPy interop ------------
    def view(self, t, shape):
        return t.view(tuple(shape))

    def reshape(self, t, shape):
        return t.reshape(tuple(shape))

    def transpose(self, t, dim0, dim1):
        return t.transpose(dim0, dim1)

    def t(self, t):
        return t.t()

    def permute(self, t, dims):
        return t.permute(tuple(dims))

    def expand(self, t, shape):
        return t.expand(tuple(shape))

    def contiguous(self, t):
        return t.contiguous()

    def getitem(self, t, index):
        return t[index]

    def setitem(self, t, index, value):
        t[index] = value

    def fill_(self, t, value):
        return t.fill_(value)

    def copy_(self, t, src):
        return t.copy_(src)

    def zero_(self, t):
        return t.zero_()

    def from_numpy(self, array):
        return self.lib.from_numpy(array)

    def to_numpy(self, t):
        return t.numpy()

    def tensor_from_numpy(self, array):
        return self.lib.tensor(array)

    # ---- in-place arithmetic (spec/inplace.md): the backend's own methods; what they return is passed on --
    def add_(self, t, other):
        return t.add_(other)

    def sub_(self, t, other):
        return t.sub_(other)

    def mul_(self, t, other):
        return t.mul_(other)

    def div_(self, t, other):
        return t.div_(other)

    def iadd(self, t, other):
        t += other
        return t

    # ---- autograd, tape and functional (spec/autograd.md) ---------------------------------------------
    def requiring_grad(self, factory: str, *args, dtype=None, device=None):
        return getattr(self.lib, factory)(*args, requires_grad=True,
                                          **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def requires_grad(self, t) -> bool:
        return t.requires_grad

    def requires_grad_(self, t, flag=True):
        return t.requires_grad_(flag)

    def grad(self, t):
        return t.grad

    def grad_fn_name(self, t):
        return None if t.grad_fn is None else t.grad_fn.name()

    def is_leaf(self, t) -> bool:
        return t.is_leaf

    def backward(self, t, gradient=None, retain_graph=None):
        t.backward(gradient=gradient, retain_graph=retain_graph)

    def detach(self, t):
        return t.detach()

    def no_grad(self):
        return self.lib.no_grad()

    def vjp(self, fn, inputs, cotangent):
        # torch.autograd.functional.vjp: torch.func.vjp has the same contract but costs seconds to import
        out, grads = self.lib.autograd.functional.vjp(fn, tuple(inputs), cotangent)
        return out, list(grads)

    # ---- devices (spec/device.md) --------------------------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        return t.to(**kwargs_given(device=device, dtype=self.native_dtype(dtype), copy=copy or None))

    def cpu(self, t):
        return t.cpu()

    def default_device(self) -> str:
        """The tutorial's idiom: ``"cuda"`` if ``torch.cuda.is_available()`` else ``"cpu"``."""
        return "cuda" if self.lib.cuda.is_available() else "cpu"

    # ---- random (spec/random.md) ---------------------------------------------------------------
    def manual_seed(self, seed):
        return self.lib.manual_seed(seed)

    def rand(self, shape, dtype=None, device=None):
        return self.lib.rand(shape, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def randn(self, shape, dtype=None, device=None):
        return self.lib.randn(shape, **kwargs_given(dtype=self.native_dtype(dtype), device=device))

    def initial_seed(self, generator) -> int:
        return generator.initial_seed()

    def generator_manual_seed(self, generator, seed):
        return generator.manual_seed(seed)

    # ---- elementary functions and IEEE values (spec/elementary.md, spec/special.md) -------------
    #: ATen's vectorised CPU kernels call SLEEF's _u10 functions, documented "max error 1.0 ULP"
    documented_ulps = {name: (1.0, "SLEEF _u10, https://sleef.org/purec.xhtml")
                       for name in ("exp", "expm1", "log", "log1p", "sin", "cos", "tanh")}

    def exp(self, a):
        return self.lib.exp(a)

    def expm1(self, a):
        return self.lib.expm1(a)

    def log(self, a):
        return self.lib.log(a)

    def log1p(self, a):
        return self.lib.log1p(a)

    def sqrt(self, a):
        return self.lib.sqrt(a)

    def sin(self, a):
        return self.lib.sin(a)

    def cos(self, a):
        return self.lib.cos(a)

    def tanh(self, a):
        return self.lib.tanh(a)

    def sigmoid(self, a):
        return self.lib.sigmoid(a)

    def float_list(self, t) -> list[float]:
        return [float(v) for v in t.detach().cpu().reshape(-1).tolist()]

