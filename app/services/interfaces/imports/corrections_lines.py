"""Reading the SANTORIN corrections lines (``corrections``): each line's fields, the
missions, people and convocations it names (loaded in a few queries), and the checks
of each line, refused in French with its line and column."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from app.services.claims import automatic
from app.services.interfaces.imports.base import Plan
from models import Agent, Assignment, ExpenseClaim, Mission
from models.enums import CorrectionStatus

COLUMNS = ("numero_mission", "identifiant", "copies", "etat")
OPTIONAL = ("session", "vague")
CHUNK = 500
SESSION_LENGTH = 40


def folded(text: str) -> str:
    """Upper case, no accents, words separated by one space ("A_CORRIGER" and
    « A corriger » compare equal)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.replace("_", " ").replace("-", " ").upper().split())


# The codes of the file, the seed's labels (and its variant « A corriger avec SANTORIN »).
STATES = {
    folded(text): state
    for state, texts in (
        (
            CorrectionStatus.TO_CORRECT,
            ("A_CORRIGER", "A corriger dans SANTORIN", "A corriger avec SANTORIN"),
        ),
        (CorrectionStatus.TO_DIGITISE, ("A_NUMERISER", "A numériser dans SANTORIN")),
        (CorrectionStatus.DONE, ("SERVICE_FAIT", "Service fait SANTORIN")),
    )
    for text in (*texts, state.name)
}


@dataclass
class Line:
    number: int
    assignment: Assignment
    copies: int
    state: CorrectionStatus
    session_label: str
    wave: int | None

    @property
    def group(self) -> tuple:
        return (self.assignment.agent_id, self.session_label.casefold(), self.wave)


def chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def integer(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


# --- Reading the lines ----------------------------------------------------------------------


def _load(session: Session, academy_id: int, rows: list[tuple[int, dict[str, str]]]):
    """The missions, people and convocations the lines name, in a few queries."""
    numbers = sorted({n for _line, row in rows if (n := integer(row["numero_mission"]))})
    identifiers = sorted({row["identifiant"] for _line, row in rows if row["identifiant"]})
    missions: dict[int, Mission] = {}
    for chunk in chunks(numbers):
        for mission in session.scalars(
            select(Mission)
            .where(Mission.academy_id == academy_id, Mission.number.in_(chunk))
            .options(selectinload(Mission.session))
        ):
            missions[mission.number] = mission
    agents: dict[str, Agent] = {}
    for chunk in chunks(identifiers):
        upper = [value.upper() for value in chunk]
        for agent in session.scalars(
            select(Agent).where(
                or_(Agent.numen.in_(upper), Agent.external_id.in_([*chunk, *upper]))
            )
        ):
            for value in (agent.numen, agent.external_id):
                if value:
                    agents[value.upper()] = agent
    assignments: dict[tuple[int, int], Assignment] = {}
    mission_ids = [mission.id for mission in missions.values()]
    agent_ids = {agent.id for agent in agents.values()}
    for chunk in chunks(mission_ids):
        for assignment in session.scalars(
            select(Assignment)
            .where(Assignment.mission_id.in_(chunk))
            .options(selectinload(Assignment.claim).selectinload(ExpenseClaim.fee_entries))
        ):
            if assignment.agent_id in agent_ids:
                assignments[(assignment.mission_id, assignment.agent_id)] = assignment
    return missions, agents, assignments


def read_lines(
    session: Session, academy_id: int, rows: list[tuple[int, dict[str, str]]], plan: Plan
):
    """The lines that pass every check (the others are refused in ``plan``)."""
    missions, agents, assignments = _load(session, academy_id, rows)
    seen: dict[int, int] = {}  # assignment id → line
    lines: list[Line] = []
    for number, row in rows:
        plan.lines += 1
        text = row["numero_mission"]
        mission = missions.get(integer(text)) if integer(text) is not None else None
        if mission is None:
            plan.refuse(
                number, "numero_mission", text, _l("no mission has this number in the académie.")
            )
            continue
        identifier = row["identifiant"]
        agent = agents.get(identifier.upper()) if identifier else None
        if agent is None:
            plan.refuse(
                number,
                "identifiant",
                identifier,
                _l("no contributor has this numen or identifier."),
            )
            continue
        assignment = assignments.get((mission.id, agent.id))
        if assignment is None or assignment.cancelled_at is not None or assignment.claim is None:
            plan.refuse(
                number,
                "identifiant",
                identifier,
                _l(
                    "%(name)s is not convoked to mission %(number)s.",
                    name=agent.full_name,
                    number=mission.number,
                ),
            )
            continue
        mission_type = mission.mission_type
        if not automatic.is_automatic(mission_type):
            plan.refuse(
                number,
                "numero_mission",
                text,
                _l(
                    "the claims of the missions « %(type)s » are not filled by SANTORIN.",
                    type=mission_type.name,
                ),
            )
            continue
        copies = integer(row["copies"])
        if copies is None or copies > mission_type.max_copies:
            plan.refuse(
                number,
                "copies",
                row["copies"],
                _l(
                    "the number of copies must be a whole number from 0 to %(max)s.",
                    max=mission_type.max_copies,
                ),
            )
            continue
        state = STATES.get(folded(row["etat"]))
        if state is None:
            plan.refuse(
                number,
                "etat",
                row["etat"],
                _l("unknown correction state (expected: A_CORRIGER, A_NUMERISER or SERVICE_FAIT)."),
            )
            continue
        session_label = row.get("session", "") or mission.session.name
        if len(session_label) > SESSION_LENGTH:
            plan.refuse(
                number,
                "session",
                session_label,
                _l("at most %(count)s characters.", count=SESSION_LENGTH),
            )
            continue
        wave_text = row.get("vague", "")
        wave = integer(wave_text) if wave_text else None
        if wave_text and not wave:
            plan.refuse(number, "vague", wave_text, _l("the wave must be a whole number from 1."))
            continue
        if assignment.id in seen:
            plan.refuse(
                number,
                "numero_mission",
                f"{mission.number} · {identifier}",
                _l(
                    "this mission and this corrector are already on line %(line)s.",
                    line=seen[assignment.id],
                ),
            )
            continue
        seen[assignment.id] = number
        lines.append(Line(number, assignment, copies, state, session_label, wave))
    return lines
