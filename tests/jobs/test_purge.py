"""The daily purge: an académie's finished jobs and finished mails older than
RETENTION_DAYS go, what is still to do and what is recent stays, another académie's
traces stay; the sweeper starts one purge per académie and day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.jobs import kinds, recovery, runner
from app.services.jobs import records
from app.services.mails import outbox
from app.transaction import unit_of_work
from models import Academy, Job, OutgoingMail
from models.base import utcnow
from models.enums import JobState, MailState

OLD = utcnow() - dt.timedelta(days=200)


def _job(session, academy_id, state, created_at=None) -> int:
    job = records.create(
        session, academy_id=academy_id, kind=kinds.PAYMENT_EXPORT, title="t", started_by_id=None
    )
    job.state = state
    job.created_at = created_at or utcnow()
    session.flush()
    return job.id


def _mail(session, academy_id, key, state, created_at, job_id=None) -> int:
    mail = outbox.queue(
        session,
        key=key,
        kind="test",
        to="paul.martin@example.org",
        name="MARTIN Paul",
        subject="Sujet",
        text="Texte",
        html="<p>Texte</p>",
    )
    session.flush()
    mail.academy_id, mail.state, mail.created_at, mail.job_id = (
        academy_id,
        state,
        created_at,
        job_id,
    )
    session.flush()
    return mail.id


def test_the_purge_deletes_old_finished_traces_only(app, session, demo):
    rennes, other = session.scalars(select(Academy.id).order_by(Academy.id).limit(2)).all()
    with unit_of_work(session):
        old_done = _job(session, rennes, JobState.DONE, OLD)
        old_failed = _job(session, rennes, JobState.FAILED, OLD)
        old_queued = _job(session, rennes, JobState.QUEUED, OLD)
        recent = _job(session, rennes, JobState.DONE)
        elsewhere = _job(session, other, JobState.DONE, OLD)
        sent = _mail(session, rennes, "t:1", MailState.SENT, OLD, old_done)
        pending = _mail(session, rennes, "t:2", MailState.PENDING, OLD, old_failed)
        fresh = _mail(session, rennes, "t:3", MailState.SENT, utcnow())
        purge_job = records.create(
            session, academy_id=rennes, kind=kinds.PURGE, title="p", started_by_id=None
        ).id
    runner.run(app, purge_job, last_attempt=True)

    session.expire_all()
    done = session.get(Job, purge_job)
    assert done.state is JobState.DONE, done.message
    assert done.message == "2 traitement(s) et 1 courriel(s) de plus de 180 jours supprimés."
    jobs = set(session.scalars(select(Job.id)))
    assert {old_done, old_failed} & jobs == set()
    assert {old_queued, recent, elsewhere, purge_job} <= jobs
    mails = dict(session.execute(select(OutgoingMail.id, OutgoingMail.job_id)).all())
    assert sent not in mails and fresh in mails
    assert mails[pending] is None  # still to send, without its purged job


def test_the_sweeper_starts_one_purge_per_academy_and_day(app, session, demo):
    academies = session.scalar(select(func.count()).select_from(Academy))
    first = recovery.start_daily_purges(app)
    assert len(first) == academies
    assert recovery.start_daily_purges(app) == []  # the same day: already started
    purges = session.scalars(select(Job).where(Job.kind == kinds.PURGE)).all()
    assert sorted(job.id for job in purges) == sorted(first)
    assert all(job.idempotency_key.endswith(utcnow().date().isoformat()) for job in purges)
