"""« Portail d'accès aux missions »: the missions an agent is convoked to in the
académie, with their « Etat correction » and whether a click opens an application
(seed 001 §2.7.1). Missions whose last day is more than 100 days past are not shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from app.services.common import clock
from app.services.interfaces.corrections import correction_state
from models import Assignment, Mission, MissionType

# Missions ended more than this many days ago leave the portal's list.
SHOWN_DAYS = 100
SERVICE_DONE = _l("Service done")


def shown_since(today: dt.date | None = None) -> dt.date:
    """The oldest last day of a mission the portal still shows."""
    return (today or clock.today()) - dt.timedelta(days=SHOWN_DAYS)


def shown_criterion(today: dt.date | None = None):
    """SQL: the mission has not ended more than ``SHOWN_DAYS`` days ago (a mission
    without dates yet is shown)."""
    return or_(Mission.last_day.is_(None), Mission.last_day >= shown_since(today))


@dataclass(frozen=True)
class PortalMission:
    assignment_id: int
    exam: str
    specialty: str
    paper: str
    mission_type: str
    number: int
    first_day: dt.date | None
    correction_state: object  # a label, or ""
    application: str  # the name of the application a click opens, or ""

    @property
    def may_open(self) -> bool:
        return bool(self.application)


def _state(assignment: Assignment, santorin) -> object:
    """« Etat correction »: what SANTORIN last sent, else « Service fait » once service
    fait is recorded, else nothing."""
    if santorin is not None:
        return santorin.state.label
    if assignment.service_done_on is not None:
        return SERVICE_DONE
    return ""


def portal_missions(
    session: Session, agent_id: int, today: dt.date | None = None
) -> list[PortalMission]:
    """The agent's missions of the portal, newest first."""
    assignments = list(
        session.scalars(
            select(Assignment)
            .join(Assignment.mission)
            .join(Mission.mission_type)
            .where(
                Assignment.agent_id == agent_id,
                Assignment.cancelled_at.is_(None),
                shown_criterion(today),
            )
            .options(
                contains_eager(Assignment.mission).options(
                    contains_eager(Mission.mission_type).joinedload(MissionType.application),
                    joinedload(Mission.session),
                    joinedload(Mission.specialty),
                    joinedload(Mission.paper),
                )
            )
            .order_by(Mission.first_day.desc(), Mission.number)
        ).unique()
    )
    states = correction_state(session, [assignment.id for assignment in assignments])
    rows = []
    for assignment in assignments:
        mission = assignment.mission
        specialty, paper = mission.specialty, mission.paper
        application = mission.mission_type.application
        rows.append(
            PortalMission(
                assignment_id=assignment.id,
                exam=mission.session.exam.name,
                specialty=f"{specialty.code} - {specialty.name}" if specialty else "",
                paper=f"{paper.code}, {paper.name}" if paper else "",
                mission_type=mission.mission_type.name,
                number=mission.number,
                first_day=mission.first_day,
                correction_state=_state(assignment, states.get(assignment.id)),
                application=application.name if application else "",
            )
        )
    return rows
