"""The head of the exam centre's « Constat de service fait » (seed 001 §1.1: agents complete
their claims "avant constat de service fait par le chef de centre"): the missions held in
the establishments the head heads, their convoked contributors, and recording their
service done with the managers' rule (``service_done.record_service_done``).

Every query goes through ``scope.headed_establishment_ids``: a mission held elsewhere is
NotFound, as an unknown one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from app.services.common import scope
from app.services.missions import convocation
from models import Agent, Assignment, Mission

from . import service_done


def _held_by(head: Agent):
    return Mission.centre_id.in_(scope.headed_establishment_ids(head.id))


def _convoked():
    return Mission.assignments.any(Assignment.cancelled_at.is_(None))


def heads_an_exam_centre(session: Session, agent: Agent) -> bool:
    """The audience of the activity: the agent heads an establishment that holds a
    mission (one query)."""
    return bool(session.scalar(select(exists().where(_held_by(agent)))))


def centre_missions(head: Agent, today: dt.date):
    """The statement of the missions begun by ``today`` in the head's establishments,
    with convoked contributors (for the shared list of missions)."""
    return (
        convocation.academy_missions(head.academy_id)
        .where(_held_by(head), _convoked(), Mission.first_day <= today)
        .options(selectinload(Mission.assignments).joinedload(Assignment.claim))
    )


def centre_mission(session: Session, head: Agent, mission_id: int) -> Mission:
    """A mission held in one of the head's establishments; any other: NotFound."""
    return convocation.academy_mission(session, head.academy_id, mission_id, _held_by(head))


def mission_done(mission: Mission, today: dt.date) -> service_done.MissionDone:
    """What the head sees of a mission: its convoked contributors (not the withdrawn
    convocations); a service done is withdrawn by the examinations division only."""
    return service_done.mission_done(mission, today, undo=False, include_withdrawn=False)


def record(
    session: Session,
    head: Agent,
    mission: Mission,
    assignment_ids: set[int] | None,
    *,
    today: dt.date,
) -> int:
    """Record the service done of the chosen convoked contributors (``None``: the whole
    mission), as the head (``head.user_id``), by the managers' rule."""
    convoked = [a for a in mission.assignments if a.cancelled_at is None]
    if assignment_ids is not None:
        convoked = [a for a in convoked if a.id in assignment_ids]
    return service_done.record_service_done(session, convoked, by_user_id=head.user_id, today=today)
