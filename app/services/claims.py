"""Expense claims: their creation with the assignment, the statuses shown to users,
the dossier numbering and the status history.

The claim workflow (save, validate, accept, cancel, …) is built on these by the
claim-wizard and back-office issues; every transition goes through ``transition``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import ClaimStatusHistory, ExpenseClaim, NumberCounter
from models.base import utcnow
from models.enums import ClaimPart, ClaimStatus, FeeEntryFamily
from models.referential import MissionType

# Stored states whose label follows from the mission dates.
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
    """Set the status of one part and write the history row (no commit)."""
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
            at=utcnow(),
        )
    )


def next_number(session: Session, scope: str) -> int:
    """Next value of the counter ``scope``, taken under a row lock: concurrent
    transactions get distinct values, and a value is never given twice (the caller
    commits with the claim that uses it)."""
    counter = session.scalar(
        select(NumberCounter).where(NumberCounter.scope == scope).with_for_update()
    )
    if counter is None:
        try:
            with session.begin_nested():
                session.add(NumberCounter(scope=scope, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first
        counter = session.scalar(
            select(NumberCounter).where(NumberCounter.scope == scope).with_for_update()
        )
    counter.last_value += 1
    session.flush()
    return counter.last_value


def assign_number(session: Session, claim: ExpenseClaim, year: int) -> str:
    """Give ``claim`` its dossier number (once): "<year>-<sequence>"."""
    if claim.number is None:
        claim.number = f"{year}-{next_number(session, f'claim-{year}'):06d}"
    return claim.number
