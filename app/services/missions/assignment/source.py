"""The assignment problem of an exam session, read from the database: the instance
``solver.solve`` takes, with what the review screen shows of each mission.

* needs: each ``MissionNeed`` of the chosen missions, less the agents convoked to the
  mission already with that quality (they stay: locked);
* people: the académie's active agents, their home (``Commune`` coordinates of their
  postcode and town, else today's same-commune / same-département rule), their load
  caps in the session (``AcademySettings.session_max_*``);
* eligible pairs: a valid competence for the mission's paper (any agent for a mission
  without paper), not convoked to it, free on its half-days (convocations of any session
  on the same half-day), no declared unavailability, no conflict of interest
  (``conflicts``);
* fixed: every convocation (not withdrawn) of the session's agents on the session's
  missions and on the missions of other sessions held on the same days;
* wishes: a competence the agent declared (the Enquête DCS declares them too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.services.competences import rules as competences
from app.services.missions import availability, conflicts, needs
from app.services.missions.assignment.problem import (
    Allowed,
    Fixed,
    Instance,
    Need,
    NeedKey,
    Person,
    Slot,
    Weights,
)
from app.services.referential import communes
from models import (
    AcademySettings,
    Agent,
    Assignment,
    Mission,
    MissionNeed,
    MissionSlot,
)
from models.enums import AssignmentUnit, GapReason


@dataclass(frozen=True)
class MissionInfo:
    """What the review shows of a mission."""

    id: int
    number: int
    type_name: str
    paper: str  # "E4 – Épreuve…" or ""
    centre: str  # "LGT … Rennes (0350024L)" or "" (at home)
    first_day: object  # datetime.date | None
    unit: AssignmentUnit
    convoked: int  # agents already convoked (locked)


@dataclass
class Source:
    instance: Instance
    missions: dict[int, MissionInfo] = field(default_factory=dict)
    # Competent agents per need before the other rules (to say why places stay empty).
    competent: dict[NeedKey, int] = field(default_factory=dict)

    def gap_reason(self, key: NeedKey, solver_reason: str) -> GapReason:
        """The reason shown for places left empty: nobody competent at all, nobody
        competent free within the rules, or those free are proposed elsewhere."""
        if not self.competent.get(key):
            return GapReason.NO_COMPETENT
        if solver_reason == "taken_elsewhere":
            return GapReason.TAKEN_ELSEWHERE
        return GapReason.NONE_FREE


def slots_of(slots) -> frozenset[Slot]:
    """The half-days a mission's slots take."""
    return availability.half_days_of(slots)


def _missions(session, academy_id, exam_session_id, mission_ids):
    statement = (
        select(Mission)
        .where(Mission.academy_id == academy_id, Mission.session_id == exam_session_id)
        .options(
            selectinload(Mission.slots),
            joinedload(Mission.centre),
            joinedload(Mission.paper),
        )
        .order_by(Mission.first_day, Mission.number)
    )
    if mission_ids is not None:
        statement = statement.where(Mission.id.in_(mission_ids))
    return list(session.scalars(statement).unique())


def _fill_order(need_rows: list[MissionNeed]) -> list[MissionNeed]:
    """A mission's needs in the order convocations without quality count against."""
    return sorted(need_rows, key=lambda need: (-need.places, need.quality.name))


def build(
    session: Session,
    academy_id: int,
    exam_session_id: int,
    *,
    mission_ids: list[int] | None = None,
    weights: Weights | None = None,
) -> Source:
    """The session's problem (only ``mission_ids`` when given, those of the académie in
    the session; others are ignored): see the module's docstring."""
    weights = weights or Weights()
    chosen = _missions(session, academy_id, exam_session_id, mission_ids)
    chosen_ids = [mission.id for mission in chosen]
    need_rows: dict[int, list[MissionNeed]] = defaultdict(list)
    if chosen_ids:
        for need in session.scalars(
            select(MissionNeed).where(MissionNeed.mission_id.in_(chosen_ids))
        ):
            need_rows[need.mission_id].append(need)
    chosen = [mission for mission in chosen if need_rows.get(mission.id)]
    chosen_ids = [mission.id for mission in chosen]
    days = sorted({slot.day for mission in chosen for slot in mission.slots})

    # Convocations that stay: those of the session (they take time, load and count
    # against the needs) and those of other sessions on the same days (time only).
    held = select(Assignment.agent_id, Assignment.mission_id, Assignment.quality).join(
        Assignment.mission
    )
    on_days = select(MissionSlot.mission_id).where(MissionSlot.day.in_(days))
    held = held.where(
        Assignment.cancelled_at.is_(None),
        or_(Mission.session_id == exam_session_id, Mission.id.in_(on_days)),
    )
    assignments = session.execute(held).all()
    others_ids = {mission_id for _a, mission_id, _q in assignments} - set(chosen_ids)
    missions = {mission.id: mission for mission in chosen}
    if others_ids:
        for mission in session.scalars(
            select(Mission)
            .where(Mission.id.in_(sorted(others_ids)))
            .options(selectinload(Mission.slots))
        ):
            missions[mission.id] = mission
    other_needs: dict[int, list[MissionNeed]] = defaultdict(list)
    if others_ids:
        for need in session.scalars(
            select(MissionNeed).where(MissionNeed.mission_id.in_(sorted(others_ids)))
        ):
            other_needs[need.mission_id].append(need)

    slots = {mission_id: slots_of(mission.slots) for mission_id, mission in missions.items()}
    fixed: list[Fixed] = []
    busy_elsewhere: dict[Slot, set[int]] = defaultdict(set)  # other sessions' half-days
    convoked: dict[tuple[int, object], int] = defaultdict(int)
    for agent_id, mission_id, quality in assignments:
        mission = missions[mission_id]
        if mission.session_id != exam_session_id:
            for slot in slots[mission_id]:
                busy_elsewhere[slot].add(agent_id)
            continue
        rows = need_rows.get(mission_id) or other_needs.get(mission_id) or []
        need = next((n for n in rows if n.quality == quality), None)
        fixed.append(
            Fixed(
                agent_id=agent_id,
                mission_id=mission_id,
                quality=(quality.name if quality else ""),
                load=needs.place_load(mission, need),
                slots=slots[mission_id],
                unit=needs.unit_of(mission.mission_type).value,
            )
        )
        convoked[(mission_id, quality)] += 1

    # The people: the académie's active agents, their homes and caps.
    agents = session.execute(
        select(Agent.id, Agent.postcode, Agent.town).where(
            Agent.academy_id == academy_id, Agent.active.is_(True)
        )
    ).all()
    settings = session.scalar(
        select(AcademySettings).where(AcademySettings.academy_id == academy_id)
    )
    capacity = needs.session_caps(settings)
    people = {
        agent_id: Person(agent_id, home, capacity)
        for agent_id, home in communes.homes(session, [tuple(row) for row in agents]).items()
    }
    everyone = frozenset(people)

    # The pairs the rules allow.
    paper_ids = sorted({mission.paper_id for mission in chosen if mission.paper_id})
    competent: dict[int, set[int]] = defaultdict(set)
    wished_papers: dict[int, set[int]] = defaultdict(set)
    if paper_ids:
        for agent_id, paper_id in session.execute(competences.competent_pairs(paper_ids)):
            if agent_id in everyone:
                competent[paper_id].add(agent_id)
        for agent_id, paper_id in session.execute(competences.declared_pairs(paper_ids)):
            wished_papers[paper_id].add(agent_id)
    refused: dict[int, set[int]] = defaultdict(set)
    for agent_id, mission_id in availability.unavailable_pairs(session, chosen_ids):
        refused[mission_id].add(agent_id)
    for agent_id, mission_id in conflicts.excluded_pairs(session, chosen_ids):
        refused[mission_id].add(agent_id)

    source = Source(instance=None)  # type: ignore[arg-type]
    need_list: list[Need] = []
    eligible: dict[NeedKey, frozenset[int] | Allowed] = {}
    wishes: set[tuple[int, int]] = set()
    frozen_competent = {paper_id: frozenset(ids) for paper_id, ids in competent.items()}
    for mission in chosen:
        unit = needs.unit_of(mission.mission_type)
        place = communes.centre_place(mission.centre) if mission.centre else None
        mission_slots = slots[mission.id]
        base = frozen_competent.get(mission.paper_id, frozenset()) if mission.paper_id else everyone
        minus = set(refused.get(mission.id, ()))
        for slot in mission_slots:
            minus |= busy_elsewhere.get(slot, set())
        allowed = Allowed(base, minus)
        # Convocations without a quality count against the largest need first.
        loose = convoked.get((mission.id, None), 0)
        for need_row in _fill_order(need_rows[mission.id]):
            taken = convoked.get((mission.id, need_row.quality), 0)
            spare = need_row.places - taken
            if loose and spare > 0:
                used = min(loose, spare)
                loose -= used
                spare -= used
            need = Need(
                mission_id=mission.id,
                quality=need_row.quality.name,
                count=max(0, spare),
                load=needs.place_load(mission, need_row),
                unit=unit.value,
                slots=mission_slots,
                place=place,
            )
            need_list.append(need)
            eligible[need.key] = allowed
            source.competent[need.key] = len(base)
        if mission.paper_id:
            wishes.update((agent_id, mission.id) for agent_id in wished_papers[mission.paper_id])
        source.missions[mission.id] = MissionInfo(
            id=mission.id,
            number=mission.number,
            type_name=mission.mission_type.name,
            paper=f"{mission.paper.code} – {mission.paper.name}" if mission.paper else "",
            centre=str(mission.centre) if mission.centre else "",
            first_day=mission.first_day,
            unit=unit,
            convoked=sum(count for (m, _q), count in convoked.items() if m == mission.id),
        )
    source.instance = Instance(
        needs=need_list,
        people=people,
        eligible=eligible,
        fixed=fixed,
        wishes=frozenset(wishes),
        weights=weights,
    )
    return source
