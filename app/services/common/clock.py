"""The time the rules see: one place to freeze it in tests (``clock.now``)."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Current UTC time, naive (as stored in the database)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in metropolitan France (mission dates are local dates)."""
    from zoneinfo import ZoneInfo

    return now().replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Europe/Paris")).date()
