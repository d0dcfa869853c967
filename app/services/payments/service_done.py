"""Service fait: the examinations division records that the service of an assignment
was done, the condition for paying its claim.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.claims import lifecycle
from app.services.common import formats
from models import (
    Assignment,
)
from models.enums import ClaimStatus

# --- Service fait ---------------------------------------------------------------------


def record_service_done(
    session: Session,
    assignments: list[Assignment],
    *,
    by_user_id: int,
    today: dt.date,
) -> int:
    """Record that the service was done (today) for each assignment whose mission has
    reached its last day and whose claim is not cancelled; returns how many were
    recorded (those already recorded are left as they are)."""
    count = 0
    for assignment in assignments:
        mission = assignment.mission
        last = mission.last_day or mission.first_day
        if assignment.service_done_on is not None:
            continue
        if assignment.claim is not None and lifecycle.cancelled(assignment.claim):
            continue
        if last is None or today < last:
            raise DomainError(
                _l(
                    "Mission no. %(number)s is not over: record its service done from %(day)s.",
                    number=mission.number,
                    day=formats.day(last or today),
                )
            )
        assignment.service_done_on = today
        assignment.service_done_by_id = by_user_id
        count += 1
    return count


def undo_service_done(session: Session, assignment: Assignment) -> None:
    claim = assignment.claim
    if claim is not None and (
        claim.payment_batch_id is not None
        or ClaimStatus.ACCEPTED in (claim.fee_status, claim.travel_status)
    ):
        raise DomainError(
            _l("The claim of this assignment is already accepted: the service done stays.")
        )
    if assignment.service_done_on is None:
        raise DomainError(_l("No service done is recorded for this assignment."))
    assignment.service_done_on = None
    assignment.service_done_by_id = None
