"""The adapter protocol: how the suites drive a backend.

An adapter maps each spec operation onto the backend's own function or method
and nothing more: it never casts, copies, reshapes or catches on the backend's
behalf. Native tensors are opaque to the suites; ``asarray`` builds one from
exact reference data and ``observe`` reads one back, with no side effects.

A method the backend does not offer raises ``Unsupported`` (the default below),
which the harness reports as ``unsupported``. Optional features are grouped
into capabilities; a test needing a missing capability is ``unsupported`` too.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

CAPABILITIES = frozenset({
    "views",                # view/reshape/transpose/permute/expand alias their base
    "strides",              # stride() and storage_offset() are observable
    "inplace",              # add_ ... copy_, setitem mutate the tensor itself
    "autograd.functional",  # vjp of a function of adapter operations
    "autograd.tape",        # requires_grad, backward, .grad, no_grad, detach
    "interop.numpy",        # from_numpy / numpy() sharing memory
    "random",               # manual_seed, rand, randn
    "devices",              # more than one device, transfers with .to
    "float64",
    "int64",
})

DTYPE_NAMES = ("bool", "int32", "int64", "float32", "float64")
#: the half formats of spec/half.md: declared apart (``Adapter.half_dtypes``), never drawn by the other areas
HALF_DTYPE_NAMES = ("float16", "bfloat16")


@dataclass(frozen=True)
class Conventions:
    """Choices the spec leaves to a library, declared by its adapter; ``core`` rules check values
    against them (``torch``-level rules hold every library to PyTorch's, the defaults here).

    Each must be the library's documented behaviour, never a choice made to pass a test.
    """

    #: the dtype of floats created without a dtype (``zeros``, ``rand``, Python floats in ``tensor``)
    default_float: str = "float32"
    #: the dtype of integers created without a dtype (``arange(5)``, Python ints in ``tensor``)
    default_int: str = "int64"
    #: the dtype of ``int / int`` (true division) for each integer dtype; None: not offered
    int_true_divide: tuple[tuple[str, str], ...] | None = (("int32", "float32"), ("int64", "float32"))
    #: what an index of integers covering every dimension gives: "0-d" (a 0-d array) or "scalar"
    full_int_index: str = "0-d"
    #: whether an index naming fewer dimensions than the array has (``x[0]`` of a 2-D x) implies a
    #: trailing ``...`` (the array API leaves it unspecified; array-api-strict raises)
    partial_index: bool = True
    #: whether a Python list indexes like an array (``x[[0, 2]]``, ``x[[True, False]]``: NumPy, PyTorch);
    #: the array API specifies integer arrays and masks only (JAX and array-api-strict raise for lists)
    list_index: bool = True
    #: whether a bool mask may sit among other indices (``x[:, mask]``); the array API specifies a
    #: mask as the sole index only (array-api-strict raises otherwise)
    mask_among_indices: bool = True
    #: whether an integer array may sit among slices or leave dimensions unindexed (``x[:, idx]``,
    #: ``x[idx]`` of a 2-D x); the array API specifies integer arrays only alongside integers and
    #: integer arrays covering every dimension (array-api-strict raises otherwise)
    int_array_among_slices: bool = True
    #: whether slice bounds past the ends are clamped (``x[:10]`` of 6 elements; unspecified by the array API)
    clamps_slice_bounds: bool = True
    #: whether strides of size-0/size-1 dimensions follow PyTorch's row-major values (else the
    #: library's choice: they address no element)
    degenerate_strides_row_major: bool = True

    def true_divide_dtype(self, int_dtype: str) -> str | None:
        return dict(self.int_true_divide or ()).get(int_dtype)


#: PyTorch's conventions (the defaults)
PYTORCH_CONVENTIONS = Conventions()


class Unsupported(Exception):
    """The backend does not offer this operation or capability (reported ``unsupported``)."""


@dataclass(frozen=True)
class Observation:
    """What a backend tensor holds, read without side effects.

    ``values`` is nested like ``tolist()`` (a scalar for 0-d); finite floats are
    exact ``fractions.Fraction``; non-finite floats stay Python floats.
    """

    shape: tuple[int, ...]
    dtype: str
    device: str
    values: Any
    strides: tuple[int, ...] | None = None
    offset: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def flat(self) -> list:
        return flatten_nested(self.values, len(self.shape))


def flatten_nested(values, ndim: int) -> list:
    if ndim == 0:
        return [values]
    out: list = []
    stack = [(values, ndim)]
    while stack:
        v, d = stack.pop()
        if d == 1:
            out.extend(reversed(v))
        else:
            stack.extend((x, d - 1) for x in v)
    out.reverse()
    return out


def exact(v):
    """A ``tolist()`` float as an exact rational (non-finite values stay floats)."""
    if isinstance(v, float) and v - v == 0:
        return Fraction(v)
    return v


def exact_nested(v, ndim: int):
    """A ``tolist()`` result of ``ndim`` dimensions with its floats as exact rationals (``Observation.values``)."""
    if ndim == 0:
        return exact(v)
    if ndim == 1:
        return [exact(x) for x in v]
    return [exact_nested(x, ndim - 1) for x in v]


def kwargs_given(**kw):
    """Keyword arguments with the ``None`` ones left out, so the backend's defaults apply."""
    return {k: v for k, v in kw.items() if v is not None}


def _unsupported(what: str):
    def method(self, *args, **kwargs):
        raise Unsupported(f"{self.name} adapter does not offer {what}")
    method.__name__ = what
    method.__doc__ = f"Not offered unless the adapter overrides it: raises Unsupported({what!r})."
    method.not_offered = True  # type: ignore[attr-defined]  (read by Adapter.offers)
    return method


class Adapter:
    """Base class of every adapter. Override what the backend offers."""

    name: str = "unnamed"
    #: the backend's version string, for reports
    version: str = "unknown"
    #: the subset of CAPABILITIES the backend really has
    capabilities: frozenset[str] = frozenset()
    #: the library's choices where the spec allows several (``Conventions``)
    conventions: Conventions = PYTORCH_CONVENTIONS
    #: in-place ops the library spells as a statement (``x[...] = v``): a statement has no result,
    #: so ``inplace.returns-self`` does not apply to them
    inplace_statements: frozenset[str] = frozenset()
    #: the module name repro snippets use (they are written in torch's spelling; see ``repro``)
    repro_namespace: str = "torch"
    #: a backend that compiles a kernel for every new shape may set this: each kind of shape the
    #: suites draw then comes from a pool of this many, chosen afresh from the run's seed
    #: (suites/strategies.py, ``use_shape_pool``); None draws from every shape
    shape_pool: int | None = None

    # ---- identity -------------------------------------------------------------
    def devices(self) -> list[str]:
        """Canonical names of the devices tests run on; the first is the default."""
        return ["cpu"]

    def compute_devices(self) -> list[str]:
        """The devices whose computations can differ (their own hardware, kernels or dtypes): rules outside
        the device area run on these only, the device rules on every device. A second device that is the
        same processor running the same code (JAX's extra host devices, array-api-strict's device1 and
        device2) adds no evidence about values, only about placement. Default: every device."""
        return self.devices()

    def dtypes(self, device: str) -> list[str]:
        """Canonical dtype names the backend has on ``device``."""
        names = ["bool", "int32", "float32"]
        if "int64" in self.capabilities:
            names.append("int64")
        if "float64" in self.capabilities:
            names.append("float64")
        return names

    def half_dtypes(self, device: str) -> list[str]:
        """The half-precision dtypes (spec/half.md) the backend has on ``device``: a subset of
        ``HALF_DTYPE_NAMES``. None by default, and the half rules are then ``unsupported``.

        They are declared apart from ``dtypes`` because no other area draws them: a library's
        float16 is judged by the half rules only. ``asarray`` must build them and ``observe``
        must read them exactly (every float16 and bfloat16 value is a Python float).
        """
        return []

    def conventions_on(self, device: str) -> Conventions:
        """The conventions on ``device`` (a library whose defaults depend on the device overrides this)."""
        return self.conventions

    def require(self, *capabilities: str) -> None:
        """Raise ``Unsupported`` unless every capability is declared."""
        missing = [c for c in capabilities if c not in self.capabilities]
        if missing:
            raise Unsupported(f"{self.name} adapter lacks capability {', '.join(missing)}")

    def offers(self, operation: str) -> bool:
        """Whether the adapter implements ``operation`` (an optional alias such as ``dim`` is checked only
        where it does); the base class's placeholders do not count."""
        return not getattr(getattr(type(self), operation, None), "not_offered", False)

    # ---- data in and out --------------------------------------------------------
    def asarray(self, ref, device: str):
        """A native tensor with the reference tensor's dtype, shape and values, on ``device``."""
        raise Unsupported("asarray")

    def observe(self, t) -> Observation:
        """Shape, dtype, device, values (and strides/offset where they exist) of ``t``."""
        raise Unsupported("observe")

    def realize(self, t):
        """``t`` computed: a lazy library (tinygrad) evaluates it here, so an error it defers surfaces;
        an eager one returns it as it is. Anything that is not a tensor passes through."""
        return t

    def repro(self, expression: str) -> str:
        """A copy-paste repro: the suites' torch-spelled ``expression`` in this backend's API."""
        return f"# {self.name}\n{expression}"

    # ---- creation -----------------------------------------------------------------
    tensor = _unsupported("tensor")  # (data, dtype=None, device=None)
    zeros = _unsupported("zeros")  # (shape, dtype=None, device=None)
    ones = _unsupported("ones")
    full = _unsupported("full")  # (shape, fill_value, dtype=None, device=None)
    empty = _unsupported("empty")
    legacy_constructor = _unsupported("legacy_constructor")  # torch.Tensor(*sizes)
    arange = _unsupported("arange")  # (*args, dtype=None, device=None)

    # ---- attributes ------------------------------------------------------------------
    shape = _unsupported("shape")  # (t) -> the backend's own shape object
    size = _unsupported("size")  # (t, dim=None)
    ndim = _unsupported("ndim")
    dim = _unsupported("dim")
    numel = _unsupported("numel")
    dtype_name = _unsupported("dtype_name")  # (t) -> canonical dtype name
    device_name = _unsupported("device_name")  # (t) -> canonical device name
    stride = _unsupported("stride")  # (t) -> tuple
    storage_offset = _unsupported("storage_offset")
    is_contiguous = _unsupported("is_contiguous")

    # ---- element-wise, function forms -------------------------------------------------
    add = _unsupported("add")  # (a, b): b may be a Python scalar
    sub = _unsupported("sub")
    mul = _unsupported("mul")
    div = _unsupported("div")
    neg = _unsupported("neg")  # (a)
    pow = _unsupported("pow")  # (a, k)

    # ---- operator forms: the backend's own Python operators -------------------------------
    _OPERATORS: dict[str, Callable] = {
        "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
        "**": operator.pow, "@": operator.matmul,
    }

    def binary_operator(self, symbol: str, a, b):
        """``a <symbol> b`` with the backend's own operator overloads (either side may be a scalar)."""
        return self._OPERATORS[symbol](a, b)

    def unary_minus(self, a):
        return -a

    # ---- elementary functions (spec/elementary.md): (a) -> the backend's own function -------------
    exp = _unsupported("exp")
    expm1 = _unsupported("expm1")
    log = _unsupported("log")
    log1p = _unsupported("log1p")
    sqrt = _unsupported("sqrt")
    sin = _unsupported("sin")
    cos = _unsupported("cos")
    tanh = _unsupported("tanh")
    sigmoid = _unsupported("sigmoid")

    # ---- IEEE special values (spec/special.md) ------------------------------------------------------
    #: the backend flushes subnormal results and inputs to zero (FTZ/DAZ): a declared convention
    flushes_subnormals: bool = False
    #: the documented accuracy of the library's elementary functions, {function: (ulps, citation)}
    documented_ulps: dict[str, tuple[float, str]] = {}
    float_list = _unsupported("float_list")  # (t) -> flat row-major Python floats, NaN, inf and -0.0 kept

    # ---- reductions and matmul ------------------------------------------------------------
    sum = _unsupported("sum")  # (a, dim=None, keepdim=False)
    mean = _unsupported("mean")
    matmul = _unsupported("matmul")  # (a, b): the function form; "@" is binary_operator

    # ---- views (capability "views") ----------------------------------------------------------
    view = _unsupported("view")  # (t, shape)
    reshape = _unsupported("reshape")  # (t, shape)
    transpose = _unsupported("transpose")  # (t, dim0, dim1)
    t = _unsupported("t")  # (t): 2-D transpose
    permute = _unsupported("permute")  # (t, dims)
    expand = _unsupported("expand")  # (t, shape)
    contiguous = _unsupported("contiguous")
    getitem = _unsupported("getitem")  # (t, index): index built by the suite (ints, slices, None, ...)
    setitem = _unsupported("setitem")  # (t, index, value)

    # ---- in-place (capability "inplace") -------------------------------------------------------
    add_ = _unsupported("add_")  # (t, other) -> whatever the backend returns
    sub_ = _unsupported("sub_")
    mul_ = _unsupported("mul_")
    div_ = _unsupported("div_")
    zero_ = _unsupported("zero_")
    fill_ = _unsupported("fill_")  # (t, value)
    copy_ = _unsupported("copy_")  # (t, src)
    iadd = _unsupported("iadd")  # (t, other) -> the object bound to t after ``t += other``

    # ---- NumPy interop (capability "interop.numpy") --------------------------------------------
    from_numpy = _unsupported("from_numpy")  # (ndarray)
    to_numpy = _unsupported("to_numpy")  # (t): t.numpy()
    tensor_from_numpy = _unsupported("tensor_from_numpy")  # (ndarray): the copying constructor

    # ---- autograd, tape (capability "autograd.tape") ---------------------------------------------
    requiring_grad = _unsupported("requiring_grad")  # (factory, *args, dtype=None, device=None): e.g.
    #   ("ones", (3,)) is torch.ones((3,), requires_grad=True): the creation keyword
    requires_grad = _unsupported("requires_grad")  # (t) -> bool
    requires_grad_ = _unsupported("requires_grad_")  # (t, flag=True) -> the returned object
    grad = _unsupported("grad")  # (t) -> native tensor or None
    grad_fn_name = _unsupported("grad_fn_name")  # (t) -> str or None
    is_leaf = _unsupported("is_leaf")
    backward = _unsupported("backward")  # (t, gradient=None, retain_graph=False)
    detach = _unsupported("detach")

    def no_grad(self) -> AbstractContextManager:
        raise Unsupported(f"{self.name} adapter does not offer no_grad")

    # ---- autograd, functional (capability "autograd.functional") -------------------------------
    def vjp(self, fn: Callable, inputs: Sequence, cotangent) -> tuple[Any, list]:
        """The function transform of JAX (``jax.vjp``), ``torch.func.vjp`` and ``torch.autograd.functional.vjp``.

        ``fn`` takes len(inputs) native tensors and returns one native tensor, built
        only from this adapter's operations (the suites pass a program of ``add``,
        ``mul``, ``matmul`` ... calls). ``inputs`` are native floating tensors;
        ``cotangent`` is a native tensor of fn's output shape and dtype. Returns
        ``(fn(*inputs), [v_1, ..., v_n])`` where v_i = cotangent^T . d fn / d inputs[i]
        has inputs[i]'s shape and dtype (zeros where fn does not depend on it).
        It must not mutate its arguments. The same rules run through it as through
        the tape (``backward`` with ``gradient=cotangent``), so a functional backend
        (JAX, autograd) is held to the same gradient values and bounds.
        """
        raise Unsupported(f"{self.name} adapter does not offer vjp")

    # ---- devices (capability "devices") ------------------------------------------------------------
    to = _unsupported("to")  # (t, device=None, dtype=None, copy=False)
    cpu = _unsupported("cpu")  # (t)
    default_device = _unsupported("default_device")  # () -> device name of the selection idiom
    # (to_numpy, in the NumPy block, is what interop.numpy-requires-cpu calls on each device)

    # ---- random (capability "random") ----------------------------------------------------------------
    manual_seed = _unsupported("manual_seed")  # (seed) -> the backend's return value
    rand = _unsupported("rand")  # (shape, dtype=None, device=None)
    randn = _unsupported("randn")
    initial_seed = _unsupported("initial_seed")  # (generator) -> generator.initial_seed()
    generator_manual_seed = _unsupported("generator_manual_seed")  # (generator, seed) -> its return value


class AugmentedAssignmentInplace:
    """In-place arithmetic as the augmented assignment (``t += o``): the array API's only in-place form, and
    tinygrad's. Each call returns the object the statement leaves bound to ``t``."""

    def add_(self, t, other):
        t += other
        return t

    def sub_(self, t, other):
        t -= other
        return t

    def mul_(self, t, other):
        t *= other
        return t

    def div_(self, t, other):
        t /= other
        return t

    def iadd(self, t, other):
        t += other
        return t
