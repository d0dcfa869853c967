"""Consultation missions: the missions an agent is convoked to, scoped to that agent
(another agent's assignment is ``NotFound``, like a missing one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.services import NotFound
from models import Assignment, Mission


def _query(agent_id: int):
    return (
        select(Assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent_id, Assignment.cancelled_at.is_(None))
        .options(
            contains_eager(Assignment.mission).options(
                joinedload(Mission.session),
                joinedload(Mission.centre),
                joinedload(Mission.specialty),
                joinedload(Mission.paper),
                selectinload(Mission.slots),
            )
        )
    )


def agent_assignments(session: Session, agent_id: int) -> list[Assignment]:
    return list(
        session.scalars(_query(agent_id).order_by(Mission.first_day.desc(), Mission.number))
    )


def agent_assignment(session: Session, agent_id: int, assignment_id: int) -> Assignment:
    assignment = session.scalar(_query(agent_id).where(Assignment.id == assignment_id))
    if assignment is None:
        raise NotFound(_l("This mission does not exist."))
    return assignment
