"""The one parser of the decimal numbers a user types (amounts, fares, distances).

``decimal.Decimal`` reads far more than a French user ever writes: ``1e3``, ``NaN``,
``Infinity``, ``0x``-less but exotic digits (``١٢``), 40-digit magnitudes. Every
form of the portal that takes a decimal (the agent's kilometres and miscellaneous
expenses, the manager's SNCF fare and fee amount, the barème's rates) goes through
``parse_decimal``, which accepts digits with an optional comma or dot and spaces as
thousands separators, and nothing else. A regular expression is all it takes: Babel's
``parse_decimal`` hands the text to ``Decimal`` and so accepts exponents and NaN too.
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from app.services import DomainError
from app.services.common import formats

# At most 9 digits before the separator: far beyond any cap, and bounded before
# Decimal sees the text.
NUMBER = re.compile(r"([+-]?)(\d{0,9})(?:[.,](\d*))?", re.ASCII)
SEPARATORS = str.maketrans("", "", " \u00a0\u202f\u2009")


class NumberError(DomainError):
    """The text is not a number a user may type here; ``message`` says why (French)."""


class OutOfRange(NumberError):
    """A number, written correctly, below ``minimum`` or above ``maximum``."""


def number_text(value) -> str:
    """A bound as the user reads it ("5 000", "0,5")."""
    return formats.amount(value)


def parse_decimal(
    raw: str | None,
    *,
    maximum: Decimal,
    minimum: Decimal = Decimal(0),
    places: int = 2,
) -> Decimal | None:
    """The number ``raw`` holds (None when it is empty), or ``NumberError``."""
    text = (raw or "").strip().translate(SEPARATORS)
    if not text:
        return None
    match = NUMBER.fullmatch(text)
    if match is None or not (match[2] or match[3]):
        if re.fullmatch(r"[+-]?\d{10,}(?:[.,]\d*)?", text, re.ASCII):
            raise OutOfRange(_range(minimum, maximum))
        raise NumberError(_l("Enter an amount such as 12,50."))
    sign, whole, decimals = match[1], match[2] or "0", (match[3] or "").rstrip("0")
    if len(decimals) > places:
        raise NumberError(
            lazy_ngettext("At most %(num)s decimal.", "At most %(num)s decimals.", places)
        )
    value = Decimal(f"{sign}{whole}.{decimals or '0'}")
    if value < minimum or value > maximum:
        raise OutOfRange(_range(minimum, maximum))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _range(minimum: Decimal, maximum: Decimal):
    return _l(
        "Enter a number between %(min)s and %(max)s.",
        min=number_text(minimum),
        max=number_text(maximum),
    )
