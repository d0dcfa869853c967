"""The CSV files the portal writes, safe to open in a spreadsheet.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken
for a formula by Excel or LibreOffice ("CSV injection", OWASP): an agent named
``=HYPERLINK(…)`` would become a link in the finance office's spreadsheet. Every text
cell is therefore prefixed with a single quote when it begins with one of them, as
OWASP advises. Numbers (``int``, ``Decimal``) are written by the portal itself and stay
numbers, a negative amount included: pass amounts as numbers, never as text.

Every CSV writer of the portal goes through :func:`writer`.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_STARTS)


def safe_cell(value: Any) -> Any:
    """``value`` as a spreadsheet reads it as data: text starting like a formula gets a
    leading single quote; numbers, ``None`` and booleans are left as they are."""
    if value.__class__ is str:  # the common case first (a payment file has 1.5 M cells)
        return "'" + value if value[:1] in _FORMULA_FIRST else value
    if isinstance(value, bool | int | float | Decimal) or value is None:
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeWriter:
    """A ``csv.writer`` (``;`` separator, CRLF line ends) whose text cells are made safe."""

    def __init__(self, stream: TextIO, **options):
        options.setdefault("delimiter", ";")
        options.setdefault("lineterminator", "\r\n")
        self._writer = csv.writer(stream, **options)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: TextIO, **options) -> SafeWriter:
    return SafeWriter(stream, **options)
