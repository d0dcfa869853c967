"""Starting a job from a service (the recap PDF of a claim being validated, the
convocations of a mission): the job's record is written in the caller's unit of work
and put on the queue once that unit is committed.

The queue itself sits above the services (``app.jobs``): it says how to put a job on
it (``set_enqueue``) when the application starts, so that no service imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.jobs import records
from models import Job
from models.enums import JobState

log = logging.getLogger(__name__)

_enqueue: Callable[[Session, int], None] | None = None


def set_enqueue(enqueue: Callable[[Session, int], None]) -> None:
    """``enqueue(session, job_id)``: put the job on the queue once the session's
    transaction is committed (``app.jobs.queue.enqueue_after_commit``)."""
    global _enqueue
    _enqueue = enqueue


def start(
    session: Session,
    *,
    academy_id: int,
    kind: str,
    title: str,
    started_by_id: int | None = None,
    key: str | None = None,
) -> Job:
    """A new job of ``kind`` (``title``: the msgid of its label), queued after the
    commit of the caller's unit; with ``key`` already used, the job recorded under it
    (not put on the queue again)."""
    if key is not None:
        existing = records.by_key(session, key)
        if existing is not None:
            return existing
    job = records.create(
        session,
        academy_id=academy_id,
        kind=kind,
        title=title,
        started_by_id=started_by_id,
        idempotency_key=key,
    )
    if _enqueue is None:
        log.warning("No job queue: job %s stays queued", job.id)
    else:
        _enqueue(session, job.id)
    return job


def waiting(session: Session, academy_id: int, kind: str) -> Job | None:
    """A job of ``kind`` of the académie still waiting for a worker (one that will do
    what a new one would), if any."""
    return session.scalar(
        select(Job)
        .where(Job.academy_id == academy_id, Job.kind == kind, Job.state == JobState.QUEUED)
        .limit(1)
    )
