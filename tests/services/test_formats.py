"""Dates, times and amounts as users read them (app.services.common.formats): the
French administration's patterns for dates in both languages, amounts in the
language's way, nothing for None."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from flask import has_app_context, render_template_string
from flask_babel import force_locale

from app.services.common import formats

NNBSP, NBSP = "\u202f", "\u00a0"  # Babel's thousands separator and the space before €
TUESDAY = dt.date(2014, 5, 20)


@pytest.fixture(params=["fr", "en"])
def locale(request, app):
    with app.test_request_context(), force_locale(request.param):
        yield request.param


def test_a_day_is_dd_mm_yyyy_in_both_languages(locale):
    assert formats.day(TUESDAY) == "20/05/2014"
    assert formats.day(dt.date(1, 1, 1)) == "01/01/0001"
    assert formats.day(dt.date(9999, 12, 31)) == "31/12/9999"
    # A stored timestamp shows the day it holds, as stored.
    assert formats.day(dt.datetime(2026, 11, 23, 23, 59)) == "23/11/2026"


def test_the_long_day_names_the_weekday_in_the_language(locale):
    weekday = {"fr": "mardi", "en": "Tuesday"}[locale]
    assert formats.long_day(TUESDAY) == f"{weekday} 20/05/2014"


def test_an_hour_is_24_hour_hh_mm_in_both_languages(locale):
    assert formats.hour(dt.time(8, 5)) == "08:05"
    assert formats.hour(dt.time(0, 0)) == "00:00"
    assert formats.hour(dt.time(23, 59, 59)) == "23:59"
    # A time of day is not moved to another time zone.
    assert formats.hour(dt.datetime(2026, 7, 1, 10, 0)) == "10:00"


def test_a_moment_is_a_stored_utc_time_in_the_portal_time_zone(locale):
    assert formats.moment(dt.datetime(2026, 11, 23, 17, 11)) == "23/11/2026 18:11"  # UTC+1
    assert formats.moment(dt.datetime(2026, 7, 1, 10, 0)) == "01/07/2026 12:00"  # UTC+2
    assert formats.moment(dt.datetime(2026, 12, 31, 23, 30)) == "01/01/2027 00:30"
    assert formats.moment(dt.datetime(2026, 7, 1, 10, 0, 5), seconds=True) == "01/07/2026 12:00:05"
    assert formats.moment(dt.datetime(2026, 7, 1, 10, 0), rebase=False) == "01/07/2026 10:00"


def test_amounts_in_french(app):
    with app.test_request_context(), force_locale("fr"):
        assert formats.euros(D("1234.5")) == f"1{NNBSP}234,50{NBSP}€"
        assert formats.euros(D("0")) == f"0,00{NBSP}€"
        assert formats.euros(D("-0.5")) == f"-0,50{NBSP}€"
        assert formats.euros(D("999999.99")) == f"999{NNBSP}999,99{NBSP}€"
        assert formats.amount(D("12.50")) == "12,5"
        assert formats.amount(D("35.0")) == "35"
        assert formats.amount(D("1234.125")) == f"1{NNBSP}234,125"
        assert formats.bound(D("999999.9999")) == "999999,9999"
        assert formats.bound(2**31 - 1) == "2147483647"


def test_amounts_in_english(app):
    with app.test_request_context(), force_locale("en"):
        assert formats.euros(D("1234.5")) == "€1,234.50"
        assert formats.euros(D("-0.5")) == "-€0.50"
        assert formats.amount(D("12.50")) == "12.5"
        assert formats.amount(D("1234")) == "1,234"
        assert formats.bound(D("999999.9999")) == "999999.9999"


def test_nothing_is_written_as_missing(locale):
    for write in (formats.day, formats.long_day, formats.hour, formats.moment):
        assert write(None) == ""
        assert write(None, "—") == "—"
    for write in (formats.amount, formats.euros):
        assert write(None) == ""
        assert write(None, "—") == "—"


def test_the_templates_use_the_same_functions(app):
    with app.test_request_context(), force_locale("fr"):
        html = render_template_string(
            "{{ d|day }} {{ d|long_day }} {{ t|hour }} {{ m|local_time }} {{ a|money }} {{ a|amount }}",
            d=TUESDAY,
            t=dt.time(8, 5),
            m=dt.datetime(2026, 11, 23, 17, 11),
            a=D("1234.5"),
        )
    assert html == (
        f"20/05/2014 mardi 20/05/2014 08:05 23/11/2026 18:11 1{NNBSP}234,50{NBSP}€ 1{NNBSP}234,5"
    )


def test_outside_the_application_the_portal_defaults_apply():
    # A pure service (a list's cells) run without Flask: French, Paris time.
    assert not has_app_context()
    assert formats.day(TUESDAY) == "20/05/2014"
    assert formats.long_day(TUESDAY) == "mardi 20/05/2014"
    assert formats.hour(dt.time(8, 5)) == "08:05"
    assert formats.moment(dt.datetime(2026, 11, 23, 17, 11)) == "23/11/2026 18:11"
    assert formats.moment(dt.datetime(2026, 11, 23, 17, 11), rebase=False) == "23/11/2026 17:11"
    assert formats.euros(D("1234.5")) == f"1{NNBSP}234,50{NBSP}€"
    assert formats.amount(D("12.50")) == "12,5"
    assert formats.bound(D("999999.9999")) == "999999,9999"
