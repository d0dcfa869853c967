"""A worker killed (SIGKILL) in the middle of the payment export: while it was alive
(blocked, its transaction open) no sweeper took its job; once its heartbeat stopped, a
sweeper took the job back and a real worker ran it again, with nobody's help: the same
batch is made, with the same number, no claim lost nor doubled (the export is one unit
of work: the killed one left nothing). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import kinds, recovery, runner
from app.services.jobs import records
from app.transaction import unit_of_work
from models import Academy, ClaimStatusHistory, ExpenseClaim, Job, PaymentBatch, User
from models.enums import ClaimStatus, JobState
from tests.conftest import JobWorker

ROOT = Path(__file__).resolve().parents[2]

# The worker: the application's export job, one claim per chunk, stopping after the
# first chunk until it is killed.
WORKER = """
import json, sys, threading
sys.path.insert(0, sys.argv[1])
from app import create_app
from app.jobs import runner
from app.services.payments import export
app = create_app(json.loads(sys.argv[2]))
export.CHUNK = 1
real = runner.Progress.report
def report(self, done, total=None):
    real(self, done, total)
    if done >= 1:
        print("chunk", done, flush=True)
        threading.Event().wait()  # killed here, its transaction open
runner.Progress.report = report
runner.run(app, int(sys.argv[3]), last_attempt=False)
"""


def _counts(session) -> tuple:
    sent = ClaimStatus.SENT_FOR_PAYMENT
    return (
        session.scalar(select(func.count()).select_from(PaymentBatch)),
        session.scalar(
            select(func.count()).where(
                (ExpenseClaim.fee_status == ClaimStatus.ACCEPTED)
                | (ExpenseClaim.travel_status == ClaimStatus.ACCEPTED)
            )
        ),
        session.scalar(select(func.count()).where(ClaimStatusHistory.to_status == sent)),
    )


def test_a_killed_export_is_taken_back_and_finished_by_another_worker(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_LEASE_SECONDS", 3)
    with app.app_context():
        session = db.session
        rennes = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        manager = session.scalar(select(User.id).where(User.username == "gestionnaire"))
        with unit_of_work(session):
            job = records.create(
                session,
                academy_id=rennes,
                kind=kinds.PAYMENT_EXPORT,
                title=runner.KINDS[kinds.PAYMENT_EXPORT].msgid,
                started_by_id=manager,
            ).id
        before = _counts(session)
        session.remove()
    assert before[:2] == (1, 2)  # the demo's batch; 77847 and 71103 accepted

    config = {
        key: app.config[key]
        for key in (
            "SQLALCHEMY_DATABASE_URI",
            "SECRET_KEY",
            "TESTING",
            "JOB_QUEUE_FILE",
            "JOB_LEASE_SECONDS",
        )
    } | {"SERVER_NAME": None, "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"]}
    worker = subprocess.Popen(  # noqa: S603 (this test's own script)
        [sys.executable, "-c", WORKER, str(ROOT), json.dumps(config), str(job)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"FLASK_DEBUG": "1"},
    )
    try:
        line = worker.stdout.readline()
        assert line.startswith("chunk 1"), worker.stderr.read()
        # Alive (blocked, its transaction open) for longer than the lease: not taken back.
        time.sleep(4)
        assert recovery.take_back_abandoned(app) == []
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    with app.app_context():
        session = db.session
        # Killed mid-export: nothing of it was kept.
        assert _counts(session) == before
        assert session.get(Job, job).state is JobState.RUNNING
        session.remove()

    # Killed: its heartbeat stops; a worker's sweeper takes the job back after the
    # lease, a worker runs it again.
    with JobWorker(app, flush=False) as worker_pool:
        sweeper = recovery.Sweeper(app, every=0.2).start()
        try:
            finished = worker_pool.wait_for(job, timeout=120)
        finally:
            sweeper.stop()
    assert finished["state"] is JobState.DONE, finished["message"]

    with app.app_context():
        session = db.session
        done = session.get(Job, job)
        assert (done.state, done.attempts) == (JobState.DONE, 2)
        batches, accepted, sent = _counts(session)
        # One more batch, numbered 2 (the killed run's number was rolled back with it);
        # each exported part sent once: 77847's fee and travel, 71103's travel.
        assert (batches, accepted, sent) == (2, 0, before[2] + 3)
        rows = session.execute(
            select(PaymentBatch.number, PaymentBatch.claim_count).order_by(PaymentBatch.number)
        ).all()
        assert [tuple(row) for row in rows] == [(1, 1), (2, 2)]
        session.remove()
