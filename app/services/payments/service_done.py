"""Service fait: the examinations division, or the head of the exam centre, records that
the service of an assignment was done, the condition for paying its claim.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.services import DomainError
from app.services.claims import lifecycle
from app.services.common import clock, formats
from models import (
    Assignment,
    Mission,
)
from models.enums import ClaimStatus

# --- Service fait ---------------------------------------------------------------------


def _last_day(mission: Mission) -> dt.date | None:
    return mission.last_day or mission.first_day


def _not_concerned(assignment: Assignment) -> bool:
    """A withdrawn convocation or a cancelled claim has no service to record."""
    return assignment.cancelled_at is not None or bool(
        assignment.claim is not None and lifecycle.cancelled(assignment.claim)
    )


def record_service_done(
    session: Session,
    assignments: list[Assignment],
    *,
    by_user_id: int,
    today: dt.date,
    now: dt.datetime | None = None,
) -> int:
    """Record that the service was done (today, at ``now``) for each assignment whose
    mission has reached its last day and whose claim is not cancelled; returns how many
    were recorded (those already recorded are left as they are)."""
    count = 0
    for assignment in assignments:
        mission = assignment.mission
        last = _last_day(mission)
        if assignment.service_done_on is not None or _not_concerned(assignment):
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
        assignment.service_done_at = now or clock.now()
        assignment.service_done_by_id = by_user_id
        count += 1
    return count


def _undo_refusal(assignment: Assignment):
    claim = assignment.claim
    if claim is not None and (
        claim.payment_batch_id is not None
        or ClaimStatus.ACCEPTED in (claim.fee_status, claim.travel_status)
    ):
        return _l("The claim of this assignment is already accepted: the service done stays.")
    if assignment.service_done_on is None:
        return _l("No service done is recorded for this assignment.")
    return None


def undo_service_done(session: Session, assignment: Assignment) -> None:
    refusal = _undo_refusal(assignment)
    if refusal is not None:
        raise DomainError(refusal)
    assignment.service_done_on = None
    assignment.service_done_at = None
    assignment.service_done_by_id = None


# --- What the screens show --------------------------------------------------------------


@dataclass(frozen=True)
class DoneRow:
    """A convoked contributor on a « Service fait » screen, with what may be done."""

    assignment: Assignment
    statuses: tuple[ClaimStatus, ClaimStatus] | None
    struck: bool
    may_record: bool
    may_undo: bool
    done_when: str  # "27/11/2026 10:32" (or the day alone, when recorded without a time)
    done_by: str  # the name of the head or manager who recorded it


@dataclass(frozen=True)
class MissionDone:
    mission: Mission
    rows: list[DoneRow]
    may_record: bool  # at least one contributor's service is to record
    opens_on: str  # when the mission is not over: the day recording opens, else ""


def _recorder_name(assignment: Assignment) -> str:
    user = assignment.service_done_by
    if user is None:
        return ""
    return f"{user.first_name} {user.last_name}".strip()


def _done_when(assignment: Assignment) -> str:
    if assignment.service_done_at is not None:
        return formats.moment(assignment.service_done_at)
    return formats.day(assignment.service_done_on)


def mission_done(
    mission: Mission, today: dt.date, *, undo: bool, include_withdrawn: bool = True
) -> MissionDone:
    """The contributors of ``mission`` for a « Service fait » screen: ``undo`` says whether
    the screen's user may withdraw a service done (managers), ``include_withdrawn`` whether
    the withdrawn convocations are listed (struck through)."""
    last = _last_day(mission)
    over = last is not None and today >= last
    rows = []
    assignments = sorted(mission.assignments, key=lambda a: (a.agent.last_name, a.id))
    for assignment in assignments:
        if assignment.cancelled_at is not None and not include_withdrawn:
            continue
        done = assignment.service_done_on is not None
        struck = _not_concerned(assignment)
        rows.append(
            DoneRow(
                assignment=assignment,
                statuses=(
                    lifecycle.shown_statuses(assignment.claim, today) if assignment.claim else None
                ),
                struck=struck,
                may_record=over and not done and not struck,
                may_undo=undo and done and _undo_refusal(assignment) is None,
                done_when=_done_when(assignment) if done else "",
                done_by=_recorder_name(assignment) if done else "",
            )
        )
    return MissionDone(
        mission=mission,
        rows=rows,
        may_record=any(row.may_record for row in rows),
        opens_on="" if over or last is None else formats.day(last),
    )


def progress(mission: Mission) -> str:
    """How many of the mission's concerned contributors have their service done: "2 / 3"."""
    active = [a for a in mission.assignments if not _not_concerned(a)]
    done = sum(1 for a in active if a.service_done_on)
    return f"{done} / {len(active)}"
