"""The needs of a mission: how many agents of which quality it needs, and what one of
them weighs towards their load cap in the session (automatic assignment)."""

from __future__ import annotations

from models import AcademySettings, Mission, MissionNeed, MissionType
from models.enums import AssignmentUnit, FeeEntryFamily, SlotDuration
from models.referential import (
    DEFAULT_SESSION_MAX_CANDIDATES,
    DEFAULT_SESSION_MAX_COPIES,
    DEFAULT_SESSION_MAX_HALF_DAYS,
)

NOON_HOUR = 13


def unit_of(mission_type: MissionType) -> AssignmentUnit:
    """Copies for a correction, candidates for an oral, half-days otherwise."""
    if mission_type.fee_family is FeeEntryFamily.COPIES:
        return AssignmentUnit.COPIES
    if mission_type.fee_family is FeeEntryFamily.CANDIDATES:
        return AssignmentUnit.CANDIDATES
    return AssignmentUnit.HALF_DAYS


def half_days(slots) -> int:
    """The half-days the slots take (a day takes two)."""
    taken = set()
    for slot in slots:
        if slot.duration is SlotDuration.DAY:
            taken |= {(slot.day, "am"), (slot.day, "pm")}
        else:
            taken.add((slot.day, "am" if slot.start_time.hour < NOON_HOUR else "pm"))
    return len(taken)


def default_load(mission: Mission) -> int:
    """What one agent of the mission weighs when its need names no load: the mission
    type's maximum of copies or candidates per claim, or the mission's half-days."""
    unit = unit_of(mission.mission_type)
    if unit is AssignmentUnit.COPIES:
        return mission.mission_type.max_copies
    if unit is AssignmentUnit.CANDIDATES:
        return mission.mission_type.max_candidates
    return max(1, half_days(mission.slots))


def place_load(mission: Mission, need: MissionNeed | None) -> int:
    """The load of one place of ``need`` (its own, else the mission's default)."""
    if need is not None and need.load_per_agent:
        return need.load_per_agent
    return default_load(mission)


def session_caps(settings: AcademySettings | None) -> dict[str, int]:
    """One agent's load caps in a session, per unit (the solver's ``Person.capacity``)."""
    if settings is None:
        return {
            AssignmentUnit.COPIES.value: DEFAULT_SESSION_MAX_COPIES,
            AssignmentUnit.CANDIDATES.value: DEFAULT_SESSION_MAX_CANDIDATES,
            AssignmentUnit.HALF_DAYS.value: DEFAULT_SESSION_MAX_HALF_DAYS,
        }
    return {
        AssignmentUnit.COPIES.value: settings.session_max_copies,
        AssignmentUnit.CANDIDATES.value: settings.session_max_candidates,
        AssignmentUnit.HALF_DAYS.value: settings.session_max_half_days,
    }
