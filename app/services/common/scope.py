"""What belongs to an académie: the one rule that scopes every manager query.

A manager sees and changes only their académie's records. Each model is either
*national* (shared by every académie: exams, papers, subjects…) or belongs to an
académie, directly (an ``academy_id`` column) or through a relationship path (a claim
through its assignment, whose mission has the académie). ``academy_criterion`` turns
that into a SQL condition; the managers' CRUD screens apply it to every query they run
(``views.base.EagerInterface``), and the services' manager-side loaders use it too.

A model that is in neither table is an error at the first query: a new model cannot be
forgotten.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select
from sqlalchemy.orm import Session

from app.services import NotFound
from models import (
    Academy,
    AcademySettings,
    Agent,
    AgentEstablishment,
    ApiClient,
    Application,
    ApplicationAccess,
    Assignment,
    AssignmentConflict,
    ClaimStatusHistory,
    Competence,
    CompetenceEndorsement,
    CorrectionState,
    DcsAnswer,
    DcsChoice,
    Discipline,
    Establishment,
    Exam,
    ExamSession,
    ExpenseClaim,
    FeeEntry,
    ImportRun,
    Job,
    Manager,
    Mef,
    Mission,
    MissionNeed,
    MissionSlot,
    MissionType,
    Paper,
    PaperTeachingRule,
    PaymentBatch,
    RateLine,
    RateTable,
    Specialty,
    Subject,
    SupportingDocument,
    Teaching,
    TravelLeg,
    Unavailability,
)
from models.assignment import AssignmentGap, AssignmentProposal, AssignmentRun
from models.enums import EstablishmentLinkType

# Models holding their académie in an ``academy_id`` column.
DIRECT = frozenset(
    {
        ApiClient,
        Agent,
        AcademySettings,
        AssignmentConflict,
        Establishment,
        ImportRun,
        Job,
        Manager,
        Mission,
        AssignmentRun,
        PaymentBatch,
        RateTable,
    }
)
# Models belonging to the académie of a parent, through this relationship.
THROUGH = {
    AgentEstablishment: "agent",
    Teaching: "agent",
    Competence: "agent",
    CompetenceEndorsement: "competence",
    MissionSlot: "mission",
    MissionNeed: "mission",
    Assignment: "mission",
    ExpenseClaim: "assignment",
    CorrectionState: "assignment",
    DcsAnswer: "agent",
    DcsChoice: "answer",
    ApplicationAccess: "agent",
    FeeEntry: "claim",
    TravelLeg: "claim",
    SupportingDocument: "claim",
    ClaimStatusHistory: "claim",
    RateLine: "table",
    Unavailability: "agent",
    AssignmentProposal: "run",
    AssignmentGap: "run",
}
# Shared by every académie: the national referential.
NATIONAL = frozenset(
    {
        Exam,
        Specialty,
        Paper,
        ExamSession,
        Subject,
        Mef,
        Discipline,
        PaperTeachingRule,
        MissionType,
        Application,
    }
)


class UnscopedModel(LookupError):
    """A model that says neither how it belongs to an académie nor that it is national."""


def is_national(model) -> bool:
    if model in NATIONAL:
        return True
    if model is Academy or model in DIRECT or model in THROUGH:
        return False
    raise UnscopedModel(f"{model.__name__} is neither national nor scoped to an académie")


def academy_criterion(model, academy_id: int | None):
    """The SQL condition "this row belongs to académie ``academy_id``", or None for a
    national model. Without an académie (``None``) nothing belongs: a condition that is
    always false."""
    if is_national(model):
        return None
    if academy_id is None:
        return false()
    if model is Academy:
        return Academy.id == academy_id
    if model in DIRECT:
        return model.academy_id == academy_id
    relationship = getattr(model, THROUGH[model])
    parent = relationship.property.mapper.class_
    return relationship.has(academy_criterion(parent, academy_id))


def in_academy(session: Session, model, academy_id: int | None, record_id: int):
    """The record ``record_id`` of ``model`` if it belongs to the académie, else
    NotFound (an unknown id and another académie's get the same answer)."""
    statement = select(model).where(model.id == record_id)
    criterion = academy_criterion(model, academy_id)
    if criterion is not None:
        statement = statement.where(criterion)
    record = session.scalar(statement)
    if record is None:
        raise NotFound(_l("This record does not exist or is not in your academy."))
    return record


# --- Heads of establishment -------------------------------------------------------------


def headed_establishment_ids(head_id: int):
    """The establishments the agent ``head_id`` heads, as a subquery: the one rule that
    scopes every head query (their staff, the missions their establishments hold as
    exam centre)."""
    return select(AgentEstablishment.establishment_id).where(
        AgentEstablishment.agent_id == head_id,
        AgentEstablishment.link_type == EstablishmentLinkType.HEAD,
    )
