"""Every file the portal sends (supporting documents, PDFs, the payment CSV) is
served with ``Cache-Control: no-store``: no browser or proxy keeps a copy of an
agent's bank details, claim or convocation (issue 12, finding 10)."""

import io

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.claims import documents
from app.services.claims.documents import Upload
from models import Agent, Assignment, ExpenseClaim, Mission, PaymentBatch
from models.enums import DocumentDossier, DocumentPiece
from tests.conftest import login
from tests.views.test_claims import accept

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _claim(last_name, number):
    return db.session.scalar(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .join(Assignment.agent)
        .where(Agent.last_name == last_name, Mission.number == number)
    )


@pytest.fixture
def urls(app, demo):
    """One URL of each kind of file, and who downloads it."""
    with app.app_context():
        claim = _claim("LECLERC", 52525)
        document = documents.add_document(
            db.session,
            claim,
            Upload(DocumentDossier.PAY, DocumentPiece.RIB, "rib.pdf", io.BytesIO(PDF)),
            storage=app.config["UPLOAD_FOLDER"],
            by_user_id=None,
        )
        db.session.commit()  # the request's commit
        validated = _claim("LECLERC", 77742)
        assert validated.number is not None
        assignment = validated.assignment
        batch = db.session.scalar(select(PaymentBatch.id))
        result = {
            "agent-document": (
                "enseignant",
                f"/etats-de-frais/{claim.id}/documents/{document.id}",
            ),
            "recap-pdf": ("enseignant", f"/etats-de-frais/{validated.id}/recapitulatif.pdf"),
            "agent-convocation": ("enseignant", f"/missions/{assignment.id}/convocation.pdf"),
            "manager-recap-pdf": (
                "gestionnaire",
                f"/traitement-etats-de-frais/{validated.id}/recapitulatif.pdf",
            ),
            "manager-document": (
                "gestionnaire",
                f"/traitement-etats-de-frais/{claim.id}/documents/{document.id}",
            ),
            "manager-convocation": (
                "gestionnaire",
                f"/missions-affectations/{assignment.mission_id}/convocation/{assignment.id}.pdf",
            ),
            "payment-csv": ("gestionnaire", f"/mise-en-paiement/lots/{batch}.csv"),
        }
        db.session.remove()
    return result


@pytest.mark.parametrize(
    "kind",
    [
        "agent-document",
        "recap-pdf",
        "agent-convocation",
        "manager-recap-pdf",
        "manager-document",
        "manager-convocation",
        "payment-csv",
    ],
)
def test_every_file_is_sent_with_no_store(app, urls, kind):
    username, url = urls[kind]
    client = app.test_client()
    login(client, username)
    if username == "enseignant":
        accept(client)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Expires" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("kind", ["agent-document", "manager-document"])
def test_a_document_whose_file_is_gone_is_not_found_not_an_error(app, urls, kind):
    """The stored file of a document lost on disk (a restore, a purge): 404 for
    both the agent and the manager, never a 500."""
    import pathlib

    username, url = urls[kind]
    for stored in pathlib.Path(app.config["UPLOAD_FOLDER"]).glob("*"):
        stored.unlink()
    client = app.test_client()
    login(client, username)
    if username == "enseignant":
        accept(client)
    assert client.get(url).status_code == 404
