"""The application's job queue: one Huey per application, built from the settings.

``JOB_QUEUE_URL=redis://…`` gives a ``RedisHuey`` (production: the web hosts put jobs,
workers on any host take them); unset, a ``SqliteHuey`` in the instance folder
(``instance/jobs.db``), the embedded default. The same task runs every job
(``app.jobs.runner.run``); Huey retries it, after ``JOB_RETRY_DELAY`` seconds, up to
``JOB_RETRIES`` times, on a transient error.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey

log = logging.getLogger(__name__)

EXTENSION = "imagin_jobs"
TASK_NAME = "imagin.run_job"


class JobQueue:
    """The application's Huey and the one task that runs a job by its id."""

    def __init__(self, app: Flask, huey: Huey) -> None:
        from app.jobs import runner

        self.app = app
        self.huey = huey

        def run_job(job_id: int, task=None) -> None:
            runner.run(app, job_id, last_attempt=task is None or not task.retries)

        self.task = huey.task(
            retries=app.config["JOB_RETRIES"],
            retry_delay=app.config["JOB_RETRY_DELAY"],
            context=True,
            name=TASK_NAME,
        )(run_job)

    def enqueue(self, job_id: int) -> None:
        self.task(job_id)


def build_huey(config, instance_path: str) -> Huey:
    """The Huey of these settings (``JOB_QUEUE_URL``, ``JOB_QUEUE_NAME``)."""
    url = config.get("JOB_QUEUE_URL") or ""
    name = config.get("JOB_QUEUE_NAME") or "imagin"
    if url:
        return RedisHuey(name, url=url, results=False)
    path = config.get("JOB_QUEUE_FILE") or str(Path(instance_path) / "jobs.db")
    return SqliteHuey(name, filename=path, results=False)


def init_app(app: Flask) -> None:
    from app.services.jobs import dispatch

    app.extensions[EXTENSION] = JobQueue(app, build_huey(app.config, app.instance_path))
    dispatch.set_enqueue(enqueue_after_commit)


def job_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions[EXTENSION]


def enqueue_after_commit(session, job_id: int) -> None:
    """Put the job on the queue once the transaction that created it is committed (a
    worker must find its row); if the queue cannot be reached, the job is marked
    failed with a French message instead of staying queued for ever."""
    from app.services.common import outcome

    queue = job_queue()

    def put() -> None:
        try:
            queue.enqueue(job_id)
        except Exception:  # Redis down, SQLite file unwritable: the page stays up
            log.exception("The job %s could not be put on the queue", job_id)
            from app.jobs import runner

            runner.unreachable_queue(queue.app, job_id)

    outcome.on_commit(session, put)


def start(session, academy_id: int, kind: str, *, started_by_id: int | None, key=None):
    """Record a new job of ``kind`` for the académie and put it on the queue once the
    caller's unit of work is committed."""
    from app.jobs.runner import KINDS
    from app.services.jobs import records

    job = records.create(
        session,
        academy_id=academy_id,
        kind=kind,
        title=KINDS[kind].msgid,
        started_by_id=started_by_id,
        idempotency_key=key,
    )
    enqueue_after_commit(session, job.id)
    return job
