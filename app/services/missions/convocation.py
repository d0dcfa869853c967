"""Convocation (affectation): which agents may be called to a mission, calling them,
and un-calling them; duplicating a mission.

Seed 000: "affectation des intervenants en fonction de leurs compétences et de leurs
disponibilités". A candidate holds a valid (not invalidated) competence for the
mission's paper, is free on its slots, and is not convoked to it already; candidates
come nearest first (same town as the centre, same département, other), then least
loaded (missions already assigned in the same exam session).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    String,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from app.services import DomainError, NotFound
from app.services.claims import lifecycle, processing, workflow
from app.services.common import clock, listing, scope
from app.services.competences import rules as competences
from app.services.documents import store as stored_documents
from app.services.missions import availability, conflicts
from app.services.missions.rules import MAX_MISSION_NUMBER
from models import Agent, Assignment, ExamSession, Mission, MissionSlot
from models.enums import AssignmentQuality, ClaimStatus, SlotDuration

NOON = availability.NOON
MAX_JURY = 40
MAX_OVERRIDE_REASON = 500
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
    return set(availability.slot_halves(slot.start_time, slot.duration))


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


def _overlapping(mission: Mission):
    """SQL condition: a ``MissionSlot`` sharing a day and a half-day with one of the
    mission's slots (a day takes both halves), as ``overlaps`` reads it."""
    conditions = []
    for slot in mission.slots:
        same_day = MissionSlot.day == slot.day
        if slot.duration is SlotDuration.DAY:
            conditions.append(same_day)
            continue
        same_half = (
            MissionSlot.start_time < NOON
            if slot.start_time < NOON
            else (MissionSlot.start_time >= NOON)
        )
        conditions.append(same_day & ((MissionSlot.duration == SlotDuration.DAY) | same_half))
    return or_(*conditions) if conditions else false()


def _department_of(postcode):
    """SQL: the département of a postcode, as ``_department`` reads it."""
    return case(
        (func.length(postcode) < 2, None),
        (postcode.like("97%"), func.substr(postcode, 1, 3)),
        else_=func.substr(postcode, 1, 2),
    )


def _proximity(session: Session, mission: Mission, towns=None):
    """SQL: 0 same town as the centre, 1 same département, 2 other (``proximity``). The
    towns are few: each is read as a commune once, here, so the database compares the
    spellings of the centre's commune ("Rennes Cedex 7", "RENNES"). ``towns``: those of
    the agents who may be candidates, when they are known (else the académie's)."""
    centre = mission.centre
    if centre is None:
        return literal(0)
    place = commune(centre.town)
    if towns is None:
        towns = session.scalars(
            select(Agent.town)
            .where(Agent.academy_id == mission.academy_id, Agent.town.is_not(None))
            .distinct()
        )
    same_town = sorted({town for town in towns if town and commune(town) == place})
    department = _department(centre.postcode)
    whens = []
    if same_town:
        whens.append((Agent.town.in_(same_town), 0))
    if department:
        whens.append((_department_of(Agent.postcode) == department, 1))
    return case(*whens, else_=2) if whens else literal(2)


@dataclass
class CandidateQuery:
    """The candidates of a mission as SQL: the ``select(Agent)`` of who may be
    convoked, and the expressions of their distance and load (to sort and filter)."""

    statement: object
    proximity: object
    load: object
    # The agents the statement would hold but for a declared unavailability covering a
    # date of the mission (``availability``): listed apart, convoked with a reason only.
    unavailable: object = None

    @property
    def order(self) -> tuple:
        """Nearest first, then least loaded, then by name."""
        return (self.proximity, self.load, Agent.last_name, Agent.first_name, Agent.id)


def candidate_query(
    session: Session,
    mission: Mission,
    agent_ids: list[int] | None = None,
    *,
    overriding: bool = False,
) -> CandidateQuery:
    """The active agents of the académie who may be convoked to ``mission`` (those of
    ``agent_ids`` only, when given): competent for its paper (any agent without a paper:
    surveillance, jury…), not convoked to it, free on its slots, without a declared
    unavailability on them (unless ``overriding``: a manager convokes anyway); with
    their distance to the centre and their assignments in the same exam session.
    Filtered, sorted and cut into pages by the database.

    The competent agents (a few thousand of the académie's 20,000) are read first, with
    their towns, and passed as one list of keys (``listing.among``): each statement of
    the page then reaches them by their key instead of computing the competences' latest
    words again, and only their towns are read as communes."""
    towns = None
    competent = None
    if mission.paper_id is not None:
        competent = competences.competent_agents(mission.paper_id)
        found = select(Agent.id, Agent.town).where(
            Agent.academy_id == mission.academy_id,
            Agent.active.is_(True),
            # The competent agents as one array (1,315 of them reached by key: 4 ms), where
            # the planner, guessing half as many, hash-joined the académie's 20,000 (27 ms).
            listing.among_selected(session, Agent.id, competent),
        )
        if agent_ids is not None:
            found = found.where(Agent.id.in_(agent_ids))
        limit = listing.listed_keys(session)
        rows = session.execute(found.limit(limit + 1)).all()
        if len(rows) <= limit:
            competent = [agent_id for agent_id, _ in rows]
            towns = {town for _, town in rows}
    loads = (
        select(Assignment.agent_id, func.count(Assignment.id).label("load"))
        .where(
            # The session's missions as one array, their assignments by the missions'
            # index: joined, the planner guessed the session's share of all 200,000
            # assignments and read them all (22 ms) where a June session has none yet.
            listing.among_selected(
                session,
                Assignment.mission_id,
                select(Mission.id).where(Mission.session_id == mission.session_id),
            ),
            Assignment.cancelled_at.is_(None),
        )
        .group_by(Assignment.agent_id)
    )
    if competent is not None and not isinstance(competent, list):
        # The load of the competent agents only, not of the whole session's. (A list of
        # them would make the database read every assignment: the session's missions,
        # by their index, are fewer.)
        loads = loads.where(Assignment.agent_id.in_(competent))
    loads = loads.subquery()
    convoked = select(Assignment.id).where(
        Assignment.agent_id == Agent.id,
        Assignment.mission_id == mission.id,
        Assignment.cancelled_at.is_(None),
    )
    busy = (
        select(Assignment.id)
        .join(MissionSlot, MissionSlot.mission_id == Assignment.mission_id)
        .where(
            Assignment.agent_id == Agent.id,
            Assignment.mission_id != mission.id,
            Assignment.cancelled_at.is_(None),
            _overlapping(mission),
        )
    )
    statement = select(Agent).where(
        Agent.academy_id == mission.academy_id,
        Agent.active.is_(True),  # the staff import no longer lists an inactive agent
        ~convoked.exists(),
        ~busy.exists(),
        ~conflicts.excluded_clause(mission),
    )
    if isinstance(competent, list):
        statement = statement.where(listing.among(session, Agent.id, competent))
    elif competent is not None:
        statement = statement.where(Agent.id.in_(competent))
    if agent_ids is not None:
        statement = statement.where(Agent.id.in_(agent_ids))
    declared = availability.unavailable_clause(mission)
    free = statement if overriding else statement.where(~declared)
    return CandidateQuery(
        free.outerjoin(loads, loads.c.agent_id == Agent.id),
        _proximity(session, mission, towns),
        func.coalesce(loads.c.load, 0),
        unavailable=statement.where(declared),
    )


def candidates(
    session: Session,
    mission: Mission,
    agent_ids: list[int] | None = None,
    *,
    overriding: bool = False,
) -> list[Candidate]:
    """The agents who may be convoked to ``mission`` (or those of ``agent_ids`` who
    may), nearest and least loaded first; with ``overriding``, those on a declared
    unavailability too."""
    query = candidate_query(session, mission, agent_ids, overriding=overriding)
    statement = query.statement.add_columns(query.proximity, query.load).order_by(*query.order)
    return [
        Candidate(agent, int(near), int(load)) for agent, near, load in session.execute(statement)
    ]


def candidate_page(
    session: Session, mission: Mission, columns, query: CandidateQuery | None = None, **params
) -> listing.ListPage:
    """One page of the candidates for the list "Candidats" (``listing.query_page``
    arguments in ``params``): each row's ``candidate`` cell is a ``Candidate``. The
    keywords look in the names, identifier, town, distance label and load."""
    query = query or candidate_query(session, mission)
    expressions = {
        "name": Agent.last_name,
        "identifier": func.coalesce(Agent.numen, Agent.external_id),
        "town": Agent.town,
        "proximity": query.proximity,
        "load": query.load,
    }

    def search(pattern: str):
        word = listing.normalise(pattern.strip("%").replace("\\", ""))
        near = [
            value
            for value, label in PROXIMITY_LABELS.items()
            if word in listing.normalise(str(label))
        ]
        return or_(
            *(listing.contains(column, pattern) for column in KEYWORD_AGENT_COLUMNS),
            listing.contains(cast(query.load, String), pattern),
            query.proximity.in_(near) if near else false(),
        )

    page = listing.query_page(
        session,
        query.statement,
        columns,
        expressions,
        lambda agent: listing.Row({"agent": agent}),
        default_order=query.order,
        search=search,
        # The page's 50 agents by key: not the candidates' statement again.
        load=lambda keys: select(Agent).where(Agent.id.in_(keys)),
        # Every candidate is sorted by distance and load (no index gives that order):
        # the same statement counts them.
        window_count=True,
        **params,
    )
    agents = [row.cells["agent"] for row in page.rows]
    loads = dict(
        session.execute(
            select(Assignment.agent_id, func.count(Assignment.id))
            .join(Assignment.mission)
            .where(
                Mission.session_id == mission.session_id,
                Assignment.cancelled_at.is_(None),
                Assignment.agent_id.in_([agent.id for agent in agents]),
            )
            .group_by(Assignment.agent_id)
        ).all()
    )
    for row, agent in zip(page.rows, agents, strict=True):
        row.cells = {
            "candidate": Candidate(agent, proximity(agent, mission), loads.get(agent.id, 0))
        }
    return page


KEYWORD_AGENT_COLUMNS = (
    Agent.last_name,
    Agent.first_name,
    Agent.numen,
    Agent.external_id,
    Agent.town,
)


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


def academy_mission(session: Session, academy_id: int, mission_id: int, *where) -> Mission:
    """The académie's mission ``mission_id`` (and matching ``where``), with its slots and
    convocations, and what its page shows of it (session and exam, type, specialty,
    paper, centre: in the same statement); else NotFound."""
    mission = session.scalar(
        select(Mission)
        .where(Mission.id == mission_id, Mission.academy_id == academy_id, *where)
        .options(
            joinedload(Mission.session).joinedload(ExamSession.exam),
            joinedload(Mission.mission_type),
            joinedload(Mission.specialty),
            joinedload(Mission.paper),
            joinedload(Mission.centre),
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
    override_reason: str | None = None,
) -> list[Assignment]:
    """Convoke the chosen candidates in one transaction: each gets an assignment and its
    claim (fee and travel statuses from the mission type). An agent who is not (or no
    longer) a candidate refuses the whole convocation, with their name; so does an
    agent who declared an unavailability on a date of the mission, unless the manager
    gives ``override_reason`` (recorded on the assignment)."""
    override_reason = (override_reason or "").strip() or None
    if override_reason and len(override_reason) > MAX_OVERRIDE_REASON:
        raise DomainError(_l("%(max)s characters at most.", max=MAX_OVERRIDE_REASON))
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
    allowed = {c.agent.id: c.agent for c in candidates(session, mission, known, overriding=True)}
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
                "Not available for this mission (competence, dates, already convoked, conflict of "
                "interest): %(names)s.",
                names=", ".join(names),
            )
        )
    unavailable = availability.declared_for(session, mission, list(allowed))
    if unavailable and override_reason is None:
        raise DomainError(
            _l(
                "Declared unavailable on a date of the mission: %(names)s. Give the reason "
                "for convoking them anyway.",
                names=", ".join(allowed[agent_id].full_name for agent_id in unavailable),
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
            assignment.unavailability_override = None
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
        if agent_id in unavailable:
            assignment.unavailability_override = override_reason
            _override_in_history(assignment, override_reason)
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


def _override_in_history(assignment: Assignment, reason: str) -> None:
    """The reason of a convocation despite an unavailability, in the claim's history
    (its first rows, written with the claim)."""
    if assignment.claim is None:
        return
    note = str(_l("Convoked despite a declared unavailability: %(reason)s", reason=reason))
    for row in assignment.claim.history:
        if row.from_status is None and row.comment is None:
            row.comment = note


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
