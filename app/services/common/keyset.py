"""Keyset pagination for the lists computed by the database (``listing.query_page``).

A deep page by ``OFFSET`` walks every row before it (page 2,000 of the claims: 40,000
keys, sorted); a page reached from its neighbour needs only where the neighbour ended.
The page links carry that place as a cursor (``?apres=`` for the next page, ``?avant=``
for the previous one): the values of the sort's expressions on the last (first) row of
the page shown. The next page is then the rows past those values in the same order,
asked as a range on the leading sort expression, which its index serves.

The cursor is plain data (URL-safe base64 of a small JSON list), not a secret: a
tampered one is refused when it does not decode into values of the sort's types and
bounds, and the list shows its first page; one that decodes only moves the page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Enum, Integer, Numeric, String, and_, false, or_
from sqlalchemy.sql import operators

# A cursor longer than this is not one of ours (the longest text value it may hold is
# ``MAX_TEXT``; a list sorts on a handful of expressions).
MAX_CURSOR_LENGTH = 2_000
MAX_TEXT = 400
MAX_INTEGER = 2**63 - 1
MAX_DECIMAL_DIGITS = 30


class Unsupported(Exception):
    """A sort expression whose values a cursor cannot carry: the list pages by offset."""


@dataclass(frozen=True)
class Term:
    """One expression of an ``ORDER BY``, with its direction and where its NULLs go."""

    expr: Any
    descending: bool
    nulls_last: bool

    def ordered(self, reverse: bool = False):
        """The ``ORDER BY`` item, in this direction or the opposite one (NULLs too)."""
        descending = self.descending != reverse
        nulls_last = self.nulls_last != reverse
        item = self.expr.desc() if descending else self.expr.asc()
        return item.nulls_last() if nulls_last else item.nulls_first()

    def reversed(self) -> Term:
        return Term(self.expr, not self.descending, not self.nulls_last)


def terms(order: Sequence[Any], dialect: str) -> list[Term]:
    """The terms of ``order`` (``x``, ``x.desc()``, ``x.asc().nulls_last()``…). Without
    an explicit NULLS clause they go where the database puts them: PostgreSQL counts a
    NULL larger than any value, SQLite smaller."""
    nulls_largest = dialect in ("postgresql", "oracle")
    result = []
    for item in order:
        nulls = None
        descending = False
        modifier = getattr(item, "modifier", None)
        if modifier in (operators.nulls_last_op, operators.nulls_first_op):
            nulls = modifier is operators.nulls_last_op
            item = item.element
            modifier = getattr(item, "modifier", None)
        if modifier in (operators.desc_op, operators.asc_op):
            descending = modifier is operators.desc_op
            item = item.element
        if nulls is None:
            nulls = nulls_largest != descending
        result.append(Term(item, descending, nulls))
    return result


# --- Values in and out of the URL -------------------------------------------------------


def _kind(term: Term) -> str:
    kind = term.expr.type
    if isinstance(kind, Enum):
        return "enum"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, DateTime):
        return "datetime"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Integer):
        return "int"
    if isinstance(kind, Numeric):
        return "decimal"
    if isinstance(kind, String):
        return "text"
    raise Unsupported(repr(kind))


def supported(order_terms: Sequence[Term]) -> bool:
    try:
        for term in order_terms:
            _kind(term)
    except Unsupported:
        return False
    return True


def _out(term: Term, value: Any):
    if value is None:
        return None
    kind = _kind(term)
    if kind == "enum":
        return value.name if isinstance(value, PyEnum) else str(value)
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def _in(term: Term, value: Any):
    """The value of a cursor for ``term``, or ``ValueError`` when it is not one."""
    if value is None:
        return None
    kind = _kind(term)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or abs(value) > MAX_INTEGER:
            raise ValueError(value)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(value)
        return value
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError(value)
    if kind == "enum":
        enum_class = term.expr.type.enum_class
        if enum_class is not None:
            if value not in enum_class.__members__:
                raise ValueError(value)
            return enum_class[value]
        if value not in term.expr.type.enums:
            raise ValueError(value)
        return value
    if kind == "date":
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        if len(value) > 40:
            raise ValueError(value)
        return dt.datetime.fromisoformat(value)
    if kind == "decimal":
        if len(value) > MAX_DECIMAL_DIGITS:
            raise ValueError(value)
        try:
            number = Decimal(value)
        except InvalidOperation as error:
            raise ValueError(value) from error
        if not number.is_finite():
            raise ValueError(value)
        return number
    return value


def encode(order_terms: Sequence[Term], values: Sequence[Any], stamp: str) -> str | None:
    """The cursor of a row whose sort values are ``values`` (``None`` when a value
    cannot travel in a URL: the link pages by offset). ``stamp`` names the sort."""
    try:
        data = [stamp, [_out(term, value) for term, value in zip(order_terms, values, strict=True)]]
    except (Unsupported, ValueError):
        return None
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    cursor = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    return cursor if len(cursor) <= MAX_CURSOR_LENGTH else None


def decode(order_terms: Sequence[Term], cursor: str | None, stamp: str) -> list | None:
    """The sort values a cursor carries, checked against the sort's terms (their
    number, types and bounds) and its ``stamp``; ``None`` when it is not valid."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not (isinstance(data, list) and len(data) == 2 and data[0] == stamp):
        return None
    values = data[1]
    if not isinstance(values, list) or len(values) != len(order_terms):
        return None
    try:
        return [_in(term, value) for term, value in zip(order_terms, values, strict=True)]
    except (Unsupported, ValueError, TypeError, OverflowError):
        return None


# --- Conditions -------------------------------------------------------------------------


def _equal(term: Term, value):
    return term.expr.is_(None) if value is None else term.expr == value


def _past(term: Term, value):
    """Rows strictly after ``value`` on this term alone."""
    if value is None:
        return false() if term.nulls_last else term.expr.is_not(None)
    beyond = term.expr < value if term.descending else term.expr > value
    return or_(beyond, term.expr.is_(None)) if term.nulls_last else beyond


def after(order_terms: Sequence[Term], values: Sequence[Any]):
    """Rows strictly after ``values`` in the lexicographic order of the terms."""
    alternatives = []
    for index, (term, value) in enumerate(zip(order_terms, values, strict=True)):
        same = [_equal(t, v) for t, v in zip(order_terms[:index], values[:index], strict=True)]
        alternatives.append(and_(*same, _past(term, value)))
    return or_(*alternatives) if alternatives else false()


def start(order_terms: Sequence[Term]) -> list:
    """All the rows, as the regions of the leading expression: its values, then its
    NULLs (or the other way round). The condition ``x IS NOT NULL`` on a column of an
    outer-joined table lets the database join it as an inner join, so a sort on that
    column walks its index instead of sorting every row."""
    first = order_terms[0]
    values, nulls = first.expr.is_not(None), first.expr.is_(None)
    return [values, nulls] if first.nulls_last else [nulls, values]


def regions(order_terms: Sequence[Term], values: Sequence[Any]) -> list:
    """The rows after ``values``, as conditions to ask in turn (each in the order, up to
    what is still missing): the leading expression bounded as a range that its index
    serves, then its NULLs when they come after. The disjunction of ``after`` alone
    would make the database read the rows before the cursor too."""
    first, rest = order_terms[0], order_terms[1:]
    value, rest_values = values[0], values[1:]
    tail = after(rest, rest_values) if rest else false()
    if value is None:
        found = [and_(first.expr.is_(None), tail)]
        if not first.nulls_last:
            found.append(first.expr.is_not(None))
        return found
    bound = first.expr <= value if first.descending else first.expr >= value
    strictly = first.expr < value if first.descending else first.expr > value
    found = [and_(bound, or_(strictly, and_(first.expr == value, tail)))]
    if first.nulls_last:
        found.append(first.expr.is_(None))
    return found
