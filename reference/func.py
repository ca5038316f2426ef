"""Function transforms, like ``torch.func``: ``vjp`` (the reference's ``autograd.functional`` face)."""

from .autograd import vjp

__all__ = ["vjp"]
