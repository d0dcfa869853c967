"""A killed worker's leftovers are taken back with nobody's help (app.jobs.recovery):
a running job whose worker is silent, never one whose worker is alive; the finish of
an attempt that lost its job is rolled back; single mails whose task was lost are sent
by the sweep, fresh ones are left to their task."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from app.jobs import recovery
from app.jobs.queue import job_queue
from app.services.jobs import records
from app.services.mails import outbox
from app.transaction import unit_of_work
from models import Academy, Job, OutgoingMail
from models.base import utcnow
from models.enums import JobState, MailState


def _new_job(session) -> int:
    academy = session.scalar(select(Academy.id).limit(1))
    with unit_of_work(session):
        return records.create(
            session, academy_id=academy, kind="payment_export", title="t", started_by_id=None
        ).id


def _age(session, job_id: int, seconds: int) -> None:
    with unit_of_work(session):
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(heartbeat_at=utcnow() - dt.timedelta(seconds=seconds))
        )


def test_a_running_job_is_left_to_its_live_worker_and_taken_back_once_silent(app, session, demo):
    job_id = _new_job(session)
    with unit_of_work(session):
        first = records.claim(session, job_id, lease_seconds=60)
    assert first.attempts == 1
    # Alive (heartbeat now): a second delivery and the sweeper leave it alone.
    with unit_of_work(session):
        assert records.claim(session, job_id, lease_seconds=60) is None
    assert records.abandoned(session, 60) == []
    # Silent for longer than the lease: one sweeper takes it back, once.
    _age(session, job_id, 61)
    assert records.abandoned(session, 60) == [(job_id, 1)]
    with unit_of_work(session):
        assert records.take_back(session, job_id, 1) is True
        assert records.take_back(session, job_id, 1) is False
    job = session.get(Job, job_id)
    session.refresh(job)
    assert job.state is JobState.QUEUED
    assert "another worker" in job.message or "autre" in job.message
    with unit_of_work(session):
        assert records.claim(session, job_id, lease_seconds=60).attempts == 2


def test_an_attempt_that_lost_its_job_cannot_finish_it(app, session, demo):
    job_id = _new_job(session)
    with unit_of_work(session):
        records.claim(session, job_id, lease_seconds=60)
    _age(session, job_id, 61)
    with unit_of_work(session):
        records.take_back(session, job_id, 1)
    with unit_of_work(session):
        records.claim(session, job_id, lease_seconds=60)  # attempt 2, on another worker
    job = session.get(Job, job_id)
    with pytest.raises(records.TakenBack):
        records.finish(session, job, message="fini", attempt=1)
    session.rollback()
    with unit_of_work(session):
        records.finish(session, session.get(Job, job_id), message="fini", attempt=2)
    session.refresh(job)
    assert (job.state, job.message) == (JobState.DONE, "fini")


def test_the_sweep_sends_the_single_mails_whose_task_was_lost(app, session, demo):
    with unit_of_work(session):
        lost = outbox.queue(
            session,
            key="test:lost",
            kind="test",
            to="paul.martin@example.org",
            name="MARTIN Paul",
            subject="Perdu",
            text="Texte",
            html="<p>Texte</p>",
        )
        fresh = outbox.queue(
            session,
            key="test:fresh",
            kind="test",
            to="anne.leroy@example.org",
            name="LEROY Anne",
            subject="Récent",
            text="Texte",
            html="<p>Texte</p>",
        )
        session.flush()
        lost_id, fresh_id = lost.id, fresh.id
    job_queue(app).huey.flush()  # the tasks were lost with their worker
    lease = app.config["MAIL_SEND_LEASE_SECONDS"]
    with unit_of_work(session):
        session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == lost_id)
            .values(created_at=utcnow() - dt.timedelta(seconds=lease + 5))
        )
    assert recovery.sweep(app) == []
    states = dict(session.execute(select(OutgoingMail.id, OutgoingMail.state)).all())
    assert states[lost_id] is MailState.SENT
    assert states[fresh_id] is MailState.PENDING  # its task sends it
