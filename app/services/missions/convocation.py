"""Convocation (affectation): which agents may be called to a mission, calling them,
and un-calling them; duplicating a mission.

Seed 000: "affectation des intervenants en fonction de leurs compétences et de leurs
disponibilités". A candidate holds a valid (not invalidated) competence for the
mission's paper, is free on its slots, and is not convoked to it already; candidates
come nearest first (same town as the centre, same département, other), then least
loaded (missions already assigned in the same exam session).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.services import DomainError, NotFound
from app.services.claims import lifecycle, processing, workflow
from app.services.common import clock, scope
from app.services.competences import rules as competences
from app.services.documents import store as stored_documents
from app.services.missions.rules import MAX_MISSION_NUMBER
from models import Agent, Assignment, ExamSession, Mission, MissionSlot
from models.enums import AssignmentQuality, ClaimStatus, SlotDuration

NOON = dt.time(13, 0)
MAX_JURY = 40
# Ids are 32-bit integers: a larger one is no record (and no query).
MAX_ID = 2**31 - 1
PROXIMITY_LABELS = {
    0: _l("same town"),
    1: _l("same département"),
    2: _l("other département"),
}


@dataclass
class Candidate:
    agent: Agent
    proximity: int  # 0 same town, 1 same département, 2 other
    load: int  # assignments in the same exam session

    @property
    def proximity_label(self):
        return PROXIMITY_LABELS[self.proximity]


def _half(slot) -> set[str]:
    """The half-days a slot takes: a day takes both."""
    if slot.duration is SlotDuration.DAY:
        return {"am", "pm"}
    return {"am"} if slot.start_time < NOON else {"pm"}


def overlaps(first, second) -> bool:
    """Two slots overlap when they share a day and a half-day."""
    return first.day == second.day and bool(_half(first) & _half(second))


def _department(postcode: str | None) -> str | None:
    if not postcode or len(postcode) < 2:
        return None
    # Overseas départements are three digits (971…976).
    return postcode[:3] if postcode.startswith("97") else postcode[:2]


@lru_cache(maxsize=4096)
def commune(town: str | None) -> str:
    """A town as a commune: "Rennes Cedex 7" and "RENNES" are the same place."""
    text = unicodedata.normalize("NFKD", town or "").encode("ascii", "ignore").decode()
    text = re.sub(r"\s+CEDEX(\s+\d+)?\s*$", "", text.upper().strip())
    return re.sub(r"[\s'-]+", " ", text)


def proximity(agent: Agent, mission: Mission) -> int:
    centre = mission.centre
    if centre is None:
        return 0  # at home: everybody is at the right place
    if agent.town and commune(agent.town) == commune(centre.town):
        return 0
    if _department(agent.postcode) and _department(agent.postcode) == _department(centre.postcode):
        return 1
    return 2


def busy_agent_ids(session: Session, mission: Mission) -> set[int]:
    """Agents convoked (not cancelled) to another mission on an overlapping slot."""
    days = {slot.day for slot in mission.slots}
    if not days:
        return set()
    rows = session.execute(
        select(Assignment.agent_id, MissionSlot.day, MissionSlot.start_time, MissionSlot.duration)
        .join(MissionSlot, MissionSlot.mission_id == Assignment.mission_id)
        .where(
            MissionSlot.day.in_(days),
            Assignment.mission_id != mission.id,
            Assignment.cancelled_at.is_(None),
        )
    )
    busy = set()
    for agent_id, day, start_time, duration in rows:
        other = MissionSlot(day=day, start_time=start_time, duration=duration)
        if any(overlaps(slot, other) for slot in mission.slots):
            busy.add(agent_id)
    return busy


def session_load(session: Session, mission: Mission) -> dict[int, int]:
    """Assignments (not cancelled) per agent in the mission's exam session."""
    rows = session.execute(
        select(Assignment.agent_id, func.count(Assignment.id))
        .join(Assignment.mission)
        .where(Mission.session_id == mission.session_id, Assignment.cancelled_at.is_(None))
        .group_by(Assignment.agent_id)
    )
    return dict(rows.all())


def candidates(session: Session, mission: Mission) -> list[Candidate]:
    """The agents who may be convoked to ``mission``, nearest and least loaded first.
    Without a paper (surveillance, jury…), any agent of the académie is competent."""
    statement = select(Agent).where(Agent.academy_id == mission.academy_id)
    if mission.paper_id is not None:
        statement = statement.where(Agent.id.in_(competences.competent_agents(mission.paper_id)))
    taken = {a.agent_id for a in mission.assignments if a.cancelled_at is None}
    busy = busy_agent_ids(session, mission)
    load = session_load(session, mission)
    found = [
        Candidate(agent, proximity(agent, mission), load.get(agent.id, 0))
        for agent in session.scalars(statement)
        if agent.id not in taken and agent.id not in busy
    ]
    found.sort(key=lambda c: (c.proximity, c.load, c.agent.last_name, c.agent.first_name))
    return found


def academy_missions(academy_id: int):
    """The académie's missions joined to what their lists show, sort and search on
    (exam, mission type, paper, centre), with those loaded too."""
    return (
        select(Mission)
        .join(Mission.session)
        .join(ExamSession.exam)
        .join(Mission.mission_type)
        .outerjoin(Mission.paper)
        .outerjoin(Mission.centre)
        .where(Mission.academy_id == academy_id)
        .options(
            selectinload(Mission.session).joinedload(ExamSession.exam),
            selectinload(Mission.centre),
            selectinload(Mission.paper),
        )
    )


def academy_mission(session: Session, academy_id: int, mission_id: int) -> Mission:
    mission = session.scalar(
        select(Mission)
        .where(Mission.id == mission_id, Mission.academy_id == academy_id)
        .options(
            selectinload(Mission.slots),
            selectinload(Mission.assignments).selectinload(Assignment.agent),
            selectinload(Mission.assignments).selectinload(Assignment.claim),
        )
    )
    if mission is None:
        raise NotFound(_l("This mission does not exist."))
    return mission


def already_convoked(session: Session, mission: Mission, agent_ids: list[int]) -> list[Agent]:
    """Those of ``agent_ids`` convoked (not withdrawn) to ``mission``, as the database
    says now."""
    return list(
        session.scalars(
            select(Agent)
            .join(Assignment, Assignment.agent_id == Agent.id)
            .where(
                Assignment.mission_id == mission.id,
                Assignment.cancelled_at.is_(None),
                Agent.id.in_(agent_ids),
            )
            .order_by(Agent.last_name, Agent.first_name)
        )
    )


def convoke(
    session: Session,
    mission: Mission,
    agent_ids: list[int],
    *,
    quality: AssignmentQuality | None,
    jury: str | None,
    by_user_id: int,
) -> list[Assignment]:
    """Convoke the chosen candidates in one transaction: each gets an assignment and its
    claim (fee and travel statuses from the mission type). An agent who is not (or no
    longer) a candidate refuses the whole convocation, with their name."""
    if not agent_ids:
        raise DomainError(_l("Select at least one contributor."))
    if not mission.slots:
        raise DomainError(_l("Give the mission its dates before convoking anyone."))
    jury = (jury or "").strip() or None
    if jury and len(jury) > MAX_JURY:
        raise DomainError(_l("%(max)s characters at most.", max=MAX_JURY))
    known = [agent_id for agent_id in dict.fromkeys(agent_ids) if 0 < agent_id <= MAX_ID]
    twice = already_convoked(session, mission, known)
    if twice:
        raise DomainError(
            _l(
                "Already convoked to this mission: %(names)s.",
                names=", ".join(agent.full_name for agent in twice),
            )
        )
    allowed = {c.agent.id: c.agent for c in candidates(session, mission)}
    refused = [agent_id for agent_id in dict.fromkeys(agent_ids) if agent_id not in allowed]
    if refused:
        in_range = [agent_id for agent_id in refused if 0 < agent_id <= MAX_ID]
        names = [
            agent.full_name
            for agent in session.scalars(
                select(Agent).where(
                    Agent.id.in_(in_range), scope.academy_criterion(Agent, mission.academy_id)
                )
            )
        ] or [str(agent_id) for agent_id in refused]
        raise DomainError(
            _l(
                "Not available for this mission (competence, dates, already convoked): %(names)s.",
                names=", ".join(names),
            )
        )
    withdrawn = {a.agent_id: a for a in mission.assignments if a.cancelled_at is not None}
    created = []
    for agent_id in dict.fromkeys(agent_ids):
        assignment = withdrawn.get(agent_id)
        if assignment is not None:
            # Convoked again after a withdrawal: the same assignment and claim come back.
            assignment.cancelled_at = None
            assignment.quality, assignment.jury = quality, jury
            assignment.convoked_by_id, assignment.convoked_at = by_user_id, clock.now()
            if assignment.claim is not None and lifecycle.cancelled(assignment.claim):
                processing.restore(session, assignment.claim, by_user_id=by_user_id)
        else:
            assignment = Assignment(
                mission=mission,
                agent=allowed[agent_id],
                quality=quality,
                jury=jury,
                convoked_by_id=by_user_id,
                convoked_at=clock.now(),
            )
            assignment.claim = lifecycle.new_claim(mission.mission_type, by_user_id=by_user_id)
            session.add(assignment)
        created.append(assignment)
    try:
        session.flush()
    except IntegrityError as error:
        # Unique (mission, agent): another manager convoked the same agent meanwhile.
        raise DomainError(
            _l(
                "A contributor was convoked to this mission at the same moment by another "
                "user: reload the page to see the convocations."
            )
        ) from error
    for agent_id in dict.fromkeys(agent_ids):
        workflow.refresh_same_day_travel(session, agent_id, by_user_id=by_user_id)
    session.flush()
    for assignment in created:  # the convocation PDFs, rendered by one job
        stored_documents.convocation_changed(session, assignment, by_user_id=by_user_id)
    return created


def unconvoke(session: Session, assignment: Assignment, *, by_user_id: int) -> None:
    """Withdraw a convocation: the claim becomes "Annulé" (kept in the history, and
    in the agent's list, struck through)."""
    if assignment.cancelled_at is not None:
        raise DomainError(_l("This convocation is already withdrawn."))
    claim = assignment.claim
    if claim is not None and ClaimStatus.ACCEPTED in (claim.fee_status, claim.travel_status):
        raise DomainError(
            _l("The claim of this assignment is accepted: the convocation cannot be withdrawn.")
        )
    if claim is not None and not lifecycle.cancelled(claim):
        processing.cancel(
            session, claim, by_user_id=by_user_id, comment=str(_l("Convocation withdrawn"))
        )
    assignment.cancelled_at = clock.now()
    session.flush()
    workflow.refresh_same_day_travel(session, assignment.agent_id, by_user_id=by_user_id)
    session.flush()


def duplicate(session: Session, mission: Mission, *, by_user_id: int | None = None) -> Mission:
    """A copy of ``mission`` (same exam, paper, centre, type, slots) under the next free
    number of the académie, without its convocations."""
    number = (
        session.scalar(
            select(func.max(Mission.number)).where(Mission.academy_id == mission.academy_id)
        )
        or 0
    ) + 1
    if number > MAX_MISSION_NUMBER:
        raise DomainError(_l("A mission number goes from 1 to %(max)s.", max=MAX_MISSION_NUMBER))
    copy = Mission(
        academy_id=mission.academy_id,
        number=number,
        mission_type_id=mission.mission_type_id,
        session_id=mission.session_id,
        specialty_id=mission.specialty_id,
        paper_id=mission.paper_id,
        centre_id=mission.centre_id,
        observations=mission.observations,
    )
    copy.slots = [
        MissionSlot(day=slot.day, start_time=slot.start_time, duration=slot.duration)
        for slot in mission.slots
    ]
    session.add(copy)
    session.flush()
    return copy
