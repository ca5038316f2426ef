"""Checks by accuracy class, and failure messages that say everything needed to act.

A ``Case`` holds one example: the rules it checks, the device and dtype, the
inputs (as exact reference tensors and as native tensors), and the call. Its
checks raise ``ConformanceFailure`` naming the rule, with the inputs, the exact
expected value, the bound, the observed value and a repro snippet.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from tensorcts.adapters.base import Observation, flatten_nested
from tensorcts.reference.exact import round_float
from tensorcts.reference.tensor import Tensor, nest
from tensorcts.suites.outcome import TEST_RULES, Blocked, ConformanceFailure, register_case

MAX_SHOWN = 12  # elements shown per tensor in a message
#: a rule ID (area.slug); device names never contain a dot
_RULE_ID = re.compile(r"^[a-z0-9-]+\.[a-z0-9-]+$")


def _fmt(v) -> str:
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return f"{v.numerator}."
        return repr(float(v)) if Fraction(float(v)) == v else f"{float(v)!r}~"
    return repr(v)


def _show(flat: list, shape) -> str:
    shown = [_fmt(v) for v in flat[:MAX_SHOWN]]
    more = f" ... ({len(flat)} elements)" if len(flat) > MAX_SHOWN else ""
    if not shape:
        return shown[0] if shown else "?"
    return "[" + ", ".join(shown) + more + "]"


def _index(i: int, shape) -> tuple[int, ...]:
    out = []
    for size in reversed(shape):
        out.append(i % size if size else 0)
        i //= size if size else 1
    return tuple(reversed(out))


def rank_class(shape) -> str:
    """The ``rank`` case class of a shape: "0-d", "1-d" or "n-d"."""
    return "0-d" if len(shape) == 0 else "1-d" if len(shape) == 1 else "n-d"


def plain_value(v):
    """A value as exact JSON: bools and ints as they are, a Fraction as "n/d", a non-finite float as its repr."""
    if isinstance(v, (bool, int)):
        return v
    return str(v) if isinstance(v, Fraction) else repr(v)


def plain_observation(observation: Observation) -> dict:
    """What a printed result must show to reproduce a failure: its shape, dtype and exact values."""
    return {"shape": list(observation.shape), "dtype": observation.dtype,
            "values": [plain_value(v) for v in observation.flat]}


def _is_numpy_array(value) -> bool:
    return type(value).__module__ == "numpy" and type(value).__name__ == "ndarray"


def _numpy_source(a) -> str:
    """A NumPy array as code: its values, dtype and, where a stride is negative, the reversing slice."""
    flipped = tuple(slice(None, None, -1) if s < 0 else slice(None) for s in a.strides)
    values = a[flipped].tolist()  # the values in memory order along each reversed dimension
    text = f"np.array({values!r}, dtype={a.dtype.name!r})"
    if 0 in a.shape:
        text = f"np.zeros({a.shape!r}, dtype={a.dtype.name!r})"
    if any(s < 0 for s in a.strides):
        text += "[" + ", ".join("::-1" if s < 0 else ":" for s in a.strides) + "]"
    return text


def _without_repeated_imports(code: str) -> str:
    seen: set[str] = set()
    out = []
    for line in code.splitlines():
        if line.startswith(("import ", "from ")):
            if line in seen:
                continue
            seen.add(line)
        out.append(line)
    return "\n".join(out)


def _call_lines(call: str) -> list[str]:
    """The call as repro lines: statements joined by "; " each on its own line, then the value printed
    (after an assignment, the variable assigned to; after a ``with`` block, nothing); a trailing
    comment stays a comment."""
    call, _, comment = call.partition("  # ")
    *statements, last = [part.strip() for part in call.split("; ")]
    shown = _value_of(last)
    if shown is None:
        lines = [*statements, last]
    elif shown == last:
        lines = [*statements, f"print({last})"]
    else:
        lines = [*statements, last, f"print({shown})"]
    if comment:
        lines[-1] += "  # " + comment
    return lines


def _value_of(code: str) -> str | None:
    """``code`` itself if it is an expression, the name an assignment writes to, else None."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code  # a fragment: printed as it is, so the repro shows where it breaks
    node = tree.body[0] if len(tree.body) == 1 else None
    if isinstance(node, ast.Expr):
        return code
    target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _source_value(v):
    if isinstance(v, Fraction):
        return float(v) if v.denominator != 1 else float(v.numerator)
    return v


class Case:
    """One example of one or more rules, on one backend, device and dtype.

    ``Case(backend, rules, device, dtype, **case_class)``; ``rules`` may be left out
    (``Case(backend, device, dtype)``) or None: the rules of the test's ``@pytest.mark.rule``.
    Every case registers itself with the harness (``outcome.register_case``), which reads
    ``ran``, ``classes()``, ``observations`` and ``measurements`` after each example.
    """

    def __init__(self, backend, rules: str | tuple[str, ...] | None = None, device: str | None = None,
                 dtype: str | None = None, **case_class: str):
        if isinstance(rules, str) and not _RULE_ID.match(rules):  # Case(backend, device, dtype): no rules given
            rules, device, dtype = None, rules, device
        if rules is None:
            rules = TEST_RULES.get()
            if not rules:
                raise ValueError("Case(...) names no rule and the running test has no @pytest.mark.rule")
        self.backend = backend
        self.rules = (rules,) if isinstance(rules, str) else tuple(rules)
        self.device = device
        self.dtype = dtype
        #: the case-class keys expectations match (docs/suite-contract.md): form=, index=, construction=, ...
        self.case_class: dict[str, str] = dict(case_class)
        self.inputs: list[tuple[str, Any]] = []
        self.call_text = ""
        self.ran = 0  # executions of the operation under test
        self._printed: Observation | None = None  # the observed result of the call the repro prints
        self._read_after: str | None = None  # the input observe_after made the repro print after the call
        self.failed: ConformanceFailure | None = None  # the failure this case raised, if any
        self.observations: list[tuple[str, str, Any]] = []  # MAY behaviour: (rule, key, value)
        self.measurements: list[tuple[str, str, float, str]] = []  # (rule, key, value, repro)
        register_case(self)

    def classes(self) -> dict[str, str]:
        """This case's class keys: dtype, device, rank and size derived from the inputs unless given."""
        out = dict(self.case_class)
        if self.device is not None:
            out.setdefault("device", self.device)
        if self.dtype:
            out.setdefault("dtype", self.dtype)
        tensors = [v for _, v in self.inputs if isinstance(v, Tensor)]
        if tensors and "rank" not in out:
            out["rank"] = rank_class(max((t.shape for t in tensors), key=len))
        if tensors and "size" not in out:
            out["size"] = "empty" if any(0 in t.shape for t in tensors) else "nonempty"
        return out

    # ---- inputs ---------------------------------------------------------------------------
    def input(self, name: str, value, construction: str | None = None):
        """Record an input before any operation runs; a reference tensor becomes a native one on the
        case's device through ``asarray``. ``construction`` names how (a case-class key); a construction
        that raises makes the case ``blocked``, not failed (an ``Unsupported`` stays unsupported)."""
        if construction is not None:
            self.case_class.setdefault("construction", construction)
        self.inputs.append((name, value))
        if isinstance(value, Tensor):
            try:
                return self.backend.asarray(value, self.device)
            except Exception as exc:
                raise Blocked(f"building input {name} with asarray failed: {type(exc).__name__}: {exc}",
                              self.rules, "asarray") from exc
        return value

    def input_device(self, name: str) -> str | None:
        """The device input ``name`` was placed on (the case's own unless a subclass placed it elsewhere)."""
        return self.device

    def source(self) -> str:
        """The repro: the inputs as they were before any write, then the call, in the backend's API."""
        ns = self.backend.repro_namespace
        lines = []
        for name, value in self.inputs:
            if isinstance(value, Tensor):
                device = self.input_device(name)
                data = nest([_source_value(v) for v in value.values()], value.shape)
                text = f"{ns}.tensor({data!r}, dtype={ns}.{value.dtype.name}, device={device!r})"
                if 0 in value.shape:
                    text = f"{ns}.zeros({value.shape}, dtype={ns}.{value.dtype.name}, device={device!r})"
                lines.append(f"{name} = {text}")
            elif _is_numpy_array(value):
                if "import numpy as np" not in lines:
                    lines.insert(0, "import numpy as np")
                lines.append(f"{name} = {_numpy_source(value)}")
            else:
                lines.append(f"{name} = {value!r}")
        lines += _call_lines(self.call_text.format(ns=ns))
        return _without_repeated_imports(self.backend.repro("\n".join(lines)))

    # ---- running ----------------------------------------------------------------------------
    def setup(self, op: str, fn: Callable[[], Any], rule: str | None = None):
        """A step that only builds inputs for the operation under test: if it fails for any reason
        (``Unsupported`` included), the case is ``blocked`` by ``op`` (of ``rule``), never failed."""
        op = op.replace("{ns}", getattr(self.backend, "repro_namespace", "torch"))  # as the library spells it
        try:
            return fn()
        except BaseException as exc:
            # the harness turns Unsupported into a skip that names the operation (tensorcts_op): here it blocks
            if not isinstance(exc, Exception) and getattr(exc, "tensorcts_op", None) is None:
                raise
            raise Blocked(f"setup step {op}" + (f" (rule {rule})" if rule else "")
                          + f" failed: {type(exc).__name__}: {exc}", self.rules, op, rule) from exc

    def run(self, call_text: str, fn: Callable[[], Any]):
        """The backend's result of ``fn``; an exception where a result is required is a failure."""
        self.call_text = call_text
        self._read_after = None
        try:
            result = fn()
        except Exception as exc:
            self.fail(f"the backend raised {type(exc).__name__}: {exc}\nwhere the rule requires a result",
                      shows={"raises": type(exc).__name__})
        self.ran += 1
        return result

    def observe_after(self, name: str, native) -> Observation:
        """The observation of input ``name`` after the call (an in-place write): the repro prints ``name``
        after the call, so it shows what this observation holds."""
        call = self.call_text.removesuffix(f"; {self._read_after}") if self._read_after else self.call_text
        self.call_text, self._read_after = f"{call}; {name}", name
        self._printed = self.backend.observe(native)
        return self._printed

    def may(self, rule: str, key: str, value: Any) -> None:
        """Record behaviour the spec leaves to the library (MAY): an observation, never a failure."""
        self.observations.append((rule, key, value))

    def measure(self, rule: str, key: str, value: float) -> None:
        """Record a measurement (e.g. an error in ULPs) with this case's repro; the report keeps the largest."""
        self.measurements.append((rule, key, value, self.source()))

    def observe(self, call_text: str, fn: Callable[[], Any]) -> Observation:
        """The observation of the call's result: what the repro's ``print`` shows."""
        self._printed = self.backend.observe(self.run(call_text, fn))
        return self._printed

    def fail(self, what: str, rules: tuple[str, ...] | None = None, shows: dict | None = None) -> None:
        """Raise the failure; ``shows`` is what the repro must show when run (see ConformanceFailure)."""
        rules = rules or self.rules
        backend = self.backend
        head = (f"rule {', '.join(rules)} broken by {backend.name} {backend.version} "
                f"on {self.device}" + (f", {self.dtype}" if self.dtype else ""))
        inputs = "\n".join(
            f"    {name} = {v.dtype.name}{list(v.shape)} {_show(v.values(), v.shape)}"
            if isinstance(v, Tensor) else f"    {name} = {v!r}" for name, v in self.inputs)
        call = self.call_text.format(ns="") if self.call_text else "?"
        repro = self.source()
        message = (f"{head}\n  {what}\n  call: {call.lstrip('.')}\n  inputs:\n{inputs}\n"
                   f"  repro:\n" + "\n".join("    " + line for line in repro.splitlines()))
        self.failed = ConformanceFailure(message, rules, self.device, self.dtype, self.classes(), repro, shows)
        raise self.failed

    # ---- checks --------------------------------------------------------------------------------
    def check(self, condition: bool, what: str, rules: tuple[str, ...] | None = None) -> None:
        if not condition:
            self.fail(what, rules)

    def check_result(self, observed: Observation, condition: bool, what: str,
                     rules: tuple[str, ...] | None = None) -> None:
        """A check about the observed result of the call: a failure's repro must print ``observed``."""
        if not condition:
            self.fail(what, rules, self._shows(observed))

    def _shows(self, observed: Observation) -> dict | None:
        """The printed result must show ``observed`` when it is what the call returned (not a tensor read later)."""
        return {"result": plain_observation(observed)} if self._printed is observed else None

    def expect_error(self, call_text: str, fn: Callable[[], Any]) -> str:
        """The rule requires an error: any exception passes, at the call or, for a lazy library, when
        ``backend.realize`` computes the result (its message is returned)."""
        self.call_text = call_text
        try:
            result = fn()
        except Exception as exc:
            self.ran += 1
            return f"{type(exc).__name__}: {exc}"
        try:
            result = self.backend.realize(result)
        except Exception as exc:  # a lazy backend raises when the result is computed (docs/design.md)
            self.ran += 1
            for rule in self.rules:
                self.may(rule, "raises when the result is computed, not at the call", True)
            return f"{type(exc).__name__}: {exc}"
        shown = ""
        try:
            obs = self.backend.observe(result)
            shown = f": shape {obs.shape}, dtype {obs.dtype}, values {_show(obs.flat, obs.shape)}"
        except Exception:  # not a tensor (a size, a flag): the message names its type
            shown = f" of type {type(result).__name__}: {result!r}"[:300]
        self.fail(f"expected an error, but the backend returned a result{shown}", shows={"returns": True})
        return ""

    def expect(self, observed: Observation, expected: Tensor, rules: tuple[str, ...] | None = None,
               what: str = "result") -> None:
        """Shape, dtype and values of ``observed`` against the oracle tensor ``expected``."""
        shows = self._shows(observed)
        if tuple(observed.shape) != tuple(expected.shape):
            self.fail(f"{what} shape: expected {tuple(expected.shape)}, observed {tuple(observed.shape)}", rules,
                      shows)
        if observed.dtype != expected.dtype.name:
            self.fail(f"{what} dtype: expected {expected.dtype.name}, observed {observed.dtype}", rules, shows)
        self.expect_values(observed.flat, expected, rules, what, shows)

    def expect_values(self, flat: list, expected: Tensor, rules=None, what: str = "result",
                      shows: dict | None = None) -> None:
        exact_values = expected.values()
        accuracy = expected.accuracy
        errs = expected.errs() if accuracy == "bounded" else None
        for i, (obs, exp) in enumerate(zip(flat, exact_values)):
            if accuracy == "exact":
                ok = type(obs) is type(exp) or not isinstance(exp, bool)
                ok = ok and obs == exp
                target, bound = exp, "exactly"
            elif accuracy == "correctly-rounded":
                target = round_float(exp, expected.dtype)
                ok, bound = obs == target, "correctly rounded"
            else:
                target, err = exp, errs[i]
                ok = isinstance(obs, (Fraction, int)) and abs(obs - exp) <= Fraction(err)
                bound = f"within {err!r} (bounded)"
            if not ok:
                at = _index(i, expected.shape)
                diff = ""
                if isinstance(obs, (Fraction, int)) and isinstance(exp, (Fraction, int)) and not isinstance(exp, bool):
                    diff = f", off by {float(obs - exp)!r}"
                self.fail(
                    f"{what} value at index {at}: expected {_fmt(target)} {bound} (exact value {_fmt(exp)}), "
                    f"observed {_fmt(obs)}{diff}\n  expected: {_show(exact_values, expected.shape)}\n"
                    f"  observed: {_show(flat, expected.shape)}"
                    + (f"\n  bounds:   {_show(errs, expected.shape)}" if errs else ""), rules, shows)


def bound_use(observation: Observation, expected: Tensor) -> float:
    """The largest |observed - exact| / bound over the elements: within the bound up to 1; inf for a non-finite
    value or a miss of a zero bound. Same shape assumed (a shape mismatch is the check's to report)."""
    worst = 0.0
    for obs, value, err in zip(observation.flat, expected.values(), expected.errs(), strict=True):
        if not isinstance(obs, (Fraction, int)):
            return math.inf
        miss = abs(obs - value)
        worst = max(worst, float(miss / Fraction(err)) if err else 0.0 if miss == 0 else math.inf)
    return worst


def observed_flat(observation: Observation) -> list:
    return flatten_nested(observation.values, len(observation.shape))
