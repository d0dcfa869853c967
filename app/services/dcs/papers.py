"""The papers of the Enquête DCS and the competences they declare.

Rules
-----
* The papers offered are those of the DCG and DSCG exams of the referential; a paper
  with a length per candidate is an oral (step 6), the others are written (step 5);
  step 3 (teaching units) offers them all.
* A paper chosen at step 5 or 6 is a competence the teacher declares: the survey says
  C under the teacher's identifier, unless the teacher's latest word on it is already
  C (then the survey writes nothing). Choosing again changes nothing (idempotent).
* Unchoosing a paper removes only the word the survey wrote (and the competence if no
  other word is left): never a SYS word, an establishment's, a manager's, nor one the
  teacher gave elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.services.competences import rules as competences
from models import Agent, Competence, DcsAnswer, DcsChoice, Exam, Paper, Specialty
from models.enums import DcsPart, EndorsementVerdict

EXAM_CODES = ("DCG", "DSCG")
DECLARING = (DcsPart.WRITTEN, DcsPart.ORAL)


def offered(session: Session, part: DcsPart) -> list[Paper]:
    """The papers a step offers, by exam then code (UE2 before UE10)."""
    query = (
        select(Paper)
        .join(Specialty, Paper.specialty_id == Specialty.id)
        .join(Exam, Specialty.exam_id == Exam.id)
        .options(joinedload(Paper.specialty).joinedload(Specialty.exam))
        .where(Exam.code.in_(EXAM_CODES))
    )
    if part is DcsPart.WRITTEN:
        query = query.where(Paper.minutes_per_candidate.is_(None))
    elif part is DcsPart.ORAL:
        query = query.where(Paper.minutes_per_candidate.is_not(None))
    return sorted(session.scalars(query).unique(), key=_natural)


def _natural(paper: Paper) -> tuple:
    """By exam, then code with its number read as a number (UE2 before UE10)."""
    digits = "".join(ch for ch in paper.code if ch.isdigit())
    return (paper.specialty.exam.code, int(digits) if digits else 0, paper.code)


def chosen_ids(answer: DcsAnswer, part: DcsPart) -> set[int]:
    return {choice.paper_id for choice in answer.choices if choice.part is part}


def choose(session: Session, answer: DcsAnswer, part: DcsPart, paper_ids: Iterable[int]) -> None:
    """The papers of ``part`` become ``paper_ids`` (already checked as offered)."""
    wanted = set(paper_ids)
    for choice in [c for c in answer.choices if c.part is part and c.paper_id not in wanted]:
        _withdraw(session, choice)
        answer.choices.remove(choice)
    have = chosen_ids(answer, part)
    for paper_id in sorted(wanted - have):
        answer.choices.append(DcsChoice(part=part, paper_id=paper_id))
    session.flush()
    declare(session, answer)


def declare(session: Session, answer: DcsAnswer) -> None:
    """Every paper chosen at step 5 or 6 is a competence the teacher confirmed."""
    agent: Agent = answer.agent
    actor = competences.actor_for_agent(agent)
    for choice in answer.choices:
        if choice.part not in DECLARING or choice.endorsement_id is not None:
            continue
        competence = session.scalar(
            select(Competence).where(
                Competence.agent_id == agent.id, Competence.paper_id == choice.paper_id
            )
        )
        if competence is not None and (
            competences.word_of(competence, actor.code) is EndorsementVerdict.CONFIRMED
        ):
            continue
        competence = competences.add_competence(
            session, agent, choice.paper_id, actor, allowed=None
        )
        choice.endorsement = competence.endorsements[-1]
    session.flush()


def _withdraw(session: Session, choice: DcsChoice) -> None:
    endorsement = choice.endorsement
    if endorsement is None:
        return
    competence = endorsement.competence
    choice.endorsement = None
    competence.endorsements.remove(endorsement)
    session.flush()
    if not competence.endorsements:
        session.delete(competence)
        session.flush()
