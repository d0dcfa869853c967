"""Jobs and mails a killed worker left behind, taken back without anyone's help.

Huey does not give back the task of a worker killed in the middle (SIGKILL, a host
lost, the out-of-memory killer): its job would stay "En cours" for ever. Every worker
process (``flask imagin worker``) runs a ``Sweeper`` thread that, every third of
``JOB_LEASE_SECONDS``:

1. takes back each running job whose worker has been silent for ``JOB_LEASE_SECONDS``
   (``records.abandoned``: no heartbeat, ``app.jobs.runner.Heartbeat``), puts it back
   in the queue (compared and set: with workers on several hosts, one sweeper wins);
   its killed attempt's transaction was rolled back by the database, so the next
   attempt starts from what is committed (a payment export makes its batch once, a
   mail job sends only the mails still pending);
2. starts each académie's daily purge job (``app.services.jobs.purge``);
3. sends the single mails (receipts, send-backs, password mails) still pending whose
   task was lost with its worker (the outbox's lease keeps each mail to one sender).

``flask imagin send-mails`` does step 2 and puts the unfinished mail jobs back at once
(after an incident, without waiting for the lease).
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs.queue import job_queue
from app.services.jobs import purge, records
from app.transaction import unit_of_work
from models import Academy
from models.base import utcnow

log = logging.getLogger(__name__)


def take_back_abandoned(app: Flask) -> list[int]:
    """Put the abandoned jobs back in the queue; their ids."""
    lease = app.config["JOB_LEASE_SECONDS"]
    taken: list[int] = []
    with app.app_context():
        with Session(db.engine) as session, unit_of_work(session):
            candidates = records.abandoned(session, lease)
        for job_id, attempt in candidates:
            try:
                with Session(db.engine) as session, unit_of_work(session):
                    won = records.take_back(session, job_id, attempt)
            except OperationalError:
                # SQLite: a worker holds the write lock (a job's work, alive after all).
                log.info("Job %s: the database is busy, not taken back now", job_id)
                continue
            if won:
                log.warning("Job %s: its worker fell silent, the job is queued again", job_id)
                job_queue(app).enqueue(job_id)
                taken.append(job_id)
    return taken


def start_daily_purges(app: Flask) -> list[int]:
    """The day's purge job of each académie, started once a day whatever the number of
    workers (its idempotency key names the day; a second sweeper finds it). Returns
    the jobs started now."""
    from app.jobs import kinds
    from app.jobs.queue import start

    started: list[int] = []
    with app.app_context():
        with Session(db.engine) as session:
            academies = list(session.scalars(select(Academy.id)))
        today = utcnow().date()
        for academy_id in academies:
            key = purge.daily_key(academy_id, today)
            try:
                with Session(db.engine) as session, unit_of_work(session):
                    if records.by_key(session, key) is not None:
                        continue
                    job = start(session, academy_id, kinds.PURGE, started_by_id=None, key=key)
                    started.append(job.id)
            except IntegrityError:  # another worker's sweeper started it first
                continue
    return started


def sweep(app: Flask) -> list[int]:
    """One pass: abandoned jobs back in the queue, lost single mails sent, the day's
    purges started."""
    from app.jobs import mails

    taken = take_back_abandoned(app)
    start_daily_purges(app)
    with app.app_context():
        try:
            mails.deliver(single=True, lost_only=True)
        finally:
            db.session.remove()
    return taken


class Sweeper:
    """The sweeping thread of a worker process."""

    def __init__(self, app: Flask, every: float | None = None) -> None:
        self.app = app
        self.every = every or max(0.5, app.config["JOB_LEASE_SECONDS"] / 3)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True, name="job-sweeper")

    def start(self) -> Sweeper:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            try:
                sweep(self.app)
            except OperationalError:
                log.warning("Sweep skipped: the database did not answer", exc_info=True)
            except Exception:  # noqa: BLE001 - the sweeper must outlive any one pass
                log.exception("Sweep failed")
            if self.stopped.wait(self.every):
                return
