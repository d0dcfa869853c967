"""The convocation PDF of an assignment (the "duplicata" the agent downloads, the
attachment of the convocation mail): rendered when the convocation is made, again only
when what it shows changes, and served from storage
(``app.services.documents.store``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.services.documents import store
from models import Assignment
from models.enums import DocumentKind

TEMPLATE = "imagin/pdf/convocation.html"


def context(assignment: Assignment) -> dict:
    mission = assignment.mission
    return {
        "assignment": assignment,
        "mission": mission,
        "agent": assignment.agent,
        "settings": mission.academy.settings,
    }


def source(assignment: Assignment) -> store.Source:
    return store.Source(
        kind=DocumentKind.CONVOCATION,
        owner_id=assignment.id,
        academy_id=assignment.mission.academy_id,
        template=TEMPLATE,
        context=lambda: context(assignment),
    )


def convocation_pdf(session: Session, assignment: Assignment) -> bytes:
    """The convocation of ``assignment`` as PDF bytes: the stored one, or rendered now
    (once) and stored."""
    return store.pdf_of(session, source(assignment))


def file_name(assignment: Assignment) -> str:
    return f"convocation-{assignment.mission.number}.pdf"
