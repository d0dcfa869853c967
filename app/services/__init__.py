"""Domain logic of IMAG'IN: pure functions taking a session and plain values.

No request context here: a view parses the request, calls a service and renders.
A refused action raises ``DomainError`` carrying a translated message for the console.
"""


class DomainError(Exception):
    """An action the rules refuse; ``message`` is shown to the user as is."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotFound(DomainError):
    """The record does not exist, or the user may not see it (same answer: no leak)."""


class Decision:
    """Whether a user may do something now; when not, ``reason`` says why (a French
    message, the one a forged request of the action gets too)."""

    __slots__ = ("allowed", "reason")

    def __init__(self, allowed: bool, reason=None):
        self.allowed = allowed
        self.reason = reason

    def __bool__(self) -> bool:
        return self.allowed

    def __repr__(self) -> str:
        return "ALLOWED" if self.allowed else f"refused({str(self.reason)!r})"

    def require(self) -> None:
        """Raise the refusal as a ``DomainError``."""
        if not self.allowed:
            raise DomainError(self.reason)


ALLOWED = Decision(True)


def refused(reason) -> Decision:
    return Decision(False, reason)


def first_refusal(*decisions) -> Decision:
    """The first refused decision (callables are asked in order, lazily), or ALLOWED."""
    for decision in decisions:
        if callable(decision):
            decision = decision()
        if not decision.allowed:
            return decision
    return ALLOWED
