"""The exception a suite check raises: it names the broken rule(s) and the case."""

from __future__ import annotations


class ConformanceFailure(AssertionError):
    """A backend broke a rule. ``rules``, ``device`` and ``dtype`` let expectations match it."""

    def __init__(self, message: str, rules: tuple[str, ...], device: str | None = None,
                 dtype: str | None = None):
        super().__init__(message)
        self.rules = tuple(rules)
        self.device = device
        self.dtype = dtype


def failures_in(exc: BaseException) -> list[BaseException]:
    """The leaf exceptions of an exception (group), as Hypothesis may raise several."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in failures_in(sub)]
    return [exc]
