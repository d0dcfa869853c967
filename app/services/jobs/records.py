"""The rules of a background job's record (``models.Job``).

A job is *queued* when a user starts it, *running* once a worker took it, then *done*
(with its summary and, maybe, its result file) or *failed* (with the reason, in
French). A done job is never run again: a retry, or the same job put twice on the
queue, finds it done and stops (idempotence). A manager sees only the jobs of their
académie (``app.services.common.scope``). The runner (``app.jobs``) decides the
transactions; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, undefer

from app.services import NotFound
from app.services.common import scope
from models import Job
from models.base import utcnow
from models.enums import JobState


class TakenBack(Exception):
    """The job was taken back from this worker (it had been silent too long): what it
    did is rolled back, the attempt that holds the job now does it."""


FINISHED = frozenset({JobState.DONE, JobState.FAILED})
NOT_FOUND = _l("This job does not exist or is not in your academy.")
# The message of a job stopped by an error that is not a refusal of the rules.
UNEXPECTED = _l("The job stopped on an unexpected error; the administrator can read the log.")
RETRYING = _l("A database or mail server did not answer: the job will be tried again.")
TAKEN_BACK = _l("The worker running this job stopped: another worker takes it again.")
TRANSIENT = _l(
    "The job could not finish after several attempts (database or mail server unavailable)."
)


def create(
    session: Session,
    *,
    academy_id: int,
    kind: str,
    title: str,
    started_by_id: int | None,
    idempotency_key: str | None = None,
) -> Job:
    """A new queued job (flushed: it has its id). With an ``idempotency_key`` already
    used, the existing job is returned instead of a second one."""
    if idempotency_key is not None:
        existing = session.scalar(select(Job).where(Job.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    job = Job(
        academy_id=academy_id,
        kind=kind,
        title=title,
        started_by_id=started_by_id,
        idempotency_key=idempotency_key,
        state=JobState.QUEUED,
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    return job


def by_key(session: Session, key: str) -> Job | None:
    """The job recorded under this idempotency key, if any."""
    return session.scalar(select(Job).where(Job.idempotency_key == key))


def claim(session: Session, job_id: int, *, lease_seconds: int) -> Job | None:
    """Take the job for a run: running, one more attempt, alive now. None when there is
    nothing to run: the job is unknown or already done (a retry or a duplicate after
    success), it is running on a worker that is alive (its heartbeat is younger than
    ``lease_seconds``: a second delivery of the job leaves it alone), or another worker
    took this attempt first (the attempt count is compared and set in one ``UPDATE``)."""
    job = session.get(Job, job_id)
    if job is None or job.state is JobState.DONE:
        return None
    now = utcnow()
    if job.state is JobState.RUNNING and not _silent(job, now, lease_seconds):
        return None
    taken = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == job.attempts, Job.state != JobState.DONE)
        .values(
            state=JobState.RUNNING,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            finished_at=None,
            message=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expire(job)
    return job if taken == 1 else None


def _silent(job: Job, now, lease_seconds: int) -> bool:
    last = job.heartbeat_at or job.started_at
    return last is None or last < now - dt.timedelta(seconds=lease_seconds)


def beat(session: Session, job_id: int, attempt: int) -> None:
    """The worker running ``attempt`` of the job is alive."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == attempt, Job.state == JobState.RUNNING)
        .values(heartbeat_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def abandoned(session: Session, lease_seconds: int) -> list[tuple[int, int]]:
    """(id, attempt) of the running jobs whose worker has said nothing for
    ``lease_seconds``: killed, or its host lost."""
    limit = utcnow() - dt.timedelta(seconds=lease_seconds)
    return [
        (row.id, row.attempts)
        for row in session.execute(
            select(Job.id, Job.attempts).where(
                Job.state == JobState.RUNNING,
                or_(
                    Job.heartbeat_at < limit,
                    Job.heartbeat_at.is_(None) & (Job.started_at < limit),
                ),
            )
        )
    ]


def take_back(session: Session, job_id: int, attempt: int) -> bool:
    """An abandoned job waits for another worker (True), unless its worker spoke or it
    ended meanwhile (compared and set in one ``UPDATE``: one sweeper wins)."""
    return (
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.attempts == attempt, Job.state == JobState.RUNNING)
            .values(state=JobState.QUEUED, message=str(TAKEN_BACK))
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def report(session: Session, job_id: int, done: int, total: int | None) -> None:
    """Record the job's progress: ``done`` of ``total`` items (total unknown: None)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(progress=max(0, done), total=total)
        .execution_options(synchronize_session=False)
    )


def finish(
    session: Session,
    job: Job,
    *,
    message: str | None = None,
    count: int | None = None,
    result_name: str | None = None,
    result_data: bytes | None = None,
    attempt: int | None = None,
) -> None:
    """The job is done, with its summary and its result file (in the work's unit: the
    job is done exactly when what it wrote is committed). With ``attempt``: only if
    that attempt still holds the job, else ``TakenBack`` (its work must be rolled
    back: another worker runs the job again)."""
    if attempt is not None:
        held = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.attempts == attempt, Job.state == JobState.RUNNING)
            .values(state=JobState.DONE)
            .execution_options(synchronize_session=False)
        ).rowcount
        if held != 1:
            raise TakenBack(job.id)
    job.state = JobState.DONE
    job.finished_at = utcnow()
    job.message = message
    if count is not None:
        job.total = job.progress = count
    elif job.total is not None:
        job.progress = job.total
    if result_data is not None:
        job.result_name = result_name
        job.result_data = result_data
    session.flush()


def fail(session: Session, job_id: int, message: str) -> None:
    """The job failed with this French message (nothing of its work was kept)."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state != JobState.DONE)
        .values(state=JobState.FAILED, finished_at=utcnow(), message=message)
        .execution_options(synchronize_session=False)
    )


def requeue(session: Session, job_id: int, message: str) -> None:
    """A transient error: the job waits for its next attempt, saying why."""
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state != JobState.DONE)
        .values(state=JobState.QUEUED, message=message)
        .execution_options(synchronize_session=False)
    )


def unfinished(session: Session, kinds: list[str]) -> list[int]:
    """The jobs of these kinds still queued or running (after an incident, some may
    have lost their worker), oldest first."""
    return list(
        session.scalars(
            select(Job.id)
            .where(Job.kind.in_(kinds), Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
            .order_by(Job.id)
        )
    )


def academy_jobs(academy_id: int):
    """The statement of the académie's jobs (for the list component)."""
    return select(Job).where(scope.academy_criterion(Job, academy_id))


def academy_job(session: Session, academy_id: int, job_id: int, *, with_file: bool = False) -> Job:
    """The job if it belongs to the académie, else ``NotFound`` (same answer for an
    unknown id and another académie's job)."""
    statement = select(Job).where(Job.id == job_id, scope.academy_criterion(Job, academy_id))
    if with_file:
        statement = statement.options(undefer(Job.result_data))
    job = session.scalar(statement)
    if job is None:
        raise NotFound(NOT_FOUND)
    return job


@dataclass(frozen=True)
class ResultFile:
    """A finished job's file, as the download serves it."""

    name: str
    data: bytes
    mimetype: str


def result_file(session: Session, academy_id: int, job_id: int) -> ResultFile:
    """The result file of the académie's job: only a finished job that left one;
    ``NotFound`` otherwise (unknown, another académie's, running, failed, no file)."""
    job = academy_job(session, academy_id, job_id, with_file=True)
    if job.state is not JobState.DONE or job.result_data is None or not job.result_name:
        raise NotFound(NOT_FOUND)
    mimetype = "text/csv" if job.result_name.endswith(".csv") else "application/octet-stream"
    return ResultFile(job.result_name, job.result_data, mimetype)


def percent_of(job: Job) -> int | None:
    """The progress in percent, None while the total is not known."""
    if job.state is JobState.DONE:
        return 100
    if not job.total:
        return None
    return min(100, round(100 * job.progress / job.total))


def progress_text(job: Job) -> str:
    """The progress bar's text, read by screen readers."""
    percent = percent_of(job)
    if job.total:
        return str(
            _l(
                "%(done)s of %(total)s item(s) (%(percent)s %%)",
                done=job.total if job.state is JobState.DONE else job.progress,
                total=job.total,
                percent=percent,
            )
        )
    if job.state is JobState.QUEUED:
        return str(_l("Waiting for a worker…"))
    if job.state is JobState.RUNNING:
        return str(_l("In progress…"))
    return str(_l("Finished."))


def status(job: Job) -> dict:
    """What the job page shows, as the JSON its script polls."""
    return {
        "progress_text": progress_text(job),
        "id": job.id,
        "state": job.state.name.lower(),
        "state_label": str(job.state.label),
        "progress": job.progress,
        "attempts": job.attempts,
        "total": job.total,
        "percent": percent_of(job),
        "message": job.message or "",
        "finished": job.state in FINISHED,
        "has_file": bool(job.result_name),
    }
