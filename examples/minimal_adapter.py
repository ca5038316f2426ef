"""A complete minimal adapter, living outside the tensorcts package.

It drives NumPy for the element-wise, reduction and matmul rules and offers
nothing else: every other rule is reported ``unsupported``. NumPy's choices where the spec
allows several (float64 as its default float dtype, ...) are declared as ``conventions``;
where it differs from a rule (its promotion table, ...), ``minimal_adapter.toml`` beside it
declares the divergence with a witness, so the run exits 0. From any directory, after
``pip install tensorcts``:

    python -m pytest --pyargs tensorcts.suites --hypothesis-profile ci \
        --backend minimal_adapter.py:MinimalNumpy --expectations minimal_adapter.toml

or ``tensorcts run --backend minimal_adapter.py:MinimalNumpy --expectations minimal_adapter.toml``.
Copy both files, replace NumPy with your library, and fill in more operations from
``tensorcts/adapters/base.py`` as your library offers them (docs/adapters.md).
"""

import math
from fractions import Fraction

import numpy as np
from tensorcts.adapters.base import Adapter, Conventions, Observation


def _exact(v: float):
    return Fraction(v) if math.isfinite(v) else v


class MinimalNumpy(Adapter):
    name = "minimal-numpy"
    version = np.__version__
    capabilities = frozenset({"float64", "int64"})
    # NumPy's documented choices: int / int is float64, x[i, j] of a 2-D array is a scalar, and the
    # strides of size-0/1 dimensions are its own (docs/adapters.md lists every convention)
    conventions = Conventions(default_float="float64", default_int="int64",
                              int_true_divide=(("int32", "float64"), ("int64", "float64")),
                              full_int_index="scalar", degenerate_strides_row_major=False)

    repro_namespace = "np"

    def asarray(self, ref, device):
        # ref is an exact reference tensor; its float values are exactly representable.
        flat = [float(v) if isinstance(v, Fraction) else v for v in ref.values()]
        return np.array(flat, dtype=ref.dtype.name).reshape(ref.shape)

    def observe(self, t):
        t = np.asarray(t)  # a 0-d result may come back as a NumPy scalar
        values = t.tolist()
        if t.dtype.kind == "f":  # finite floats as exact fractions; NaN and the infinities stay floats
            values = np.vectorize(_exact, otypes=[object])(t).tolist() if t.ndim else _exact(values)
        return Observation(shape=t.shape, dtype=str(t.dtype), device="cpu", values=values)

    def repro(self, expression):
        # The suites write repros in torch's spelling; translate the few names that differ.
        for torch_name, numpy_name in ((".tensor(", ".array("), (".sub(", ".subtract("), (".mul(", ".multiply("),
                                       (".div(", ".true_divide("), (", device='cpu'", "")):
            expression = expression.replace(torch_name, numpy_name)
        return "import numpy as np\n" + expression.replace("torch.", "np.")

    add, sub, mul, div = staticmethod(np.add), staticmethod(np.subtract), staticmethod(np.multiply), staticmethod(
        np.true_divide)
    neg, pow, matmul = staticmethod(np.negative), staticmethod(np.power), staticmethod(np.matmul)

    def sum(self, a, dim=None, keepdim=False):
        return np.sum(a, axis=dim, keepdims=keepdim)

    def mean(self, a, dim=None, keepdim=False):
        return np.mean(a, axis=dim, keepdims=keepdim)

    def float_list(self, t):  # the IEEE rules read results as floats (NaN, inf and -0.0 kept)
        return [float(v) for v in np.asarray(t).reshape(-1)]
