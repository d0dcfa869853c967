"""Who certain activities concern, from the agent's file (issue 16, seed 001 §2.8 and
§2.10): each condition is one query or none, asked by ``app.services.portal.audience``.

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


def eps_teaching(agent: Agent):
    """SQL: ``agent`` teaches physical education in a class of those levels (a boolean
    ``EXISTS``, asked with the other audiences in one statement)."""
    prefixes = [prefix for group in EPS_LEVEL_MEF_PREFIXES.values() for prefix in group]
    return (
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


def teaches_eps(session: Session, agent: Agent) -> bool:
    return bool(session.scalar(select(eps_teaching(agent))))


def _inspector_or(session: Session, agent: Agent, discipline_code: str) -> bool:
    """An inspector, or an agent of that post discipline (by its key: read with the
    agent's file, ``users.agent_of``, so found without a query)."""
    if agent.kind is AgentKind.INSPECTOR:
        return True
    if agent.post_discipline_id is None:
        return False
    discipline = session.get(Discipline, agent.post_discipline_id)
    return discipline is not None and discipline.code == discipline_code


def manages_subjects(session: Session, agent: Agent) -> bool:
    return _inspector_or(session, agent, SUBJECTS_DISCIPLINE)


def reads_national_statistics(session: Session, agent: Agent) -> bool:
    return _inspector_or(session, agent, STATISTICS_DISCIPLINE)
