"""The reference's broadcasting, promotion, reductions and matmul against hand-computed values."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest
import tensorcts.reference as R
from tensorcts.reference.broadcasting import broadcast_shapes, broadcast_to
from tensorcts.reference.exact import gamma
from tensorcts.reference.tensor import Tensor

U32 = Fraction(1, 2**24)


def t(data, dtype=None, exact=True) -> Tensor:
    return R.tensor(data, dtype=dtype, exact=exact)


def shaped(values, shape, dtype="int64", exact=True) -> Tensor:
    d = R.BY_NAME[dtype]
    values = [Fraction(v) for v in values] if d.is_floating else list(values)
    return Tensor.from_flat(values, shape, d, exact=exact)


def arange(n, shape, dtype="int64") -> Tensor:
    return shaped(range(n), shape, dtype)


# ---- broadcasting ----------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, want", [
    ((2, 1), (3,), (2, 3)), ((0, 1), (3,), (0, 3)), ((), (2, 0), (2, 0)), ((), (), ()),
    ((5, 1, 4), (3, 1), (5, 3, 4)), ((1,), (0,), (0,)), ((2, 3), (2, 1, 3), (2, 2, 3)),
])
def test_broadcast_shapes(a, b, want):
    assert broadcast_shapes(a, b) == want == broadcast_shapes(b, a)


@pytest.mark.parametrize("a, b", [((2, 3), (2,)), ((4,), (2,)), ((0,), (2,)), ((2, 1, 3), (4, 2))])
def test_broadcast_shapes_incompatible(a, b):
    with pytest.raises(RuntimeError):
        broadcast_shapes(a, b)


def test_broadcast_to_is_a_stride_0_view():
    col = shaped([1, 2], (2, 1))
    view = broadcast_to(col, (3, 2, 4))
    assert view.shape == (3, 2, 4) and view.stride() == (0, 1, 0)
    assert view.tolist() == [[[1] * 4, [2] * 4]] * 3


def test_broadcast_values():
    assert (shaped([1, 2], (2, 1)) + shaped([10, 20, 30], (3,))).tolist() == [[11, 21, 31], [12, 22, 32]]


# ---- promotion: the spec's tables --------------------------------------------------------------

DTYPES = ["bool", "int32", "int64", "float32", "float64"]
# TENSOR_TABLE[a][b] = (result with b dimensioned, result with b 0-d), a dimensioned
TENSOR_TABLE = {
    "bool": {"bool": ("bool", "bool"), "int32": ("int32", "int32"), "int64": ("int64", "int64"),
             "float32": ("float32", "float32"), "float64": ("float64", "float64")},
    "int32": {"bool": ("int32", "int32"), "int32": ("int32", "int32"), "int64": ("int64", "int32"),
              "float32": ("float32", "float32"), "float64": ("float64", "float64")},
    "int64": {"bool": ("int64", "int64"), "int32": ("int64", "int64"), "int64": ("int64", "int64"),
              "float32": ("float32", "float32"), "float64": ("float64", "float64")},
    "float32": {"bool": ("float32", "float32"), "int32": ("float32", "float32"), "int64": ("float32", "float32"),
                "float32": ("float32", "float32"), "float64": ("float64", "float32")},
    "float64": {d: ("float64", "float64") for d in DTYPES},
}
SCALAR_TABLE = {  # tensor dtype -> result with True, 5, 2.5
    "bool": ("bool", "int64", "float32"), "int32": ("int32", "int32", "float32"),
    "int64": ("int64", "int64", "float32"), "float32": ("float32", "float32", "float32"),
    "float64": ("float64", "float64", "float64"),
}
SCALARS = (True, 5, 2.5)


def _ones(dtype: str, ndim: int) -> Tensor:
    return R.ones(*([2] * ndim), dtype=dtype)


@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, DTYPES)))
def test_promotion_tensor_table(a, b):
    dimensioned, zero_dim = TENSOR_TABLE[a][b]
    assert R.result_type(_ones(a, 1), _ones(b, 1)).name == dimensioned
    assert R.result_type(_ones(b, 1), _ones(a, 1)).name == dimensioned  # symmetric
    assert R.result_type(_ones(a, 1), _ones(b, 0)).name == zero_dim
    assert R.result_type(_ones(b, 0), _ones(a, 1)).name == zero_dim
    assert R.result_type(_ones(a, 0), _ones(b, 0)).name == dimensioned  # all 0-d: as dimensioned


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", [0, 1])
def test_promotion_scalar_table(dtype, ndim):
    for s, want in zip(SCALARS, SCALAR_TABLE[dtype], strict=True):
        assert R.result_type(_ones(dtype, ndim), s).name == want
        assert R.result_type(s, _ones(dtype, ndim)).name == want


def test_promotion_statements_of_rules_md():
    assert R.result_type(_ones("int64", 1), _ones("float64", 0)).name == "float64"
    assert R.result_type(_ones("float32", 1), _ones("float64", 0)).name == "float32"
    assert R.result_type(_ones("float32", 0), _ones("float64", 0)).name == "float64"
    assert R.result_type(_ones("int32", 1), 5).name == "int32"
    assert R.result_type(_ones("bool", 1), 5).name == "int64"
    assert R.result_type(_ones("float32", 1), _ones("float64", 1)).name == "float64"
    assert (R.tensor([1, 2], dtype="int32") + 5).dtype.name == "int32"


def test_promotion_tables_agree_with_torch():
    """The tables above are the spec's; check them against torch where it is installed."""
    torch = pytest.importorskip("torch")
    for a, b in itertools.product(DTYPES, DTYPES):
        ta, tb = torch.ones(2, dtype=getattr(torch, a)), getattr(torch, b)
        assert str((ta + torch.ones(2, dtype=tb)).dtype) == f"torch.{TENSOR_TABLE[a][b][0]}"
        assert str((ta + torch.ones((), dtype=tb)).dtype) == f"torch.{TENSOR_TABLE[a][b][1]}"
    for dtype in DTYPES:
        for s, want in zip(SCALARS, SCALAR_TABLE[dtype], strict=True):
            assert str((torch.ones(2, dtype=getattr(torch, dtype)) + s).dtype) == f"torch.{want}"


# ---- reductions -------------------------------------------------------------------------------


def test_sum_values_shapes_and_dtypes():
    m = t([[1.0, 2.0], [3.0, 4.0]])
    assert R.sum(m).tolist() == 10 and R.sum(m).shape == ()
    assert R.sum(m, 1).tolist() == [3, 7]
    assert R.sum(m, (0, -1)).tolist() == 10
    assert R.sum(m, 1, keepdim=True).shape == (2, 1)
    assert R.sum(m, None, keepdim=True).shape == (1, 1)
    assert R.sum(arange(24, (2, 3, 4), "float32"), (0, -1), keepdim=True).shape == (1, 3, 1)
    assert R.sum(t(3.0), 0).shape == () and R.sum(t(3.0), -1, keepdim=True).shape == ()
    assert R.sum(shaped([], (2, 0), "float32"), 1).tolist() == [0, 0]
    s = R.sum(t([1, 2], dtype="int32"))
    assert s.dtype.name == "int64" and s.tolist() == 3
    s = R.sum(t([True, True, False]))
    assert s.dtype.name == "int64" and s.tolist() == 2


def test_sum_bound():
    s = R.sum(t([1.0, 2.0**-24, 2.0**-24], dtype="float32"))
    assert s.values() == [1 + 2 * U32]
    assert s.errs()[0] >= float(gamma(2, R.float32) * (1 + 2 * U32))
    assert s.errs()[0] <= math.nextafter(float(gamma(2, R.float32) * (1 + 2 * U32)), 1) * (1 + 2**-40)


def test_mean_values_and_errors():
    m = t([[1.0, 2.0], [3.0, 4.0]])
    assert R.mean(m, 0).tolist() == [2, 3]
    assert R.mean(t([1.0, 2.0, 2.0])).values() == [Fraction(5, 3)]
    for dtype in ("int32", "int64", "bool"):
        with pytest.raises(RuntimeError):
            R.mean(R.ones(3, dtype=dtype))
    with pytest.raises(IndexError):
        R.sum(m, 2)
    with pytest.raises(RuntimeError):
        R.sum(m, (0, -2))


# ---- matmul: the five cases ---------------------------------------------------------------------


def test_matmul_dot():
    r = R.matmul(t([1.0, 2.0, 3.0]), t([4.0, 5.0, 6.0]))
    assert r.shape == () and r.values() == [32]
    assert R.matmul(arange(3, (3,)), arange(3, (3,))).tolist() == 5


def test_matmul_matrix_matrix():
    r = R.matmul(arange(6, (2, 3)), arange(9, (3, 3)))
    assert r.dtype.name == "int64" and r.tolist() == [[15, 18, 21], [42, 54, 66]]


def test_matmul_vector_matrix_and_the_tutorial_example():
    assert R.matmul(arange(3, (3,)), arange(9, (3, 3))).tolist() == [15, 18, 21]
    assert R.matmul(arange(3, (3,), "float32"), arange(6, (3, 2), "float32")).tolist() == [10, 13]
    with pytest.raises(RuntimeError):
        R.matmul(arange(6, (6,)), arange(9, (3, 3)))  # the tutorial's example: 6 vs 3


def test_matmul_matrix_vector():
    assert R.matmul(arange(9, (3, 3)), arange(3, (3,))).tolist() == [5, 14, 23]


def test_matmul_batched():
    assert R.matmul(arange(12, (2, 2, 3), "float32"), arange(3, (3,), "float32")).tolist() == [[5, 14], [23, 32]]
    assert R.matmul(R.ones(2, 1, 3, 4), R.ones(5, 4, 2)).shape == (2, 5, 3, 2)
    assert R.matmul(R.ones(3), R.ones(2, 3, 4)).shape == (2, 4)
    assert R.matmul(R.ones(2, 3, 4), R.ones(4)).shape == (2, 3)
    # batch index 1 of a (2, 1, 2) @ (1, 1, 2) product uses b's only matrix
    r = R.matmul(shaped([1, 2, 3, 4], (2, 1, 2)), shaped([10, 100], (1, 2, 1)))
    assert r.shape == (2, 1, 1) and r.tolist() == [[[210]], [[430]]]


@pytest.mark.parametrize("a, b", [((), (3,)), ((3,), ()), ((2, 3), (2, 3)), ((2, 3, 4), (3, 4, 2)), ((4,), (2, 3, 5))])
def test_matmul_errors(a, b):
    with pytest.raises(RuntimeError):
        R.matmul(R.ones(*a), R.ones(*b))


def test_matmul_dtypes():
    assert R.matmul(R.ones(2, 3, dtype="int32"), R.ones(3, dtype="int32")).tolist() == [3, 3]
    assert R.matmul(R.ones(2, 3, dtype="int32"), R.ones(3, dtype="int32")).dtype.name == "int32"
    with pytest.raises(RuntimeError):
        R.matmul(R.ones(3), R.ones(3, dtype="float64"))
    with pytest.raises(NotImplementedError):
        R.matmul(R.ones(3, dtype="bool"), R.ones(3, dtype="bool"))


def test_matmul_bounds():
    r = R.matmul(R.ones(2, 0, exact=True), R.ones(0, 3, exact=True))
    assert r.tolist() == [[0] * 3] * 2 and r.errs() == [0.0] * 6
    r = R.matmul(t([1.0, 1.0, 1.0]), t([1.0, 2.0**-24, 2.0**-24]))
    bound = r.errs()[0]
    assert bound >= float(gamma(3, R.float32) * (1 + 2 * U32))
    assert bound <= float(gamma(3, R.float32) * (1 + 2 * U32)) * (1 + 2**-40)
    assert R.matmul(t([3.0]), t([5.0])).accuracy == "correctly-rounded"  # k = 1: one rounding


def test_matmul_backend_face_rounds():
    r = R.matmul(t([1.0, 2.0**-24, 2.0**-24], exact=False), t([1.0, 1.0, 1.0], exact=False))
    assert not r.exact and r.values() == [1 + 2 * U32]
    r = R.matmul(t([1.0, 2.0**-25], exact=False), t([1.0, 1.0], exact=False))
    assert r.values() == [1]  # 1 + 2^-25 rounds to 1 in float32


# ---- sub with a bool operand (torch 2.13 refuses any bool operand, not only bool - bool) ----------


@pytest.mark.parametrize("a, b", [
    (R.ones(2, dtype="bool"), R.ones(2, dtype="bool")), (R.ones(2, dtype="bool"), R.ones(2, dtype="int32")),
    (R.ones(2), R.ones((), dtype="bool")), (R.ones(2, dtype="bool"), 1), (2.5, R.ones(2, dtype="bool")),
    (R.ones(2), True),
])
def test_sub_with_any_bool_operand_raises(a, b):
    with pytest.raises(RuntimeError):
        R.sub(a, b)
