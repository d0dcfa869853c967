"""The fields of the portal's forms (app/services/common/fields.py): what each reads,
what it refuses and the French message shown next to it, bounds and empty values
included."""

import datetime as dt
from decimal import Decimal

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.services.common import fields

D = Decimal


class Sample(Form):
    amount = fields.DecimalField(maximum=D("5000"))
    km = fields.DecimalField(maximum=D("2000"), places=1, validators=[fields.Required()])
    count = fields.IntegerField(maximum=99)
    trips = fields.IntegerField(minimum=1, maximum=99, validators=[fields.Required()])
    day = fields.DateField()
    hour = fields.TimeField()
    town = fields.TextField(max_length=10, normalise=lambda text: " ".join(text.split()).upper())
    first = fields.TextField()
    second = fields.TextField(validators=[fields.RequiredWithAny(["first"])])


FILLED = {"km": "12,5", "trips": "1"}


def read(**values):
    """The form bound to the values (the two required fields filled unless given), and
    its messages in French."""
    form = Sample(formdata=MultiDict(FILLED | values))
    form.validate()
    with force_locale("fr"):
        errors = {
            name: str(message).replace("\u202f", " ")
            for name, message in fields.first_errors(form).items()
        }
    return form, errors


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12,50", D("12.50")), ("1 234,5", D("1234.5")), ("\u00a07", D("7")), (" 0.5 ", D("0.5"))],
)
def test_the_decimal_field_reads_what_a_french_user_types(raw, value, app_ctx):
    form, errors = read(amount=raw)
    assert (form.amount.data, errors) == (value, {})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e3", "Saisissez un montant, par exemple 12,50."),
        ("NaN", "Saisissez un montant, par exemple 12,50."),
        ("douze", "Saisissez un montant, par exemple 12,50."),
        ("12,345", "2 décimales au plus."),
        ("5000,01", "Saisissez un nombre compris entre 0 et 5 000."),
        ("-1", "Saisissez un nombre compris entre 0 et 5 000."),
        ("9" * 40, "Saisissez un nombre compris entre 0 et 5 000."),
    ],
)
def test_the_decimal_field_refuses_in_french(raw, message, app_ctx):
    form, errors = read(amount=raw)
    assert (form.amount.data, errors) == (None, {"amount": message})


def test_a_decimal_field_has_its_own_places(app_ctx):
    assert read(km="12,55")[1] == {"km": "1 décimale au plus."}
    assert read(km="12,5")[0].km.data == D("12.5")


@pytest.mark.parametrize("raw", ["", "   "])
def test_an_empty_field_is_none_or_required(raw, app_ctx):
    form, errors = read(amount=raw, count=raw, day=raw, hour=raw, km=raw, trips=raw)
    assert [form.amount.data, form.count.data, form.day.data, form.hour.data] == [None] * 4
    assert errors == {"km": "Ce champ est obligatoire.", "trips": "Ce champ est obligatoire."}


def test_a_missing_field_is_empty(app_ctx):
    form = Sample(formdata=MultiDict({}))
    assert not form.validate()
    assert (form.amount.data, form.town.data) == (None, "")
    assert set(form.errors) == {"km", "trips"}


@pytest.mark.parametrize(("raw", "value"), [("0", 0), ("7", 7), (" 99 ", 99), ("007", 7)])
def test_the_integer_field_reads_whole_numbers_within_its_bounds(raw, value, app_ctx):
    form, errors = read(count=raw)
    assert (form.count.data, errors) == (value, {})


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("count", "1,5", "Saisissez un nombre entier."),
        ("count", "-1", "Saisissez un nombre entier."),
        ("count", "1e3", "Saisissez un nombre entier."),
        ("count", "١٢", "Saisissez un nombre entier."),
        ("count", "1234567", "Saisissez un nombre entier."),
        ("count", "100", "Saisissez un nombre compris entre 0 et 99."),
        ("trips", "0", "Saisissez un nombre compris entre 1 et 99."),
    ],
)
def test_the_integer_field_refuses_in_french(name, raw, message, app_ctx):
    form, errors = read(**{name: raw})
    assert (form[name].data, errors) == (None, {name: message})


@pytest.mark.parametrize(
    ("raw", "value"),
    [("2026-06-12", dt.date(2026, 6, 12)), ("12/06/2026", dt.date(2026, 6, 12))],
)
def test_the_date_field_reads_the_browser_date_and_the_french_date(raw, value, app_ctx):
    form, errors = read(day=raw)
    assert (form.day.data, errors) == (value, {})


@pytest.mark.parametrize("raw", ["31/02/2026", "2026-13-01", "12-06-2026", "demain", "06/12"])
def test_the_date_field_refuses_in_french(raw, app_ctx):
    form, errors = read(day=raw)
    assert (form.day.data, errors) == (None, {"day": "Saisissez une date au format jj/mm/aaaa."})


@pytest.mark.parametrize(
    ("raw", "value"),
    [("08:30", dt.time(8, 30)), ("9h05", dt.time(9, 5)), ("23H59", dt.time(23, 59))],
)
def test_the_time_field_reads_hours_and_minutes(raw, value, app_ctx):
    form, errors = read(hour=raw)
    assert (form.hour.data, errors) == (value, {})


@pytest.mark.parametrize("raw", ["24:00", "12:60", "9:5", "midi", "12"])
def test_the_time_field_refuses_in_french(raw, app_ctx):
    form, errors = read(hour=raw)
    assert (form.hour.data, errors) == (None, {"hour": "Saisissez une heure au format hh:mm."})


def test_a_text_field_is_normalised_then_bounded(app_ctx):
    assert read(town="  saint   malo ")[0].town.data == "SAINT MALO"
    assert read(town="saint-brieuc")[1] == {"town": "10 caractères au plus."}


def test_a_line_needs_its_field_as_soon_as_something_is_typed(app_ctx):
    assert read()[1] == {}
    assert read(first="x")[1] == {"second": "Ce champ est obligatoire."}
    assert read(first="x", second="y")[1] == {}


def test_the_messages_are_english_for_an_english_user(app_ctx):
    form = Sample(formdata=MultiDict(FILLED | {"count": "abc", "day": "demain"}))
    form.validate()
    with force_locale("en"):
        assert {name: str(m) for name, m in fields.first_errors(form).items()} == {
            "count": "Enter a whole number.",
            "day": "Enter a date as dd/mm/yyyy.",
        }
