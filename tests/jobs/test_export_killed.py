"""A worker killed (SIGKILL) in the middle of the payment export, then the job run
again: the same batch is made, with the same number, no claim lost nor doubled (the
export is one unit of work: the killed one left nothing). On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.jobs import kinds, runner
from app.services.jobs import records
from app.transaction import unit_of_work
from models import Academy, ClaimStatusHistory, ExpenseClaim, Job, PaymentBatch, User
from models.enums import ClaimStatus, JobState

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


def test_a_killed_export_is_finished_by_the_next_run(app, demo):
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
        for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING", "JOB_QUEUE_FILE")
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
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)

    with app.app_context():
        session = db.session
        # Killed mid-export: nothing of it was kept.
        assert _counts(session) == before
        assert session.get(Job, job).state is JobState.RUNNING
        session.remove()

    runner.run(app, job, last_attempt=True)  # the retry, by another worker

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
