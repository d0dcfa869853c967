"""Conflicts of interest: who may never be convoked to a mission, whoever convokes
(a manager by hand, or the automatic assignment).

* a conflict a manager records: an agent × an exam centre (every mission held there)
  or an agent × one mission, with a reason (``AssignmentConflict``);
* their own students: for a mission type with ``own_students_conflict`` (orals and
  practicals), an agent attached to the centre (``AgentEstablishment``) or teaching
  there (an active ``Teaching``) is never convoked to it.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from models import (
    Agent,
    AgentEstablishment,
    AssignmentConflict,
    Mission,
    MissionType,
    Teaching,
)


def _own_students(centre_id, agent_id):
    """SQL: the agent works at the centre (attached to it or teaching there)."""
    attached = select(AgentEstablishment.id).where(
        AgentEstablishment.agent_id == agent_id,
        AgentEstablishment.establishment_id == centre_id,
    )
    teaching = select(Teaching.id).where(
        Teaching.agent_id == agent_id,
        Teaching.establishment_id == centre_id,
        Teaching.active.is_(True),
    )
    return or_(attached.exists(), teaching.exists())


def excluded_clause(mission: Mission, agent_id=Agent.id):
    """SQL condition on ``agent_id``: a conflict of interest keeps the agent off
    ``mission`` (a recorded conflict with it or its centre, or their own students)."""
    recorded = select(AssignmentConflict.id).where(
        AssignmentConflict.agent_id == agent_id,
        or_(
            AssignmentConflict.mission_id == mission.id,
            AssignmentConflict.establishment_id == mission.centre_id
            if mission.centre_id is not None
            else false(),
        ),
    )
    conditions = [recorded.exists()]
    if mission.centre_id is not None and mission.mission_type.own_students_conflict:
        conditions.append(_own_students(mission.centre_id, agent_id))
    return or_(*conditions)


def excluded_pairs(session: Session, mission_ids: list[int]) -> set[tuple[int, int]]:
    """(agent id, mission id) of every conflict of interest over ``mission_ids``, in
    three statements whatever their number: the solver's hard rule for a session."""
    if not mission_ids:
        return set()
    pairs: set[tuple[int, int]] = set()
    pairs.update(
        session.execute(
            select(AssignmentConflict.agent_id, AssignmentConflict.mission_id).where(
                AssignmentConflict.mission_id.in_(mission_ids)
            )
        ).all()
    )
    pairs.update(
        session.execute(
            select(AssignmentConflict.agent_id, Mission.id).join(
                Mission,
                and_(
                    Mission.centre_id == AssignmentConflict.establishment_id,
                    Mission.id.in_(mission_ids),
                ),
            )
        ).all()
    )
    own = (
        select(Mission.id, Mission.centre_id)
        .join(Mission.mission_type)
        .where(
            Mission.id.in_(mission_ids),
            Mission.centre_id.is_not(None),
            MissionType.own_students_conflict.is_(True),
        )
    )
    by_centre: dict[int, list[int]] = {}
    for mission_id, centre_id in session.execute(own):
        by_centre.setdefault(centre_id, []).append(mission_id)
    if by_centre:
        centres = list(by_centre)
        workers = session.execute(
            select(AgentEstablishment.agent_id, AgentEstablishment.establishment_id)
            .where(AgentEstablishment.establishment_id.in_(centres))
            .union(
                select(Teaching.agent_id, Teaching.establishment_id).where(
                    Teaching.establishment_id.in_(centres), Teaching.active.is_(True)
                )
            )
        ).all()
        for agent_id, centre_id in workers:
            for mission_id in by_centre[centre_id]:
                pairs.add((agent_id, mission_id))
    return pairs
