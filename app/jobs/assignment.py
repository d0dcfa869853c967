"""The jobs of the automatic assignment (issue 17): the proposal of a run, and its
convocation with the mails that carry the convocations (``app.services.missions.
assignment.runs``)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs import mails as mail_jobs
from app.jobs.runner import TRANSIENT_ERRORS, Progress, Result, job_kind
from app.services import DomainError
from app.services.jobs import records
from app.services.mails import messages
from app.services.missions.assignment import run_base, run_work
from app.transaction import unit_of_work
from models import Job


def _reason(error: Exception) -> str:
    if isinstance(error, DomainError):
        return str(error.message)
    return str(records.UNEXPECTED)


@job_kind(run_base.PROPOSAL_KIND, run_base.PROPOSAL_TITLE)
def propose(session: Session, job: Job, progress: Progress) -> Result:
    try:
        message = run_work.propose_work(session, job, progress.report)
    except TRANSIENT_ERRORS:
        raise  # tried again later: the run stays « en cours »
    except Exception as error:
        # Nothing of the work is kept; the run says why, in a unit of its own.
        session.rollback()
        with Session(db.engine) as own, unit_of_work(own):
            run_work.proposal_failed(own, job.id, _reason(error))
        raise
    return Result(message=message)


@job_kind(run_base.CONVOCATION_KIND, run_base.CONVOCATION_TITLE)
def convoke(session: Session, job: Job, progress: Progress) -> Result:
    try:
        done = run_work.convoke_work(session, job, progress.report)
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        session.rollback()
        with Session(db.engine) as own, unit_of_work(own):
            run_work.convocation_failed(own, job.id)
        raise
    parts = [done.message]
    if done.created:
        # The convocations are mailed, their PDF attached, by a job of their own once
        # this one is committed.
        delivery = mail_jobs.start_delivery(
            session, job.academy_id, started_by_id=job.started_by_id
        )
        queued = messages.queue_convocations(session, done.created, job_id=delivery.id)
        if queued.recipients:
            parts.append(
                _(
                    "their convocations are being mailed (job no. %(number)s)",
                    number=delivery.id,
                )
            )
        if queued.notice():
            parts.append(queued.notice())
    return Result(count=done.lines, message=" ; ".join(parts))
