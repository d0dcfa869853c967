"""The 20-documents limit of a dossier under simultaneous uploads (issue 12, finding 8):
27 uploads at once leave at most 20 documents, and every other one is refused with the
French message. Run on PostgreSQL (the PostgreSQL pass of ``make test``)."""

import io
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.services import DomainError
from app.services.claims import documents, workflow
from app.services.claims.documents import MAX_PER_DOSSIER, Upload
from app.transaction import unit_of_work
from models import Agent, Assignment, ExpenseClaim, Mission, SupportingDocument
from models.enums import DocumentDossier, DocumentPiece
from tests.conftest import IS_POSTGRES

UPLOADS = 27
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
REFUSAL = "Vous ne pouvez pas déposer plus de 20 documents dans le dossier paie."

pytestmark = pytest.mark.skipif(
    not IS_POSTGRES,
    reason="SQLite serialises writers (one database-wide lock), so uploads cannot race "
    "there; the limit under concurrency is a PostgreSQL matter (row lock on the claim).",
)


def test_simultaneous_uploads_never_exceed_twenty_documents(app, demo, tmp_path):
    with app.app_context():
        agent_id, claim_id = db.session.execute(
            select(Agent.id, ExpenseClaim.id)
            .join(Assignment, Assignment.agent_id == Agent.id)
            .join(Mission, Assignment.mission_id == Mission.id)
            .join(ExpenseClaim, ExpenseClaim.assignment_id == Assignment.id)
            .where(Agent.numen == "35E0000001MPC", Mission.number == 52525)
        ).one()
        db.session.remove()
    barrier = threading.Barrier(UPLOADS)
    stored, refused, errors = [], [], []

    def upload(index):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                with unit_of_work(db.session):  # one request's transaction
                    claim = workflow.agent_claim(db.session, agent_id, claim_id)
                    document = documents.add_document(
                        db.session,
                        claim,
                        Upload(
                            DocumentDossier.PAY,
                            DocumentPiece.OTHER,
                            f"piece-{index}.pdf",
                            io.BytesIO(PDF),
                        ),
                        storage=tmp_path,
                        by_user_id=None,
                    )
                stored.append(document.id)
            except DomainError as error:
                refused.append(str(error.message))
            except Exception as error:  # reported below
                errors.append(repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=upload, args=(index,)) for index in range(UPLOADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(SupportingDocument)
            .where(SupportingDocument.claim_id == claim_id)
        )
    assert count == len(stored) == MAX_PER_DOSSIER
    assert refused == [REFUSAL] * (UPLOADS - MAX_PER_DOSSIER)
    # No file is left behind by a refused upload.
    assert len(list(tmp_path.iterdir())) == MAX_PER_DOSSIER
