"""Who « Portail délibération de jury » concerns (seed 001 §2.9, seed 002): an agent
convoked as Président, Vice-Président or Responsable de délibération on a jury
deliberation mission (a mission type marked ``deliberation``). One query, asked by
``app.services.portal.audience``."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import Agent, Assignment, Mission, MissionType
from models.enums import AssignmentQuality

DELIBERATION_QUALITIES = (
    AssignmentQuality.PRESIDENT,
    AssignmentQuality.VICE_PRESIDENT,
    AssignmentQuality.DELIBERATION_LEAD,
)


def deliberation_presidency(agent: Agent):
    """SQL: ``agent`` is convoked to preside a deliberation (a boolean ``EXISTS``, asked
    with the other audiences in one statement)."""
    return (
        exists()
        .where(
            Assignment.agent_id == agent.id,
            Assignment.cancelled_at.is_(None),
            Assignment.quality.in_(DELIBERATION_QUALITIES),
            Assignment.mission_id == Mission.id,
            Mission.mission_type_id == MissionType.id,
            MissionType.deliberation.is_(True),
        )
        .correlate(None)
    )


def presides_deliberation(session: Session, agent: Agent) -> bool:
    return bool(session.scalar(select(deliberation_presidency(agent))))
