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

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.services.missions.assignment.problem import Instance, NeedKey, Weights
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
    raise NotImplementedError
