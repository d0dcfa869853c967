"""Competences: who is competent for which paper, the author trail, generation from
teachings (SYS), and who may see, add, confirm or invalidate what.

Rules
-----
* A competence keeps every word said on it (``CompetenceEndorsement``): SYS when
  generated, a UAI code for an establishment, the numen (or external identifier) for
  the agent, the manager's code; C confirms, I invalidates.
* The trail shows one word per author, its latest, newest first:
  ``0650012K (C) SYS (C)``.
* A competence is invalidated when the latest word of a person (the agent, an
  establishment or a manager, i.e. anyone but SYS) is I: it shows struck through and
  is not offered for convocation. SYS never overrides a person, so generating again
  never resurrects an invalidated competence.
* Scopes: an agent acts on their own competences; a head on the agents of the
  establishments they head (author: that establishment's UAI); a manager on the agents
  of their académie (author: their code).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.services import DomainError, NotFound
from app.services.common import scope
from app.services.people import directory as people
from models import (
    Agent,
    AgentEstablishment,
    Competence,
    CompetenceEndorsement,
    Establishment,
    Exam,
    ExamCategory,
    Manager,
    Paper,
    PaperTeachingRule,
    Specialty,
    Teaching,
)
from models.base import utcnow
from models.enums import EndorsementAuthor, EndorsementVerdict, EstablishmentLinkType

SYSTEM_CODE = "SYS"
PEOPLE = (EndorsementAuthor.AGENT, EndorsementAuthor.ESTABLISHMENT, EndorsementAuthor.MANAGER)


@dataclass(frozen=True)
class Actor:
    """Who speaks on a competence, and under which code."""

    kind: EndorsementAuthor
    code: str
    user_id: int | None = None


def school_year(today: dt.date | None = None) -> int:
    """The school year a date belongs to (named after its September)."""
    today = today or dt.date.today()
    return today.year if today.month >= 9 else today.year - 1


# --- Trail -------------------------------------------------------------------------------


def trail(competence: Competence) -> list[CompetenceEndorsement]:
    """One endorsement per author (its latest word), newest first."""
    latest: dict[str, CompetenceEndorsement] = {}
    for endorsement in sorted(competence.endorsements, key=lambda e: (e.created_at, e.id or 0)):
        latest[endorsement.author_code] = endorsement
    return sorted(latest.values(), key=lambda e: (e.created_at, e.id or 0), reverse=True)


def trail_text(competence: Competence) -> str:
    return " ".join(f"{e.author_code} ({e.verdict.value})" for e in trail(competence))


def is_invalidated(competence: Competence) -> bool:
    words = [e for e in competence.endorsements if e.author_kind in PEOPLE]
    if not words:
        return False
    latest = max(words, key=lambda e: (e.created_at, e.id or 0))
    return latest.verdict is EndorsementVerdict.INVALIDATED


def word_of(competence: Competence, code: str) -> EndorsementVerdict | None:
    """The latest verdict given under ``code`` on this competence, if any."""
    words = [e for e in competence.endorsements if e.author_code == code]
    if not words:
        return None
    return max(words, key=lambda e: (e.created_at, e.id or 0)).verdict


# --- Actors and scopes -------------------------------------------------------------------


def actor_for_agent(agent: Agent) -> Actor:
    return Actor(EndorsementAuthor.AGENT, agent.identifier, agent.user_id)


def actor_for_manager(manager: Manager) -> Actor:
    return Actor(EndorsementAuthor.MANAGER, manager.code, manager.user_id)


def headed_establishments(session: Session, head: Agent) -> list[Establishment]:
    return list(
        session.scalars(
            select(Establishment)
            .where(Establishment.id.in_(scope.headed_establishment_ids(head.id)))
            .order_by(Establishment.name)
        )
    )


def agents_of_head(session: Session, head: Agent) -> list[AgentEstablishment]:
    """The staff attachments of the establishments ``head`` heads (not the head's own)."""
    headed = [e.id for e in headed_establishments(session, head)]
    if not headed:
        return []
    return list(
        session.scalars(
            select(AgentEstablishment)
            .options(
                joinedload(AgentEstablishment.agent).joinedload(Agent.post_discipline),
                joinedload(AgentEstablishment.establishment),
                joinedload(AgentEstablishment.discipline),
            )
            .where(
                AgentEstablishment.establishment_id.in_(headed),
                AgentEstablishment.link_type != EstablishmentLinkType.HEAD,
                AgentEstablishment.agent_id != head.id,
            )
        ).unique()
    )


def agent_for_head(session: Session, head: Agent, agent_id: int) -> tuple[Agent, Actor]:
    """An agent of one of the head's establishments, and the head's voice for them
    (the UAI of that establishment). Anyone else: NotFound."""
    for link in agents_of_head(session, head):
        if link.agent_id == agent_id:
            actor = Actor(EndorsementAuthor.ESTABLISHMENT, link.establishment.uai, head.user_id)
            return link.agent, actor
    raise NotFound(_l("This contributor does not exist or is not in your establishments."))


def agent_for_manager(session: Session, manager: Manager, agent_id: int) -> Agent:
    return people.agent_in_academy(session, manager, agent_id)


# --- What an agent's pages show ------------------------------------------------------------


def competences_of(session: Session, agent: Agent) -> list[Competence]:
    return list(
        session.scalars(
            select(Competence)
            .options(
                joinedload(Competence.paper).joinedload(Paper.specialty).joinedload(Specialty.exam),
                selectinload(Competence.endorsements),
            )
            .where(Competence.agent_id == agent.id)
            .order_by(Competence.id)
        ).unique()
    )


def establishments_of(session: Session, agent: Agent) -> list[AgentEstablishment]:
    return list(
        session.scalars(
            select(AgentEstablishment)
            .options(
                joinedload(AgentEstablishment.establishment),
                joinedload(AgentEstablishment.discipline),
            )
            .where(AgentEstablishment.agent_id == agent.id)
        ).unique()
    )


def teachings_of(session: Session, agent: Agent, year: int | None = None) -> list[Teaching]:
    """The agent's active teachings of ``year`` (default: their most recent school year);
    those the last STS-WEB file no longer has are kept, not shown."""
    if year is None:
        years = session.scalars(
            select(Teaching.school_year).where(
                Teaching.agent_id == agent.id, Teaching.active.is_(True)
            )
        ).all()
        if not years:
            return []
        year = max(years)
    return list(
        session.scalars(
            select(Teaching)
            .options(
                joinedload(Teaching.establishment),
                joinedload(Teaching.mef),
                joinedload(Teaching.subject),
            )
            .where(
                Teaching.agent_id == agent.id,
                Teaching.school_year == year,
                Teaching.active.is_(True),
            )
        ).unique()
    )


# --- Exams, specialties and papers one may declare -------------------------------------------


def offered_exam_ids(session: Session, agent: Agent) -> set[int]:
    """Exams prepared in the categories of the agent's establishments (DNB for a
    collège; bacs, épreuves anticipées, BTS for lycées and LP…)."""
    categories = {link.establishment.category for link in establishments_of(session, agent)}
    if not categories:
        return set()
    return set(
        session.scalars(
            select(ExamCategory.exam_id).where(ExamCategory.category.in_(categories))
        ).all()
    )


def exams(session: Session, allowed: set[int] | None) -> list[Exam]:
    query = select(Exam).order_by(Exam.name)
    if allowed is not None:
        query = query.where(Exam.id.in_(allowed or {-1}))
    return list(session.scalars(query))


def specialties(session: Session, exam_id: int, allowed: set[int] | None) -> list[Specialty]:
    if allowed is not None and exam_id not in allowed:
        return []
    return list(
        session.scalars(
            select(Specialty).where(Specialty.exam_id == exam_id).order_by(Specialty.code)
        )
    )


def papers(session: Session, specialty_id: int, allowed: set[int] | None) -> list[Paper]:
    specialty = session.get(Specialty, specialty_id)
    if specialty is None or (allowed is not None and specialty.exam_id not in allowed):
        return []
    return list(
        session.scalars(
            select(Paper).where(Paper.specialty_id == specialty_id).order_by(Paper.code)
        )
    )


# --- Actions --------------------------------------------------------------------------------


def _say(competence: Competence, actor: Actor, verdict: EndorsementVerdict) -> None:
    competence.endorsements.append(
        CompetenceEndorsement(
            author_kind=actor.kind,
            author_code=actor.code,
            verdict=verdict,
            created_by_id=actor.user_id,
            created_at=utcnow(),
        )
    )


def add_competence(
    session: Session,
    agent: Agent,
    paper_id: int,
    actor: Actor,
    *,
    allowed: set[int] | None,
) -> Competence:
    """Declare ``agent`` competent for a paper (``actor`` confirms it). An existing
    competence gets the actor's confirmation instead of a duplicate."""
    paper = session.get(Paper, paper_id)
    if paper is None or (allowed is not None and paper.specialty.exam_id not in allowed):
        raise DomainError(_l("Choose an exam, a specialty and a paper option from the lists."))
    competence = session.scalar(
        select(Competence).where(Competence.agent_id == agent.id, Competence.paper_id == paper.id)
    )
    if competence is None:
        competence = Competence(agent_id=agent.id, paper_id=paper.id)
        session.add(competence)
    elif word_of(competence, actor.code) is EndorsementVerdict.CONFIRMED:
        raise DomainError(_l("This competence is already in the list, confirmed by you."))
    _say(competence, actor, EndorsementVerdict.CONFIRMED)
    session.flush()
    return competence


def endorse(
    session: Session,
    agent: Agent,
    competence_id: int,
    actor: Actor,
    verdict: EndorsementVerdict,
) -> Competence:
    """Confirm (+) or invalidate (×) one of ``agent``'s competences."""
    competence = session.get(Competence, competence_id)
    if competence is None or competence.agent_id != agent.id:
        raise NotFound(_l("This competence does not exist."))
    if word_of(competence, actor.code) is verdict:
        if verdict is EndorsementVerdict.CONFIRMED:
            raise DomainError(_l("You have already confirmed this competence."))
        raise DomainError(_l("You have already invalidated this competence."))
    _say(competence, actor, verdict)
    session.flush()
    return competence


# --- Generation (SYS) --------------------------------------------------------------------------


@dataclass
class GenerationResult:
    created: int = 0
    endorsed: int = 0


def generate(
    session: Session, *, year: int | None = None, agent_ids: list[int] | None = None
) -> GenerationResult:
    """Generate the competences of the agents' active teachings of ``year`` from the
    table de correspondance (idempotent).

    A rule qualifies a teaching when its subject matches and its MEF is empty or
    matches. A missing competence is created with SYS (C); an existing one without a
    SYS word gets SYS (C); nothing else changes, so what someone invalidated stays
    invalidated.
    """
    year = year if year is not None else school_year()
    pairs = select(Teaching.agent_id, PaperTeachingRule.paper_id).join(
        PaperTeachingRule,
        and_(
            PaperTeachingRule.subject_id == Teaching.subject_id,
            (PaperTeachingRule.mef_id.is_(None)) | (PaperTeachingRule.mef_id == Teaching.mef_id),
        ),
    )
    pairs = pairs.where(Teaching.school_year == year, Teaching.active.is_(True)).distinct()
    if agent_ids is not None:
        pairs = pairs.where(Teaching.agent_id.in_(agent_ids or [-1]))
    wanted = {(agent_id, paper_id) for agent_id, paper_id in session.execute(pairs)}
    if not wanted:
        return GenerationResult()
    existing = {
        (c.agent_id, c.paper_id): c
        for c in session.scalars(
            select(Competence)
            .options(selectinload(Competence.endorsements))
            .where(Competence.agent_id.in_({agent for agent, _ in wanted}))
        )
    }
    result = GenerationResult()
    system = Actor(EndorsementAuthor.SYSTEM, SYSTEM_CODE)
    for agent_id, paper_id in sorted(wanted):
        competence = existing.get((agent_id, paper_id))
        if competence is None:
            competence = Competence(agent_id=agent_id, paper_id=paper_id)
            session.add(competence)
            _say(competence, system, EndorsementVerdict.CONFIRMED)
            result.created += 1
        elif word_of(competence, SYSTEM_CODE) is None:
            _say(competence, system, EndorsementVerdict.CONFIRMED)
            result.endorsed += 1
    session.flush()
    return result


# --- For convocation -----------------------------------------------------------------------------


def _valid_competences(papers):
    """``SELECT`` of the competences of ``papers`` (a condition on ``Competence.paper_id``)
    that are valid: the latest word from a person (agent, establishment, manager) is not
    an invalidation, as ``is_invalidated`` reads it, computed by the database."""
    latest = (
        select(
            CompetenceEndorsement.competence_id,
            CompetenceEndorsement.verdict,
            func.row_number()
            .over(
                partition_by=CompetenceEndorsement.competence_id,
                order_by=(CompetenceEndorsement.created_at.desc(), CompetenceEndorsement.id.desc()),
            )
            .label("rank"),
        )
        # Only the trails of these papers' competences (by the index on
        # ``competence.paper_id``), not every endorsement of the académie.
        .join(Competence, Competence.id == CompetenceEndorsement.competence_id)
        .where(papers, CompetenceEndorsement.author_kind.in_(PEOPLE))
        .subquery()
    )
    invalidated = select(latest.c.competence_id).where(
        latest.c.rank == 1, latest.c.verdict == EndorsementVerdict.INVALIDATED
    )
    return papers, Competence.id.not_in(invalidated)


def competent_agents(paper_id: int):
    """``SELECT`` of the agents holding a valid competence for ``paper_id``."""
    return select(Competence.agent_id).where(*_valid_competences(Competence.paper_id == paper_id))


def competent_pairs(paper_ids: list[int]):
    """``SELECT`` of (agent id, paper id) of every valid competence for ``paper_ids``:
    the competent agents of a whole session's papers in one statement."""
    return select(Competence.agent_id, Competence.paper_id).where(
        *_valid_competences(Competence.paper_id.in_(paper_ids))
    )


def declared_pairs(paper_ids: list[int]):
    """``SELECT`` of (agent id, paper id) of the competences the agents declared
    themselves (an agent's confirmation in the trail: the Enquête DCS declares them
    too): their wishes, for the automatic assignment."""
    return (
        select(Competence.agent_id, Competence.paper_id)
        .join(CompetenceEndorsement, CompetenceEndorsement.competence_id == Competence.id)
        .where(
            Competence.paper_id.in_(paper_ids),
            CompetenceEndorsement.author_kind == EndorsementAuthor.AGENT,
            CompetenceEndorsement.verdict == EndorsementVerdict.CONFIRMED,
        )
        .distinct()
    )


def competent_agent_ids(session: Session, paper_id: int) -> set[int]:
    """Agents holding a valid (not invalidated) competence for ``paper_id``."""
    return set(session.scalars(competent_agents(paper_id)))
