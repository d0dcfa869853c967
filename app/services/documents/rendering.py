"""The job that renders the documents asked for (``store.request_render``): every
marked document of the académie, each only if its content changed since it was last
rendered. The job renders each document in a transaction of its own
(``app.jobs.kinds``): what is rendered is kept if the worker stops, and a document's
row is locked only while it is rendered."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.claims import recap
from app.services.documents import store
from app.services.missions import documents as convocations
from models import Assignment, ExpenseClaim, StoredDocument
from models.enums import DocumentKind


def source_of(session: Session, row: StoredDocument) -> store.Source | None:
    """What the stored document is rendered from; None when it has nothing to render
    (its claim or assignment is gone, the claim has no recap)."""
    if row.kind is DocumentKind.CLAIM_RECAP:
        claim = session.get(ExpenseClaim, row.owner_id)
        if claim is None or not recap.exists(claim):
            return None
        return recap.source(session, claim)
    assignment = session.get(Assignment, row.owner_id)
    return None if assignment is None else convocations.source(assignment)


def requested_ids(session: Session, academy_id: int) -> list[int]:
    """The académie's documents waiting to be rendered, oldest request first."""
    return list(
        session.scalars(
            select(StoredDocument.id)
            .where(
                StoredDocument.academy_id == academy_id,
                StoredDocument.requested_at.is_not(None),
            )
            .order_by(StoredDocument.requested_at, StoredDocument.id)
        )
    )


def render_one(session: Session, document_id: int) -> bool:
    """Render the document if it is still asked for and changed; whether a PDF was
    rendered. A document another worker is rendering now (its row is locked, on
    PostgreSQL) or has rendered meanwhile is left alone."""
    row = session.scalar(
        select(StoredDocument)
        .where(StoredDocument.id == document_id, StoredDocument.requested_at.is_not(None))
        .with_for_update(skip_locked=True)
    )
    if row is None:
        return False
    asked_at = row.requested_at
    source = source_of(session, row)
    rendered = source is not None and store.refresh(session, source)
    store.done(session, row, asked_at)
    return rendered
