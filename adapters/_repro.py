"""Repro snippets: the suites write them in torch's spelling; each adapter respells them in its library's API.

Two steps, both driven by tables the adapter module keeps next to its methods:

- ``respell``: each call of an operation the adapter spells differently (``t.fill_(v)``,
  ``np.mean(a, dim=0)``, ``t.view(s)``) is rewritten from the adapter's ``spellings``: a
  template over the adapter method's own parameter names (``{t}``, ``{dim}``; ``{ns}`` is
  the namespace), or a function of those argument texts. A template of several lines is a
  statement: its leading lines are placed before the line that used it (``t[...] = v``)
  and its last line is the value (``t``).
- ``translate``: plain function names (``tensor`` -> ``array``) and ``device=`` arguments.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Mapping

#: torch function names -> the NumPy-style names NumPy, JAX and CuPy use
NUMPY_NAMES = {"tensor": "array", "sub": "subtract", "mul": "multiply", "div": "divide", "neg": "negative",
               "pow": "power"}

Spelling = str | Callable[[dict[str, str]], str]

#: torch method names the suites write -> the adapter method that implements them
TORCH_ALIASES = {"numpy": "to_numpy", "Tensor": "legacy_constructor"}


def translate(expression: str, ns: str, names: dict[str, str], devices: dict[str, str] | None = None) -> str:
    """``ns.name(`` -> ``ns.new_name(``, and each ``device='d'`` by its spelling in ``devices``
    (an empty spelling drops the argument)."""
    for old, new in names.items():
        expression = expression.replace(f"{ns}.{old}(", f"{ns}.{new}(")
    for device, spelling in (devices or {}).items():
        expression = expression.replace(f", device={device!r}", f", device={spelling}" if spelling else "")
    return expression


def respell(code: str, ns: str, adapter, spellings: Mapping[str, Spelling]) -> str:
    """``code`` with every call of an operation in ``spellings`` written the library's way.

    ``x.m(args)`` and ``ns.m(args)`` both name the adapter method ``m`` (the receiver is its first
    argument); the call's arguments are bound to that method's signature, so keywords and defaults
    land where the library puts them. A call that does not bind is left as written."""
    names = {n for n in spellings} | {t for t, a in TORCH_ALIASES.items() if a in spellings}
    out = []
    for line in code.splitlines():
        stripped = line.lstrip()
        if not any(f".{n}(" in line for n in names) or not stripped:
            out.append(line)
            continue
        indent = line[: len(line) - len(stripped)]
        try:
            tree = ast.parse(stripped)
        except SyntaxError:  # a compound statement's header line (``def f(x):``) is left alone
            out.append(line)
            continue
        hoisted: list[str] = []
        tree = _Respeller(ns, adapter, spellings, hoisted).visit(tree)
        out += [indent + s for s in hoisted] + [indent + s for s in ast.unparse(tree).splitlines()]
    return "\n".join(out)


class _Respeller(ast.NodeTransformer):
    def __init__(self, ns: str, adapter, spellings: Mapping[str, Spelling], hoisted: list[str]):
        self.ns, self.adapter, self.spellings, self.hoisted = ns, adapter, spellings, hoisted

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)  # receivers and arguments first: x.view(s).fill_(v)
        func = node.func
        if not isinstance(func, ast.Attribute):
            return node
        method = TORCH_ALIASES.get(func.attr, func.attr)
        spelling = self.spellings.get(method)
        if spelling is None or any(isinstance(a, ast.Starred) for a in node.args):
            return node
        args = [ast.unparse(a) for a in node.args]
        if _root_name(func.value) != self.ns:  # a method: the receiver is the first argument
            args.insert(0, ast.unparse(func.value))
        try:
            bound = inspect.signature(getattr(self.adapter, method)).bind(
                *args, **{k.arg: ast.unparse(k.value) for k in node.keywords if k.arg})
        except (TypeError, AttributeError):
            return node
        texts = {name: (value if name in bound.arguments else repr(value)) for name, value in _with_defaults(bound)}
        try:
            text = spelling(texts) if callable(spelling) else spelling.format(ns=self.ns, **texts)
        except (ValueError, KeyError, SyntaxError):  # an argument the spelling cannot read: leave the call
            return node
        *statements, value = text.splitlines()
        self.hoisted.extend(statements)
        return ast.parse(value, mode="eval").body


def literal(text: str):
    """An argument's text as the Python value it spells (a device name, a flag); ValueError if not a literal."""
    return ast.literal_eval(text)


def _with_defaults(bound: inspect.BoundArguments):
    given = dict(bound.arguments)
    for name, param in bound.signature.parameters.items():
        yield name, given.get(name, param.default)


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None
