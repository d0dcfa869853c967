"""Errors the application raises at start-up (no import of anything else of the
application: every layer may raise them)."""


class ConfigurationError(RuntimeError):
    """The configuration is unsafe for the mode the application runs in."""
