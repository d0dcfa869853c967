"""How the portal writes a date, a time or an amount for its users: the one place,
through Flask-Babel (the user's language, the portal's time zone).

- Dates and times keep the French administration's patterns in every language (a
  French portal: the English interface reads dd/MM/yyyy and 24-hour times too); only
  the weekday's name follows the language ("mardi 20/05/2014", "Tuesday 20/05/2014").
- Amounts follow the language: "1 234,50 €" in French (Babel writes the thousands
  with a narrow no-break space U+202F and puts a no-break space U+00A0 before the
  euro sign), "€1,234.50" in English.
- Nothing (None) is written as ``missing`` ("" unless the caller says "—").

Inside the application (a request, a job, a command) Flask-Babel gives the user's
language and the portal's time zone; outside it (a pure service under a unit test) the
same Babel functions write in the portal's defaults, French and Paris time.

Not for what a machine reads: the CSV exports keep their ISO dates and numbers, the
values put back into a form's inputs keep what the input expects (``isoformat``).
The templates have the same functions as filters, registered once (``FILTERS``, app/web.py:
``day``, ``long_day``, ``hour``, ``amount``, and their older names ``money`` for ``euros``
and ``local_time`` for ``moment``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import babel.dates
import babel.numbers
import flask_babel
from flask import has_app_context

DAY = "dd/MM/yyyy"
HOUR = "HH:mm"
MOMENT = f"{DAY} {HOUR}"
SECONDS = f"{DAY} HH:mm:ss"
WEEKDAY = "EEEE"
CURRENCY = "EUR"
# Outside the application: config.py's BABEL_DEFAULT_LOCALE and BABEL_DEFAULT_TIMEZONE.
PORTAL_LOCALE = "fr"
PORTAL_ZONE = ZoneInfo("Europe/Paris")


def _format_date(value: dt.date, pattern: str) -> str:
    if has_app_context():
        return flask_babel.format_date(value, pattern)
    return babel.dates.format_date(value, pattern, locale=PORTAL_LOCALE)


def _format_time(value: dt.time, pattern: str) -> str:
    if has_app_context():
        return flask_babel.format_time(value, pattern, rebase=False)
    return babel.dates.format_time(value, pattern, locale=PORTAL_LOCALE)


def _format_datetime(value: dt.datetime, pattern: str, *, rebase: bool) -> str:
    if has_app_context():
        return flask_babel.format_datetime(value, pattern, rebase=rebase)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    zone = PORTAL_ZONE if rebase else value.tzinfo
    return babel.dates.format_datetime(value, pattern, tzinfo=zone, locale=PORTAL_LOCALE)


def _format_decimal(value, pattern: str | None = None) -> str:
    if has_app_context():
        return flask_babel.format_decimal(value, format=pattern)
    return babel.numbers.format_decimal(value, format=pattern, locale=PORTAL_LOCALE)


def _format_currency(value) -> str:
    if has_app_context():
        return flask_babel.format_currency(value, CURRENCY)
    return babel.numbers.format_currency(value, CURRENCY, locale=PORTAL_LOCALE)


def _date_of(value: dt.date) -> dt.date:
    # A datetime shows the day it holds, as stored (no time-zone change: see ``moment``).
    return value.date() if isinstance(value, dt.datetime) else value


def day(value: dt.date | None, missing: str = "") -> str:
    """ "20/05/2014"."""
    if value is None:
        return missing
    return _format_date(_date_of(value), DAY)


def long_day(value: dt.date | None, missing: str = "") -> str:
    """ "mardi 20/05/2014" (the weekday in the user's language)."""
    if value is None:
        return missing
    value = _date_of(value)
    return f"{_format_date(value, WEEKDAY)} {_format_date(value, DAY)}"


def hour(value: dt.time | None, missing: str = "") -> str:
    """ "08:05": a time of day as entered (a mission's start, a trip's departure)."""
    if value is None:
        return missing
    if isinstance(value, dt.datetime):
        value = value.time()
    return _format_time(value, HOUR)


def moment(
    value: dt.datetime | None, missing: str = "", *, seconds: bool = False, rebase: bool = True
) -> str:
    """A stored (naive UTC) timestamp in the portal's time zone: "23/11/2026 18:11".
    ``rebase=False`` writes it as stored (the managers' generic lists always did)."""
    if value is None:
        return missing
    return _format_datetime(value, SECONDS if seconds else MOMENT, rebase=rebase)


def now_label() -> str:
    """The time a flashed message was shown: "23/11/2026 18:11:05"."""
    return moment(dt.datetime.now(dt.UTC), seconds=True)


def amount(value, missing: str = "") -> str:
    """A number as the user's language writes it: "12,5", "1 234" ("12.5" in English);
    no trailing zeros."""
    if value is None:
        return missing
    return _format_decimal(value)


def bound(value) -> str:
    """A limit named in a message, its digits not grouped: "999999,9999", "2147483647"."""
    return _format_decimal(value, "0.####")


def euros(value, missing: str = "") -> str:
    """An amount of money: "1 234,50 €" in French, "€1,234.50" in English."""
    if value is None:
        return missing
    return _format_currency(value)


# The Jinja filters, one name each (app/web.py registers them).
FILTERS = {
    "day": day,
    "long_day": long_day,
    "hour": hour,
    "local_time": moment,
    "amount": amount,
    "money": euros,
}
