"""Devices: ``cpu`` and the simulated accelerators ``sim:0`` and ``sim:1``.

The simulated devices let every device rule run without a GPU: tensors on them
behave exactly like CPU tensors except for where they live.
"""

from __future__ import annotations

DEVICES = ("cpu", "sim:0", "sim:1")


def canonical_device(device: str | None) -> str:
    """The canonical name of a device; ``sim`` means ``sim:0``. Unknown names raise."""
    if device is None:
        return "cpu"
    name = str(device)
    if name == "sim":
        name = "sim:0"
    if name not in DEVICES:
        raise RuntimeError(f"unknown device {device!r}; the reference has {list(DEVICES)}")
    return name


def result_device(operands) -> str:
    """The device of an operation's result; operands on different devices raise.

    As in PyTorch, a 0-d CPU tensor may join tensors on another device.
    """
    from .tensor import Tensor

    tensors = [x for x in operands if isinstance(x, Tensor)]
    placed = {t.device for t in tensors if not (t.device == "cpu" and t.ndim == 0)}
    if len(placed) > 1:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            + " and ".join(sorted(placed)) + "!")
    if placed:
        return placed.pop()
    return tensors[0].device if tensors else "cpu"
