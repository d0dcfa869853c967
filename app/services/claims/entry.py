"""What the agent types in the claim's tabs: the fee entry of each family and the
travel lines, checked field by field.

Functions take the submitted values (a mapping of field name to text, as a form
sends them) and either store the entry or raise ``EntryErrors`` carrying one French
message per field; the view then shows the same values again with the messages next
to their fields, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import DomainError, NotFound
from app.services.claims import lifecycle, workflow
from app.services.common import numbers
from models import ExpenseClaim, FeeEntry, TravelLeg
from models.enums import FeeEntryFamily, TransportMode

MAX_COUNT = 9999
MAX_SMALL = 99
MAX_KM = Decimal("2000")
MAX_MISC = Decimal("1000")
# Travel may start or end a little before or after the mission (the day before).
TRAVEL_MARGIN = dt.timedelta(days=2)


class EntryErrors(DomainError):
    """Some fields are wrong: ``errors`` maps each to its French message."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("The entry holds errors: correct the fields marked in red."))
        self.errors = errors


# --- Reading values -------------------------------------------------------------------


def _text(values: Mapping, name: str) -> str:
    return (values.get(name) or "").strip()


def _int(values, name, errors, *, required=False, maximum=MAX_COUNT, minimum=0):
    raw = _text(values, name)
    if not raw:
        if required:
            errors[name] = _l("This field is required.")
        return None
    if not re.fullmatch(r"\d{1,6}", raw):
        errors[name] = _l("Enter a whole number.")
        return None
    value = int(raw)
    if value < minimum or value > maximum:
        errors[name] = _l("Enter a number between %(min)s and %(max)s.", min=minimum, max=maximum)
        return None
    return value


def _decimal(values, name, errors, *, required=False, maximum, places=2):
    try:
        value = numbers.parse_decimal(_text(values, name), maximum=maximum, places=places)
    except numbers.NumberError as error:
        errors[name] = error.message
        return None
    if value is None and required:
        errors[name] = _l("This field is required.")
    return value


def _date(values, name, errors, *, required=False):
    raw = _text(values, name)
    if not raw:
        if required:
            errors[name] = _l("This field is required.")
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    errors[name] = _l("Enter a date as dd/mm/yyyy.")
    return None


def _time(values, name, errors, *, required=False):
    raw = _text(values, name)
    if not raw:
        if required:
            errors[name] = _l("This field is required.")
        return None
    match = re.fullmatch(r"(\d{1,2})[:hH](\d{2})", raw)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    errors[name] = _l("Enter a time as hh:mm.")
    return None


# --- Fee entry --------------------------------------------------------------------------


def mission_dates(claim: ExpenseClaim) -> list[dt.date]:
    return sorted({slot.day for slot in claim.assignment.mission.slots})


def half_day_rows(claim: ExpenseClaim, extra: int = 2) -> int:
    """How many date lines the half-day form shows: the entries (or the mission's
    dates) plus ``extra`` empty lines."""
    known = len(claim.fee_entries) or len(mission_dates(claim))
    return known + extra


def _check_editable_fee(claim: ExpenseClaim, today: dt.date) -> FeeEntryFamily:
    workflow.can_enter_fee(claim, today).require()
    return lifecycle.family_of(claim)


def save_fee(session: Session, claim: ExpenseClaim, values: Mapping, *, today: dt.date) -> None:
    """Store the fee entry of the claim's family (replacing the previous one)."""
    _check_editable_fee(claim, today)
    entries = fee_entries_from(claim, values)
    replace_fee_entries(claim, entries)
    session.flush()


def fee_entries_from(claim: ExpenseClaim, values: Mapping) -> list[FeeEntry]:
    """The fee entries the form ``values`` give for the claim's family, or
    ``EntryErrors`` with a French message per wrong field."""
    family = lifecycle.family_of(claim)
    if family not in lifecycle.ENTRY_FAMILIES:
        raise DomainError(_l("You have no fee to enter for this mission."))
    errors: dict[str, object] = {}
    entries = {
        FeeEntryFamily.COPIES: _copies,
        FeeEntryFamily.CANDIDATES: _candidates,
        FeeEntryFamily.HALF_DAY_TIMES: _half_days,
        FeeEntryFamily.DURATION: _duration,
    }[family](claim, values, errors)
    if errors:
        raise EntryErrors(errors)
    return entries


def replace_fee_entries(claim: ExpenseClaim, entries: list[FeeEntry]) -> None:
    """The new entries replace the typed ones (the correction system's stay)."""
    claim.fee_entries[:] = [e for e in claim.fee_entries if e.from_correction_system] + entries


def _mission_type(claim):
    return claim.assignment.mission.mission_type


def _copies(claim, values, errors):
    copies = _int(values, "copies", errors, required=True)
    mission_type = _mission_type(claim)
    if copies is not None and copies > mission_type.max_copies:
        errors["copies"] = _l(
            "%(max)s copies at most for this mission type (%(type)s).",
            max=mission_type.max_copies,
            type=mission_type.name,
        )
        return []
    return [FeeEntry(copies=copies)] if copies is not None else []


def _candidates_cap(claim, count, errors) -> bool:
    """False (and the message on the total) when ``count`` exceeds the type's cap."""
    mission_type = _mission_type(claim)
    if count > mission_type.max_candidates:
        errors["candidates"] = _l(
            "%(max)s candidates at most for this mission type (%(type)s).",
            max=mission_type.max_candidates,
            type=mission_type.name,
        )
        return False
    return True


def _candidates(claim, values, errors):
    per_date = []
    for day in mission_dates(claim):
        key = day.isoformat()
        morning = _int(values, f"morning-{key}", errors, maximum=MAX_SMALL * 10)
        afternoon = _int(values, f"afternoon-{key}", errors, maximum=MAX_SMALL * 10)
        if morning is not None or afternoon is not None:
            per_date.append(
                FeeEntry(
                    day=day, candidates_morning=morning or 0, candidates_afternoon=afternoon or 0
                )
            )
    total = _int(values, "candidates", errors, required=not per_date)
    if errors:
        return []
    if per_date:
        detail = sum(e.candidates_morning + e.candidates_afternoon for e in per_date)
        if not _candidates_cap(claim, detail, errors):
            return []
        if total is not None and total != detail:
            errors["candidates"] = _l(
                "The total (%(total)s) differs from the detail per date (%(detail)s).",
                total=total,
                detail=detail,
            )
            return []
        return per_date
    if not _candidates_cap(claim, total, errors):
        return []
    return [FeeEntry(candidates=total)]


def _half_days(claim, values, errors):
    first, last = lifecycle.mission_days(claim)
    entries, seen = [], set()
    for index in range(half_day_rows(claim) + 5):
        names = [f"{field}-{index}" for field in ("day", "ms", "me", "as", "ae")]
        if not any(_text(values, name) for name in names):
            continue
        day = _date(values, names[0], errors, required=True)
        times = [_time(values, name, errors) for name in names[1:]]
        if day is not None:
            if first and last and not first <= day <= last:
                errors[names[0]] = _l(
                    "Enter a date of the mission (%(first)s to %(last)s).",
                    first=first.strftime("%d/%m/%Y"),
                    last=last.strftime("%d/%m/%Y"),
                )
            elif day in seen:
                errors[names[0]] = _l("This date is already entered.")
            seen.add(day)
        ms, me, as_, ae = times
        for start, end, start_name, end_name in (
            (ms, me, names[1], names[2]),
            (as_, ae, names[3], names[4]),
        ):
            if (start is None) != (end is None) and not (
                start_name in errors or end_name in errors
            ):
                errors[end_name if start else start_name] = _l("Enter the start and the end.")
            elif start is not None and end is not None and end <= start:
                errors[end_name] = _l("The end must come after the start.")
        if ms is None and as_ is None and not any(n in errors for n in names):
            errors[names[1]] = _l("Enter the times of the morning or of the afternoon.")
        if me is not None and as_ is not None and as_ < me:
            errors[names[3]] = _l("The afternoon starts after the end of the morning.")
        entries.append(
            FeeEntry(
                day=day, morning_start=ms, morning_end=me, afternoon_start=as_, afternoon_end=ae
            )
        )
    if not entries and not errors:
        errors["day-0"] = _l("Enter at least one date with its times.")
    return entries


def _duration(claim, values, errors):
    hours = _int(values, "hours", errors, maximum=999)
    minutes = _int(values, "minutes", errors, maximum=59)
    if errors:
        return []
    if not hours and not minutes:
        errors["hours"] = _l("Enter the hours and minutes worked.")
        return []
    mission_type = _mission_type(claim)
    if (hours or 0) * 60 + (minutes or 0) > mission_type.max_hours * 60:
        errors["hours"] = _l(
            "%(max)s hours at most for this mission type (%(type)s).",
            max=mission_type.max_hours,
            type=mission_type.name,
        )
        return []
    return [FeeEntry(hours=hours or 0, minutes=minutes or 0)]


# 0 copies / 0 candidates: saved, with a warning (the rule lives with validation).
fee_warnings = lifecycle.fee_warnings


# --- Travel lines ------------------------------------------------------------------------

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


def get_leg(claim: ExpenseClaim, leg_id: int) -> TravelLeg:
    for leg in claim.travel_legs:
        if leg.id == leg_id:
            return leg
    raise NotFound(_l("This travel line does not exist."))


def _check_editable_travel(claim: ExpenseClaim, today: dt.date) -> None:
    workflow.can_enter_travel(claim, today).require()
    if not lifecycle.fee_complete(claim):
        raise DomainError(_l("Complete the « Fee » tab first."))


def is_first_leg(claim: ExpenseClaim, leg: TravelLeg | None) -> bool:
    return leg is not None and bool(claim.travel_legs) and claim.travel_legs[0] is leg


def save_leg(
    session: Session,
    claim: ExpenseClaim,
    leg_id: int | None,
    values: Mapping,
    *,
    today: dt.date,
) -> TravelLeg:
    """ "Compléter le déplacement" (``leg_id``) or "Ajouter un déplacement" (None)."""
    _check_editable_travel(claim, today)
    leg = get_leg(claim, leg_id) if leg_id is not None else None
    errors: dict[str, object] = {}
    data = _leg_values(claim, leg, values, errors)
    if errors:
        raise EntryErrors(errors)
    if leg is None:
        position = max((item.position for item in claim.travel_legs), default=0) + 1
        leg = TravelLeg(position=position)
        claim.travel_legs.append(leg)
    for name, value in data.items():
        setattr(leg, name, value)
    leg.completed = True
    session.flush()
    return leg


def _leg_values(claim, leg, values, errors) -> dict:
    agent = claim.assignment.agent
    data: dict = {}
    if is_first_leg(claim, leg):
        # The departure of the first line is the agent's home town: not editable.
        data["departure_town"] = leg.departure_town or (agent.town or "")
        if not data["departure_town"]:
            errors["departure_town"] = _l(
                "Your home town is unknown: complete your personal information first."
            )
    else:
        data["departure_town"] = _town(values, "departure_town", errors)
    data["arrival_town"] = _town(values, "arrival_town", errors)
    for name in ("departure_postcode", "arrival_postcode"):
        raw = _text(values, name)
        if not raw:
            errors[name] = _l("This field is required.")
        elif not re.fullmatch(r"\d{5}", raw):
            errors[name] = _l("Enter a postcode of 5 digits.")
        data[name] = raw
    data["departure_date"] = _date(values, "departure_date", errors, required=True)
    data["departure_time"] = _time(values, "departure_time", errors, required=True)
    data["return_date"] = _date(values, "return_date", errors, required=True)
    data["return_time"] = _time(values, "return_time", errors, required=True)
    first, last = lifecycle.mission_days(claim)
    start, end = data["departure_date"], data["return_date"]
    if start and first and start < first - TRAVEL_MARGIN:
        errors["departure_date"] = _l("The departure is too long before the mission.")
    if start and last and start > last:
        errors["departure_date"] = _l("The departure is after the end of the mission.")
    if end and last and end > last + TRAVEL_MARGIN:
        errors["return_date"] = _l("The return is too long after the mission.")
    leaves = (start, data["departure_time"] or dt.time())
    if (
        start
        and end
        and "return_date" not in errors
        and (end, data["return_time"] or dt.time()) < leaves
    ):
        errors["return_date"] = _l("The return must come after the departure.")

    mode_name = _text(values, "transport_mode")
    mode = TransportMode.__members__.get(mode_name)
    if mode is None:
        errors["transport_mode"] = _l("Choose the mode of transport.")
    data["transport_mode"] = mode
    data["km_one_way"] = data["trips"] = None
    if mode is TransportMode.CAR:
        data["km_one_way"] = _decimal(
            values, "km_one_way", errors, required=True, maximum=MAX_KM, places=1
        )
        if data["km_one_way"] == 0:
            errors["km_one_way"] = _l("Enter the distance of one way.")
        data["trips"] = _int(values, "trips", errors, required=True, minimum=1, maximum=MAX_SMALL)
    data["misc_amount"] = data["misc_comment"] = None
    if mode in MISC_MODES:
        misc = _decimal(values, "misc_amount", errors, maximum=MAX_MISC)
        comment = _text(values, "misc_comment")
        if misc:
            if not comment:
                errors["misc_comment"] = _l(
                    "Say what the miscellaneous expenses are (tolls, parking…)."
                )
            elif len(comment) > 255:
                errors["misc_comment"] = _l("255 characters at most.")
            data["misc_amount"], data["misc_comment"] = misc, comment[:255]
    for name in LEG_COUNTS:
        data[name] = _int(values, name, errors, maximum=MAX_SMALL) or 0
    if start and end and not errors.keys() & {"departure_date", "return_date"}:
        nights = (end - start).days
        if data["nights_refund"] + data["nights_free"] > nights:
            errors["nights_refund"] = _l(
                "%(count)s night(s) at most between the departure and the return.", count=nights
            )
        days = nights + 1
        if data["lunches_refund"] + data["lunches_administrative"] + data["lunches_free"] > days:
            errors["lunches_refund"] = _l("%(count)s lunch(es) at most on these dates.", count=days)
        if data["dinners_refund"] + data["dinners_free"] > days:
            errors["dinners_refund"] = _l("%(count)s dinner(s) at most on these dates.", count=days)
    return data


def _town(values, name, errors) -> str:
    raw = " ".join(_text(values, name).split()).upper()
    if not raw:
        errors[name] = _l("This field is required.")
    elif len(raw) > 80:
        errors[name] = _l("80 characters at most.")
    return raw[:80]


def delete_leg(session: Session, claim: ExpenseClaim, leg_id: int, *, today: dt.date) -> None:
    """The red cross at the end of a travel line."""
    workflow.can_enter_travel(claim, today).require()
    leg = get_leg(claim, leg_id)
    claim.travel_legs.remove(leg)
    session.flush()
