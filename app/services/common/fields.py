"""The WTForms fields of what a user types in the portal's own forms (the claim's fee
and trips, the manager's amounts): each reads the text as the user writes it and
turns it into a value, or gives the French message shown next to the field.

Plain ``wtforms`` (no request): a service binds a form to the submitted values with
``Form(formdata=MultiDict(values))``. An empty field (spaces only included) has
``data`` None (``""`` for text); ``Required`` is the one "This field is required.".

- ``DecimalField``: ``numbers.parse_decimal``, the one decimal parser (comma or dot,
  spaces as thousands separators, no exponent), with its bounds and places;
- ``IntegerField``: digits only, between ``minimum`` and ``maximum``;
- ``DateField``: what the browser sends (ISO, ``<input type="date">``) or dd/mm/yyyy;
- ``TimeField``: hh:mm (``9:30``, ``09h30``);
- ``TextField``: stripped text (normalised by ``normalise``), at most ``max_length``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import wtforms
from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation

from app.services.common import numbers

# The dates a user types: what <input type="date"> sends, and the French way.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
WHOLE = re.compile(r"\d{1,6}", re.ASCII)
TIME = re.compile(r"(\d{1,2})[:hH](\d{2})", re.ASCII)


def required_message():
    return _l("This field is required.")


class _TypedField(wtforms.Field):
    """A field read from one text: ``text`` is what was typed (stripped), ``data`` the
    value (None when empty); ``convert`` raises ValueError with the French message."""

    text = ""

    def process_formdata(self, valuelist):
        self.text = (valuelist[0] or "").strip() if valuelist else ""
        self.data = self.convert(self.text) if self.text else None

    def convert(self, text):
        return text

    def _value(self):
        return self.text if self.raw_data else ("" if self.data is None else str(self.data))


class DecimalField(_TypedField):
    def __init__(
        self,
        label=None,
        validators=None,
        *,
        maximum: Decimal,
        minimum: Decimal = Decimal(0),
        places: int = 2,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum, self.places = minimum, maximum, places

    def convert(self, text):
        try:
            return numbers.parse_decimal(
                text, minimum=self.minimum, maximum=self.maximum, places=self.places
            )
        except numbers.NumberError as error:
            raise ValueError(error.message) from None


class IntegerField(_TypedField):
    def __init__(self, label=None, validators=None, *, maximum: int, minimum: int = 0, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def convert(self, text):
        if not WHOLE.fullmatch(text):
            raise ValueError(_l("Enter a whole number."))
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise ValueError(
                _l(
                    "Enter a number between %(min)s and %(max)s.",
                    min=self.minimum,
                    max=self.maximum,
                )
            )
        return value


class DateField(_TypedField):
    def convert(self, text):
        for pattern in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_l("Enter a date as dd/mm/yyyy."))


class TimeField(_TypedField):
    def convert(self, text):
        match = TIME.fullmatch(text)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return dt.time(int(match[1]), int(match[2]))
        raise ValueError(_l("Enter a time as hh:mm."))


class TextField(_TypedField):
    """Stripped text (``""`` when empty); ``max_length`` gives "N characters at most."."""

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        max_length: int | None = None,
        normalise=None,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.max_length, self.normalise = max_length, normalise

    def process_formdata(self, valuelist):
        self.data = ""
        super().process_formdata(valuelist)
        self.data = self.data or ""

    def convert(self, text):
        if self.normalise is not None:
            text = self.normalise(text)
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(_l("%(max)s characters at most.", max=self.max_length))
        return text


class Required:
    """The field must hold something (spaces are nothing); a value that cannot be read
    keeps its own message."""

    field_flags = {"required": True}

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if field.data in (None, "") and not field.process_errors:
            raise StopValidation(self.message or required_message())


class RequiredWithAny(Required):
    """Required as soon as one of the fields ``names`` of the same form holds text
    (a line of a table: an empty line is no line)."""

    field_flags = {}

    def __init__(self, names, message=None):
        super().__init__(message)
        self.names = names

    def __call__(self, form, field):
        if any(form[name].text for name in self.names):
            super().__call__(form, field)


def first_errors(form: wtforms.Form) -> dict[str, object]:
    """Field name → its (first) French message, for the page shown again."""
    return {name: messages[0] for name, messages in form.errors.items() if messages}
