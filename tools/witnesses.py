"""Run every witness of a backend's expectations: each declared divergence, re-checked in the library's own API.

    python -m tensorcts.tools.witnesses numpy
    python -m tensorcts.tools.witnesses --all
    python -m tensorcts.tools.witnesses jax --rule elementwise.div --json out.json

An expectations entry with ``status = "fail"`` carries ``[expect.witness]``: ``code``
in the library's own idiomatic API and ``shows``, a Python expression over the code's
variables that is true while the library diverges (docs/suite-contract.md). Each
witness runs in a fresh interpreter (``python -I``, so nothing of tensorcts is on the
path: the code must run as pasted). Outcomes:

- ``holds``: ``shows`` is true; the divergence is real today.
- ``stale``: ``shows`` is false; the library now conforms (or was never wrong), an error.
- ``broken``: the code or ``shows`` raised, or ``shows`` gave a non-bool; an error.
- ``missing``: a ``fail`` entry without a code witness (or naming a suite test); an error.
- ``unavailable``: the library is not installed; an error unless ``--allow-missing``.

Exits 1 on any error, 0 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

import tensorcts.adapters

EXPECTATIONS_DIR = Path(tensorcts.adapters.__file__).resolve().parent / "expectations"
ERRORS = ("stale", "broken", "missing", "unavailable")

# Runs in the fresh interpreter: argv[1] is a JSON file {code, shows}; the verdict goes to argv[2]
# (not stdout, which the witness's own prints may use).
_DRIVER = """
import json, sys, traceback
job = json.load(open(sys.argv[1]))
out = {}
try:
    ns = {"__name__": "__main__"}
    exec(compile(job["code"], "<witness>", "exec"), ns)
    value = eval(compile(job["shows"], "<shows>", "eval"), ns)
    if type(value).__module__ == "numpy" and type(value).__name__ == "bool":
        value = bool(value)  # a NumPy comparison of scalars is numpy.bool, still a truth value
    out = {"value": value} if isinstance(value, bool) else {"error": "shows gave %r, not a bool" % (value,)}
except BaseException as exc:
    out = {"error": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
           "missing_module": isinstance(exc, ModuleNotFoundError)}
json.dump(out, open(sys.argv[2], "w"))
"""


@dataclass
class Result:
    backend: str
    rule: str
    cases: dict
    outcome: str  # holds | stale | broken | missing | unavailable
    detail: str = ""

    @property
    def error(self) -> bool:
        return self.outcome in ERRORS


def backends(directory: Path | None = None) -> list[str]:
    """Every backend with an expectations file."""
    return sorted(p.stem for p in (directory or EXPECTATIONS_DIR).glob("*.toml"))


def load(backend: str, directory: Path | None = None) -> list[dict]:
    path = (directory or EXPECTATIONS_DIR) / f"{backend}.toml"
    if not path.is_file():
        raise SystemExit(f"no expectations file {path}")
    with path.open("rb") as fh:
        return tomllib.load(fh).get("expect", [])


def run_witness(code: str, shows: str, timeout: float = 300.0) -> dict:
    """Run ``code`` in a fresh isolated interpreter and evaluate ``shows`` there."""
    with tempfile.TemporaryDirectory(prefix="tensorcts-witness-") as tmp:
        job, verdict = Path(tmp) / "job.json", Path(tmp) / "verdict.json"
        job.write_text(json.dumps({"code": code, "shows": shows}))
        try:
            proc = subprocess.run([sys.executable, "-I", "-c", _DRIVER, str(job), str(verdict)],
                                  cwd=tmp, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
        if not verdict.is_file():  # the interpreter died (a crash, os._exit): say how
            return {"error": f"interpreter exited {proc.returncode}: {proc.stderr.strip()[-500:]}"}
        return json.loads(verdict.read_text())


def check_entry(backend: str, entry: dict, timeout: float = 300.0) -> Result | None:
    """The witness outcome of one entry; None for entries that need no witness (unsupported, flaky)."""
    if entry.get("status") != "fail":
        return None
    rule, cases = entry.get("rule", "?"), entry.get("cases", {})
    witness = entry.get("witness")
    if not isinstance(witness, dict) or not isinstance(witness.get("code"), str) \
            or not isinstance(witness.get("shows"), str):
        what = f"names the suite test {witness!r}" if isinstance(witness, str) else "has no [expect.witness] code/shows"
        return Result(backend, rule, cases, "missing", f"a fail entry {what}")
    if "tensorcts" in witness["code"]:
        return Result(backend, rule, cases, "broken", "the code imports tensorcts; a witness uses the library's own API")
    got = run_witness(witness["code"], witness["shows"], timeout)
    if "error" in got:
        outcome = "unavailable" if got.get("missing_module") else "broken"
        return Result(backend, rule, cases, outcome, got["error"])
    if got["value"]:
        return Result(backend, rule, cases, "holds", witness["shows"])
    return Result(backend, rule, cases, "stale", f"shows is false: {witness['shows']}")


def check_backend(backend: str, rules: set[str] | None = None, timeout: float = 300.0,
                  directory: Path | None = None) -> list[Result]:
    results = []
    for entry in load(backend, directory):
        if rules and entry.get("rule") not in rules:
            continue
        result = check_entry(backend, entry, timeout)
        if result is not None:
            results.append(result)
    return results


def _line(r: Result) -> str:
    cases = ", ".join(f"{k}={'|'.join(map(str, v))}" for k, v in r.cases.items()) or "all cases"
    return f"{r.outcome:11s} {r.backend}: {r.rule} [{cases}]" + (f"\n            {r.detail}" if r.error else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", nargs="*", help="backends to check (names of adapters/expectations/*.toml)")
    parser.add_argument("--all", action="store_true", help="every backend with an expectations file")
    parser.add_argument("--rule", action="append", default=None, help="only these rules (repeatable)")
    parser.add_argument("--allow-missing", action="store_true",
                        help="a backend whose library is not installed is not an error")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per witness (default 300)")
    parser.add_argument("--json", default=None, metavar="PATH", help="write every result as JSON")
    parser.add_argument("--expectations-dir", type=Path, default=None, metavar="DIR",
                        help="where the <backend>.toml files are (default adapters/expectations)")
    args = parser.parse_args(argv)
    directory = args.expectations_dir
    names = backends(directory) if args.all else args.backend
    if not names:
        parser.error("name a backend or pass --all")
    unknown = sorted(set(names) - set(backends(directory)))
    if unknown:
        parser.error(f"no expectations file for {', '.join(unknown)} (have {', '.join(backends(directory))})")
    results = []
    for name in names:
        for r in check_backend(name, set(args.rule) if args.rule else None, args.timeout, directory):
            if r.outcome == "unavailable" and args.allow_missing:
                r.outcome = "skipped"
            results.append(r)
            print(_line(r), flush=True)
    errors = [r for r in results if r.error]
    counts = {o: sum(r.outcome == o for r in results) for o in ("holds", "skipped", *ERRORS)}
    print(f"{len(results)} witnesses: " + ", ".join(f"{n} {o}" for o, n in counts.items() if n))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
