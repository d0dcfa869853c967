"""Who certain activities concern, from the agent's file (issue 16, seed 001 §2.8 and
§2.10): each condition is one query, asked by ``app.services.portal.audience``.

* « Gestion des épreuves EPS »: a teacher whose taught subject is physical education
  (EPS) in a class of the general and technological baccalauréat (BGT), the vocational
  baccalauréat (BCP) or the CAP.
* « Gestion des sujets » / « Statistiques nationales de notation »: an inspector
  (« inspecteur général »), or an agent whose post discipline code is IMSUJ (subjects)
  or IMSTA (statistics).
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from models import Agent, Discipline, Mef, Subject, Teaching
from models.enums import AgentKind

# « EDUCATION PHYSIQUE ET SPORTIVE » in the national nomenclature (BCN) and in the demo.
EPS_SUBJECT_CODES = ("100100", "110100")
# The first digits of a MEF code (its training scheme) per level: lycée général et
# technologique (2nde, 1re, terminale), baccalauréat professionnel, CAP.
EPS_LEVEL_MEF_PREFIXES = {
    "BGT": ("200", "201", "202", "21"),
    "BCP": ("24", "27"),
    "CAP": ("50",),
}
SUBJECTS_DISCIPLINE = "IMSUJ"
STATISTICS_DISCIPLINE = "IMSTA"


def teaches_eps(session: Session, agent: Agent) -> bool:
    prefixes = [prefix for group in EPS_LEVEL_MEF_PREFIXES.values() for prefix in group]
    return bool(
        session.scalar(
            select(
                exists()
                .where(
                    Teaching.agent_id == agent.id,
                    Teaching.active.is_(True),
                    Teaching.subject_id == Subject.id,
                    Teaching.mef_id == Mef.id,
                    Subject.code.in_(EPS_SUBJECT_CODES),
                    or_(*(Mef.code.startswith(prefix) for prefix in prefixes)),
                )
                .correlate(None)
            )
        )
    )


def _inspector_or(session: Session, agent: Agent, discipline_code: str) -> bool:
    if agent.kind is AgentKind.INSPECTOR:
        return True
    if agent.post_discipline_id is None:
        return False
    return _discipline_code(session, agent.post_discipline_id) == discipline_code


def _discipline_code(session: Session, discipline_id: int) -> str | None:
    """The code of a post discipline, read once per session (the two conditions of one
    page ask it: the menu's audiences are computed together)."""
    known = session.info.setdefault("imagin_discipline_codes", {})
    if discipline_id not in known:
        known[discipline_id] = session.scalar(
            select(Discipline.code).where(Discipline.id == discipline_id)
        )
    return known[discipline_id]


def manages_subjects(session: Session, agent: Agent) -> bool:
    return _inspector_or(session, agent, SUBJECTS_DISCIPLINE)


def reads_national_statistics(session: Session, agent: Agent) -> bool:
    return _inspector_or(session, agent, STATISTICS_DISCIPLINE)
