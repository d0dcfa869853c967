"""What a worker does with a job: the job's units of work.

1. take the job (its own short transaction): a job already done, or taken by another
   worker for this attempt, is not run again (idempotence);
2. run its work inside ``unit_of_work(db.session)``: the work's writes, the job's
   result file and its "done" state are committed together, or nothing is;
3. on a refusal of the rules (``DomainError``) the job fails at once with its French
   message; on a transient error (database unreachable, mail server, network) it waits
   for Huey's next attempt, and fails when the attempts are spent; on any other error
   it fails with a French message (the details go to the log).

Progress (``Progress.report``) is committed in its own short transaction, through a
session of its own, so that the job page sees it while the work's transaction is
still open.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.extensions import db
from app.services import DomainError
from app.services.jobs import records
from app.transaction import unit_of_work
from models import Job

log = logging.getLogger(__name__)

# Errors worth another attempt later: the work was rolled back, nothing was kept.
TRANSIENT_ERRORS = (OperationalError, ConnectionError, TimeoutError, smtplib.SMTPException)
QUEUE_UNREACHABLE = _l("The job could not be put on the queue: try again later.")


@dataclass(frozen=True)
class Result:
    """What a finished job leaves: a summary (French) and maybe a file."""

    message: str | None = None
    count: int | None = None  # the items done (the progress bar's total)
    file_name: str | None = None
    data: bytes | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    title: object  # a lazy string: its msgid is stored, translated when shown
    work: Callable[[Session, Job, Progress], Result]

    @property
    def msgid(self) -> str:
        return self.title._args[0]


KINDS: dict[str, Kind] = {}


def job_kind(name: str, title):
    """Register a job's work function: ``work(session, job, progress) -> Result``."""

    def register(work):
        KINDS[name] = Kind(name, title, work)
        return work

    return register


# How long a progress report waits for SQLite's write lock, and the driver's default
# wait given back to the pooled connection afterwards.
PROGRESS_WAIT_MS = 100
SQLITE_WAIT_MS = 5000


class Progress:
    """The work's way to say how far it is: ``report(done, total)``."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id

    def report(self, done: int, total: int | None = None) -> None:
        """Committed at once in a transaction of its own (the work's is still open). A
        report the database cannot take now (SQLite allows one writer at a time) is
        skipped: progress is information, never a reason to fail. On SQLite it waits
        for the lock a tenth of a second, not the driver's five (a job writing in chunks
        reports between them)."""
        try:
            with db.engine.connect() as connection:
                quick = connection.dialect.name == "sqlite"
                if quick:
                    connection.exec_driver_sql(f"PRAGMA busy_timeout = {PROGRESS_WAIT_MS}")
                    connection.commit()
                try:
                    with Session(bind=connection) as session, unit_of_work(session):
                        records.report(session, self.job_id, done, total)
                finally:
                    if quick:
                        connection.rollback()
                        connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
                        connection.commit()
        except OperationalError:
            log.info("Progress of job %s not recorded now", self.job_id)


def _close(job_id: int, change) -> None:
    """Record the job's end in its own transaction (the work's one was rolled back)."""
    with unit_of_work(db.session):
        change(db.session, job_id)


def run(app: Flask, job_id: int, *, last_attempt: bool) -> None:
    """Run job ``job_id`` in an application context of ``app`` (a worker's thread)."""
    with app.app_context():
        try:
            _run(app, job_id, last_attempt=last_attempt)
        finally:
            db.session.remove()


class Heartbeat:
    """While a job runs, its worker says it is alive every sixth of
    ``JOB_LEASE_SECONDS``, from a thread of its own and in transactions of its own: a
    job whose worker falls silent (killed, host lost) is taken back by a sweeper
    (``app.jobs.recovery``) and run again by another worker."""

    def __init__(self, app: Flask, job_id: int, attempt: int) -> None:
        self.app, self.job_id, self.attempt = app, job_id, attempt
        self.every = max(0.2, app.config["JOB_LEASE_SECONDS"] / 6)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"job-{job_id}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def _beat(self) -> None:
        with self.app.app_context():
            while not self.stopped.wait(self.every):
                try:
                    with Session(db.engine) as session, unit_of_work(session):
                        records.beat(session, self.job_id, self.attempt)
                except OperationalError:  # SQLite busy: the work holds the lock (alive)
                    log.info("Heartbeat of job %s not recorded now", self.job_id)


def _run(app: Flask, job_id: int, *, last_attempt: bool) -> None:
    with unit_of_work(db.session):
        job = records.claim(db.session, job_id, lease_seconds=app.config["JOB_LEASE_SECONDS"])
    if job is None:
        log.info("Job %s: nothing to run (unknown, done, running elsewhere or taken)", job_id)
        return
    attempt = job.attempts
    kind = KINDS.get(job.kind)
    if kind is None:
        _close(job_id, lambda s, i: records.fail(s, i, str(records.UNEXPECTED)))
        return
    try:
        with Heartbeat(app, job_id, attempt), unit_of_work(db.session):
            job = db.session.get(Job, job_id)
            result = kind.work(db.session, job, Progress(job_id))
            records.finish(
                db.session,
                job,
                message=result.message,
                count=result.count,
                result_name=result.file_name,
                result_data=result.data,
                attempt=attempt,
            )
    except records.TakenBack:
        log.warning("Job %s: taken back from this worker; its work is rolled back", job_id)
    except DomainError as error:
        refusal = str(error.message)
        _close(job_id, lambda s, i: records.fail(s, i, refusal))
    except TRANSIENT_ERRORS:
        log.warning("Job %s: transient error", job_id, exc_info=True)
        if last_attempt:
            _close(job_id, lambda s, i: records.fail(s, i, str(records.TRANSIENT)))
        else:
            _close(job_id, lambda s, i: records.requeue(s, i, str(records.RETRYING)))
        raise  # Huey tries again after its delay (or gives up on the last attempt)
    except Exception:
        log.exception("Job %s stopped on an unexpected error", job_id)
        _close(job_id, lambda s, i: records.fail(s, i, str(records.UNEXPECTED)))


def unreachable_queue(app: Flask, job_id: int) -> None:
    """The job could not be put on the queue: it fails, saying so."""
    with app.app_context():
        try:
            _close(job_id, lambda s, i: records.fail(s, i, str(QUEUE_UNREACHABLE)))
        finally:
            db.session.remove()
