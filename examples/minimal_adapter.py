"""A complete minimal adapter, living outside the tensorcts package.

It drives NumPy for the element-wise, reduction and matmul rules and offers
nothing else: every other rule is reported ``unsupported``. NumPy's own conventions
(float64 as its default float dtype, its promotion table, ...) are declared in
``minimal_adapter.toml`` beside it, so the run exits 0. From any directory, after
``pip install tensorcts``:

    python -m pytest --pyargs tensorcts.suites --hypothesis-profile ci \
        --backend minimal_adapter.py:MinimalNumpy --expectations minimal_adapter.toml

or ``tensorcts run --backend minimal_adapter.py:MinimalNumpy --expectations minimal_adapter.toml``.
Copy both files, replace NumPy with your library, and fill in more operations from
``tensorcts/adapters/base.py`` as your library offers them (docs/adapters.md).
"""

from fractions import Fraction

import numpy as np
from tensorcts.adapters.base import Adapter, Observation


class MinimalNumpy(Adapter):
    name = "minimal-numpy"
    version = np.__version__
    capabilities = frozenset({"float64", "int64"})

    repro_namespace = "np"

    def asarray(self, ref, device):
        # ref is an exact reference tensor; its float values are exactly representable.
        flat = [float(v) if isinstance(v, Fraction) else v for v in ref.values()]
        return np.array(flat, dtype=ref.dtype.name).reshape(ref.shape)

    def observe(self, t):
        t = np.asarray(t)  # a 0-d result may come back as a NumPy scalar
        values = t.tolist()
        if t.dtype.kind == "f":
            values = np.vectorize(Fraction, otypes=[object])(t).tolist() if t.ndim else Fraction(values)
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
