"""What the agent types in the claim's tabs: the fee entry of each family and the
travel lines, checked field by field.

Functions take the submitted values (a mapping of field name to text, as a form
sends them) and either store the entry or raise ``EntryErrors`` carrying one French
message per field; the view then shows the same values again with the messages next
to their fields, so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms import Form

from app.services import ALLOWED, Decision, DomainError, NotFound, refused
from app.services.claims import forms, lifecycle, workflow
from app.services.common import formats
from app.services.common.fields import first_errors, required_message
from models import ExpenseClaim, FeeEntry, TravelLeg
from models.enums import FeeEntryFamily, TransportMode

# Travel may start or end a little before or after the mission (the day before).
TRAVEL_MARGIN = dt.timedelta(days=2)
# Declared with the forms (the views and the referential read them here).
MAX_COUNT, LEG_COUNTS, MISC_MODES = forms.MAX_COUNT, forms.LEG_COUNTS, forms.MISC_MODES


class EntryErrors(DomainError):
    """Some fields are wrong: ``errors`` maps each to its French message."""

    def __init__(self, errors: dict[str, object]):
        super().__init__(_l("The entry holds errors: correct the fields marked in red."))
        self.errors = errors


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


def _bind(form_class, values, errors) -> Form:
    """The form bound to ``values``; the messages of its fields go to ``errors``."""
    form = forms.bind(form_class, values)
    errors.update(first_errors(form))
    return form


def _copies(claim, values, errors):
    copies = _bind(forms.CopiesForm, values, errors).copies.data
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
    dates = mission_dates(claim)
    form = _bind(forms.candidates_form(dates), values, errors)
    per_date = []
    for day in dates:
        morning = form[f"morning-{day.isoformat()}"].data
        afternoon = form[f"afternoon-{day.isoformat()}"].data
        if morning is not None or afternoon is not None:
            per_date.append(
                FeeEntry(
                    day=day, candidates_morning=morning or 0, candidates_afternoon=afternoon or 0
                )
            )
    total = form.candidates.data
    if total is None and not per_date and "candidates" not in errors:
        errors["candidates"] = required_message()
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
    rows = half_day_rows(claim) + 5
    form = _bind(forms.half_days_form(rows), values, errors)
    entries, seen = [], set()
    for index in range(rows):
        names = forms.half_day_names(index)
        if not any(form[name].text for name in names):
            continue
        day = form[names[0]].data
        ms, me, as_, ae = (form[name].data for name in names[1:])
        if day is not None:
            if first and last and not first <= day <= last:
                errors[names[0]] = _l(
                    "Enter a date of the mission (%(first)s to %(last)s).",
                    first=formats.day(first),
                    last=formats.day(last),
                )
            elif day in seen:
                errors[names[0]] = _l("This date is already entered.")
            seen.add(day)
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
    form = _bind(forms.DurationForm, values, errors)
    hours, minutes = form.hours.data, form.minutes.data
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
    """The first line of the table: its departure town is the agent's home town, not
    editable. A new trip (``leg`` None) is the first line when the table is empty."""
    if leg is None:
        return not claim.travel_legs
    return bool(claim.travel_legs) and claim.travel_legs[0] is leg


def locked_departure_town(claim: ExpenseClaim, leg: TravelLeg | None) -> str | None:
    """The departure town the trip's form shows read-only (the first line's: the one
    it has, else the agent's home town), or None when the agent types it."""
    if not is_first_leg(claim, leg):
        return None
    return (leg.departure_town if leg is not None else "") or (claim.assignment.agent.town or "")


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
    first_leg = is_first_leg(claim, leg)
    mode = TransportMode.__members__.get((values.get("transport_mode") or "").strip())
    form = _bind(forms.leg_form(mode, first_leg=first_leg), values, errors)
    data: dict = {
        name: form[name].data
        for name in (
            "arrival_town",
            "departure_postcode",
            "arrival_postcode",
            "departure_date",
            "departure_time",
            "return_date",
            "return_time",
        )
    }
    if first_leg:
        # The departure of the first line is the agent's home town: not editable.
        data["departure_town"] = locked_departure_town(claim, leg)
        if not data["departure_town"]:
            errors["departure_town"] = _l(
                "Your home town is unknown: complete your personal information first."
            )
    else:
        data["departure_town"] = form.departure_town.data
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

    data["transport_mode"] = mode
    data["km_one_way"] = data["trips"] = None
    if mode is TransportMode.CAR:
        data["km_one_way"], data["trips"] = form.km_one_way.data, form.trips.data
    data["misc_amount"] = data["misc_comment"] = None
    if mode in MISC_MODES and form.misc_amount.data:
        data["misc_amount"], data["misc_comment"] = form.misc_amount.data, form.misc_comment.data
    for name in LEG_COUNTS:
        data[name] = form[name].data or 0
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


def delete_leg(session: Session, claim: ExpenseClaim, leg_id: int, *, today: dt.date) -> None:
    """The red cross at the end of a travel line (once the agent confirmed)."""
    workflow.can_enter_travel(claim, today).require()
    leg = get_leg(claim, leg_id)
    claim.travel_legs.remove(leg)
    session.flush()


def can_restore_first_leg(claim: ExpenseClaim, today: dt.date) -> Decision:
    """ "Rétablir la ligne pré-remplie": the line the mission prefilled (position 1)
    was deleted, and the travel may still be entered."""
    if not (decision := workflow.can_enter_travel(claim, today)):
        return decision
    if any(leg.position == workflow.FIRST_LEG_POSITION for leg in claim.travel_legs):
        return refused(_l("The prefilled line is already in the table."))
    return ALLOWED


def restore_first_leg(session: Session, claim: ExpenseClaim, *, today: dt.date) -> TravelLeg:
    """Put the prefilled line back at the top of the table, as the mission gives it."""
    can_restore_first_leg(claim, today).require()
    leg = workflow.prefilled_leg(claim)
    claim.travel_legs.insert(0, leg)
    session.flush()
    return leg
