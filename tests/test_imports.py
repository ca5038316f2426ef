"""The project's packages import as a DAG, and reference/, harness/ and suites/ import only at module level.

Read from the source with ``ast`` (nothing is imported): an edge A -> B for every
``import``/``from ... import`` in A that names a module B of the project, at any
depth, including imports inside functions (those only hide a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

#: folder -> the installed package it becomes (pyproject.toml's package-dir)
PACKAGES = {"reference": "tensorcts.reference", "adapters": "tensorcts.adapters",
            "harness": "tensorcts.harness", "tools": "tensorcts.tools", "suites": "tensorcts.suites"}


def _modules() -> dict[str, Path]:
    """Every project module by dotted name (a package by its ``__init__``)."""
    modules = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _imported(path: Path, name: str, tree: ast.AST) -> set[str]:
    """Dotted names an import statement in ``tree`` may load (module, and module.attribute)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = set()
        for imported in _imported(path, name, tree):
            # ``from . import views`` loads the package and its module: the module is the edge
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path of names (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _parent_package_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph without edges from a module to a package containing it.

    Importing ``tensorcts.reference.tensor`` runs ``tensorcts.reference/__init__``
    first anyway; such an edge (``from . import x`` in a submodule) names the
    package only to reach a sibling, which is its own edge.
    """
    return {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}


def test_no_import_cycle_in_project_packages():
    cycle = find_cycle(_parent_package_edges(import_graph()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


#: folders whose functions import nothing: every import is at module level (an ``if TYPE_CHECKING:``
#: block there is too), where a cycle shows (test above) and the names a module uses are in one place
MODULE_LEVEL_IMPORTS_ONLY = ("reference", "harness", "suites")


def function_local_imports(folder: str) -> dict[str, str]:
    """``file:line`` -> the function, of each import statement inside a function of ``folder``."""
    local = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(func):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        local.setdefault(f"{rel}:{node.lineno}", func.name)  # a nested function's: the outer one
    return local


@pytest.mark.parametrize("folder", MODULE_LEVEL_IMPORTS_ONLY)
def test_no_function_local_import(folder):
    local = function_local_imports(folder)
    assert not local, f"function-local imports in {folder}/: " + ", ".join(f"{at} ({f})" for at, f in local.items())


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    graph = import_graph()
    assert "tensorcts.reference.tensor" in graph["tensorcts.reference.autograd"]
    assert "tensorcts.reference.views" in graph["tensorcts.reference"]  # ``from . import views``
