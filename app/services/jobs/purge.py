"""What the portal keeps of its own work, and for how long (``RETENTION_DAYS``).

Finished jobs (done or failed, with their result files) and the mails sent (or never
sent: no address) of an académie are deleted once older than the retention: the jobs
list and the outbox do not grow for ever. What is still to do is never purged: a job
queued or running, a mail pending. The business records stay (payment batches keep
their file, claims their history): only the portal's own traces go. Nothing here
commits: the purge job's unit of work does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.services.common import scope
from models import Job, OutgoingMail
from models.base import utcnow
from models.enums import JobState, MailState

FINISHED_JOBS = (JobState.DONE, JobState.FAILED)
FINISHED_MAILS = (MailState.SENT, MailState.NO_ADDRESS)


@dataclass(frozen=True)
class Purged:
    jobs: int
    mails: int


def cutoff(days: int, now: dt.datetime | None = None) -> dt.datetime:
    return (now or utcnow()) - dt.timedelta(days=days)


def purge(session: Session, academy_id: int, before: dt.datetime, *, keep_job: int) -> Purged:
    """Delete the académie's finished jobs and finished mails created before
    ``before`` (never the job ``keep_job``: the purge itself)."""
    old_jobs = select(Job.id).where(
        scope.academy_criterion(Job, academy_id),
        Job.state.in_(FINISHED_JOBS),
        Job.created_at < before,
        Job.id != keep_job,
    )
    mails = session.execute(
        delete(OutgoingMail)
        .where(
            OutgoingMail.academy_id == academy_id,
            OutgoingMail.state.in_(FINISHED_MAILS),
            OutgoingMail.created_at < before,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    # A mail still pending keeps its row, without the job that is going.
    session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.job_id.in_(old_jobs))
        .values(job_id=None)
        .execution_options(synchronize_session=False)
    )
    jobs = session.execute(
        delete(Job).where(Job.id.in_(old_jobs)).execution_options(synchronize_session=False)
    ).rowcount
    return Purged(jobs=jobs, mails=mails)


def daily_key(academy_id: int, today: dt.date) -> str:
    """One purge per académie and day, whatever the number of workers."""
    return f"purge:{academy_id}:{today.isoformat()}"
