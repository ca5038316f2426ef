"""Type promotion (spec/promotion.md): result dtypes of add, sub, mul against reference.result_type.

Each example loops over every ordered dtype pair the backend has (a few tiny tensors
each), so every cell of the promotion tables is checked in every run.
"""

from __future__ import annotations

import itertools
from functools import partial

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference.tensor import Tensor, numel_of
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import broadcastable_shapes, exact_tensor, shapes
from tensorcts.suites.strategies_arith import pooled_tensors

OPS = {"add": "+", "sub": "-", "mul": "*"}
#: (op, symbol, operator form) in turn: each dtype pair gets one per example, all over a run
TURNS = [(op, symbol, form) for form in (True, False) for op, symbol in OPS.items()]
SMALL = st.integers(-3, 3)  # representable in every dtype (bool: nonzero is True)


def _tensor(values: list, shape, dtype: str):
    if dtype == "bool":
        values = [v != 0 for v in values]
    return exact_tensor(values[:numel_of(shape)], shape, dtype)


def _has_bool(*operands) -> bool:
    return any(x.dtype.is_bool if isinstance(x, Tensor) else isinstance(x, bool) for x in operands)


def _ops(backend, device, a_ref, b_ref, case_rule: str | tuple[str, ...], turn: int) -> None:
    """Run one of add/sub/mul (chosen by ``turn``) on (a, b); check the dtype against result_type."""
    expected = R.result_type(a_ref, b_ref).name
    case = Case(backend, case_rule, device, expected, operands=f"{a_ref.dtype.name} {b_ref.dtype.name}")
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    op, symbol, operator_form = TURNS[turn % len(TURNS)]
    if op == "sub" and _has_bool(a_ref, b_ref):
        op, symbol = "add", "+"  # torch raises for sub with any bool operand (elementwise.bool)
    if operator_form:
        observed = case.observe(f"a {symbol} b", partial(backend.binary_operator, symbol, a, b))
    else:
        observed = case.observe(f"{{ns}}.{op}(a, b)", partial(getattr(backend, op), a, b))
    case.check_result(observed, observed.dtype == expected,
               f"result dtype of {a_ref.dtype.name}{list(a_ref.shape)} {symbol} "
               f"{b_ref.dtype.name}{list(b_ref.shape)}: expected {expected}, observed {observed.dtype}")


def _some_pairs(backend, device, turn: int, every=lambda da, db: False) -> list[tuple[int, tuple[str, str]]]:
    """A third of the ordered dtype pairs, by turn (every pair comes up every three examples), and every pair
    for which ``every`` holds, in every example."""
    pairs = enumerate(itertools.product(backend.dtypes(device), repeat=2))
    return [(n, pair) for n, pair in pairs if n % 3 == turn % 3 or every(*pair)]


def _same_kind(da: str, db: str) -> bool:
    """Two integer or two float dtypes (bool pairs with nothing: the array API has no bool arithmetic)."""
    kinds = {R.BY_NAME[da].kind, R.BY_NAME[db].kind}
    return kinds in ({"i"}, {"f"})


def _dimensioned_rules(da: str, db: str) -> tuple[str, ...]:
    """A same-kind pair is a case of the core rule too; a pairing of kinds is torch-level only."""
    return ("promotion.same-kind", "promotion.categories") if _same_kind(da, db) else ("promotion.categories",)


@pytest.mark.rule("promotion.categories", "promotion.same-kind")
@given(data=st.data(), turn=st.integers(0, len(TURNS) - 1))
def test_dimensioned_operands(backend, device, data, turn):
    shape_a = data.draw(shapes(min_dims=1, max_dims=3, max_side=3), label="shape a")
    shape_b = data.draw(broadcastable_shapes(shape_a, max_dims=3).filter(len), label="shape b")
    values = data.draw(st.lists(SMALL, min_size=64, max_size=64), label="values")
    # every same-kind pair (the core rule's, a few) in every example, and first: a declared failure of a
    # pairing of kinds ends the example, and the core rule's cases that ran before it still count
    pairs = sorted(_some_pairs(backend, device, turn, every=_same_kind), key=lambda pair: not _same_kind(*pair[1]))
    for n, (da, db) in pairs:
        a_ref, b_ref = _tensor(values, shape_a, da), _tensor(values[::-1], shape_b, db)
        _ops(backend, device, a_ref, b_ref, _dimensioned_rules(da, db), turn + n)


@pytest.mark.rule("promotion.zero-dim")
@given(data=st.data(), turn=st.integers(0, len(TURNS) - 1), layout=st.sampled_from(["dimensioned, 0-d", "0-d, dimensioned", "0-d, 0-d"]))
def test_zero_dim_operands(backend, device, data, layout, turn):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3), label="shape")
    values = data.draw(st.lists(SMALL, min_size=27, max_size=27), label="values")
    shape_a, shape_b = {"dimensioned, 0-d": (shape, ()), "0-d, dimensioned": ((), shape),
                        "0-d, 0-d": ((), ())}[layout]
    for n, (da, db) in _some_pairs(backend, device, turn):
        a_ref, b_ref = _tensor(values, shape_a, da), _tensor(values[::-1], shape_b, db)
        _ops(backend, device, a_ref, b_ref, "promotion.zero-dim", turn + n)


FORMS = ("t op s", "s op t", "op(t, s)")


@pytest.mark.rule("promotion.python-scalar")
@given(data=st.data(), first_form=st.integers(0, 2),
       scalars=st.tuples(st.booleans(), st.integers(-3, 3), st.sampled_from([2.5, -0.5, 3.0])))
def test_python_scalar_operands(backend, device, data, first_form, scalars):
    shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=3), label="shape")
    values = data.draw(st.lists(SMALL, min_size=27, max_size=27), label="values")
    n = first_form
    for dtype in backend.dtypes(device):
        t_ref = _tensor(values, shape, dtype)
        case = Case(backend, "promotion.python-scalar", device, dtype)
        t = case.input("t", t_ref)
        for s in scalars:
            expected = R.result_type(t_ref, s).name
            for op, symbol in [list(OPS.items())[n % 3]]:  # one op per (dtype, scalar), rotating
                if op == "sub" and _has_bool(t_ref, s):
                    op, symbol = "add", "+"
                form, n = FORMS[(n // 3) % 3], n + 1  # and rotate the three forms
                if form == "t op s":
                    observed = case.observe(f"t {symbol} {s!r}", partial(backend.binary_operator, symbol, t, s))
                elif form == "s op t":
                    observed = case.observe(f"{s!r} {symbol} t", partial(backend.binary_operator, symbol, s, t))
                else:
                    observed = case.observe(f"{{ns}}.{op}(t, {s!r})", partial(getattr(backend, op), t, s))
                case.check_result(observed, observed.dtype == expected,
                           f"result dtype of {dtype}{list(shape)} and Python {type(s).__name__} {s!r} "
                           f"({form}, {op}): expected {expected}, observed {observed.dtype}")


@pytest.mark.rule("promotion.mixed-float")
@given(data=st.data(), float32_first=st.booleans())
def test_mixed_float(backend, device, data, float32_first):
    backend.require("float64")
    shape_a = data.draw(shapes(min_dims=1, max_dims=3, max_numel=64), label="shape a")
    shape_b = data.draw(broadcastable_shapes(shape_a, max_dims=3).filter(len), label="shape b")
    a_ref = data.draw(pooled_tensors("float32", shape_a), label="a")
    b_ref = data.draw(pooled_tensors("float64", shape_b), label="b")
    if not float32_first:
        a_ref, b_ref = b_ref, a_ref
    for op, symbol in OPS.items():
        case = Case(backend, "promotion.mixed-float", device, "float64")
        a, b = case.input("a", a_ref), case.input("b", b_ref)
        observed = case.observe(f"a {symbol} b", partial(backend.binary_operator, symbol, a, b))
        case.expect(observed, getattr(R, op)(a_ref, b_ref))


@pytest.mark.rule("promotion.zero-dim", "promotion.python-scalar", "promotion.mixed-float")
def test_spec_statements(backend, device):
    """The examples RULES.md and the spec state, one by one."""
    backend.require("float64", "int64")
    cases = [  # (a, b, expected dtype, rule)
        (_tensor([1, 2], (2,), "int64"), _tensor([1], (), "float64"), "float64", "promotion.zero-dim"),
        (_tensor([1, 2], (2,), "float32"), _tensor([1], (), "float64"), "float32", "promotion.zero-dim"),
        (_tensor([1], (), "float32"), _tensor([1], (), "float64"), "float64", "promotion.zero-dim"),
        (_tensor([1, 2], (2,), "int32"), _tensor([1], (), "int64"), "int32", "promotion.zero-dim"),
        (_tensor([1, 0], (2,), "bool"), _tensor([1], (), "int32"), "int32", "promotion.zero-dim"),
        (_tensor([1, 2], (2,), "int32"), 5, "int32", "promotion.python-scalar"),
        (_tensor([1, 0], (2,), "bool"), 1, "int64", "promotion.python-scalar"),
        (_tensor([1, 2], (2,), "int64"), 2.5, "float32", "promotion.python-scalar"),
        (_tensor([1, 2], (2,), "float64"), 2.5, "float64", "promotion.python-scalar"),
        (_tensor([1, 2], (2,), "float32"), _tensor([1, 2], (2,), "float64"), "float64", "promotion.mixed-float"),
    ]
    for a_ref, b_ref, want, rule in cases:
        case = Case(backend, rule, device, want)
        a, b = case.input("a", a_ref), case.input("b", b_ref)
        observed = case.observe("a + b", partial(backend.binary_operator, "+", a, b))
        case.check_result(observed, observed.dtype == want, f"dtype: expected {want}, observed {observed.dtype}")
