"""tinygrad adapter: lazy tensors compiled to kernels (CPU device: Debian's clang), its own autograd.

tinygrad builds a graph and compiles a kernel when a value is needed, so every
new shape costs a compilation: the suites run it under the lighter ``tinygrad``
Hypothesis profile (harness/profiles.py).

- Views (``view``/``reshape``/``permute``/``expand``) are lazy graph nodes, not
  aliases of a storage, and strides are not observable: no ``views``/``strides``.
- In place: ``+=`` (``Tensor.assign``), ``__setitem__`` and ``assign`` (as
  ``copy_``) write into the tensor's buffer; there are no ``add_``-style methods.
- Autograd: tinygrad has no ``requires_grad`` and no ``no_grad``; gradients come
  from ``Tensor.gradient(*targets, gradient=...)`` (used for ``vjp``) or from
  ``backward()``, which fills ``.grad`` of every float tensor in the graph. So
  ``autograd.functional`` is declared and ``autograd.tape`` is not.
- Random: ``Tensor.manual_seed`` (returns ``None``), ``Tensor.rand``/``Tensor.randn``.
- NumPy: ``Tensor(ndarray)`` and ``Tensor.numpy()`` are the conversions; no shared memory is offered
  (``Tensor(ndarray)`` reads the array when the tensor is first realized: findings 19).
- Conventions: tinygrad's default int is ``dtypes.int`` (int32), its default float
  ``dtypes.float`` (float32). A result of a tensor and a Python number may carry the weak
  dtype ``weakfloat``/``weakint`` (like JAX's weak types): it is stored and realized as the
  default float/int (``.numpy()`` gives float32) and only promotes more weakly, so its dtype is
  read as that default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._repro import respell, translate
from .base import Adapter, AugmentedAssignmentInplace, Conventions, Observation, Unsupported, exact_nested, kwargs_given


class TinygradAdapter(AugmentedAssignmentInplace, Adapter):
    name = "tinygrad"
    capabilities = frozenset({"inplace", "autograd.functional", "random", "float64", "int64"})
    #: the Hypothesis profile the suites use unless --hypothesis-profile says otherwise
    hypothesis_profile = "tinygrad"
    conventions = Conventions(default_int="int32")  # dtypes.default_int is dtypes.int32

    def __init__(self):
        from importlib.metadata import version

        import tinygrad
        from tinygrad import Device, Tensor, dtypes

        self.Tensor, self.Device = Tensor, Device
        self.version = getattr(tinygrad, "__version__", None) or version("tinygrad")
        self._native = {"bool": dtypes.bool, "int32": dtypes.int32, "int64": dtypes.int64,
                        "float32": dtypes.float32, "float64": dtypes.float64,
                        "float16": dtypes.float16, "bfloat16": dtypes.bfloat16}
        self._names = {v: k for k, v in self._native.items()}
        # weak dtypes: realized as the default float/int (dtypes.default_float, dtypes.default_int)
        self._names[dtypes.weakfloat] = self._names[dtypes.default_float]
        self._names[dtypes.weakint] = self._names[dtypes.default_int]
        self._bfloat16: bool | None = None  # whether bfloat16 kernels build here (half_dtypes)

    # ---- identity ------------------------------------------------------------------
    def _device(self, name: str | None):
        if name is None:
            return None
        if name != "cpu":
            raise Unsupported(f"tinygrad adapter has no device {name!r} (devices: ['cpu'])")
        return "CPU"

    def _canonical_device(self, device) -> str:
        return str(device).lower()

    def half_dtypes(self, device: str) -> list[str]:
        """dtypes.float16 (spec/half.md), and dtypes.bfloat16 where this install's compiler builds its
        kernels: the CPU device compiles C with the clang that tinygrad's ``CC`` variable names, and
        clang 14 (Debian 12's ``clang``) rejects ``__bf16`` for x86-64 ("__bf16 is not supported on
        this target"); clang 19 (``CC=clang-19``) builds them. Not a tinygrad result: the dtype is left out."""
        return ["float16", "bfloat16"] if self._bfloat16_builds(device) else ["float16"]

    def _bfloat16_builds(self, device: str) -> bool:
        if self._bfloat16 is None:
            import os
            from subprocess import CalledProcessError

            from tinygrad.helpers import Context

            saved = os.dup(2)  # the compiler's own error text would land in the run's output
            try:  # one bfloat16 kernel, built and run, once per process; CACHELEVEL=0 (as tinygrad's own
                # device probe does): a kernel another compiler built earlier must not answer for this one
                with open(os.devnull, "w") as devnull:
                    os.dup2(devnull.fileno(), 2)
                with Context(CACHELEVEL=0):  # a list is built on tinygrad's PYTHON device: realize it on ours first
                    t = self.Tensor([1.0], dtype=self._native["bfloat16"], device=self._device(device)).realize()
                    self._bfloat16 = (t + t).tolist() == [2.0]
            except CalledProcessError:
                self._bfloat16 = False
            finally:
                os.dup2(saved, 2)
                os.close(saved)
        return self._bfloat16

    def native_dtype(self, name: str | None):
        return None if name is None else self._native[name]

    def canonical_dtype(self, dtype) -> str:
        return self._names.get(dtype, str(dtype).removeprefix("dtypes."))

    def _place(self, dtype, device):
        return kwargs_given(dtype=self.native_dtype(dtype), device=self._device(device))

    # ---- data in and out ------------------------------------------------------------
    def asarray(self, ref, device: str):
        flat = self.Tensor(list(map(_plain, ref.values())), **self._place(ref.dtype.name, device))
        return flat.reshape(ref.shape)

    def observe(self, t) -> Observation:
        shape = tuple(int(s) for s in t.shape)
        return Observation(shape=shape, dtype=self.canonical_dtype(t.dtype),
                           device=self._canonical_device(t.device),
                           values=exact_nested(t.tolist(), len(shape)), extra={"type": type(t).__name__})

    def realize(self, t):
        """Tensor.realize(): tinygrad builds a lazy graph and checks some errors (broadcast shapes) only here."""
        return t.realize() if isinstance(t, self.Tensor) else t

    repro_namespace = "Tensor"

    #: how this adapter's methods read in tinygrad (adapters/_repro.py): each mirrors the method's body
    spellings = {
        "sum": "{a}.sum(axis={dim}, keepdim={keepdim})",
        "mean": "{a}.mean(axis={dim}, keepdim={keepdim})",
        "t": "{t}.T",
        "copy_": "{t}.assign({src})",
        "add_": "{t} += {other}\n{t}",
        "sub_": "{t} -= {other}\n{t}",
        "mul_": "{t} *= {other}\n{t}",
        "div_": "{t} /= {other}\n{t}",
        "from_numpy": "Tensor({a})",
        "vjp": lambda a: f"{a['fn']}(*{a['inputs']}).gradient(*{a['inputs']}, gradient={a['cotangent']})",
    }

    def repro(self, expression: str) -> str:
        expression = respell(expression, "Tensor", self, self.spellings)
        body = translate(expression, "Tensor", {"tensor": ""}, {"cpu": ""}).replace("Tensor.(", "Tensor(")
        return "from tinygrad import Tensor, dtypes\n" + body.replace("dtype=Tensor.", "dtype=dtypes.")

    # ---- creation ------------------------------------------------------------------------
    def tensor(self, data, dtype=None, device=None):
        return self.Tensor(data, **self._place(dtype, device))

    def zeros(self, shape, dtype=None, device=None):
        return self.Tensor.zeros(*shape, **self._place(dtype, device))

    def ones(self, shape, dtype=None, device=None):
        return self.Tensor.ones(*shape, **self._place(dtype, device))

    def full(self, shape, fill_value, dtype=None, device=None):
        return self.Tensor.full(tuple(shape), fill_value, **self._place(dtype, device))

    def empty(self, shape, dtype=None, device=None):
        return self.Tensor.empty(*shape, **self._place(dtype, device))

    def arange(self, *args, dtype=None, device=None):
        self._device(device)  # Tensor.arange takes no device: only the default one exists here
        return self.Tensor.arange(*args, **kwargs_given(dtype=self.native_dtype(dtype)))

    # ---- attributes -----------------------------------------------------------------------
    def shape(self, t):
        return t.shape

    def size(self, t, dim=None):
        return t.size() if dim is None else t.size(dim)

    def ndim(self, t):
        return t.ndim

    def numel(self, t):
        return t.numel()

    def dtype_name(self, t) -> str:
        return self.canonical_dtype(t.dtype)

    def device_name(self, t) -> str:
        return self._canonical_device(t.device)

    # ---- element-wise, reductions, matmul ---------------------------------------------------
    def add(self, a, b):
        return a.add(b)

    def sub(self, a, b):
        return a.sub(b)

    def mul(self, a, b):
        return a.mul(b)

    def div(self, a, b):
        return a.div(b)

    def neg(self, a):
        return a.neg()

    def pow(self, a, k):
        return a.pow(k)

    def sum(self, a, dim=None, keepdim=False):
        return a.sum(axis=dim, keepdim=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        return a.mean(axis=dim, keepdim=keepdim)

    def matmul(self, a, b):
        return a.matmul(b)

    # ---- shapes (lazy graph nodes, not aliases) -------------------------------------------------
    def view(self, t, shape):
        return t.view(shape)

    def reshape(self, t, shape):
        return t.reshape(shape)

    def transpose(self, t, dim0, dim1):
        return t.transpose(dim0, dim1)

    def t(self, t):
        return t.T

    def permute(self, t, dims):
        return t.permute(dims)

    def expand(self, t, shape):
        return t.expand(shape)

    def contiguous(self, t):
        return t.contiguous()

    def getitem(self, t, index):
        return t[index]

    def setitem(self, t, index, value):
        t[index] = value

    # ---- in place: assign and += ----------------------------------------------------------------------
    def copy_(self, t, src):
        return t.assign(src)

    # add_, sub_, mul_, div_ and iadd: the augmented assignment (AugmentedAssignmentInplace); tinygrad has no add_

    # ---- NumPy conversion (copies) -----------------------------------------------------------------------
    def from_numpy(self, a):
        return self.Tensor(a)

    def tensor_from_numpy(self, a):
        return self.Tensor(a)

    def to_numpy(self, t):
        return t.numpy()

    # ---- autograd: Tensor.gradient, backward, .grad, detach ---------------------------------------------
    def vjp(self, fn: Callable, inputs: Sequence, cotangent) -> tuple[Any, list]:
        value = fn(*inputs)
        return value, list(value.gradient(*inputs, gradient=cotangent))

    def backward(self, t, gradient=None, retain_graph=False):
        if retain_graph:
            raise Unsupported("tinygrad's backward has no retain_graph (graphs are never freed)")
        return t.backward(gradient)

    def grad(self, t):
        return t.grad

    def detach(self, t):
        return t.detach()

    # ---- devices ------------------------------------------------------------------------------------------
    def to(self, t, device=None, dtype=None, copy=False):
        if copy:
            raise Unsupported("tinygrad's Tensor.to has no copy argument")
        if device is not None:
            t = t.to(self._device(device))
        if dtype is not None:
            t = t.cast(self.native_dtype(dtype))
        return t

    def default_device(self):
        return self._canonical_device(self.Device.DEFAULT)

    # ---- random --------------------------------------------------------------------------------------------
    def manual_seed(self, seed):
        return self.Tensor.manual_seed(seed)

    def rand(self, shape, dtype=None, device=None):
        return self.Tensor.rand(*shape, **self._place(dtype, device))

    def randn(self, shape, dtype=None, device=None):
        return self.Tensor.randn(*shape, **self._place(dtype, device))

    # ---- elementary functions and IEEE values (spec/elementary.md, spec/special.md) -------------
    def exp(self, a):
        return a.exp()

    def log(self, a):
        return a.log()

    def sqrt(self, a):
        return a.sqrt()

    def sin(self, a):
        return a.sin()

    def cos(self, a):
        return a.cos()

    def tanh(self, a):
        return a.tanh()

    def sigmoid(self, a):
        return a.sigmoid()

    def float_list(self, t) -> list[float]:
        return [float(v) for v in t.reshape(-1).tolist()]




def _plain(v):
    """Exact reference values as Python scalars (generated values are representable)."""
    return v if isinstance(v, (bool, int)) else float(v)
