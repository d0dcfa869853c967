"""Swapping the agent of a line of a proposal: who may take the place instead, and the
swap itself, checked against the hard rules by the independent checker.

The place's problem is the mission's own (``source.build`` on that mission) with the
run's other lines taken as convocations already made: the agent chosen must be free
on the mission's half-days and under their load cap given everything else the run
proposes to them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.services import DomainError, NotFound
from app.services.common import scope
from app.services.missions import availability, conflicts
from app.services.missions import needs as mission_needs
from app.services.missions.assignment import checker, solver, source
from app.services.missions.assignment.problem import (
    Allowed,
    Fixed,
    Instance,
    Need,
    NeedKey,
    Placement,
    km,
)
from app.services.missions.assignment.run_base import (
    kilometres,
    load_line,
    load_run,
    refresh_figures,
    require_proposed,
    weights_of,
)
from app.services.missions.convocation import MAX_ID
from models import Agent, Assignment, Mission, MissionSlot
from models.assignment import AssignmentProposal, AssignmentRun, MissionNeed
from models.enums import AssignmentUnit

MAX_OPTIONS = 100
PLACE_FILLED = _l("This place no longer needs a contributor: it was filled meanwhile.")
NO_SUCH_AGENT = _l("This contributor does not exist or is not in your academy.")


@dataclass(frozen=True)
class Option:
    agent_id: int
    name: str
    town: str
    km: str  # "12 km"
    missions: int  # missions in the session (convoked and proposed by the run)


@dataclass
class Place:
    """The problem of one line's place."""

    instance: Instance
    need: Need

    @property
    def key(self) -> NeedKey:
        return self.need.key


def _place(session: Session, run: AssignmentRun, line: AssignmentProposal) -> Place:
    built = source.build(
        session,
        run.academy_id,
        run.exam_session_id,
        mission_ids=[line.mission_id],
        weights=weights_of(run),
    )
    instance = built.instance
    key = (line.mission_id, line.quality.name)
    try:
        need = instance.need(key)
    except KeyError:
        raise DomainError(PLACE_FILLED) from None
    if need.count <= 0:
        raise DomainError(PLACE_FILLED)
    allowed = instance.eligible.get(key, frozenset())
    others = [
        (agent_id, mission_id, quality)
        for agent_id, mission_id, quality in session.execute(
            select(
                AssignmentProposal.agent_id,
                AssignmentProposal.mission_id,
                AssignmentProposal.quality,
            ).where(AssignmentProposal.run_id == run.id, AssignmentProposal.id != line.id)
        )
        if agent_id in allowed
    ]
    mission_ids = sorted({mission_id for _a, mission_id, _q in others})
    missions = {
        mission.id: mission
        for mission in session.scalars(
            select(Mission)
            .where(Mission.id.in_(mission_ids))
            .options(selectinload(Mission.slots), joinedload(Mission.mission_type))
        ).unique()
    }
    rows = {
        (row.mission_id, row.quality): row
        for row in session.scalars(
            select(MissionNeed).where(MissionNeed.mission_id.in_(mission_ids))
        )
    }
    for agent_id, mission_id, quality in others:
        mission = missions[mission_id]
        instance.fixed.append(
            Fixed(
                agent_id=agent_id,
                mission_id=mission_id,
                quality=quality.name,
                load=mission_needs.place_load(mission, rows.get((mission_id, quality))),
                slots=source.slots_of(mission.slots),
                unit=mission_needs.unit_of(mission.mission_type).value,
            )
        )
    return Place(instance, need)


def _pool(place: Place):
    return solver.candidates(place.instance).get(place.key)


def swap_options(
    session: Session, academy_id: int, run_id, line_id, limit: int = 20
) -> list[Option]:
    """The agents who may take the line's place instead of its agent, nearest first:
    allowed by every rule, free given the rest of the run's lines."""
    run = load_run(session, academy_id, run_id)
    require_proposed(run)
    line = load_line(session, run, line_id)
    place = _place(session, run, line)
    pool = _pool(place)
    if pool is None:
        return []
    limit = max(1, min(int(limit or 20), MAX_OPTIONS))
    chosen = [agent_id for agent_id in pool.ids.tolist() if agent_id != line.agent_id][:limit]
    agents = {
        agent.id: agent
        for agent in session.scalars(
            select(Agent).where(Agent.id.in_(chosen), scope.academy_criterion(Agent, academy_id))
        )
    }
    held = place.instance.held()
    options = []
    for agent_id in chosen:
        agent = agents.get(agent_id)
        if agent is None:
            continue
        person = place.instance.people[agent_id]
        options.append(
            Option(
                agent_id=agent_id,
                name=agent.full_name,
                town=agent.town or "",
                km=kilometres(km(person.home, place.need.place)),
                missions=held[agent_id],
            )
        )
    return options


def swap(
    session: Session, academy_id: int, run_id, line_id, agent_id, *, by_user_id: int | None
) -> AssignmentProposal:
    """Put ``agent_id`` on the line's place instead of its agent (only while PROPOSED):
    refused, in French and naming the rule, when they may not take it."""
    run = load_run(session, academy_id, run_id, lock=True)
    require_proposed(run)
    line = load_line(session, run, line_id)
    if not isinstance(agent_id, int) or not 0 < agent_id <= MAX_ID:
        raise NotFound(NO_SUCH_AGENT)
    agent = session.scalar(
        select(Agent).where(Agent.id == agent_id, scope.academy_criterion(Agent, academy_id))
    )
    if agent is None:
        raise NotFound(NO_SUCH_AGENT)
    if agent_id == line.agent_id:
        raise DomainError(_l("%(name)s already holds this place.", name=agent.full_name))
    place = _place(session, run, line)
    placement = Placement(line.mission_id, line.quality.name, agent_id)
    if checker.violations(place.instance, [placement]):
        raise DomainError(_refusal(session, place, agent))
    pool = _pool(place)
    ids = pool.ids.tolist() if pool is not None else []
    line.agent_id = agent_id
    line.manual = True
    line.km = round(km(place.instance.people[agent_id].home, place.need.place), 3)
    line.rank = ids.index(agent_id) + 1 if agent_id in ids else len(ids) + 1
    line.candidates = max(len(ids), line.rank)
    line.missions_before = place.instance.held()[agent_id]
    line.wished = (agent_id, line.mission_id) in place.instance.wishes
    session.flush()
    refresh_figures(session, run)
    return line


# --- Why not ---------------------------------------------------------------------------------


def _half_day(slot) -> str:
    day, half = slot
    return str(
        _l(
            "%(day)s %(half)s",
            day=day.strftime("%d/%m"),
            half=_l("morning") if half == "am" else _l("afternoon"),
        )
    )


def _busy_slots(session: Session, place: Place, agent_id: int) -> list:
    """The mission's half-days the agent holds already: the run's other lines, the
    convocations of any session."""
    need = place.need
    taken = set()
    for item in place.instance.fixed:
        if item.agent_id == agent_id:
            taken |= item.slots & need.slots
    days = sorted({day for day, _half in need.slots})
    if days:
        others = session.scalars(
            select(Mission)
            .join(Assignment, Assignment.mission_id == Mission.id)
            .where(
                Assignment.agent_id == agent_id,
                Assignment.cancelled_at.is_(None),
                Mission.id != need.mission_id,
                Mission.id.in_(select(MissionSlot.mission_id).where(MissionSlot.day.in_(days))),
            )
            .options(selectinload(Mission.slots))
        ).unique()
        for mission in others:
            taken |= source.slots_of(mission.slots) & need.slots
    return sorted(taken)


def _refusal(session: Session, place: Place, agent: Agent):
    """The rule the agent breaks for this place, in French."""
    instance, need, name = place.instance, place.need, agent.full_name
    if agent.id not in instance.people:
        return _l("%(name)s is not an active contributor of the academy.", name=name)
    allowed = instance.eligible.get(need.key, frozenset())
    base = allowed.base if isinstance(allowed, Allowed) else allowed
    if agent.id not in base:
        return _l("%(name)s holds no valid competence for this paper.", name=name)
    if any(f.agent_id == agent.id and f.mission_id == need.mission_id for f in instance.fixed):
        return _l("%(name)s already holds a place on this mission.", name=name)
    if agent.id not in allowed:
        if (agent.id, need.mission_id) in conflicts.excluded_pairs(session, [need.mission_id]):
            return _l("%(name)s: conflict of interest with this centre or mission.", name=name)
        if (agent.id, need.mission_id) in availability.unavailable_pairs(
            session, [need.mission_id]
        ):
            return _l("%(name)s declared an unavailability on a date of the mission.", name=name)
    busy = _busy_slots(session, place, agent.id)
    if busy:
        return _l("%(name)s is not free on %(when)s.", name=name, when=_half_day(busy[0]))
    person = instance.people[agent.id]
    cap = person.cap(need.unit)
    if cap is not None:
        load = sum(f.load for f in instance.fixed if f.agent_id == agent.id and f.unit == need.unit)
        if load + need.load > cap:
            return _l(
                "%(name)s has already reached their maximum of %(cap)s %(unit)s.",
                name=name,
                cap=cap,
                unit=AssignmentUnit(need.unit).label,
            )
    return _l("%(name)s may not take this place under the rules of assignment.", name=name)
