"""The job that renders the documents asked for (``store.request_render``): every
marked document of the académie, each only if its content changed since it was last
rendered."""

from __future__ import annotations

from collections.abc import Callable

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


def render_requested(
    session: Session, academy_id: int, report: Callable[[int, int], None]
) -> tuple[int, int]:
    """Render the académie's documents waiting for it; ``report(done, total)`` after
    each. Returns (documents looked at, PDFs rendered)."""
    rows = store.requested(session, academy_id)
    report(0, len(rows))
    rendered = 0
    for done, row in enumerate(rows, start=1):
        asked_at = row.requested_at
        source = source_of(session, row)
        if source is not None and store.refresh(session, source):
            rendered += 1
        store.done(session, row, asked_at)
        report(done, len(rows))
    return len(rows), rendered
