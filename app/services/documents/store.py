"""Documents rendered once and stored: the recap PDF of an expense claim, the
convocation PDF of an assignment.

A document is rendered in two steps (``app.pdf``): its HTML (cheap), then the PDF
(xhtml2pdf, slow). The stored PDF keeps the fingerprint of the HTML it came from, so:

- a download renders the HTML, and serves the stored PDF when the fingerprint is the
  same: the PDF is not rendered again, and what is served is always what the document
  says now (whatever changed it: the claim, the barème, the agent's address…);
- when it differs, or nothing is stored yet, the PDF is rendered there, once, stored,
  and served (the user who clicks gets the PDF, never "try later");
- the services that change a document (validation, a manager's processing, a
  convocation…) ask for it to be rendered ahead (``request_render``): the row is
  marked, and a job of the académie renders every marked document
  (``app.services.documents.rendering``), so that the download finds it ready.

Stored in the database (``stored_document``), not on a disk: every web host and every
worker reads the same rows, with no shared file system to set up, and a document is
written in the same transaction as the change it follows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, undefer

from app import pdf
from app.services.jobs import dispatch
from models import Agent, Assignment, ExpenseClaim, Mission, StoredDocument
from models.base import utcnow
from models.enums import DocumentKind

log = logging.getLogger(__name__)

# Part of every fingerprint: raise it when the renderer changes what the same HTML
# gives (xhtml2pdf, the fonts or images of the static folder), so that every stored
# PDF is rendered again at its next download.
RENDER_VERSION = "1"
JOB_KIND = "documents"
JOB_TITLE = _l("Preparation of the PDF documents")


@dataclass(frozen=True)
class Source:
    """What a document is made of: its template and the context to render it with
    (a function: it is called in the documents' language)."""

    kind: DocumentKind
    owner_id: int
    academy_id: int
    template: str
    context: Callable[[], dict]


def html_of(source: Source) -> str:
    with pdf.document_locale():
        return pdf.render_html(source.template, **source.context())


def fingerprint(html: str) -> str:
    return hashlib.sha256(f"{RENDER_VERSION}\n{html}".encode()).hexdigest()


def stored(session: Session, kind: DocumentKind, owner_id: int, *, with_content=False):
    statement = select(StoredDocument).where(
        StoredDocument.kind == kind, StoredDocument.owner_id == owner_id
    )
    if with_content:
        statement = statement.options(undefer(StoredDocument.content))
    return session.scalar(statement)


def pdf_of(session: Session, source: Source) -> bytes:
    """The document's PDF as it is now: the stored one when the document has not
    changed since it was rendered, else rendered now, stored and returned."""
    html = html_of(source)
    digest = fingerprint(html)
    row = stored(session, source.kind, source.owner_id, with_content=True)
    if row is not None and row.fingerprint == digest and row.content is not None:
        return row.content
    content = pdf.html_to_pdf(html, source.template)
    _keep(session, source, row, digest, content)
    return content


def refresh(session: Session, source: Source) -> bool:
    """Render and store the document if it changed (a job's work); whether it was
    rendered."""
    html = html_of(source)
    digest = fingerprint(html)
    row = stored(session, source.kind, source.owner_id)
    if row is not None and row.fingerprint == digest:
        return False
    _keep(session, source, row, digest, pdf.html_to_pdf(html, source.template))
    return True


def _keep(session: Session, source: Source, row, digest: str, content: bytes) -> None:
    """Store the rendered PDF. Another request or worker storing the same document at
    the same moment is no error: the PDF is served all the same, one of the two
    identical renders is kept."""
    try:
        with session.begin_nested():
            if row is None:
                row = StoredDocument(
                    kind=source.kind, owner_id=source.owner_id, academy_id=source.academy_id
                )
                session.add(row)
            row.fingerprint = digest
            row.content = content
            row.size_bytes = len(content)
            row.rendered_at = utcnow()
    except IntegrityError:
        log.info("%s %s stored by another process meanwhile", source.kind.name, source.owner_id)


def request_render(
    session: Session,
    kind: DocumentKind,
    owner_id: int,
    academy_id: int,
    *,
    by_user_id: int | None = None,
) -> None:
    """The document is new or changed: a job of the académie renders it once the
    caller's unit is committed (one job for every document asked meanwhile; its
    "started by" is the user whose change asked first)."""
    now = utcnow()
    try:
        with session.begin_nested():
            row = stored(session, kind, owner_id)
            if row is None:
                row = StoredDocument(kind=kind, owner_id=owner_id, academy_id=academy_id)
                session.add(row)
            row.requested_at = now
    except IntegrityError:  # asked at the same moment by another request: it is marked
        pass
    if dispatch.waiting(session, academy_id, JOB_KIND) is None:
        dispatch.start(
            session,
            academy_id=academy_id,
            kind=JOB_KIND,
            title=JOB_TITLE._args[0],
            started_by_id=by_user_id,
        )


def done(session: Session, row: StoredDocument, asked_at) -> None:
    """The request seen at ``asked_at`` is served; a newer one (the document changed
    again while it was rendered) stays for the next job."""
    session.execute(
        update(StoredDocument)
        .where(StoredDocument.id == row.id, StoredDocument.requested_at == asked_at)
        .values(requested_at=None)
        .execution_options(synchronize_session=False)
    )


def recap_changed(session: Session, claim: ExpenseClaim, *, by_user_id: int | None = None) -> None:
    """What the claim's recap shows may have changed: render it again (once it has a
    dossier number: the recap exists from the first validation on)."""
    if claim.number is None:
        return
    academy_id = claim.assignment.mission.academy_id
    request_render(session, DocumentKind.CLAIM_RECAP, claim.id, academy_id, by_user_id=by_user_id)


def shown_address(agent: Agent) -> tuple:
    """The agent's address as the recaps print it."""
    return (agent.address_line1, agent.address_line2, agent.postcode, agent.town)


def agent_changed(session: Session, agent: Agent) -> None:
    """What the agent's recaps show of them changed (their address): each recap of
    theirs that exists is rendered again."""
    claims = session.scalars(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent.id, ExpenseClaim.number.is_not(None))
        .order_by(Mission.academy_id, ExpenseClaim.id)
    )
    for claim in claims:
        recap_changed(session, claim)


def convocation_changed(
    session: Session, assignment: Assignment, *, by_user_id: int | None = None
) -> None:
    """The assignment's convocation is made, or what it shows changed."""
    if assignment.id is None:
        session.flush()
    academy_id = assignment.mission.academy_id
    request_render(
        session, DocumentKind.CONVOCATION, assignment.id, academy_id, by_user_id=by_user_id
    )
