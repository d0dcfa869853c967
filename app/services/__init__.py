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
