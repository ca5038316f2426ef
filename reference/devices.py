"""Devices: ``cpu`` and the simulated accelerators ``sim:0`` and ``sim:1``.

The simulated devices let every device rule run without a GPU: tensors on them
behave exactly like CPU tensors except for where they live. ``sim`` is the
reference's accelerator type, as ``cuda`` is PyTorch's: the bare name ``sim``
names the current accelerator, ``sim:0`` (spec/device.md, ``device.selection``).
"""

from __future__ import annotations

from .conversion import cast
from .dtypes import DType
from .tensor import Tensor

DEVICES = ("cpu", "sim:0", "sim:1")
ACCELERATOR = "sim"


def canonical_device(device: str | None) -> str:
    """The canonical name of a device; ``sim`` means ``sim:0``. Unknown names raise."""
    if device is None:
        return "cpu"
    name = str(device)
    if name == ACCELERATOR:
        name = f"{ACCELERATOR}:0"  # the current accelerator, as "cuda" means cuda:0 by default
    if name not in DEVICES:
        raise RuntimeError(f"unknown device {device!r}; the reference has {list(DEVICES)}")
    return name


def is_available() -> bool:
    """Whether the accelerator exists: always, for the simulated one (``torch.cuda.is_available``)."""
    return True


def device_count() -> int:
    """How many accelerator devices there are (``torch.cuda.device_count``)."""
    return sum(1 for d in DEVICES if d.startswith(ACCELERATOR + ":"))


def select_device() -> str:
    """The tutorial's idiom: the accelerator (by its bare name) if available, else ``cpu``."""
    return ACCELERATOR if is_available() else "cpu"


def result_device(operands) -> str:
    """The device of an operation's result; operands on different devices raise.

    As in PyTorch, a 0-d CPU tensor may join tensors on another device.
    """
    tensors = [x for x in operands if isinstance(x, Tensor)]
    placed = {t.device for t in tensors if not (t.device == "cpu" and t.ndim == 0)}
    if len(placed) > 1:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            + " and ".join(sorted(placed)) + "!")
    if placed:
        return placed.pop()
    return tensors[0].device if tensors else "cpu"


def to(t: Tensor, *args, device: str | None = None, dtype: DType | None = None, non_blocking: bool = False,
       copy: bool = False) -> Tensor:
    """``t`` on ``device`` in ``dtype``: ``t`` itself when both are its own (and not ``copy``).

    Accepts PyTorch's forms: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
    ``to(other)`` and the keywords. Otherwise a new tensor over new storage: a
    transfer never aliases its source (``device.to-same``, ``device.to-other``).
    """
    for arg in args:
        if isinstance(arg, Tensor):
            device, dtype = arg.device, arg.dtype
        elif isinstance(arg, DType):
            dtype = arg
        else:
            device = arg
    device = t.device if device is None else canonical_device(device)
    dtype = t.dtype if dtype is None else dtype
    if device == t.device and dtype == t.dtype and not copy:
        return t
    moved = cast(t, dtype, device)
    return t.cloned(device) if moved is t else moved


def cpu(t: Tensor) -> Tensor:
    return to(t, "cpu")
