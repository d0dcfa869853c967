"""The time the rules see: one place to freeze it in tests (``clock.now``)."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Current UTC time, naive (as stored in the database)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
