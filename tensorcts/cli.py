"""The ``tensorcts`` console script: the common cases in one command.

    tensorcts run --backend X [--report r.json] [pytest args...]   the suites (pytest --pyargs tensorcts.suites)
    tensorcts rules [--area A]                                      rule IDs, level and status
    tensorcts matrix REPORT.json... [--out P] [--picture P]         tensorcts.tools.matrix

Subcommands live in COMMANDS; a tool with its own ``main(argv)`` is one line there:
``"site": Command("...", tool("tensorcts.tools.site"))``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Runner = Callable[[list[str]], int]


class CliError(Exception):
    """A usage problem: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (no usage dump) and an exception, not sys.exit."""

    def error(self, message: str):
        raise CliError(f"{self.prog}: {message}")


@dataclass(frozen=True)
class Command:
    help: str
    run: Runner


def tool(module: str) -> Runner:
    """A subcommand that hands its arguments to ``module.main(argv)``."""
    def run(argv: list[str]) -> int:
        return importlib.import_module(module).main(argv) or 0
    return run


def run_suites(argv: list[str]) -> int:
    """pytest --pyargs tensorcts.suites with the backend checked first, so a bad name is one line."""
    parser = _Parser(prog="tensorcts run", allow_abbrev=False,
                     description="Run the conformance suites; any other argument goes to pytest "
                                 "(e.g. -n 2, --rule ID, --hypothesis-profile ci, -k TEXT).")
    parser.add_argument("--backend", default=None,
                        help="built-in name, module:attr or path/to/adapter.py:Class "
                             "(default: $TENSORCTS_BACKEND, else torch)")
    parser.add_argument("--report", metavar="PATH", help="write the JSON conformance report here")
    args, rest = parser.parse_known_args(argv)
    from tensorcts.harness.backends import BackendError, resolve
    try:
        resolve(args.backend)
    except BackendError as exc:
        raise CliError(f"tensorcts run: {exc}") from None
    import pytest

    pytest_args = ["--pyargs", "tensorcts.suites", "-p", "no:cacheprovider"]
    if args.backend:
        pytest_args += ["--backend", args.backend]
    if args.report:
        pytest_args += ["--conformance-report", args.report]
    return int(pytest.main(pytest_args + rest))


def list_rules(argv: list[str]) -> int:
    """One line per rule: ID, level, status (active or retired), title."""
    from tensorcts.harness.spec import AREAS, load_rules

    parser = _Parser(prog="tensorcts rules", allow_abbrev=False, description="List the spec's rules.")
    parser.add_argument("--area", choices=AREAS, help="only this area")
    args = parser.parse_args(argv)
    rules = [r for r in load_rules().values() if args.area in (None, r.area)]
    width = max(len(r.id) for r in rules)
    for r in rules:
        print(f"{r.id:{width}}  {r.level:5}  {'retired' if r.retired else 'active':7}  {r.title}")
    return 0


COMMANDS: dict[str, Command] = {
    "run": Command("run the suites against a backend", run_suites),
    "rules": Command("list rule IDs with level and status", list_rules),
    "matrix": Command("merge reports into a conformance matrix", tool("tensorcts.tools.matrix")),
}


def _usage() -> str:
    lines = ["usage: tensorcts COMMAND [args...]", "", "commands:"]
    lines += [f"  {name:8} {command.help}" for name, command in COMMANDS.items()]
    lines.append("\n`tensorcts COMMAND --help` describes one command.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0 if argv else 2
    if argv[0] == "--version":
        from tensorcts import __version__
        print(f"tensorcts {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    try:
        if name not in COMMANDS:
            raise CliError(f"tensorcts: unknown command {name!r}; commands: {', '.join(COMMANDS)}")
        return COMMANDS[name].run(rest)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
