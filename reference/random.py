"""Random numbers: ``manual_seed``, ``rand``, ``randn`` and the generator behind them.

The generator is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom
number generators", OOPSLA 2014), chosen because it is a dozen lines of integer
arithmetic that anyone can re-derive; spec/random.md documents it. Only the rules
(range, distribution, reproducibility, distinct seeds) are compared with backends,
never the streams: PyTorch uses other algorithms (mt19937 on the CPU, Philox on CUDA).

- state: a 64-bit integer; each draw adds GOLDEN to it and returns mix(state);
- the generator of device number i (cpu 0, sim:0 1, sim:1 2) starts from
  seed XOR (i * STREAM), so devices draw different streams, as PyTorch's CPU and
  CUDA generators do;
- ``rand`` float32: the top 24 bits k of a draw give k * 2**-24; float64: the top
  53 bits give k * 2**-53; every value of the grid in [0, 1) has the same chance;
- ``randn``: Box-Muller on two 53-bit uniforms, evaluated in float64 with ``math``,
  then rounded to the dtype.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .autograd import requires_grad_
from .creation import sizes_arg
from .devices import DEVICES, canonical_device
from .dtypes import DEFAULT_FLOAT, DType, as_dtype
from .exact import to_dtype
from .tensor import Tensor, numel_of

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15  # SplitMix64's increment: 2**64 / golden ratio, odd
STREAM = 0xD1B54A32D192ED03  # separates the devices' streams
DEFAULT_SEED = 67280421310721  # PyTorch's default initial seed (torch.initial_seed() in a fresh process)


def mix64(z: int) -> int:
    """SplitMix64's output function (a bijection on 64-bit integers)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


class Generator:
    """One device's random number generator (``torch.Generator``)."""

    def __init__(self, device: str = "cpu"):
        self.device = canonical_device(device)
        self._stream = DEVICES.index(self.device) * STREAM & MASK64
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; PyTorch's range, negatives taken modulo 2**64."""
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
        if not -(1 << 63) <= seed <= MASK64:
            raise RuntimeError(f"Overflow when unpacking long: seed {seed} is outside [-2**63, 2**64 - 1]")
        self._seed = seed & MASK64
        self._state = self._seed ^ self._stream
        return self

    def initial_seed(self) -> int:
        return self._seed

    def next_u64(self) -> int:
        self._state = (self._state + GOLDEN) & MASK64
        return mix64(self._state)

    def uniform_bits(self, bits: int) -> int:
        """The top ``bits`` bits of the next draw: uniform on 0 .. 2**bits - 1."""
        return self.next_u64() >> (64 - bits)


_DEFAULT_GENERATORS = {d: Generator(d) for d in DEVICES}
default_generator = _DEFAULT_GENERATORS["cpu"]


def manual_seed(seed: int) -> Generator:
    """Seed every device's default generator; return the CPU one (as ``torch.manual_seed``)."""
    for g in _DEFAULT_GENERATORS.values():
        g.manual_seed(seed)
    return default_generator


def initial_seed() -> int:
    return default_generator.initial_seed()


def _setup(size, generator, dtype, device) -> tuple[tuple[int, ...], DType, str, Generator]:
    shape = sizes_arg(size)
    dtype = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
    device = canonical_device(device)
    if not dtype.is_floating:
        raise RuntimeError(f'"check_uniform_bounds" not implemented for {dtype.name!r}')
    return shape, dtype, device, generator or _DEFAULT_GENERATORS[device]


def _made(values: list, shape, dtype: DType, device: str, requires_grad: bool, exact: bool) -> Tensor:
    t = Tensor.from_flat(values, shape, dtype, device, exact)
    if requires_grad:
        requires_grad_(t, True)
    return t


def rand(*size, generator: Generator | None = None, dtype: DType | str | None = None,
         device: str | None = None, requires_grad: bool = False, exact: bool = False) -> Tensor:
    """Values uniform on the dtype's grid k * 2**-p in [0, 1) (p = 24 for float32, 53 for float64)."""
    shape, dtype, device, gen = _setup(size, generator, dtype, device)
    p = dtype.precision
    values = [Fraction(gen.uniform_bits(p), 1 << p) for _ in range(numel_of(shape))]
    return _made(values, shape, dtype, device, requires_grad, exact)


def randn(*size, generator: Generator | None = None, dtype: DType | str | None = None,
          device: str | None = None, requires_grad: bool = False, exact: bool = False) -> Tensor:
    """Standard normal values: Box-Muller in float64, rounded to the dtype."""
    shape, dtype, device, gen = _setup(size, generator, dtype, device)
    n = numel_of(shape)
    values: list = []
    while len(values) < n:
        u1 = (gen.uniform_bits(53) + 1) * 2.0 ** -53  # in (0, 1]: log(u1) is finite
        u2 = gen.uniform_bits(53) * 2.0 ** -53
        r = math.sqrt(-2.0 * math.log(u1))
        values += [r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)]
    return _made([to_dtype(Fraction(z), dtype) for z in values[:n]], shape, dtype, device,
                 requires_grad, exact)
