"""The claim's forms, declared once: the fee entry of each family and the trip (travel
line) the agent types, and the manager's forms on a claim (fee amount, SNCF fare,
message sent back). Fields and messages come from ``app.services.common.fields``.

The fee form depends on the claim: the candidates' detail has a line per mission
date, the half-day table as many lines as the page shows. Its class is made for the
claim with ``type(...)`` so that the field names stay the ones the page has always
posted (``morning-2026-06-12``, ``day-0``, ``ms-0``…); a ``FieldList`` of
``FormField`` would have renamed them (``rows-0-day``). The trip's form likewise
carries the kilometres and trips for a car only, the miscellaneous expenses for the
modes that have them: a field the chosen mode does not use is not read.

The rules that depend on the mission (caps of the mission type, dates of the
mission, totals, nights between departure and return) are checked by the services
(``entry``, ``processing``) after the form, on its values.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form, ValidationError

from app.services.common.fields import (
    DateField,
    DecimalField,
    IntegerField,
    Required,
    RequiredWithAny,
    TextField,
    TimeField,
)
from app.services.people import directory
from models.enums import TransportMode

MAX_COUNT = 9999
MAX_SMALL = 99
MAX_KM = Decimal("2000")
MAX_MISC = Decimal("1000")
# The most a manager may type: a fee (300 copies at the top group are 1,500 €; 60
# hours 823 €) and a 2nd-class train fare (a return across France is under 300 €).
MAX_FEE = Decimal("5000")
MAX_FARE = Decimal("1500")
MAX_MESSAGE = 2000
HALF_DAY_FIELDS = ("day", "ms", "me", "as", "ae")

LEG_COUNTS = (
    "lunches_refund",
    "lunches_administrative",
    "lunches_free",
    "dinners_refund",
    "dinners_free",
    "nights_refund",
    "nights_free",
)
MISC_MODES = frozenset({TransportMode.CAR, TransportMode.TRAVEL_VOUCHER})


def bind(form_class: type[Form], values) -> Form:
    """The form filled with the submitted ``values`` (a dict or a MultiDict of text)
    and validated; ``first_errors(form)`` gives its messages."""
    form = form_class(formdata=MultiDict(values))
    form.validate()
    return form


# --- Fee entry ------------------------------------------------------------------------


class CopiesForm(Form):
    copies = IntegerField(maximum=MAX_COUNT, validators=[Required()])


class DurationForm(Form):
    hours = IntegerField(maximum=999)
    minutes = IntegerField(maximum=59)


def candidates_form(dates) -> type[Form]:
    """The total, or the candidates of the morning and the afternoon of each date (the
    total is required when the detail is empty: a rule of ``entry``)."""
    fields = {"candidates": IntegerField(maximum=MAX_COUNT)}
    for day in dates:
        for half in ("morning", "afternoon"):
            fields[f"{half}-{day.isoformat()}"] = IntegerField(maximum=MAX_SMALL * 10)
    return type("CandidatesForm", (Form,), fields)


def half_day_names(index: int) -> list[str]:
    return [f"{field}-{index}" for field in HALF_DAY_FIELDS]


def half_days_form(rows: int) -> type[Form]:
    """``rows`` lines of a date and four times; a line with anything typed needs its
    date, an empty line is ignored."""
    fields = {}
    for index in range(rows):
        day, *times = half_day_names(index)
        fields[day] = DateField(validators=[RequiredWithAny(half_day_names(index))])
        fields.update({name: TimeField() for name in times})
    return type("HalfDaysForm", (Form,), fields)


# --- Trip -------------------------------------------------------------------------------


def _town(text: str) -> str:
    return " ".join(text.split()).upper()


def _town_field():
    return TextField(max_length=80, normalise=_town, validators=[Required()])


class _Postcode(Required):
    def __call__(self, form, field):
        super().__call__(form, field)
        if message := directory.postcode_error(field.data):
            raise ValidationError(message)


class _Mode(Required):
    """One of the modes of transport (their names, as the page's radio buttons post)."""

    def __call__(self, form, field):
        if TransportMode.__members__.get(field.data) is None:
            raise ValidationError(_l("Choose the mode of transport."))


class LegForm(Form):
    """A trip as the agent types it (the departure town of the first trip is the
    agent's home town, not typed: ``leg_form`` leaves it out)."""

    departure_town = _town_field()
    departure_postcode = TextField(validators=[_Postcode()])
    departure_date = DateField(validators=[Required()])
    departure_time = TimeField(validators=[Required()])
    arrival_town = _town_field()
    arrival_postcode = TextField(validators=[_Postcode()])
    return_date = DateField(validators=[Required()])
    return_time = TimeField(validators=[Required()])
    transport_mode = TextField(validators=[_Mode()])


for _name in LEG_COUNTS:  # meals and nights: same field each
    setattr(LegForm, _name, IntegerField(maximum=MAX_SMALL))


class _CarFields(Form):
    km_one_way = DecimalField(maximum=MAX_KM, places=1, validators=[Required()])
    trips = IntegerField(minimum=1, maximum=MAX_SMALL, validators=[Required()])

    def validate_km_one_way(self, field):
        if field.data == 0:
            raise ValidationError(_l("Enter the distance of one way."))


class _MiscFields(Form):
    misc_amount = DecimalField(maximum=MAX_MISC)
    misc_comment = TextField()

    def validate_misc_comment(self, field):
        if not self.misc_amount.data:
            return
        if not field.data:
            raise ValidationError(_l("Say what the miscellaneous expenses are (tolls, parking…)."))
        if len(field.data) > 255:
            raise ValidationError(_l("%(max)s characters at most.", max=255))


def leg_form(mode: TransportMode | None, *, first_leg: bool) -> type[Form]:
    """The trip's form for the chosen mode of transport."""
    bases = [LegForm]
    if mode is TransportMode.CAR:
        bases.insert(0, _CarFields)
    if mode in MISC_MODES:
        bases.insert(0, _MiscFields)
    fields = {"departure_town": None} if first_leg else {}
    return type("TripForm", tuple(bases), fields)


# --- The manager's forms ------------------------------------------------------------------


class FeeAmountForm(Form):
    """ "Saisir la rémunération": the amount of the fee."""

    amount = DecimalField(
        maximum=MAX_FEE, validators=[Required(_l("Enter an amount such as 12,50."))]
    )
    comment = TextField()


class FareForm(Form):
    """The SNCF fare of a trip (empty: no fare)."""

    fare = DecimalField(maximum=MAX_FARE)


class SendBackForm(Form):
    """ "Renvoyer à l'intervenant": the message."""

    message = TextField(validators=[Required(_l("Write the message for the contributor."))])

    def validate_message(self, field):
        if len(field.data) > MAX_MESSAGE:
            raise ValidationError(
                _l("The message is too long (%(max)s characters at most).", max=MAX_MESSAGE)
            )
