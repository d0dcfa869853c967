"""Agents' availability (issue 16 §6): the rule of a declared unavailability, shared by
the convocation's candidates and the assignment solver (issue 17).

An unavailability covers every day from ``starts_on`` to ``ends_on`` (both included),
the whole day or only the morning or the afternoon (``DayPart``). A mission slot is a
half-day (morning before 13:00, afternoon from 13:00) or a whole day, as
``convocation.overlaps`` reads it; a slot is covered when one of its days' halves is.
An unavailability holds whatever the mission's session: the agent declares it for a
session (the dates lie inside it), but is unavailable on those days for any mission.

Everything here is also SQL: ``slot_clause`` (an ``Unavailability`` covering a slot
given as columns or values) and ``unavailable_clause`` (an ``exists`` on an agent id
column, for a mission) keep the candidates' filtering in the database.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, false, or_, select
from sqlalchemy.orm import Session

from models import Agent, Mission, MissionSlot, Unavailability
from models.enums import DayPart, SlotDuration

NOON = dt.time(13, 0)
HALVES = {
    DayPart.DAY: frozenset({"am", "pm"}),
    DayPart.MORNING: frozenset({"am"}),
    DayPart.AFTERNOON: frozenset({"pm"}),
}


def slot_halves(start_time: dt.time, duration: SlotDuration) -> frozenset[str]:
    """The half-days a slot takes: a day takes both."""
    if duration is SlotDuration.DAY:
        return HALVES[DayPart.DAY]
    return HALVES[DayPart.MORNING] if start_time < NOON else HALVES[DayPart.AFTERNOON]


def half_days_of(slots) -> frozenset[tuple[dt.date, str]]:
    """The (day, "am" / "pm") half-days a mission's slots take."""
    return frozenset(
        (slot.day, half) for slot in slots for half in slot_halves(slot.start_time, slot.duration)
    )


def covers(unavailability: Unavailability, slot: MissionSlot) -> bool:
    """Whether ``unavailability`` covers ``slot`` (same day, a shared half-day)."""
    return unavailability.starts_on <= slot.day <= unavailability.ends_on and bool(
        HALVES[unavailability.part] & slot_halves(slot.start_time, slot.duration)
    )


def covers_mission(unavailability: Unavailability, mission: Mission) -> bool:
    return any(covers(unavailability, slot) for slot in mission.slots)


def slot_clause(day, start_time, duration, model=Unavailability):
    """SQL: the ``model`` row (``Unavailability`` or an alias) covers the slot of
    ``day`` / ``start_time`` / ``duration``: columns (``MissionSlot.day``…, to join
    slots) or Python values."""
    on_day = and_(model.starts_on <= day, model.ends_on >= day)
    if isinstance(duration, SlotDuration) and isinstance(start_time, dt.time):
        halves = slot_halves(start_time, duration)
        if halves == HALVES[DayPart.DAY]:
            return on_day
        part = DayPart.MORNING if "am" in halves else DayPart.AFTERNOON
        return and_(on_day, model.part.in_((DayPart.DAY, part)))
    # Columns: the slot's half decided by the database.
    whole = duration == SlotDuration.DAY
    morning = start_time < NOON
    return and_(
        on_day,
        or_(
            whole,
            model.part == DayPart.DAY,
            and_(model.part == DayPart.MORNING, morning),
            and_(model.part == DayPart.AFTERNOON, ~morning),
        ),
    )


def mission_clause(mission: Mission, model=Unavailability):
    """SQL: the ``model`` row covers one of the mission's slots (false without slots)."""
    conditions = [
        slot_clause(slot.day, slot.start_time, slot.duration, model) for slot in mission.slots
    ]
    return or_(*conditions) if conditions else false()


def unavailable_clause(mission: Mission, agent_id=Agent.id):
    """SQL ``exists``: the agent of the ``agent_id`` column declared an unavailability
    covering a slot of ``mission``. Its negation keeps the available ones:
    ``select(Agent).where(~unavailable_clause(mission))``."""
    return (
        select(Unavailability.id)
        .where(Unavailability.agent_id == agent_id, mission_clause(mission))
        .correlate_except(Unavailability)
        .exists()
    )


def unavailable_on_slot_clause(agent_id=Agent.id, slot=MissionSlot):
    """SQL ``exists`` for a query joining slots (the solver's): the agent of the
    ``agent_id`` column is unavailable on the ``slot`` (``MissionSlot`` or an alias)."""
    return (
        select(Unavailability.id)
        .where(
            Unavailability.agent_id == agent_id,
            slot_clause(slot.day, slot.start_time, slot.duration),
        )
        .correlate_except(Unavailability)
        .exists()
    )


def declared_for(
    session: Session, mission: Mission, agent_ids: list[int] | None = None
) -> dict[int, list[Unavailability]]:
    """The unavailabilities covering a slot of ``mission``, per agent (those of
    ``agent_ids`` only, when given): one statement."""
    statement = (
        select(Unavailability)
        .where(mission_clause(mission))
        .order_by(Unavailability.agent_id, Unavailability.starts_on, Unavailability.id)
    )
    if agent_ids is not None:
        if not agent_ids:
            return {}
        statement = statement.where(Unavailability.agent_id.in_(agent_ids))
    found: dict[int, list[Unavailability]] = defaultdict(list)
    for unavailability in session.scalars(statement):
        found[unavailability.agent_id].append(unavailability)
    return dict(found)


def is_unavailable_for_mission(session: Session, agent_id: int, mission: Mission) -> bool:
    """Whether the agent declared an unavailability on a slot of ``mission``."""
    return bool(declared_for(session, mission, [agent_id]))


def is_unavailable_on_slot(session: Session, agent_id: int, slot: MissionSlot) -> bool:
    """Whether the agent declared an unavailability covering ``slot``."""
    return (
        session.scalar(
            select(Unavailability.id)
            .where(
                Unavailability.agent_id == agent_id,
                slot_clause(slot.day, slot.start_time, slot.duration),
            )
            .limit(1)
        )
        is not None
    )


def unavailable_pairs(session: Session, mission_ids: list[int]) -> set[tuple[int, int]]:
    """(agent id, mission id) of every agent with a declared unavailability covering a
    slot of one of ``mission_ids``: the solver's hard rule for a whole session, in one
    statement (unavailabilities joined to the slots they cover)."""
    if not mission_ids:
        return set()
    statement = (
        select(Unavailability.agent_id, MissionSlot.mission_id)
        .join(
            MissionSlot,
            slot_clause(MissionSlot.day, MissionSlot.start_time, MissionSlot.duration),
        )
        .where(MissionSlot.mission_id.in_(mission_ids))
        .distinct()
    )
    return {(agent_id, mission_id) for agent_id, mission_id in session.execute(statement)}
