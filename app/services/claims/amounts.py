"""Amounts of an expense claim, computed from the barème valid on the mission date.

Every amount is a ``Decimal`` rounded to the cent (half up) at the end of each line;
no float anywhere. The rules and their figures:

* jury fees (arrêté of 13 April 2012): copies × the per-copy rate of the paper's group
  (0.75 / 1.10 / 1.73 / 2.47 / 5.00 €), or hours × the per-hour rate of the paper's
  group (4.11 / 5.49 / 9.60 / 13.72 €). Hours come from the half-day times, from the
  hours and minutes entered, or from the candidates × the paper's oral length;
* meals: 20 € each, half when administrative (a rate line of its own); nights: 90 €,
  120 € in cities of 200,000 inhabitants or more, 140 € in Paris (the mission centre's
  lodging zone);
* car: kilometre allowances of the arrêté of 14 March 2022, by fiscal horsepower and by
  band of the distance driven in the calendar year, applied band by band; or, when the
  manager entered it, the SNCF 2nd-class fare instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.claims.bareme import (
    CENT,
    DEFAULT_MINUTES_PER_CANDIDATE,
    MEAL_ADMINISTRATIVE,
    MEAL_STANDARD,
    ZERO,
    MissingRate,
    Rates,
    money,
    rates_of_mission,
    standard_band_key,
    unique_lines,
)
from app.services.common import formats
from models import ExpenseClaim
from models.enums import ClaimStatus, FeeEntryFamily, LodgingZone, RateKind, TransportMode

# --- Fees ---------------------------------------------------------------------------


@dataclass
class FeeAmount:
    """The fee of a claim: what it counts, at which rate, for how much (``amount`` is
    None when the manager prices it, or when the barème lacks the rate)."""

    family: FeeEntryFamily
    copies: int = 0
    candidates: int = 0
    minutes: int = 0
    rate: Decimal | None = None
    amount: Decimal | None = None
    # Lines of the barème the fee needs and it lacks: "barème incomplet".
    missing: list[MissingRate] = field(default_factory=list)

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)


def _minutes_between(start: dt.time | None, end: dt.time | None) -> int:
    if start is None or end is None:
        return 0
    return max(0, (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute))


def entry_minutes(entry) -> int:
    """Minutes worked according to one fee entry (half-day times or hours + minutes)."""
    return (
        _minutes_between(entry.morning_start, entry.morning_end)
        + _minutes_between(entry.afternoon_start, entry.afternoon_end)
        + (entry.hours or 0) * 60
        + (entry.minutes or 0)
    )


def fee_amount(claim: ExpenseClaim, rates: Rates) -> FeeAmount:
    mission = claim.assignment.mission
    family = mission.mission_type.fee_family
    paper = mission.paper
    result = FeeAmount(family=family)
    entries = claim.fee_entries
    if family in (FeeEntryFamily.COPIES, FeeEntryFamily.AUTOMATIC):
        result.copies = sum(e.copies or 0 for e in entries)
        if paper is not None and paper.copy_rate_group:
            result.rate = rates.get(RateKind.FEE_PER_COPY, str(paper.copy_rate_group))
            if result.rate is None:
                result.missing.append(
                    MissingRate(RateKind.FEE_PER_COPY, str(paper.copy_rate_group))
                )
        if result.rate is not None:
            result.amount = money(result.copies * result.rate)
        return result
    if family is FeeEntryFamily.CANDIDATES:
        result.candidates = sum(
            (e.candidates or 0) + (e.candidates_morning or 0) + (e.candidates_afternoon or 0)
            for e in entries
        )
        per_candidate = (paper.minutes_per_candidate if paper else None) or (
            DEFAULT_MINUTES_PER_CANDIDATE
        )
        result.minutes = result.candidates * per_candidate
    elif family in (FeeEntryFamily.HALF_DAY_TIMES, FeeEntryFamily.DURATION):
        result.minutes = sum(entry_minutes(e) for e in entries)
    else:  # NONE: the manager enters the fee, or there is none
        return result
    if paper is not None and paper.hour_rate_group:
        result.rate = rates.get(RateKind.FEE_PER_HOUR, str(paper.hour_rate_group))
        if result.rate is None:
            result.missing.append(MissingRate(RateKind.FEE_PER_HOUR, str(paper.hour_rate_group)))
    if result.rate is not None:
        result.amount = money(Decimal(result.minutes) * result.rate / Decimal(60))
    return result


# --- Travel ---------------------------------------------------------------------------


def kilometre_allowance(
    bands: list[tuple[int, int | None, Decimal]], km: Decimal, km_before: Decimal
) -> Decimal:
    """Allowance for ``km`` driven after ``km_before`` already driven this year: each
    kilometre is paid at the rate of the yearly band it falls in."""
    total = Decimal(0)
    start, end = Decimal(km_before), Decimal(km_before) + Decimal(km)
    for low, high, rate in bands:
        band_start = Decimal(max(low - 1, 0))
        band_end = Decimal(high) if high is not None else None
        covered_from = max(start, band_start)
        covered_to = end if band_end is None else min(end, band_end)
        if covered_to > covered_from:
            total += (covered_to - covered_from) * rate
    return money(total)


def kilometre_gap(
    bands: list[tuple[int, int | None, Decimal]], km: Decimal, km_before: Decimal
) -> Decimal | None:
    """The first kilometre of the year (after ``km_before``, ``km`` driven) that no
    band covers, or None when the bands cover them all."""
    position, end = Decimal(km_before), Decimal(km_before) + Decimal(km)
    if end <= position:
        return None
    for low, high, _rate in sorted(bands):
        band_start = Decimal(max(low - 1, 0))
        if band_start > position:
            break
        if high is None:
            return None
        position = max(position, Decimal(high))
        if position >= end:
            return None
    return position + 1


@dataclass
class LegAmount:
    kilometres: Decimal = Decimal(0)
    transport: Decimal = ZERO
    misc: Decimal = ZERO
    meals: Decimal = ZERO
    nights: Decimal = ZERO
    # A train / public transport / voucher fare the manager has not entered yet.
    fare_pending: bool = False
    # Lines of the barème this trip needs and it lacks: no total ("barème incomplet").
    missing: list[MissingRate] = field(default_factory=list)

    @property
    def total(self) -> Decimal | None:
        if self.missing:
            return None
        return money(self.transport + self.misc + self.meals + self.nights)


BREAKDOWN = ("transport", "misc", "meals", "nights")


@dataclass
class TravelAmount:
    legs: list[LegAmount] = field(default_factory=list)
    # The horsepower is unknown: the lowest class was applied.
    assumed_power: bool = False

    @property
    def missing(self) -> list[MissingRate]:
        return unique_lines(item for leg in self.legs for item in leg.missing)

    def breakdown(self) -> dict[str, Decimal]:
        """The amount's parts over the trips: transport (kilometre allowances, fares),
        miscellaneous (tolls, parking), meals, nights."""
        return {
            name: money(sum((getattr(leg, name) or ZERO for leg in self.legs), ZERO))
            for name in BREAKDOWN
        }

    @property
    def total(self) -> Decimal | None:
        """The travel amount, or None ("barème incomplet") when a trip lacks a rate."""
        if self.missing:
            return None
        return money(sum((leg.total for leg in self.legs), ZERO))

    @property
    def fare_pending(self) -> bool:
        return any(leg.fare_pending for leg in self.legs)


def leg_kilometres(leg) -> Decimal:
    if leg.transport_mode is not TransportMode.CAR or not leg.km_one_way:
        return Decimal(0)
    return Decimal(leg.km_one_way) * (leg.trips or 0)


def travel_amount(
    claim: ExpenseClaim, rates: Rates, *, km_before: Decimal = Decimal(0)
) -> TravelAmount:
    agent = claim.assignment.agent
    centre = claim.assignment.mission.centre
    zone = centre.lodging_zone if centre is not None else LodgingZone.STANDARD
    bands = rates.kilometre_bands(agent.car_fiscal_power)
    result = TravelAmount(assumed_power=agent.car_fiscal_power is None)
    driven = Decimal(km_before)
    for leg in claim.travel_legs:
        amount = LegAmount()
        mode = leg.transport_mode
        if leg.sncf_fare is not None:
            amount.transport = money(leg.sncf_fare)
        elif mode is TransportMode.CAR:
            amount.kilometres = leg_kilometres(leg)
            gap = kilometre_gap(bands, amount.kilometres, driven)
            if gap is not None:
                class_name = rates.kilometre_class(agent.car_fiscal_power)
                amount.missing.append(
                    MissingRate(RateKind.KILOMETRE, standard_band_key(class_name, gap))
                )
            amount.transport = kilometre_allowance(bands, amount.kilometres, driven)
        elif mode in (
            TransportMode.TRAIN,
            TransportMode.PUBLIC_TRANSPORT,
            TransportMode.TRAVEL_VOUCHER,
        ):
            amount.fare_pending = True
        driven += amount.kilometres  # only allowances fill the yearly bands
        if mode in (TransportMode.CAR, TransportMode.TRAVEL_VOUCHER) and leg.misc_amount:
            amount.misc = money(leg.misc_amount)
        full_meals = (leg.lunches_refund or 0) + (leg.dinners_refund or 0)
        meal = rates.need(RateKind.MEAL, MEAL_STANDARD, amount.missing) if full_meals else ZERO
        meal_admin = ZERO
        if leg.lunches_administrative:
            # Half the standard meal when the barème has no line of its own (the rule).
            meal_admin = rates.get(RateKind.MEAL, MEAL_ADMINISTRATIVE)
            if meal_admin is None:
                standard = rates.get(RateKind.MEAL, MEAL_STANDARD)
                if standard is None:
                    amount.missing.append(MissingRate(RateKind.MEAL, MEAL_ADMINISTRATIVE))
                meal_admin = money((standard or ZERO) / 2)
        amount.meals = money(full_meals * meal + (leg.lunches_administrative or 0) * meal_admin)
        night = (
            rates.need(RateKind.NIGHT, zone.value, amount.missing) if leg.nights_refund else ZERO
        )
        amount.nights = money((leg.nights_refund or 0) * night)
        amount.missing = unique_lines(amount.missing)
        result.legs.append(amount)
    return result


def kilometres_before(session: Session, claim: ExpenseClaim) -> Decimal:
    """Kilometres the agent drove this calendar year on the missions before this one
    (claims not cancelled), which decide the yearly band of this claim's kilometres."""
    from models import Assignment, Mission, TravelLeg

    mission = claim.assignment.mission
    day = mission.first_day
    if day is None:
        return Decimal(0)
    earlier = or_(
        Mission.first_day < day,
        (Mission.first_day == day) & (ExpenseClaim.id < claim.id),
    )
    total = session.scalar(
        select(func.coalesce(func.sum(TravelLeg.km_one_way * TravelLeg.trips), 0))
        .join(ExpenseClaim, TravelLeg.claim_id == ExpenseClaim.id)
        .join(Assignment, ExpenseClaim.assignment_id == Assignment.id)
        .join(Mission, Assignment.mission_id == Mission.id)
        .where(
            Assignment.agent_id == claim.assignment.agent_id,
            TravelLeg.transport_mode == TransportMode.CAR,
            TravelLeg.sncf_fare.is_(None),
            ExpenseClaim.travel_status.notin_([ClaimStatus.CANCELLED, ClaimStatus.NO_FEE]),
            Mission.first_day >= dt.date(day.year, 1, 1),
            earlier,
        )
    )
    return Decimal(total or 0)


@dataclass
class ClaimAmounts:
    fee: FeeAmount
    travel: TravelAmount
    rates: Rates

    @property
    def missing(self) -> list[MissingRate]:
        """Every line of the barème the claim needs and it lacks."""
        return unique_lines([*self.fee.missing, *self.travel.missing])

    @property
    def incomplete(self) -> bool:
        return bool(self.missing)


def unpriced(claim: ExpenseClaim, computed: ClaimAmounts) -> list[MissingRate]:
    """The barème's missing lines that leave a part of ``claim`` without amount: a
    part whose amount is stored (validated, processed) shows that amount."""
    return unique_lines(
        [
            *(computed.fee.missing if claim.fee_amount is None and claim.fee_entries else []),
            *(computed.travel.missing if claim.travel_amount is None else []),
        ]
    )


def missing_text(missing: list[MissingRate]) -> str:
    return ", ".join(str(item) for item in missing)


def incomplete_message(claim: ExpenseClaim, missing: list[MissingRate], action):
    """Why ``action`` (accept, export) is refused on a claim whose barème lacks lines."""
    day = claim.assignment.mission.first_day
    return _l(
        "The barème of %(day)s lacks lines this expense claim needs: %(lines)s. "
        "Complete the barème (Rate tables), then %(action)s.",
        day=formats.day(day, "—"),
        lines=missing_text(missing),
        action=action,
    )


def incomplete_error(claim: ExpenseClaim, missing: list[MissingRate], action) -> DomainError:
    """The refusal of ``action`` as a ``DomainError`` (see ``incomplete_message``)."""
    return DomainError(incomplete_message(claim, missing, action))


def compute(session: Session, claim: ExpenseClaim, *, rates: Rates | None = None) -> ClaimAmounts:
    """Fee and travel amounts of ``claim`` with the barème of its mission date (``rates``
    when the caller already read it, for many claims of the same dates). The year's
    earlier kilometres are read only when a leg is paid by the kilometre."""
    if rates is None:
        rates = rates_of_mission(session, claim.assignment.mission)
    by_kilometre = any(
        leg.transport_mode is TransportMode.CAR and leg.sncf_fare is None
        for leg in claim.travel_legs
    )
    km_before = kilometres_before(session, claim) if by_kilometre else Decimal(0)
    return ClaimAmounts(
        fee=fee_amount(claim, rates),
        travel=travel_amount(claim, rates, km_before=km_before),
        rates=rates,
    )
