"""Rules a mission's own values follow, whoever enters them (the managers' form, an
import): a number a real mission can have, unique in its académie, and a specialty and
paper of the exam of its session."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Mission

# Mission numbers are printed on convocations; the column is a 32-bit integer.
MAX_MISSION_NUMBER = 999_999_999


def number_error(
    session: Session, academy_id: int | None, number: int | None, *, mission_id: int | None = None
):
    """Why ``number`` cannot be the number of a mission of the académie (``mission_id``:
    the mission being edited, which may keep its own number), or None."""
    if number is None:
        return None
    if not 1 <= number <= MAX_MISSION_NUMBER:
        return _l("A mission number goes from 1 to %(max)s.", max=MAX_MISSION_NUMBER)
    statement = select(Mission.id).where(Mission.academy_id == academy_id, Mission.number == number)
    if mission_id is not None:
        statement = statement.where(Mission.id != mission_id)
    if academy_id is not None and session.scalar(statement.limit(1)) is not None:
        return _l("This mission number already exists.")
    return None


def exam_errors(exam_session, specialty, paper) -> dict[str, object]:
    """Messages per field when the specialty or the paper are not of the session's exam
    (a BTS paper in a BAC session), or the paper not of the chosen specialty."""
    errors: dict[str, object] = {}
    exam_id = exam_session.exam_id if exam_session is not None else None
    if exam_id is not None and specialty is not None and specialty.exam_id != exam_id:
        errors["specialty"] = _l("This specialty does not belong to the exam of the session.")
    if paper is not None:
        if exam_id is not None and paper.specialty.exam_id != exam_id:
            errors["paper"] = _l("This paper does not belong to the exam of the session.")
        elif specialty is not None and paper.specialty_id != specialty.id:
            errors["paper"] = _l("This paper does not belong to the chosen specialty.")
    return errors
