"""Rules on referential data."""

from __future__ import annotations

import re

from sqlalchemy import select

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


def home_academy(session, code: str):
    """The académie this instance serves."""
    return session.scalar(select(Academy).where(Academy.code == code))
