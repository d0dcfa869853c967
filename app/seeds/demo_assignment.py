"""Demo data of the automatic assignment's inputs (issue 17): the needs of a few
missions (the BCG correction no. 77824 needs 12 correcteurs of 40 copies each, the
oral no. 99685 two interrogateurs, the invigilation no. 340001 four surveillants) and
one conflict of interest a manager recorded (Erwan GOURVES × the invigilation no.
340001). Loaded after the availability's demo data: its unavailable agent is chosen
among the invigilation's candidates before the conflict."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Agent, AssignmentConflict, Mission, MissionNeed
from models.enums import AssignmentQuality

Q = AssignmentQuality
# (mission number, quality, places, load per agent or None: the default)
NEEDS = (
    (77824, Q.CORRECTOR, 12, 40),
    (99685, Q.EXAMINER, 2, None),
    (340001, Q.INVIGILATOR, 4, None),
)
CONFLICT_NUMEN = "35E0000008ENS"  # Erwan GOURVES
CONFLICT_MISSION = 340001  # the invigilation of the BCG session (demo_availability)
CONFLICT_REASON = "Son fils passe l'épreuve dans ce centre d'examen."


def seed_assignment_inputs(session: Session, academy_id: int, manager_user_id: int) -> None:
    """Load the demo's needs and conflict of interest (idempotent)."""
    for number, quality, places, load in NEEDS:
        mission = session.scalar(
            select(Mission).where(Mission.academy_id == academy_id, Mission.number == number)
        )
        if mission is None:
            continue
        need = session.scalar(
            select(MissionNeed).where(
                MissionNeed.mission_id == mission.id, MissionNeed.quality == quality
            )
        )
        if need is None:
            session.add(
                MissionNeed(
                    mission_id=mission.id, quality=quality, places=places, load_per_agent=load
                )
            )
    agent = session.scalar(select(Agent).where(Agent.numen == CONFLICT_NUMEN))
    invigilation = session.scalar(
        select(Mission).where(Mission.academy_id == academy_id, Mission.number == CONFLICT_MISSION)
    )
    if agent is not None and invigilation is not None:
        exists = session.scalar(
            select(AssignmentConflict.id).where(
                AssignmentConflict.agent_id == agent.id,
                AssignmentConflict.mission_id == invigilation.id,
            )
        )
        if exists is None:
            session.add(
                AssignmentConflict(
                    academy_id=academy_id,
                    agent=agent,
                    mission=invigilation,
                    reason=CONFLICT_REASON,
                    created_by_id=manager_user_id,
                )
            )
    session.flush()
