"""Every float32 input of one elementary function on one backend: the largest error in ULPs, and how many
inputs break the rule's bound (spec/elementary.md, issue 13: random inputs rarely hit the worst cases).

    python -m tensorcts.tools.sweep exp --backend numpy                       # all 2^32 inputs (minutes)
    python -m tensorcts.tools.sweep sin --backend torch --start 0x3f800000 --stop 0x40000000   # [1, 2)

An offline tool, NumPy for the bulk work. Each result is measured against NumPy's float64 value of the
function: its error (a few float64 ulps at most, 2^-29 of a float32 ulp) cannot move a float32 error in
ULPs by more than 1e-8, so only inputs whose measured error lies within 1e-6 of the bound, and the worst
input, are decided by the exact reference (``reference/elementary.py:ulp_error``). NaN and infinite inputs
are ``elementary.special-values``' and are skipped.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass

import numpy as np
from tensorcts.harness.backends import resolve
from tensorcts.reference import elementary as E
from tensorcts.reference.dtypes import float32

CORE_ULPS = 4.0  # the ulp(N) class of spec/elementary.md
CLOSE = 1e-6  # measured errors this near the bound are decided exactly
FLOAT64_OF = {"exp": np.exp, "expm1": np.expm1, "log": np.log, "log1p": np.log1p, "sqrt": np.sqrt,
              "sin": np.sin, "cos": np.cos, "tanh": np.tanh, "sigmoid": lambda x: 0.5 * (1.0 + np.tanh(0.5 * x))}


@dataclass
class Sweep:
    inputs: int = 0
    over_bound: int = 0
    worst_error: float = 0.0
    worst_input: float | None = None
    worst_output: float | None = None


def ulp_errors(x: np.ndarray, got: np.ndarray, name: str) -> np.ndarray:
    """|got - f(x)| in ULPs of f(x)'s float32 binade, f(x) taken from float64 (see the module's note); an
    error that float64 cannot place (a result by a rounding midpoint) reads as the bound, for ``sweep`` to decide."""
    with np.errstate(all="ignore"):  # NaN and inf results are expected (log of a negative x) and handled below
        return _ulp_errors(x, got, name)


def _ulp_errors(x: np.ndarray, got: np.ndarray, name: str) -> np.ndarray:
    x64 = x.astype(np.float64)
    est = FLOAT64_OF[name](x64)
    expected32 = est.astype(np.float32)
    got64 = got.astype(np.float64)
    shift, unknown = _side_of_power_of_two(name, x64, est)
    exponent = np.frexp(np.where(est == 0, 1.0, est))[1] - 1 - shift  # f(x)'s binade, not est's
    ulp = np.ldexp(1.0, np.maximum(exponent, -126) - 23)
    err = np.abs(got64 - est) / ulp
    special = ~np.isfinite(expected32) | ~np.isfinite(got64)
    same = (got64 == expected32.astype(np.float64)) | (np.isnan(got64) & np.isnan(est))
    # the reference's measure: the correctly rounded value is no error (float64 decides it unless f(x) lies
    # within CLOSE of a rounding midpoint: then the error is marked at the bound, for the exact decision)
    near_midpoint = np.abs(np.abs(est - expected32.astype(np.float64)) / ulp - 0.5) < CLOSE
    err = np.where(same & ~near_midpoint, 0.0, np.where(near_midpoint | (unknown & ~same), CORE_ULPS, err))
    return np.where(special, np.where(same, 0.0, np.inf), err)


def _side_of_power_of_two(name: str, x: np.ndarray, est: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where est is within 4 float64 ulps of a power of two p, f(x) may lie in the binade on the other side
    of p. Returns the binade shift (1: f(x) is below p while est is not; -1: above p while est is below) and
    the inputs left to the exact reference. Known sides cover nearly all such inputs (the saturations and
    limits: tanh and sigmoid towards 1, cos towards 1, exp and sigmoid about x = 0, expm1 towards -1); the
    rest, a few hundred inputs a function (x itself a power of two), are decided exactly."""
    mag = np.abs(est)
    p = np.ldexp(1.0, np.rint(np.log2(np.where(mag == 0, 1.0, mag))).astype(np.int64))
    near = (np.abs(mag - p) <= 4 * np.spacing(p)) & (mag != 0)
    at = {1.0: near & (p == 1.0), 0.5: near & (p == 0.5)}
    none = np.zeros_like(near)
    below, above = {  # f(x) below p / above p, where that is known
        "tanh": (at[1.0], none), "expm1": (at[1.0], none), "cos": (at[1.0] & (x != 0), none),
        "exp": (at[1.0] & (x < 0), at[1.0] & (x > 0)),
        "sigmoid": (at[1.0] | (at[0.5] & (x < 0)), at[0.5] & (x > 0)),
    }.get(name, (none, none))
    shift = np.where(below & (mag >= p), 1, np.where(above & (mag < p), -1, 0))
    exact_zero = (x == 0) & (mag == np.abs(FLOAT64_OF[name](np.zeros(1)))[0])
    return shift, near & ~below & ~above & ~exact_zero


def sweep(backend, name: str, start: int, stop: int, chunk: int = 1 << 22, bound: float = CORE_ULPS) -> Sweep:
    out = Sweep()
    call = getattr(backend, name)
    for lo in range(start, stop, chunk):
        x = np.arange(lo, min(lo + chunk, stop), dtype=np.uint64).astype(np.uint32).view(np.float32)
        x = x[np.isfinite(x)]
        if not x.size:
            continue
        got = np.asarray(backend.to_numpy(call(backend.tensor_from_numpy(x))), dtype=np.float32)
        err = ulp_errors(x, got, name)
        close = np.flatnonzero(np.abs(err - bound) < CLOSE)
        for i in close:  # the exact reference decides the borderline
            err[i] = E.ulp_error(name, float(x[i]), float(got[i]), float32)
        out.inputs += x.size
        out.over_bound += int(np.count_nonzero(err > bound))
        i = int(np.argmax(err))
        if err[i] > out.worst_error or out.worst_input is None:
            out.worst_error, out.worst_input, out.worst_output = float(err[i]), float(x[i]), float(got[i])
    if out.worst_input is not None and math.isfinite(out.worst_error):
        out.worst_error = E.ulp_error(name, out.worst_input, out.worst_output, float32)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("function", choices=sorted(FLOAT64_OF))
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--start", type=lambda s: int(s, 0), default=0, help="first float32 bit pattern")
    parser.add_argument("--stop", type=lambda s: int(s, 0), default=1 << 32, help="bit pattern after the last")
    args = parser.parse_args(argv)
    backend = resolve(args.backend)
    t0 = time.monotonic()
    got = sweep(backend, args.function, args.start, args.stop)
    print(f"{args.function} float32 on {backend.name} {backend.version}: {got.inputs} inputs "
          f"[{args.start:#010x}, {args.stop:#010x}) in {time.monotonic() - t0:.0f} s; largest error "
          f"{got.worst_error:.3f} ulp at x = {got.worst_input!r} (got {got.worst_output!r}); "
          f"{got.over_bound} input(s) beyond {CORE_ULPS:g} ulp")
    return 1 if got.over_bound else 0


if __name__ == "__main__":
    sys.exit(main())
