"""Element-wise arithmetic (spec/elementwise.md)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import tensorcts.reference as R
from hypothesis import given
from hypothesis import strategies as st
from tensorcts.reference.tensor import numel_of
from tensorcts.suites.checks import Case
from tensorcts.suites.strategies import (
    dtype_names,
    dtypes,
    exact_tensor,
    operand_pair,
    python_scalars,
    shapes,
    tensors,
    values_of,
)

BINARY = {  # rule -> (function name, operator symbol, reference function)
    "elementwise.add": ("add", "+", R.add),
    "elementwise.sub": ("sub", "-", R.sub),
    "elementwise.mul": ("mul", "*", R.mul),
    "elementwise.div": ("div", "/", R.div),
}


def _binary(backend, device, data, rule: str) -> None:
    name, symbol, reference = BINARY[rule]
    # Same-dtype operands: mixed dtypes are the promotion rules' business (spec/promotion.md).
    a_ref, b_ref = data.draw(operand_pair(backend, device, nonzero_b=name == "div", same_dtype=True),
                             label="operands")
    dtype = R.result_type(a_ref, b_ref).name
    operator_form = data.draw(st.booleans(), label="operator form")
    form = "broadcast" if a_ref.shape != b_ref.shape else "operator" if operator_form else "function"
    if name == "div" and dtype in ("int32", "int64", "bool"):
        # true division of integers gives the library's declared float dtype (PyTorch: float32); a
        # library that does not offer it (the array API) has no such case to check
        to = backend.conventions_on(device).true_divide_dtype("int64" if dtype == "bool" else dtype)
        if to is None or to not in backend.dtypes(device):
            return
        expected = R.div(*(exact_tensor([float(v) for v in x.values()], x.shape, to) for x in (a_ref, b_ref)))
    else:
        expected = reference(a_ref, b_ref)
    case = Case(backend, rule, device, dtype, form=form)
    case.expect(_observe(case, backend, name, a_ref, b_ref, operator_form), expected)


def _observe(case: Case, backend, name: str, a_ref, b_ref, operator_form: bool):
    """a op b (operator form) or ns.name(a, b) on the backend's copies of the operands."""
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    if operator_form:
        symbol = BINARY[f"elementwise.{name}"][1]
        return case.observe(f"a {symbol} b", lambda: backend.binary_operator(symbol, a, b))
    return case.observe(f"{{ns}}.{name}(a, b)", lambda: getattr(backend, name)(a, b))


@pytest.mark.rule("elementwise.add")
@given(data=st.data())
def test_add(backend, device, data):
    _binary(backend, device, data, "elementwise.add")


@pytest.mark.rule("elementwise.sub")
@given(data=st.data())
def test_sub(backend, device, data):
    _binary(backend, device, data, "elementwise.sub")


@pytest.mark.rule("elementwise.mul")
@given(data=st.data())
def test_mul(backend, device, data):
    _binary(backend, device, data, "elementwise.mul")


@pytest.mark.rule("elementwise.div")
@given(data=st.data())
def test_div(backend, device, data):
    _binary(backend, device, data, "elementwise.div")


def _rounding_operands(p: int) -> tuple[list[Fraction], list[Fraction]]:
    """Operands, representable at precision p, whose sums, differences, products and quotients round:
    ties to even upward and downward (1 + u + u/2, 1 + u/2, 3·(1 + u)), a sum past a power of two,
    full significands (2 - u, 1 + 3u), a quotient with no finite binary expansion (1/3); u = 2**(1-p)."""
    u = Fraction(1, 2 ** (p - 1))
    return [1 + u, Fraction(1), Fraction(3), 2 - u, Fraction(1), 1 + 3 * u], \
        [u / 2, u / 2, 1 + u, 1 + 3 * u, Fraction(3), 2 - u]


@pytest.mark.parametrize("rule", [pytest.param(r, marks=pytest.mark.rule(r)) for r in BINARY])
def test_rounding_cases(backend, device, rule):
    """Every run checks results that must round, in each float dtype offered, in both forms (spec/elementwise.md's
    Inputs): random draws reach such values only now and then, and a derandomized profile may never."""
    name, _, reference = BINARY[rule]
    for dtype in dtype_names(backend, device, "f"):
        a_values, b_values = _rounding_operands(R.BY_NAME[dtype].precision)
        a_ref, b_ref = exact_tensor(a_values, (6,), dtype), exact_tensor(b_values, (6,), dtype)
        for form in ("function", "operator"):
            case = Case(backend, rule, device, dtype, form=form, values="rounding")
            case.expect(_observe(case, backend, name, a_ref, b_ref, form == "operator"), reference(a_ref, b_ref))


@pytest.mark.rule("elementwise.neg")
@given(data=st.data())
def test_neg(backend, device, data):
    dtype = data.draw(dtypes(backend, device, "if"), label="dtype")
    a_ref = data.draw(tensors(dtype, data.draw(shapes(), label="shape")), label="a")
    case = Case(backend, "elementwise.neg", device, dtype)
    a = case.input("a", a_ref)
    if data.draw(st.booleans(), label="operator form"):
        observed = case.observe("-a", lambda: backend.unary_minus(a))
    else:
        observed = case.observe("{ns}.neg(a)", lambda: backend.neg(a))
    case.expect(observed, R.neg(a_ref))


@pytest.mark.rule("elementwise.pow-int")
@given(data=st.data(), k=st.integers(0, 4))
def test_pow_int(backend, device, data, k):
    dtype = data.draw(dtypes(backend, device, "if"), label="dtype")
    a_ref = data.draw(tensors(dtype, data.draw(shapes(), label="shape"), int_limit=30), label="a")
    case = Case(backend, "elementwise.pow-int", device, dtype)
    a = case.input("a", a_ref)
    if data.draw(st.booleans(), label="operator form"):
        observed = case.observe(f"a ** {k}", lambda: backend.binary_operator("**", a, k))
    else:
        observed = case.observe(f"{{ns}}.pow(a, {k})", lambda: backend.pow(a, k))
    case.expect(observed, R.pow(a_ref, k))


@pytest.mark.rule("elementwise.scalar-operand")
@given(data=st.data(), rule=st.sampled_from(sorted(BINARY)), scalar_first=st.booleans())
def test_scalar_operand(backend, device, data, rule, scalar_first):
    name, symbol, reference = BINARY[rule]
    dtype = data.draw(dtypes(backend, device, "if"), label="dtype")
    t_ref = data.draw(tensors(dtype, data.draw(shapes(), label="shape")), label="t")
    divisor_is_scalar = name == "div" and not scalar_first
    # A float scalar with an integer tensor changes the dtype: that is promotion.python-scalar's case.
    kinds = "if" if R.BY_NAME[dtype].is_floating else "i"
    s = data.draw(python_scalars(kinds, nonzero=divisor_is_scalar), label="scalar")
    if name == "div" and (scalar_first or not R.BY_NAME[dtype].is_floating):
        return  # s / t is elementwise.scalar-dividend's case; integer division's dtype is elementwise.div's
    case = Case(backend, "elementwise.scalar-operand", device, dtype, op=name)
    t, s = case.input("t", t_ref), case.input("s", s)
    operands, refs = ((s, t), (s, t_ref)) if scalar_first else ((t, s), (t_ref, s))
    text = "s {} t" if scalar_first else "t {} s"
    if scalar_first or data.draw(st.booleans(), label="operator form"):
        observed = case.observe(text.format(symbol),
                                lambda: backend.binary_operator(symbol, *operands))
    else:
        observed = case.observe(f"{{ns}}.{name}(t, s)", lambda: getattr(backend, name)(*operands))
    case.expect(observed, reference(*refs))


@pytest.mark.rule("elementwise.scalar-dividend")
@given(data=st.data())
def test_scalar_dividend(backend, device, data):
    dtype = data.draw(dtypes(backend, device, "f"), label="dtype")
    shape = data.draw(shapes(), label="shape")
    n = numel_of(shape)
    divisors = data.draw(st.lists(values_of(dtype).filter(bool), min_size=n, max_size=n), label="t")
    t_ref = exact_tensor(divisors, shape, dtype)
    case = Case(backend, "elementwise.scalar-dividend", device, dtype, form="operator")  # the rule's one form
    t, s = case.input("t", t_ref), case.input("s", data.draw(python_scalars("if"), label="scalar"))
    observed = case.observe("s / t", lambda: backend.binary_operator("/", s, t))
    case.expect(observed, R.div(s, t_ref))


@pytest.mark.rule("elementwise.bool")
@given(data=st.data())
def test_bool_arithmetic(backend, device, data):
    shape = data.draw(shapes(), label="shape")
    a_ref = data.draw(tensors("bool", shape), label="a")
    b_ref = data.draw(tensors("bool", shape), label="b")
    case = Case(backend, "elementwise.bool", device, "bool")
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    observed = case.observe("a + b", lambda: backend.binary_operator("+", a, b))
    case.expect(observed, R.add(a_ref, b_ref), what="bool + bool (logical or)")
    case.expect_error("a - b", lambda: backend.binary_operator("-", a, b))
    case.expect_error("-a", lambda: backend.unary_minus(a))


# ---- witnesses: fixed examples that expectations may name (@pytest.mark.witness) ---------------------------


@pytest.mark.rule("elementwise.div")
@pytest.mark.witness("int-true-division-dtype")
def test_integer_true_division_gives_float32(backend, device):
    """spec/elementwise.md's example: ``tensor([1, 2]) / tensor([2, 4])`` is ``[0.5, 0.5]`` in the
    library's declared dtype of int / int (PyTorch's: float32)."""
    dtype = "int64" if "int64" in backend.dtypes(device) else "int32"
    to = backend.conventions_on(device).true_divide_dtype(dtype)
    if to is None:
        return  # the library does not offer true division of integers
    a_ref, b_ref = exact_tensor([1, 2], (2,), dtype), exact_tensor([2, 4], (2,), dtype)
    case = Case(backend, "elementwise.div", device, dtype)
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    case.expect(case.observe("a / b", lambda: backend.binary_operator("/", a, b)),
                exact_tensor([0.5, 0.5], (2,), to))


@pytest.mark.rule("elementwise.div")
@pytest.mark.witness("div-by-broadcast")
def test_division_by_a_broadcast_divisor_is_correctly_rounded(backend, device):
    """``[5., 7., 10.] / [3.]`` in float32 is the correctly rounded quotient, not ``x * fl(1/3)``."""
    a_ref, b_ref = exact_tensor([5.0, 7.0, 10.0], (3,), "float32"), exact_tensor([3.0], (1,), "float32")
    case = Case(backend, "elementwise.div", device, "float32", form="broadcast")
    a, b = case.input("a", a_ref), case.input("b", b_ref)
    case.expect(case.observe("a / b", lambda: backend.binary_operator("/", a, b)), R.div(a_ref, b_ref))


@pytest.mark.rule("elementwise.scalar-operand")
@pytest.mark.witness("div-by-python-scalar")
def test_division_by_a_python_scalar_is_correctly_rounded(backend, device):
    """``tensor([5., 7., 10.]) / 3.0`` in float32 is correctly rounded (3.0 is representable)."""
    t_ref = exact_tensor([5.0, 7.0, 10.0], (3,), "float32")
    case = Case(backend, "elementwise.scalar-operand", device, "float32", op="div")
    t, s = case.input("t", t_ref), case.input("s", 3.0)
    case.expect(case.observe("t / s", lambda: backend.binary_operator("/", t, s)), R.div(t_ref, s))


@pytest.mark.rule("elementwise.scalar-dividend")
@pytest.mark.witness("python-scalar-dividend")
def test_python_scalar_divided_by_a_tensor_is_correctly_rounded(backend, device):
    """``5 / tensor([23.])`` in float32 is round(5/23) = 0.21739129722118378, not 5 * fl(1/23)."""
    t_ref = exact_tensor([23.0], (1,), "float32")
    case = Case(backend, "elementwise.scalar-dividend", device, "float32", form="operator")
    t, s = case.input("t", t_ref), case.input("s", 5)
    case.expect(case.observe("s / t", lambda: backend.binary_operator("/", s, t)), R.div(s, t_ref))
