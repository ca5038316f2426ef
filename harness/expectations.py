"""Expectations: a backend's declared, known divergences (adapters/expectations/<name>.toml).

An entry covers the case classes listed in ``cases`` (docs/suite-contract.md): every key
must match and a list means any of its values. The legacy ``devices``/``dtypes`` lists
are read as ``cases`` keys ``device``/``dtype``; the legacy string ``witness = "name"``
names a deterministic suite test (``@pytest.mark.witness``); the table
``[expect.witness]`` holds ``code`` in the library's own API and the expression ``shows``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "adapters" / "expectations"
STATUSES = ("fail", "unsupported", "flaky")
_KEYS = {"rule", "status", "reason", "link", "devices", "dtypes", "witness", "cases", "rare_inputs"}
_DTYPES = {"bool", "int32", "int64", "float32", "float64", "float16", "bfloat16"}  # with the half dtypes (spec/half.md)
_LEGACY = {"devices": "device", "dtypes": "dtype"}


class ExpectationError(ValueError):
    """The expectations file is malformed or names an unknown rule."""


@dataclass(frozen=True, init=False)
class Expectation:
    rule: str
    status: str
    reason: str
    link: str | None
    #: case-class key -> the values covered; empty: the whole rule
    cases: Mapping[str, tuple[str, ...]] = field(hash=False)
    witness: str | None  # legacy: the name of a @pytest.mark.witness suite test
    witness_code: str | None
    witness_shows: str | None
    #: the divergence shows on rare inputs only (an accuracy bound broken at a few points): a run that
    #: draws none of them does not contradict the entry; its code witness, run in CI, says when it is stale
    rare_inputs: bool

    def __init__(self, rule: str, status: str, reason: str, link: str | None = None,
                 devices: tuple[str, ...] | None = None, dtypes: tuple[str, ...] | None = None,
                 witness: str | None = None, *, cases: Mapping[str, tuple[str, ...]] | None = None,
                 witness_code: str | None = None, witness_shows: str | None = None, rare_inputs: bool = False):
        merged = {k: tuple(v) for k, v in (cases or {}).items()}
        for key, values in (("device", devices), ("dtype", dtypes)):  # the legacy narrowing
            if values is not None:
                merged[key] = tuple(values)
        for name, value in (("rule", rule), ("status", status), ("reason", reason), ("link", link),
                            ("cases", merged), ("witness", witness), ("witness_code", witness_code),
                            ("witness_shows", witness_shows), ("rare_inputs", rare_inputs)):
            object.__setattr__(self, name, value)

    @property
    def devices(self) -> tuple[str, ...] | None:
        return self.cases.get("device")

    @property
    def dtypes(self) -> tuple[str, ...] | None:
        return self.cases.get("dtype")

    def matches(self, classes: Mapping[str, str | None]) -> bool:
        """Does the entry cover a case of these classes? A key the case does not carry is not a match,
        except device and dtype, which a failure of unknown device or dtype is covered by."""
        for key, values in self.cases.items():
            value = classes.get(key)
            if value is None and key in ("device", "dtype"):
                continue
            if value not in values:
                return False
        return True

    def applies(self, device: str | None = None, dtype: str | None = None) -> bool:
        """Does the entry cover a failure on this device and dtype (None: unknown, covered)?"""
        return self.matches({"device": device, "dtype": dtype})

    def known_at_setup(self) -> bool:
        """Is the entry narrowed only by keys a test's parameters show before it runs (device, dtype)?"""
        return set(self.cases) <= {"device", "dtype"}

    def as_dict(self) -> dict:
        out: dict = {"rule": self.rule, "status": self.status, "reason": self.reason}
        if self.link:
            out["link"] = self.link
        if self.cases:
            out["cases"] = {k: list(v) for k, v in self.cases.items()}
        for key, legacy in (("device", "devices"), ("dtype", "dtypes")):  # read by tools of report/1
            if key in self.cases:
                out[legacy] = list(self.cases[key])
        if self.witness:
            out["witness"] = self.witness
        if self.witness_code is not None:
            out["witness"] = {"code": self.witness_code, "shows": self.witness_shows}
        return out


def _strings(value, what: str, where: str, allowed: set[str] | None = None) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ExpectationError(f"{where}: {what} must be a non-empty list of strings")
    if allowed is not None and not set(value) <= allowed:
        raise ExpectationError(f"{where}: {what} has unknown values {sorted(set(value) - allowed)}")
    return tuple(value)


def _cases(entry: dict, where: str) -> dict[str, tuple[str, ...]]:
    cases: dict[str, tuple[str, ...]] = {}
    given = entry.get("cases", {})
    if not isinstance(given, dict):
        raise ExpectationError(f"{where}: 'cases' must be a table of key = [values]")
    for key, values in given.items():
        cases[key] = _strings(values, f"cases.{key}", where, _DTYPES if key == "dtype" else None)
    for legacy, key in _LEGACY.items():
        if legacy in entry:
            if key in cases:
                raise ExpectationError(f"{where}: both {legacy!r} and cases.{key}; keep cases.{key}")
            cases[key] = _strings(entry[legacy], repr(legacy), where, _DTYPES if key == "dtype" else None)
    return cases


def _witness(entry: dict, where: str) -> tuple[str | None, str | None, str | None]:
    """(legacy name, code, shows) of the entry's witness."""
    value = entry.get("witness")
    if value is None or isinstance(value, str):
        return value, None, None
    if not isinstance(value, dict) or set(value) - {"code", "shows"}:
        raise ExpectationError(f"{where}: 'witness' must be a table with 'code' and 'shows' "
                               "(or, legacy, the name of a witness test)")
    code, shows = value.get("code"), value.get("shows")
    if not isinstance(code, str) or not code.strip() or not isinstance(shows, str) or not shows.strip():
        raise ExpectationError(f"{where}: [expect.witness] needs non-empty strings 'code' and 'shows'")
    return None, code, shows.strip()


def parse(text: str, source: str, known_rules) -> list[Expectation]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationError(f"{source}: not valid TOML: {exc}") from None
    if set(data) - {"expect"}:
        raise ExpectationError(f"{source}: unknown top-level keys {sorted(set(data) - {'expect'})}; "
                               "only [[expect]] tables are allowed")
    entries = data.get("expect", [])
    if not isinstance(entries, list):
        raise ExpectationError(f"{source}: 'expect' must be an array of tables ([[expect]])")
    out = []
    for n, entry in enumerate(entries, start=1):
        where = f"{source}: [[expect]] #{n}"
        if not isinstance(entry, dict):
            raise ExpectationError(f"{where}: not a table")
        if set(entry) - _KEYS:
            raise ExpectationError(f"{where}: unknown keys {sorted(set(entry) - _KEYS)}")
        for key in ("rule", "status", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ExpectationError(f"{where}: {key!r} is required and must be a non-empty string")
        if entry["rule"] not in known_rules:
            raise ExpectationError(f"{where}: unknown rule {entry['rule']!r}")
        if entry["status"] not in STATUSES:
            raise ExpectationError(f"{where}: status must be one of {', '.join(STATUSES)}, not {entry['status']!r}")
        if "link" in entry and not isinstance(entry["link"], str):
            raise ExpectationError(f"{where}: 'link' must be a string")
        name, code, shows = _witness(entry, where)
        rare = entry.get("rare_inputs", False)
        if not isinstance(rare, bool) or (rare and code is None):
            raise ExpectationError(f"{where}: 'rare_inputs' must be true or false, and true only with a code witness")
        out.append(Expectation(entry["rule"], entry["status"], entry["reason"].strip(), entry.get("link"),
                               witness=name, cases=_cases(entry, where), witness_code=code, witness_shows=shows,
                               rare_inputs=rare))
    return out


def load(path: Path | None, backend_name: str, known_rules) -> list[Expectation]:
    """The entries of ``path``, or of the backend's own file when it exists (else none)."""
    if path is None:
        path = EXPECTATIONS_DIR / f"{backend_name}.toml"
        if not path.is_file():
            return []
    elif not path.is_file():
        raise ExpectationError(f"expectations file {path} does not exist")
    return parse(path.read_text(encoding="utf-8"), str(path), known_rules)
