"""Reading one line of the CYCLADES exams file (``exams``): its nature, its key and
its values, or its refusals (line, column, value, reason). The columns of each nature
are described in ``exams`` and in the README (section « Imports »)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.services.referential import rules
from models.enums import EstablishmentCategory

from .base import Plan

COLUMNS = (
    "nature",
    "code_examen",
    "code_specialite",
    "code_epreuve",
    "session",
    "libelle",
    "annee",
    "date_debut",
    "date_fin",
    "uai",
    "categorie",
    "code_postal",
    "commune",
)
OPTIONAL = ("libelle_court", "adresse", "latitude", "longitude")
NATURES = ("EXAMEN", "SPECIALITE", "EPREUVE", "SESSION", "CENTRE")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
DEGREES = Decimal("0.000001")

MISSING = _l("value missing")
UNKNOWN_EXAM = _l("unknown exam (neither in the file nor in the referential)")
UNKNOWN_SPECIALTY = _l(
    "unknown specialty of this exam (neither in the file nor in the referential)"
)
BAD_DATE = _l("not a date (DD/MM/YYYY expected)")
BAD_YEAR = _l("not a year (4 digits expected)")
BAD_UAI = _l("not a UAI code (7 digits and a key letter, e.g. 0350024L)")
BAD_POSTCODE = _l("not a postcode (5 digits expected)")
BAD_NATURE = _l("unknown nature (EXAMEN, SPECIALITE, EPREUVE, SESSION or CENTRE expected)")
BAD_CATEGORY = _l("unknown category (%(codes)s expected)")
END_BEFORE_START = _l("the end date is before the start date")
BAD_LATITUDE = _l("not a latitude (a number between -90 and 90 expected)")
BAD_LONGITUDE = _l("not a longitude (a number between -180 and 180 expected)")
HALF_POSITION = _l("latitude and longitude go together: give both or neither")
OTHER_ACADEMY = _l("this establishment belongs to another academy")
DUPLICATE = _l("duplicated key: already on line %(line)s")
TOO_LONG = _l("too long (%(limit)s characters at most)")


@dataclass
class Line:
    """A valid line: its key, its fields (model attribute → value) and its parents."""

    number: int
    nature: str
    key: tuple
    values: dict
    parent: tuple | None = None


def _text(plan: Plan, number: int, row: dict, column: str, limit: int, required=True):
    value = row.get(column, "")
    if not value:
        if required:
            plan.refuse(number, column, value, MISSING)
            return None
        return ""
    if len(value) > limit:
        plan.refuse(number, column, value, _l(TOO_LONG._args[0], limit=limit))
        return None
    return value


def _date(plan: Plan, number: int, row: dict, column: str):
    value = row.get(column, "")
    if not value:
        return None, True
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date(), True
        except ValueError:
            continue
    plan.refuse(number, column, value, BAD_DATE)
    return None, False


def _degrees(plan: Plan, number: int, row: dict, column: str, bound: int, reason):
    value = row.get(column, "")
    if not value:
        return None, True
    try:
        number_value = Decimal(value.replace(",", ".")).quantize(DEGREES)
    except InvalidOperation:
        plan.refuse(number, column, value, reason)
        return None, False
    if not number_value.is_finite() or abs(number_value) > bound:
        plan.refuse(number, column, value, reason)
        return None, False
    return number_value, True


def read_line(plan: Plan, number: int, row: dict) -> Line | None:
    """The line's key and values, or None (and its refusals) when it is not valid."""
    nature = row["nature"].upper()
    refused_before = plan.refused_count
    if nature not in NATURES:
        plan.refuse(number, "nature", row["nature"], BAD_NATURE)
        return None
    if nature == "CENTRE":
        return read_centre(plan, number, row)
    exam = _text(plan, number, row, "code_examen", 20)
    if nature == "EXAMEN":
        name = _text(plan, number, row, "libelle", 120)
        short = _text(plan, number, row, "libelle_court", 20, required=False)
        if plan.refused_count > refused_before:
            return None
        return Line(number, nature, (exam,), {"name": name, "short_name": short or None})
    if nature == "SESSION":
        name = _text(plan, number, row, "session", 40)
        year_text = row.get("annee", "")
        year = None
        if not year_text:
            plan.refuse(number, "annee", year_text, MISSING)
        elif len(year_text) != 4 or not year_text.isdigit():
            plan.refuse(number, "annee", year_text, BAD_YEAR)
        else:
            year = int(year_text)
        starts, _ok = _date(plan, number, row, "date_debut")
        ends, ok = _date(plan, number, row, "date_fin")
        if ok and starts and ends and ends < starts:
            plan.refuse(number, "date_fin", row["date_fin"], END_BEFORE_START)
        if plan.refused_count > refused_before:
            return None
        values = {"year": year, "starts_on": starts, "ends_on": ends}
        return Line(number, nature, (exam, name), values, parent=(exam,))
    specialty = _text(plan, number, row, "code_specialite", 20)
    if nature == "SPECIALITE":
        name = _text(plan, number, row, "libelle", 120)
        if plan.refused_count > refused_before:
            return None
        return Line(number, nature, (exam, specialty), {"name": name}, parent=(exam,))
    paper = _text(plan, number, row, "code_epreuve", 20)
    name = _text(plan, number, row, "libelle", 120)
    if plan.refused_count > refused_before:
        return None
    return Line(number, nature, (exam, specialty, paper), {"name": name}, parent=(exam, specialty))


def read_centre(plan: Plan, number: int, row: dict) -> Line | None:
    refused_before = plan.refused_count
    uai = row.get("uai", "").upper()
    if not uai:
        plan.refuse(number, "uai", uai, MISSING)
    elif not rules.uai_is_valid(uai):
        plan.refuse(number, "uai", row["uai"], BAD_UAI)
    name = _text(plan, number, row, "libelle", 120)
    category = None
    code = row.get("categorie", "").upper()
    if not code:
        plan.refuse(number, "categorie", code, MISSING)
    else:
        category = next((c for c in EstablishmentCategory if c.value == code), None)
        if category is None:
            codes = ", ".join(c.value for c in EstablishmentCategory)
            plan.refuse(number, "categorie", code, _l(BAD_CATEGORY._args[0], codes=codes))
    address = _text(plan, number, row, "adresse", 255, required=False)
    postcode = row.get("code_postal", "")
    if not postcode:
        plan.refuse(number, "code_postal", postcode, MISSING)
    elif len(postcode) != 5 or not postcode.isdigit():
        plan.refuse(number, "code_postal", postcode, BAD_POSTCODE)
    town = _text(plan, number, row, "commune", 80)
    latitude, lat_ok = _degrees(plan, number, row, "latitude", 90, BAD_LATITUDE)
    longitude, long_ok = _degrees(plan, number, row, "longitude", 180, BAD_LONGITUDE)
    if lat_ok and long_ok and (latitude is None) != (longitude is None):
        column = "longitude" if longitude is None else "latitude"
        plan.refuse(number, column, row.get(column, ""), HALF_POSITION)
    if plan.refused_count > refused_before:
        return None
    values = {
        "name": name,
        "category": category,
        "address": address or None,
        "postcode": postcode,
        "town": town,
        "latitude": latitude,
        "longitude": longitude,
        "is_exam_centre": True,
    }
    return Line(number, "CENTRE", (uai,), values)


def raw_key(row: dict) -> tuple[str, tuple]:
    nature = row["nature"].upper()
    columns = {
        "EXAMEN": ("code_examen",),
        "SPECIALITE": ("code_examen", "code_specialite"),
        "EPREUVE": ("code_examen", "code_specialite", "code_epreuve"),
        "SESSION": ("code_examen", "session"),
        "CENTRE": ("uai",),
    }.get(nature, ())
    values = tuple(row.get(column, "") for column in columns)
    return nature, tuple(v.upper() for v in values) if nature == "CENTRE" else values
