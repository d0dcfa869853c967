"""Supporting documents (pièces justificatives) of an expense claim: which ones are
required, and the rules of the files the agent or a manager deposits.

Rules of the user guides: formats jpeg / jpg / png / pdf / gif, checked on the content
(``filetype`` reads the magic bytes: a renamed program or web page is refused); 5 MB at
most; a name of at most 50 letters, digits, "_" and "-" (accents and spaces are
normalised for the agent, the stored name is generated); 20 documents at most per
dossier (pay, travel); deletable until the claim is validated, unless a manager
deposited it. Files live in ``UPLOAD_FOLDER``, outside the static folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.services import ALLOWED as MAY
from app.services import Decision, DomainError, NotFound, refused
from app.services.common import clock, outcome
from models import ExpenseClaim, SupportingDocument
from models.enums import ClaimStatus, DocumentDossier, DocumentPiece, TransportMode

MAX_BYTES = 5 * 1024 * 1024
MAX_NAME_LENGTH = 50
MAX_PER_DOSSIER = 20
# Extension of the name -> MIME types its content may have.
ALLOWED = {
    "jpeg": {"image/jpeg"},
    "jpg": {"image/jpeg"},
    "png": {"image/png"},
    "gif": {"image/gif"},
    "pdf": {"application/pdf"},
}
ACCEPT_ATTRIBUTE = ".jpeg,.jpg,.png,.pdf,.gif"
# Once a part is here, the agent's claim is frozen (documents too).
FROZEN = frozenset({ClaimStatus.VALIDATED, ClaimStatus.ACCEPTED, ClaimStatus.SENT_FOR_PAYMENT})
TICKET_MODES = frozenset(
    {TransportMode.TRAIN, TransportMode.PUBLIC_TRANSPORT, TransportMode.TRAVEL_VOUCHER}
)
PAY_PIECES = (DocumentPiece.RIB, DocumentPiece.HEALTH_CARD)
TRAVEL_PIECES = (
    DocumentPiece.HOTEL_INVOICE,
    DocumentPiece.TRANSPORT_TICKET,
    DocumentPiece.MISC_RECEIPT,
)


def pieces_of(dossier: DocumentDossier) -> tuple[DocumentPiece, ...]:
    """The pieces an upload to ``dossier`` may be declared as."""
    base = PAY_PIECES if dossier is DocumentDossier.PAY else TRAVEL_PIECES
    return (*base, DocumentPiece.OTHER)


def _pays_something(claim: ExpenseClaim) -> bool:
    """Whether the claim leads to a payment the agent enters (fee or travel)."""
    from app.services.claims.lifecycle import fee_needs_entry

    fee = claim.fee_status is not ClaimStatus.NO_FEE and (
        fee_needs_entry(claim) or claim.fee_status is ClaimStatus.TO_BE_PROCESSED
    )
    travel = claim.travel_status not in (ClaimStatus.NO_FEE, ClaimStatus.NOT_VALIDATABLE)
    return (fee or travel) and not _cancelled(claim)


def _cancelled(claim: ExpenseClaim) -> bool:
    from app.services.claims.lifecycle import cancelled

    return cancelled(claim)


def required_for(claim: ExpenseClaim) -> dict[DocumentDossier, list[DocumentPiece]]:
    """The supporting documents the claim needs, per dossier, as the user guides say:
    bank details when the financial file is not active, the health insurance card when
    the INSEE number is missing, hotel invoices for refunded nights, tickets for train,
    public transport or travel vouchers, receipts for "frais divers"."""
    agent = claim.assignment.agent
    pay: list[DocumentPiece] = []
    if _pays_something(claim):
        if not agent.financial_file_active:
            pay.append(DocumentPiece.RIB)
        if not agent.insee_number:
            pay.append(DocumentPiece.HEALTH_CARD)
    travel: list[DocumentPiece] = []
    if claim.travel_status not in (ClaimStatus.NO_FEE, ClaimStatus.NOT_VALIDATABLE):
        legs = claim.travel_legs
        if any(leg.nights_refund for leg in legs):
            travel.append(DocumentPiece.HOTEL_INVOICE)
        if any(leg.transport_mode in TICKET_MODES for leg in legs):
            travel.append(DocumentPiece.TRANSPORT_TICKET)
        if any(leg.misc_amount for leg in legs):
            travel.append(DocumentPiece.MISC_RECEIPT)
    return {DocumentDossier.PAY: pay, DocumentDossier.TRAVEL: travel}


def missing_for(claim: ExpenseClaim) -> list[tuple[DocumentDossier, DocumentPiece]]:
    """Required pieces with no document declared as such in their dossier."""
    present = {(doc.dossier, doc.piece) for doc in claim.documents}
    return [
        (dossier, piece)
        for dossier, pieces in required_for(claim).items()
        for piece in pieces
        if (dossier, piece) not in present
    ]


def dematerialised(claim: ExpenseClaim) -> bool:
    """Whether the académie takes documents on line ("Sélectionner et envoyer mes
    documents"); otherwise they go by post and validation does not wait for them."""
    settings = claim.assignment.mission.academy.settings
    return settings is None or settings.dematerialised_documents


def frozen(claim: ExpenseClaim) -> bool:
    return claim.fee_status in FROZEN or claim.travel_status in FROZEN


def can_add(claim: ExpenseClaim, *, by_manager: bool = False) -> Decision:
    """Whether a document may be added to the claim: never to a cancelled claim; by
    the agent, only before validation and where the académie takes them on line."""
    if not by_manager and frozen(claim):
        return refused(
            _l("The expense claim is validated: its documents can no longer be changed.")
        )
    if _cancelled(claim):
        return refused(_l("This expense claim is cancelled."))
    if not by_manager and not dematerialised(claim):
        return refused(_l("Your academy does not take documents on line: send them by post."))
    return MAY


def can_delete(claim: ExpenseClaim, document: SupportingDocument) -> Decision:
    """The agent deletes one of their documents until validation; never a manager's."""
    if document.by_manager:
        return refused(_l("This document was deposited by the manager: you cannot delete it."))
    if frozen(claim):
        return refused(
            _l("The expense claim is validated: its documents can no longer be changed.")
        )
    return MAY


def documents_of(claim: ExpenseClaim, dossier: DocumentDossier) -> list[SupportingDocument]:
    return sorted(
        (d for d in claim.documents if d.dossier is dossier), key=lambda d: (d.uploaded_at, d.id)
    )


def count_locked(session: Session, claim: ExpenseClaim, dossier: DocumentDossier) -> int:
    """How many documents the dossier holds, counted in the database after locking the
    claim's row (``SELECT … FOR UPDATE``, until the transaction ends): simultaneous
    uploads to one claim take turns between this count and their insert, so the limit
    of 20 holds under concurrency (PostgreSQL; SQLite serialises writers anyway)."""
    if claim.id is None:
        return len(documents_of(claim, dossier))
    session.execute(select(ExpenseClaim.id).where(ExpenseClaim.id == claim.id).with_for_update())
    return session.scalar(
        select(func.count())
        .select_from(SupportingDocument)
        .where(SupportingDocument.claim_id == claim.id, SupportingDocument.dossier == dossier)
    )


def normalise_name(filename: str) -> tuple[str, str]:
    """(stem, extension) of an uploaded file's name: accents dropped, spaces and other
    separators turned into "_", the extension in lower case."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    ascii_stem = (
        unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii").strip()
    )
    ascii_stem = re.sub(r"[\s.]+", "_", ascii_stem)
    return ascii_stem, extension.lower()


@dataclass
class Upload:
    dossier: DocumentDossier
    piece: DocumentPiece
    filename: str
    stream: BinaryIO


def check_name(filename: str) -> tuple[str, str]:
    stem, extension = normalise_name(filename)
    if extension not in ALLOWED:
        raise DomainError(
            _l(
                "The file « %(name)s » is refused: formats .jpeg, .jpg, .png, .pdf, .gif only.",
                name=filename,
            )
        )
    if not stem:
        raise DomainError(_l("The file has no name."))
    if len(stem) > MAX_NAME_LENGTH:
        raise DomainError(
            _l(
                "The name of the file « %(name)s » is too long: %(max)s characters at most.",
                name=filename,
                max=MAX_NAME_LENGTH,
            )
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]+", stem):
        raise DomainError(
            _l(
                "The name of the file « %(name)s » may hold only letters, digits, « _ » and « - ».",
                name=filename,
            )
        )
    return stem, extension


def add_document(
    session: Session,
    claim: ExpenseClaim,
    upload: Upload,
    *,
    storage: str | Path,
    by_user_id: int | None,
    by_manager: bool = False,
) -> SupportingDocument:
    """Check and store one file; the claim must still be open to the agent."""
    can_add(claim, by_manager=by_manager).require()
    if upload.piece not in pieces_of(upload.dossier):
        raise DomainError(_l("Choose which document this file is."))
    if count_locked(session, claim, upload.dossier) >= MAX_PER_DOSSIER:
        raise DomainError(
            _l(
                "You cannot deposit more than %(max)s documents in the %(dossier)s.",
                max=MAX_PER_DOSSIER,
                dossier=upload.dossier.label,
            )
        )
    stem, extension = check_name(upload.filename)
    content = upload.stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise DomainError(
            _l(
                "The file « %(name)s » is too big: 5 MB at most per document.",
                name=upload.filename,
            )
        )
    if not content:
        raise DomainError(_l("The file « %(name)s » is empty.", name=upload.filename))
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ALLOWED[extension]:
        raise DomainError(
            _l(
                "The content of the file « %(name)s » is not a %(format)s document: it is refused.",
                name=upload.filename,
                format=extension.upper(),
            )
        )
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    directory = Path(storage)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / stored_name
    target.write_bytes(content)
    document = SupportingDocument(
        dossier=upload.dossier,
        piece=upload.piece,
        display_name=f"{stem}.{extension}",
        stored_name=stored_name,
        content_type=kind.mime,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_at=clock.now(),
        uploaded_by_id=by_user_id,
        by_manager=by_manager,
    )
    claim.documents.append(document)
    # The file goes with the record: removed if the unit of work is rolled back.
    outcome.on_rollback(session, lambda: target.unlink(missing_ok=True))
    session.flush()
    return document


def get_document(claim: ExpenseClaim, document_id: int) -> SupportingDocument:
    for document in claim.documents:
        if document.id == document_id:
            return document
    raise NotFound(_l("This document does not exist."))


def delete_document(
    session: Session, claim: ExpenseClaim, document_id: int, *, storage: str | Path
) -> None:
    """The agent deletes one of their documents, until validation; never one a
    manager deposited."""
    document = get_document(claim, document_id)
    can_delete(claim, document).require()
    path = path_of(document, storage)
    claim.documents.remove(document)
    session.flush()
    outcome.on_commit(session, lambda: path.unlink(missing_ok=True))


def path_of(document: SupportingDocument, storage: str | Path) -> Path:
    # The stored name is generated (hex + extension): it cannot leave the folder.
    return Path(storage) / document.stored_name


def stored_file(document: SupportingDocument, storage: str | Path) -> Path:
    """The file of ``document`` on disk; NotFound when it is gone (a restore, a purge)."""
    path = path_of(document, storage)
    if not path.is_file():
        raise NotFound(_l("This document is no longer available."))
    return path
