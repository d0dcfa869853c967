"""The claim in words, as the Récapitulatif tab and the PDF recap show it ("Nombre de
copies : 14", "Départ : THOURIE (35134) le 13/04/2018 à 08:00", …): one wording for
both."""

from __future__ import annotations

from flask_babel import gettext as _

from app.services.claims import lifecycle
from app.services.common import formats
from models import ExpenseClaim, TravelLeg
from models.enums import FeeEntryFamily, TransportMode


def _day(value) -> str:
    return formats.day(value, "—")


def _time(value) -> str:
    return formats.hour(value, "—")


def _span(start, end) -> str:
    return f"{_time(start)}-{_time(end)}" if start and end else ""


def decimal_text(value) -> str:
    """ "35" for 35.0, "12,5" for 12.50: a number put back into an input as a French user
    types it (the recap writes it with ``formats.amount``)."""
    text = format(value.normalize(), "f") if value is not None else ""
    return text.replace(".", ",")


def fee_lines(claim: ExpenseClaim) -> list[str]:
    family = lifecycle.family_of(claim)
    entries = claim.fee_entries
    if family in (FeeEntryFamily.COPIES, FeeEntryFamily.AUTOMATIC):
        if not entries:
            return []
        lines = [_("Number of copies: %(count)s", count=sum(e.copies or 0 for e in entries))]
        lines += [e.comment for e in entries if e.comment]
        return lines
    if family is FeeEntryFamily.CANDIDATES:
        if not entries:
            return []
        total = sum(
            (e.candidates or 0) + (e.candidates_morning or 0) + (e.candidates_afternoon or 0)
            for e in entries
        )
        lines = [_("Number of candidates: %(count)s", count=total)]
        for e in entries:
            if e.day is not None:
                lines.append(
                    _(
                        "On %(day)s: morning %(morning)s, afternoon %(afternoon)s",
                        day=_day(e.day),
                        morning=e.candidates_morning or 0,
                        afternoon=e.candidates_afternoon or 0,
                    )
                )
        return lines
    if family is FeeEntryFamily.HALF_DAY_TIMES:
        lines = []
        for e in sorted(entries, key=lambda e: e.day or _day(None)):
            spans = [
                s
                for s in (
                    _span(e.morning_start, e.morning_end),
                    _span(e.afternoon_start, e.afternoon_end),
                )
                if s
            ]
            lines.append(_("On %(day)s: %(times)s", day=_day(e.day), times=", ".join(spans)))
        return lines
    if family is FeeEntryFamily.DURATION:
        if not entries:
            return []
        minutes = sum((e.hours or 0) * 60 + (e.minutes or 0) for e in entries)
        return [
            _(
                "Number of hours: %(hours)s Number of minutes: %(minutes)s",
                hours=minutes // 60,
                minutes=minutes % 60,
            )
        ]
    return []


def leg_lines(leg: TravelLeg) -> list[str]:
    lines = [
        _(
            "Departure: %(town)s (%(postcode)s) on %(day)s at %(time)s",
            town=leg.departure_town,
            postcode=leg.departure_postcode or "",
            day=_day(leg.departure_date),
            time=_time(leg.departure_time),
        ),
        _(
            "Return/Arrival: %(town)s (%(postcode)s) on %(day)s at %(time)s",
            town=leg.arrival_town,
            postcode=leg.arrival_postcode or "",
            day=_day(leg.return_date),
            time=_time(leg.return_time),
        ),
    ]
    if leg.transport_mode is not None:
        lines.append(_("Mode of transport: %(mode)s", mode=leg.transport_mode.label))
    if leg.transport_mode is TransportMode.CAR and leg.km_one_way:
        lines.append(
            _(
                "Distance one way: %(km)s km; Number of trips: %(trips)s",
                km=formats.amount(leg.km_one_way),
                trips=leg.trips or 0,
            )
        )
    if leg.misc_amount:
        lines.append(
            _(
                "Miscellaneous: %(amount)s (%(comment)s)",
                amount=formats.euros(leg.misc_amount),
                comment=leg.misc_comment or "",
            )
        )
    meals = [
        (leg.lunches_refund, _("Lunch(es) to refund")),
        (leg.lunches_administrative, _("Administrative lunch(es) to refund")),
        (leg.lunches_free, _("Free lunch(es)")),
        (leg.dinners_refund, _("Dinner(s) to refund")),
        (leg.dinners_free, _("Free dinner(s)")),
        (leg.nights_refund, _("Nights to refund")),
        (leg.nights_free, _("Free nights")),
    ]
    counted = [
        _("%(label)s: %(count)s", label=label, count=count) for count, label in meals if count
    ]
    if counted:
        lines.append(_("Meals and nights: %(list)s", list="; ".join(counted)))
    if leg.sncf_fare is not None:
        lines.append(_("SNCF 2nd class fare: %(amount)s", amount=formats.euros(leg.sncf_fare)))
    return lines
