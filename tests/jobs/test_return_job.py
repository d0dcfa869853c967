"""A large return file of the finance office is imported by a job, through a real
worker on both queue backends: recorded whole, or refused whole with its wrong lines
in the job's message."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.common import clock
from app.services.payments import returns
from models import ExpenseClaim, Job
from models.enums import JobState
from tests.conftest import csrf_token
from tests.jobs import test_jobs as jobs_tests
from tests.views.helpers import text
from tests.views.test_claims import claim_id

backend = pytest.fixture(
    jobs_tests.backend.__wrapped__,
    name="backend",
    params=["sqlite", pytest.param("redis", marks=pytest.mark.services)],
)
worker = pytest.fixture(jobs_tests.worker.__wrapped__, name="worker")
manager = pytest.fixture(jobs_tests.manager.__wrapped__, name="manager")
PAGE = "/mise-en-paiement/"
HEADER = "numero_dossier;nature;resultat;date_paiement;motif_rejet\r\n"


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(returns, "JOB_LINES", 1)


def upload(client, content: bytes) -> int:
    token = csrf_token(client.get(PAGE).text)
    response = client.post(
        f"{PAGE}retour",
        data={"csrf_token": token, "return_file": (io.BytesIO(content), "retour.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return int(re.fullmatch(r".*/traitements/(\d+)", response.headers["Location"]).group(1))


def dossier(app, number) -> str:
    with app.app_context():
        return db.session.get(ExpenseClaim, claim_id(app, "LECLERC", number)).number


def test_a_large_return_file_is_imported_by_a_job(app, manager, worker, small_threshold):
    paid = dossier(app, 77742)  # the demo's batch 1: fee and travel
    day = clock.today() - dt.timedelta(days=4)
    content = (
        HEADER
        + f"{paid};REMUNERATION;PAYE;{day:%d/%m/%Y};\r\n"
        + f"{paid};DEPLACEMENT;REJETE;;Compte clos\r\n"
    ).encode()
    job = upload(manager, content)
    row = worker.wait_for(job)
    assert row["state"] is JobState.DONE
    page = text(manager.get(f"/traitements/{job}").text)
    assert "Import d'un fichier retour du service liquidateur" in page
    assert "Fichier retour enregistré : 1 partie(s) payée(s), 1 rejetée(s)" in page
    with app.app_context():
        claim = db.session.get(ExpenseClaim, claim_id(app, "LECLERC", 77742))
        assert claim.fee_paid_on == day and claim.travel_payment_rejection == "Compte clos"
        # The job keeps the file it worked on.
        kept = db.session.scalar(select(Job.input_data).where(Job.id == job))
        assert kept == content


def test_a_large_refused_file_fails_its_job_with_the_lines(app, manager, worker, small_threshold):
    paid = dossier(app, 77742)
    content = (
        HEADER
        + "2099-000001;REMUNERATION;PAYE;01/01/2026;\r\n"
        + f"{paid};FRAIS;PAYE;01/01/2026;\r\n"
    ).encode()
    job = upload(manager, content)
    row = worker.wait_for(job)
    assert row["state"] is JobState.FAILED
    assert row["message"].splitlines() == [
        "Le fichier retour est refusé, rien n'a été enregistré : 2 ligne(s) en erreur.",
        "Ligne 2 : « 2099-000001 » : dossier inconnu.",
        "Ligne 3 : « FRAIS » : nature inconnue (REMUNERATION ou DEPLACEMENT attendu).",
    ]
    assert row["attempts"] == 1
    with app.app_context():
        claim = db.session.get(ExpenseClaim, claim_id(app, "LECLERC", 77742))
        assert claim.fee_paid_on is None
