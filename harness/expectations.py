"""Expectations: a backend's declared, known divergences (adapters/expectations/<name>.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

EXPECTATIONS_DIR = Path(__file__).resolve().parent.parent / "adapters" / "expectations"
STATUSES = ("fail", "unsupported", "flaky")
_KEYS = {"rule", "status", "reason", "link", "devices", "dtypes", "witness"}
_DTYPES = {"bool", "int32", "int64", "float32", "float64"}


class ExpectationError(ValueError):
    """The expectations file is malformed or names an unknown rule."""


@dataclass(frozen=True)
class Expectation:
    rule: str
    status: str
    reason: str
    link: str | None = None
    devices: tuple[str, ...] | None = None
    dtypes: tuple[str, ...] | None = None
    witness: str | None = None

    def applies(self, device: str | None = None, dtype: str | None = None) -> bool:
        """Does the entry cover a failure on this device and dtype (None: unknown, covered)?"""
        if self.devices is not None and device is not None and device not in self.devices:
            return False
        if self.dtypes is not None and dtype is not None and dtype not in self.dtypes:
            return False
        return True

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _strings(entry: dict, key: str, where: str, allowed: set[str] | None = None) -> tuple[str, ...] | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ExpectationError(f"{where}: {key!r} must be a non-empty list of strings")
    if allowed is not None and not set(value) <= allowed:
        raise ExpectationError(f"{where}: {key!r} has unknown values {sorted(set(value) - allowed)}")
    return tuple(value)


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
        for key in ("link", "witness"):
            if key in entry and not isinstance(entry[key], str):
                raise ExpectationError(f"{where}: {key!r} must be a string")
        out.append(Expectation(entry["rule"], entry["status"], entry["reason"].strip(), entry.get("link"),
                               _strings(entry, "devices", where), _strings(entry, "dtypes", where, _DTYPES),
                               entry.get("witness")))
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
