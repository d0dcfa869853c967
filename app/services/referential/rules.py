"""Rules on referential data."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select

from app.services.common import formats, numbers
from models import Academy

# Key letters of a UAI code (the 23 capitals without I, O and Q).
UAI_KEYS = "ABCDEFGHJKLMNPRSTUVWXYZ"
UAI_FORMAT = re.compile(r"^(\d{3}|02[AB])\d{4}[A-Z]$")


def uai_is_valid(code: str) -> bool:
    """Whether ``code`` is a well-formed UAI (ex-RNE) establishment code.

    Seven characters (the département on three, e.g. 035 or 02A, then four digits) and
    a key letter: the number modulo 23 indexes ``UAI_KEYS``. No maintained library
    checks UAI codes; the key rule is the Ministry's. For Corsica (02A / 02B) only the
    format is checked.
    """
    code = (code or "").strip().upper()
    if not UAI_FORMAT.match(code):
        return False
    body, key = code[:7], code[7]
    if not body.isdigit():
        return True
    return UAI_KEYS[int(body) % 23] == key


def normalise_insee(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def insee_is_valid(value: str) -> bool:
    """A French NIR (INSEE number) of 15 characters with its key (python-stdnum)."""
    from stdnum.fr import nir

    return nir.is_valid(normalise_insee(value))


def iban_is_valid(value: str) -> bool:
    from stdnum import iban

    return iban.is_valid(value or "")


def bic_is_valid(value: str) -> bool:
    from stdnum import bic

    return bic.is_valid(value or "")


def insee_error(value: str | None):
    """A contributor's INSEE number, when given, is a valid NIR (with its key)."""
    if value and not insee_is_valid(value):
        return _l("This INSEE number is not valid (15 characters with the key).")
    return None


def iban_error(value: str | None):
    """A contributor's IBAN, when given, has a right check number."""
    if value and not iban_is_valid(value):
        return _l("This IBAN is not valid.")
    return None


def bic_error(value: str | None):
    """A contributor's BIC, when given, is a well-formed bank code."""
    if value and not bic_is_valid(value):
        return _l("This BIC is not valid.")
    return None


def home_academy(session, code: str):
    """The académie this instance serves."""
    return session.scalar(select(Academy).where(Academy.code == code))


# --- Barèmes and académies: values refused before the database ------------------------

# RateLine.amount is NUMERIC(10, 4).
MAX_RATE = Decimal("999999.9999")


def rate_period_error(valid_from, valid_until):
    """A barème cannot end before it starts."""
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        return _l("The end of validity cannot come before its start.")
    return None


def _rate_too_large():
    return _l("At most %(max)s.", max=LazyString(formats.bound, MAX_RATE))


def rate_amount_error(amount):
    """A rate is in euros, zero or more, within what the column holds."""
    if amount is None:
        return None
    if isinstance(amount, Decimal) and not amount.is_finite():
        return _l("Not a valid number.")
    if amount < 0:
        return _l("A rate is zero or more.")
    if amount > MAX_RATE:
        return _rate_too_large()
    return None


def rate_text_error(raw: str | None):
    """A rate as the manager typed it: the portal's one decimal parser (no exponent,
    ``NaN``, ``Infinity``, at most 4 decimals: 0,3225 €/km), then ``rate_amount_error``."""
    text = (raw or "").strip()
    try:
        amount = numbers.parse_decimal(text, minimum=-MAX_RATE, maximum=MAX_RATE, places=4)
    except numbers.OutOfRange:
        return _l("A rate is zero or more.") if text.startswith("-") else _rate_too_large()
    except numbers.NumberError as error:
        return error.message
    return rate_amount_error(amount)


def is_https_url(url: str) -> bool:
    """An https:// address with a host name, and no space."""
    url = url.strip()
    parts = urlsplit(url)
    return not (
        any(c.isspace() for c in url)
        or parts.scheme.lower() != "https"
        or not parts.hostname
        or "." not in parts.hostname
    )


def portal_url_error(url: str | None):
    """An académie's portal address is an https:// URL with a host name."""
    if url and not is_https_url(url):
        return _l("The portal address starts with https:// followed by the site's name.")
    return None


def info_url_error(url: str | None):
    """The address of the page about supporting documents is an https:// URL too."""
    if url and not is_https_url(url):
        return _l("This address starts with https:// followed by the site's name.")
    return None


def session_period_error(starts_on, ends_on):
    """An exam session cannot end before it starts."""
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        return _l("The session cannot end before it starts.")
    return None
