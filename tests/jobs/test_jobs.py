"""Real jobs through a real worker (Huey's consumer, in threads of the test process),
on the Redis of the test machine and on the embedded SQLite queue: the payment export
started from "Mise en paiement", followed on "Traitements en cours", its file; a
refusal, a transient error retried, a job put twice; who sees which job."""

from __future__ import annotations

import csv
import io
import os
import re
import time

import pytest
from huey import RedisHuey
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.jobs import kinds
from app.jobs.queue import EXTENSION, JobQueue
from app.jobs.queue import start as start_job
from app.services import DomainError
from app.services.jobs import records
from app.services.payments import export as payment_export
from app.transaction import unit_of_work
from models import Academy, ExpenseClaim, Job, PaymentBatch, User
from models.enums import ClaimStatus, JobState
from tests.conftest import IS_POSTGRES, WORKER, JobWorker, csrf_token, login
from tests.views.helpers import text

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
EXPORT_PAGE = "/mise-en-paiement/"


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.services)])
def backend(request, app, monkeypatch):
    """The application's queue: its SQLite file, or a Redis queue of its own (one key
    name per xdist worker)."""
    if request.param == "redis":
        huey = RedisHuey(f"imagin-test-{WORKER or 'main'}", url=REDIS_URL, results=False)
        huey.storage.conn.ping()  # an unreachable Redis fails the test: never skipped
        monkeypatch.setitem(app.extensions, EXTENSION, JobQueue(app, huey))
    return request.param


@pytest.fixture
def worker(app, backend):
    with JobWorker(app) as running:
        yield running


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def start_export(client) -> int:
    token = csrf_token(client.get(EXPORT_PAGE).text)
    response = client.post(f"{EXPORT_PAGE}exporter", data={"csrf_token": token})
    assert response.status_code == 302
    return int(re.fullmatch(r".*/traitements/(\d+)", response.headers["Location"]).group(1))


def accepted(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(
                (ExpenseClaim.fee_status == ClaimStatus.ACCEPTED)
                | (ExpenseClaim.travel_status == ClaimStatus.ACCEPTED)
            )
        )


def batches(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PaymentBatch))


def test_the_export_runs_as_a_job_and_its_file_is_downloaded(app, manager, worker):
    waiting = accepted(app)
    assert waiting == 2
    job = start_export(manager)
    row = worker.wait_for(job)
    assert row["state"] is JobState.DONE
    assert (row["progress"], row["total"], row["attempts"]) == (2, 2, 1)
    assert accepted(app) == 0

    page = manager.get(f"/traitements/{job}")
    shown = text(page.text)
    assert "Export des états de frais validés" in shown
    assert "Terminé" in shown
    assert "Lot n° 2 : 2 état(s) de frais transmis à la liquidation." in shown
    # The control total of each nature (77847: fee 24.66, travel 16.00; 71103: travel).
    assert (
        "Totaux de contrôle — Rémunération : 1 ligne(s), 24,66 € ;"
        " Déplacement : 2 ligne(s), 32,00 €." in re.sub(r"\s", " ", shown)
    )
    assert re.search(r'<progress id="job-progress" max="2" value="2">', page.text)
    assert 'aria-live="polite"' in page.text
    assert "2 sur 2 élément(s) (100 %)" in shown

    state = manager.get(f"/traitements/{job}/etat.json").get_json()
    assert state["state"] == "done" and state["finished"] and state["has_file"]
    assert state["percent"] == 100 and state["attempts"] == 1

    download = manager.get(f"/traitements/{job}/resultat")
    assert download.status_code == 200
    assert 'filename="imagin-paiement-000002.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.data.decode()), delimiter=";"))
    assert rows[0][:3] == ["numero_lot", "numero_dossier", "nature"]
    assert len(rows) > 2 and all(r[0] == "2" for r in rows[1:])

    listing = text(manager.get("/traitements/").text)
    assert "Export des états de frais validés" in listing and "Terminé" in listing


def test_a_refusal_fails_the_job_with_its_message_and_writes_nothing(
    app, manager, worker, monkeypatch
):
    real = payment_export._check_payable

    def refuse(session, row, parts, figures, payee):
        real(session, row, parts, figures, payee)
        raise DomainError("Dossier financier incomplet (test).")

    monkeypatch.setattr(payment_export, "_check_payable", refuse)
    before = batches(app)
    job = start_export(manager)
    row = worker.wait_for(job)
    assert row["state"] is JobState.FAILED
    assert row["message"] == "Dossier financier incomplet (test)."
    assert row["attempts"] == 1  # a refusal is not tried again
    assert batches(app) == before and accepted(app) == 2
    page = text(manager.get(f"/traitements/{job}").text)
    assert "Échoué" in page and "Dossier financier incomplet (test)." in page
    assert manager.get(f"/traitements/{job}/resultat").status_code == 404


def test_a_transient_error_is_tried_again_then_done(app, manager, worker, monkeypatch):
    real = payment_export.export_payments
    calls = []

    def flaky(session, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            real(session, *args, **kwargs)  # writes, then the database goes away
            raise OperationalError("SELECT 1", {}, ConnectionError("server closed"))
        return real(session, *args, **kwargs)

    monkeypatch.setattr(payment_export, "export_payments", flaky)
    job = start_export(manager)
    row = worker.wait_for(job)
    assert row["state"] is JobState.DONE
    assert row["attempts"] == 2 and len(calls) == 2
    assert batches(app) == 2  # the demo's batch and this one: the first try left nothing
    assert accepted(app) == 0
    # The same batch, with the same number: the first try's number was rolled back too.
    with app.app_context():
        rows = db.session.execute(
            select(PaymentBatch.number, func.count(ExpenseClaim.id))
            .join(ExpenseClaim, ExpenseClaim.payment_batch_id == PaymentBatch.id)
            .group_by(PaymentBatch.number)
            .order_by(PaymentBatch.number)
        ).all()
    assert [tuple(row) for row in rows] == [(1, 1), (2, 2)]


def test_the_export_reports_its_progress_chunk_by_chunk(app, manager, worker, monkeypatch):
    """One claim per chunk: the job page's bar moves after each chunk."""
    monkeypatch.setattr(payment_export, "CHUNK", 1)
    reported = []
    real = records.report

    def report(session, job_id, done, total=None):
        reported.append((done, total))
        return real(session, job_id, done, total)

    monkeypatch.setattr(records, "report", report)
    job = start_export(manager)
    row = worker.wait_for(job)
    assert row["state"] is JobState.DONE
    assert reported[:3] == [(0, 2), (1, 2), (2, 2)]
    download = manager.get(f"/traitements/{job}/resultat")
    rows = list(csv.reader(io.StringIO(download.data.decode()), delimiter=";"))
    assert sorted((r[2], r[10]) for r in rows[1:]) == [
        ("DEPLACEMENT", "16.00"),
        ("DEPLACEMENT", "16.00"),
        ("REMUNERATION", "24.66"),
    ]


def test_a_job_put_twice_runs_once(app, demo, backend):
    JobWorker(app).queue.huey.flush()
    with app.app_context():
        manager = db.session.scalar(select(User.id).where(User.username == "gestionnaire"))
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        with unit_of_work(db.session):
            job = start_job(db.session, rennes, kinds.PAYMENT_EXPORT, started_by_id=manager).id
        db.session.remove()
    # One worker thread: the queue is taken in order.
    with JobWorker(app, workers=1, flush=False) as worker:
        first = worker.wait_for(job)
        worker.queue.enqueue(job)  # a retry or a duplicate after success
        with app.app_context():
            with unit_of_work(db.session):
                # Nothing left to export: this one fails, after the duplicate ran.
                after = start_job(db.session, rennes, kinds.PAYMENT_EXPORT, started_by_id=manager)
            after = after.id
            db.session.remove()
        last = worker.wait_for(after)
        again = worker.wait_for(job)
    assert first["state"] is JobState.DONE and again["state"] is JobState.DONE
    assert again["attempts"] == first["attempts"] == 1
    assert again["finished_at"] == first["finished_at"]
    assert batches(app) == 2
    assert last["state"] is JobState.FAILED
    assert last["message"] == "Aucun état de frais validé par le gestionnaire n'est à exporter."


def test_the_page_follows_a_queued_job_and_works_without_script(app, manager, backend):
    JobWorker(app).queue.huey.flush()
    job = start_export(manager)  # no worker yet: the job waits
    page = manager.get(f"/traitements/{job}")
    shown = text(page.text)
    assert "En attente" in shown and "En attente d'un processus de traitement…" in shown
    assert re.search(rf'href="/traitements/{job}">Actualiser</a>', page.text)
    assert "imagin/jobs.js" in page.text
    assert manager.get(f"/traitements/{job}/etat.json").get_json()["finished"] is False
    assert manager.get(f"/traitements/{job}/resultat").status_code == 404
    with JobWorker(app, flush=False) as worker:
        assert worker.wait_for(job)["state"] is JobState.DONE
    assert manager.get(f"/traitements/{job}/etat.json").get_json()["state"] == "done"


def test_nothing_to_export_is_said_at_once_without_a_job(app, manager):
    with app.app_context():
        with unit_of_work(db.session):
            for claim in db.session.scalars(select(ExpenseClaim)):
                for part in ("fee_status", "travel_status"):
                    if getattr(claim, part) is ClaimStatus.ACCEPTED:
                        setattr(claim, part, ClaimStatus.VALIDATED)
        db.session.remove()
    token = csrf_token(manager.get(EXPORT_PAGE).text)
    response = manager.post(f"{EXPORT_PAGE}exporter", data={"csrf_token": token})
    assert response.headers["Location"].endswith(EXPORT_PAGE)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_screen_is_the_managers_only(app, client, demo):
    assert client.get("/traitements/").status_code == 302  # the anonymous: to the login
    for username in ("enseignant", "chef", "EXT35000123", "admin"):
        other = app.test_client()
        login(other, username)
        assert other.get("/traitements/").status_code == 403, username
    manager = app.test_client()
    login(manager, "gestionnaire")
    assert manager.get("/traitements/").status_code == 200
    assert "Traitements en cours" in text(manager.get("/").text)


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite's single writer: PostgreSQL takes reports at once")
def test_a_progress_report_does_not_wait_for_a_writing_job_on_sqlite(app, demo):
    """A job writing in chunks holds SQLite's write lock: a report between two chunks is
    skipped after a tenth of a second, not the driver's five, and the pooled connection
    gets its usual wait back."""
    from app.jobs.runner import SQLITE_WAIT_MS, Progress

    with app.app_context():
        academy_id = db.session.scalar(select(Academy.id))
        with unit_of_work(db.session):
            job = records.create(
                db.session, academy_id=academy_id, kind="x", title="x", started_by_id=None
            )
        job_id = job.id
        with db.engine.connect() as writer:
            writer.exec_driver_sql("BEGIN IMMEDIATE")  # the job's unit, writing
            started = time.monotonic()
            Progress(job_id).report(1, 2)
            waited = time.monotonic() - started
            writer.rollback()
        assert waited < 2.5
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_WAIT_MS
