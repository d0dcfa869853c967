"""Demo data of the agents' availability (issue 16 §6): the session of the BCG
correction mission no. 77824 (in 40 days) is open to declarations for 20 more days;
the teacher « enseignant » declared a morning in it, the external contributor
« EXT35000123 » an afternoon. An invigilation mission no. 340001
of the same session, a week later, is there for the unavailable: the first of its
candidates (by name) declared that day, so that they are not a candidate any more but
listed apart as unavailable."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.missions import convocation
from models import Agent, Mission, MissionSlot, MissionType, Unavailability, User
from models.enums import DayPart, SlotDuration

MISSION_NUMBER = 77824
INVIGILATION_NUMBER = 340001
INVIGILATION_DELAY = dt.timedelta(days=7)  # after no. 77824, on a day no test uses
TEACHER_COMMENT = "Conseil de classe de terminale"
COLLEAGUE_COMMENT = "Stage de formation continue"
EXTERNAL_COMMENT = "Rendez-vous professionnel"


def _declare(session, agent, exam_session, starts_on, ends_on, part, comment) -> None:
    exists = session.scalar(
        select(Unavailability.id).where(
            Unavailability.agent_id == agent.id, Unavailability.session_id == exam_session.id
        )
    )
    if exists is None:
        session.add(
            Unavailability(
                agent=agent,
                session=exam_session,
                starts_on=starts_on,
                ends_on=ends_on,
                part=part,
                comment=comment,
            )
        )


def _invigilation(session: Session, mission: Mission) -> Mission:
    """The invigilation mission a week after ``mission``, at its centre."""
    found = session.scalar(
        select(Mission).where(
            Mission.academy_id == mission.academy_id, Mission.number == INVIGILATION_NUMBER
        )
    )
    if found is not None:
        return found
    found = Mission(
        academy_id=mission.academy_id,
        number=INVIGILATION_NUMBER,
        mission_type=session.scalar(select(MissionType).where(MissionType.code == "SURV")),
        session=mission.session,
        centre=mission.centre,
    )
    found.slots = [
        MissionSlot(
            day=mission.first_day + INVIGILATION_DELAY,
            start_time=dt.time(8, 0),
            duration=SlotDuration.HALF_DAY,
        )
    ]
    session.add(found)
    session.flush()
    return found


def seed_availability(session: Session, today: dt.date) -> None:
    """Load the demo's declarations (idempotent)."""
    mission = session.scalar(select(Mission).where(Mission.number == MISSION_NUMBER))
    if mission is None or mission.first_day is None:
        return
    exam_session = mission.session
    if exam_session.starts_on is None:
        exam_session.starts_on = mission.first_day - dt.timedelta(days=10)
    if exam_session.ends_on is None:
        exam_session.ends_on = mission.last_day + dt.timedelta(days=10)
    if exam_session.unavailability_closes_on is None:
        exam_session.unavailability_closes_on = today + dt.timedelta(days=20)
    teacher = session.scalar(
        select(Agent).join(User, Agent.user_id == User.id).where(User.username == "enseignant")
    )
    if teacher is not None:
        day = mission.first_day + dt.timedelta(days=3)
        _declare(session, teacher, exam_session, day, day, DayPart.MORNING, TEACHER_COMMENT)
    external = session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
    if external is not None:
        day = mission.first_day + dt.timedelta(days=5)
        _declare(session, external, exam_session, day, day, DayPart.AFTERNOON, EXTERNAL_COMMENT)
    session.flush()
    invigilation = _invigilation(session, mission)
    declared = session.scalar(
        select(Unavailability.id).where(
            Unavailability.session_id == exam_session.id,
            Unavailability.comment == COLLEAGUE_COMMENT,
        )
    )
    if declared is not None:
        return
    others = sorted(
        (c.agent for c in convocation.candidates(session, invigilation) if c.agent is not teacher),
        key=lambda agent: (agent.last_name, agent.first_name, agent.id),
    )
    if others:
        day = invigilation.first_day
        _declare(session, others[0], exam_session, day, day, DayPart.DAY, COLLEAGUE_COMMENT)
        session.flush()
