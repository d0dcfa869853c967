"""A claim's life: its creation with the assignment, the statuses stored and shown,
every status change (``transition``: one history row — who, when, from, to,
comment), the dossier numbering, and what a claim needs (its tabs, whether they are
open and complete).
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.services.common import clock
from models import (
    ClaimStatusHistory,
    ExpenseClaim,
    NumberCounter,
)
from models.enums import ClaimPart, ClaimStatus, FeeEntryFamily
from models.referential import MissionType

DATE_DERIVED = frozenset({ClaimStatus.NOT_VALIDATED})


def initial_statuses(mission_type: MissionType) -> tuple[ClaimStatus, ClaimStatus]:
    """Fee and travel statuses of a new claim, from its mission type (DESIGN.md §4)."""
    family = mission_type.fee_family
    if family is FeeEntryFamily.NONE:
        fee = ClaimStatus.TO_BE_PROCESSED if mission_type.has_fee else ClaimStatus.NO_FEE
    elif family is FeeEntryFamily.AUTOMATIC:
        fee = ClaimStatus.PROCESSED_BY_MANAGER
    else:
        fee = ClaimStatus.NOT_VALIDATED
    travel = ClaimStatus.NOT_VALIDATED if mission_type.reimburses_travel else ClaimStatus.NO_FEE
    return fee, travel


def new_claim(mission_type: MissionType, *, by_user_id: int | None = None) -> ExpenseClaim:
    """The claim created with an assignment (attach it to ``assignment.claim``)."""
    fee, travel = initial_statuses(mission_type)
    claim = ExpenseClaim(fee_status=fee, travel_status=travel)
    for part, status in ((ClaimPart.FEE, fee), (ClaimPart.TRAVEL, travel)):
        claim.history.append(
            ClaimStatusHistory(part=part, from_status=None, to_status=status, by_id=by_user_id)
        )
    return claim


def displayed_status(
    stored: ClaimStatus,
    first_day: dt.date | None,
    last_day: dt.date | None,
    today: dt.date,
) -> ClaimStatus:
    """The status a user sees: an open part is "Mission non effectuée" before the
    mission, "Mission en cours" during it and "Non validé" once it has ended."""
    if stored not in DATE_DERIVED or first_day is None:
        return stored
    if today < first_day:
        return ClaimStatus.NOT_STARTED
    if today <= (last_day or first_day):
        return ClaimStatus.IN_PROGRESS
    return ClaimStatus.NOT_VALIDATED


def transition(
    claim: ExpenseClaim,
    part: ClaimPart,
    to_status: ClaimStatus,
    *,
    by_user_id: int | None,
    comment: str | None = None,
) -> None:
    """Set the status of one part and write the history row."""
    attribute = "fee_status" if part is ClaimPart.FEE else "travel_status"
    from_status = getattr(claim, attribute)
    setattr(claim, attribute, to_status)
    claim.history.append(
        ClaimStatusHistory(
            part=part,
            from_status=from_status,
            to_status=to_status,
            by_id=by_user_id,
            comment=comment,
            at=clock.now(),
        )
    )


def next_number(session: Session, scope: str) -> int:
    """Next value of the counter ``scope``: one atomic ``UPDATE … RETURNING``, so
    concurrent transactions get distinct values (PostgreSQL locks the row, SQLite the
    database, until commit), and a value is never given twice (the caller commits with
    the claim that uses it)."""
    bump = (
        update(NumberCounter)
        .where(NumberCounter.scope == scope)
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.last_value)
    )
    value = session.execute(bump).scalar()
    if value is None:
        try:
            with session.begin_nested():
                session.add(NumberCounter(scope=scope, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first
        value = session.execute(bump).scalar()
    return value


def assign_number(session: Session, claim: ExpenseClaim, year: int) -> str:
    """Give ``claim`` its dossier number (once): "<year>-<sequence>"."""
    if claim.number is None:
        claim.number = f"{year}-{next_number(session, f'claim-{year}'):06d}"
    return claim.number


# --- What a claim needs ------------------------------------------------------------

ENTRY_FAMILIES = frozenset(
    {
        FeeEntryFamily.COPIES,
        FeeEntryFamily.CANDIDATES,
        FeeEntryFamily.HALF_DAY_TIMES,
        FeeEntryFamily.DURATION,
    }
)
# Statuses after which the agent can no longer change the part.
MANAGER_PROCESSED = frozenset({ClaimStatus.ACCEPTED, ClaimStatus.SENT_FOR_PAYMENT})
# Mission ended more than this long ago: not listed to the agent any more.
LIST_HORIZON_YEARS = 4


def family_of(claim: ExpenseClaim) -> FeeEntryFamily:
    return claim.assignment.mission.mission_type.fee_family


def fee_needs_entry(claim: ExpenseClaim) -> bool:
    """The agent enters the fee (copies, candidates, times or hours)."""
    return family_of(claim) in ENTRY_FAMILIES


def has_fee_tab(claim: ExpenseClaim) -> bool:
    """The "Frais rémunération" tab: the families the agent enters, and the copies
    from the correction system (read-only)."""
    return fee_needs_entry(claim) or family_of(claim) is FeeEntryFamily.AUTOMATIC


def has_travel_tab(claim: ExpenseClaim) -> bool:
    return claim.assignment.mission.mission_type.reimburses_travel and claim.travel_status not in (
        ClaimStatus.NO_FEE,
        ClaimStatus.CANCELLED,
    )


def fee_open(claim: ExpenseClaim) -> bool:
    return fee_needs_entry(claim) and claim.fee_status is ClaimStatus.NOT_VALIDATED


def travel_open(claim: ExpenseClaim) -> bool:
    return has_travel_tab(claim) and claim.travel_status is ClaimStatus.NOT_VALIDATED


def mission_days(claim: ExpenseClaim) -> tuple[dt.date | None, dt.date | None]:
    mission = claim.assignment.mission
    return mission.first_day, mission.last_day or mission.first_day


def shown_statuses(claim: ExpenseClaim, today: dt.date) -> tuple[ClaimStatus, ClaimStatus]:
    first, last = mission_days(claim)
    return (
        displayed_status(claim.fee_status, first, last, today),
        displayed_status(claim.travel_status, first, last, today),
    )


def cancelled(claim: ExpenseClaim) -> bool:
    """Cancelled by the manager: a part is "Annulé" and the other one is "Annulé" too
    or has nothing to pay ("Pas de frais", e.g. a jury without fee)."""
    parts = (claim.fee_status, claim.travel_status)
    return ClaimStatus.CANCELLED in parts and all(
        status in (ClaimStatus.CANCELLED, ClaimStatus.NO_FEE) for status in parts
    )


def accessible(claim: ExpenseClaim, today: dt.date) -> bool:
    """The agent may open the claim: not cancelled, and the mission has begun."""
    first, _last = mission_days(claim)
    return not cancelled(claim) and first is not None and today >= first


def editable(claim: ExpenseClaim, today: dt.date) -> bool:
    """The agent may still enter something (a part is open and the claim started)."""
    return (
        accessible(claim, today)
        and claim.started_at is not None
        and claim.not_done_declared_at is None
        and (fee_open(claim) or travel_open(claim))
    )


def first_access(claim: ExpenseClaim, today: dt.date) -> bool:
    """The two choices of the first access: "Je n'ai pas effectué cette mission" and
    "Je souhaite compléter l'état de frais"."""
    return (
        accessible(claim, today)
        and claim.started_at is None
        and claim.not_done_declared_at is None
        and (fee_open(claim) or travel_open(claim))
    )


def fee_complete(claim: ExpenseClaim) -> bool:
    return not fee_open(claim) or bool(claim.fee_entries)


def fee_warnings(claim: ExpenseClaim) -> list:
    """What the agent should look at again in the fee entered (saving is allowed):
    0 copies or 0 candidates pay nothing, and is most often a slip."""
    family = family_of(claim)
    typed = [e for e in claim.fee_entries if not e.from_correction_system]
    if not typed:
        return []
    if family is FeeEntryFamily.COPIES and sum(e.copies or 0 for e in typed) == 0:
        return [_l("0 copies: no fee will be computed. Check the number of copies corrected.")]
    if family is FeeEntryFamily.CANDIDATES and not sum(
        (e.candidates or 0) + (e.candidates_morning or 0) + (e.candidates_afternoon or 0)
        for e in typed
    ):
        return [
            _l("0 candidates: no fee will be computed. Check the number of candidates examined.")
        ]
    return []


def travel_complete(claim: ExpenseClaim) -> bool:
    return not travel_open(claim) or all(leg.completed for leg in claim.travel_legs)
