"""A floor on the duration of a piece of work, so that its answer time does not tell
which path it took (e.g. a known or an unknown identifier)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic, sleep


@contextmanager
def at_least(seconds: float) -> Iterator[None]:
    """Run the block, then wait until ``seconds`` have passed since it started (no wait
    when it took longer). ``monotonic`` and ``sleep`` are looked up here at each call, so
    tests replace them with a fake clock."""
    started = monotonic()
    try:
        yield
    finally:
        remaining = seconds - (monotonic() - started)
        if remaining > 0:
            sleep(remaining)
