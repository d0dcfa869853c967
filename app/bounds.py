"""Bounds on every number read from a URL or a form: ids are positive 32-bit integers
(``MAX_ID``), anything else is "not found"; page numbers and sizes are clamped.

A 20-digit id reaching the database fails there (``OverflowError`` on SQLite,
``DataError`` on PostgreSQL): it is stopped here, before any query."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from dateutil import parser as dateutil_parser
from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER column on PostgreSQL: every id and counter fits.
MAX_ID = 2**31 - 1
MAX_PAGE = 10**6
_DIGITS = re.compile(r"\d{1,10}")


class BoundedIntConverter(IntegerConverter):
    """Flask's ``int`` converter bounded to 0..MAX_ID: ``/claims/99999999999999999999``
    does not match the rule, so it is a 404 before the view runs. Registered as the
    application's ``int`` converter, it bounds every ``<int:…>`` route."""

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(value) -> int | None:
    """An id typed in a URL or a form (``"42"``), or None when it is not one: empty,
    not digits, 0, larger than MAX_ID."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _DIGITS.fullmatch(text):
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_int(value, default: int, *, minimum: int = -MAX_ID, maximum: int = MAX_ID) -> int:
    """A whole number from a request argument, clamped to [minimum, maximum]; the
    default when it is not one."""
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"[+-]?\d{1,12}", text):
        return default
    return max(minimum, min(int(text), maximum))


# --- FAB list filters ---------------------------------------------------------------
# ``_flt_<index>_<column>=<value>``: FAB reads a one-digit index, as here.
FILTER_ARG = re.compile(r"_flt_(\d)_(.*)")
MAX_FILTER_LENGTH = 200
MAX_FILTER_NUMBER = Decimal(10**12)


def fab_filter_is_valid(view, key: str, value: str) -> bool:
    """Whether FAB can apply the list filter ``key=value`` of ``view`` without a database
    error: a search column of the view, an existing filter index, and a value of the
    column's type (a bounded id for a relation, a bounded integer, a finite number, a
    real date, a member of the enum)."""
    match = FILTER_ARG.fullmatch(key)
    filters = getattr(getattr(view, "_filters", None), "get_search_filters", dict)()
    if match is None or match.group(2) not in filters:
        return False
    index, column = int(match.group(1)), match.group(2)
    if index >= len(filters[column]) or len(value) > MAX_FILTER_LENGTH or "\x00" in value:
        return False
    datamodel = view.datamodel
    if datamodel.is_relation(column):
        return parse_id(value) is not None
    if datamodel.is_boolean(column):  # FAB compares "y" with True, anything else as text
        return value == "y"
    if datamodel.is_enum(column):
        return value in datamodel.list_columns[column].type.enums
    if datamodel.is_integer(column):
        return re.fullmatch(r"-?\d{1,10}", value.strip()) is not None and abs(int(value)) <= MAX_ID
    if datamodel.is_numeric(column) or datamodel.is_float(column):
        try:
            number = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            return False
        return number.is_finite() and abs(number) < MAX_FILTER_NUMBER
    if datamodel.is_date(column) or datamodel.is_datetime(column):
        try:
            dateutil_parser.parse(value)
        except (ValueError, OverflowError):
            return False
    return True
