"""The jobs the portal runs. Each is a work function registered with ``job_kind``:
it writes through the session it is given (the job's unit of work) and returns what
the job leaves (summary, file)."""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs import assignment as assignment_jobs  # noqa: F401 - registers its kinds
from app.jobs import competences as competence_jobs  # noqa: F401 - registers its kind
from app.jobs import dcs as dcs_jobs  # noqa: F401 - registers its kind
from app.jobs import mails as mail_jobs
from app.jobs import queue
from app.jobs.runner import TRANSIENT_ERRORS, Progress, Result, job_kind
from app.services import DomainError
from app.services.common import formats
from app.services.documents import rendering, store
from app.services.jobs import purge
from app.services.payments import export as payment_export
from app.services.payments import returns as payment_returns
from app.transaction import unit_of_work
from models import Job

PAYMENT_EXPORT = "payment_export"
log = logging.getLogger(__name__)


@job_kind(PAYMENT_EXPORT, _l("Export of the accepted expense claims"))
def export_payments(session: Session, job: Job, progress: Progress) -> Result:
    """Mise en paiement: the accepted claims go into a new batch, whose CSV file is
    the job's result; its summary gives the control total of each nature."""
    progress.report(0, payment_export.exportable_count(session, job.academy_id))
    batch = payment_export.export_payments(
        session, job.academy_id, by_user_id=job.started_by_id, progress=progress.report
    )
    # Each agent of the batch is told, by a job of its own once this one is committed.
    mail_jobs.start_payment_notices(
        session, job.academy_id, batch.id, started_by_id=job.started_by_id
    )
    totals = " ; ".join(
        _(
            "%(nature)s: %(rows)s line(s), %(total)s",
            nature=line["label"],
            rows=line["rows"],
            total=formats.euros(line["total"]),
        )
        for line in payment_export.control_totals(batch)
    )
    data = payment_export.batch_file(session, batch).encode("utf-8")
    session.expire(batch, ["content"])  # stored: the job keeps its bytes only
    return Result(
        count=batch.claim_count,
        message=_(
            "Export no. %(number)s: %(count)s expense claim(s) sent for payment.",
            number=batch.number,
            count=batch.claim_count,
        )
        + " "
        + _("Control totals — %(totals)s.", totals=totals),
        file_name=batch.file_name,
        data=data,
    )


@job_kind(store.JOB_KIND, store.JOB_TITLE)
def render_documents(session: Session, job: Job, progress: Progress) -> Result:
    """The PDF documents of the académie asked for since the last such job (recaps of
    validated claims, convocations), each rendered only if it changed, each in a
    transaction of its own: a document is kept as soon as it is rendered (a worker
    stopped mid-job leaves the rest asked for, the next job renders it), and the
    changes of users waiting on a document's row wait for one render, not the job."""
    ids = rendering.requested_ids(session, job.academy_id)
    progress.report(0, len(ids))
    rendered = failed = 0
    for done, document_id in enumerate(ids, start=1):
        try:
            with Session(db.engine) as own, unit_of_work(own):
                rendered += rendering.render_one(own, document_id)
        except TRANSIENT_ERRORS:
            raise  # the job is tried again later; what is rendered is kept
        except Exception:
            # One document that cannot be rendered does not stop the others: it stays
            # asked for, and its download renders it (or says why).
            log.exception("Stored document %s could not be rendered", document_id)
            failed += 1
        progress.report(done, len(ids))
    message = _(
        "%(rendered)s PDF document(s) prepared, %(unchanged)s unchanged.",
        rendered=rendered,
        unchanged=len(ids) - rendered - failed,
    )
    if failed:
        message += " " + _(
            "%(failed)s could not be prepared (the administrator can read the log).",
            failed=failed,
        )
    return Result(count=len(ids), message=message)


PAYMENT_RETURN = "payment_return"


@job_kind(PAYMENT_RETURN, _l("Import of a return file of the finance office"))
def import_payment_return(session: Session, job: Job, progress: Progress) -> Result:
    """A large return file (``payment_returns.needs_job``): recorded whole, or refused
    whole with its wrong lines in the job's message."""
    data = job.input_data or b""
    total = data.count(b"\n")
    progress.report(0, total)
    try:
        result = payment_returns.import_return(
            session, job.academy_id, data, by_user_id=job.started_by_id
        )
    except payment_returns.ReturnFileRefused as error:
        raise DomainError(error.full_text()) from error
    progress.report(total, total)
    return Result(message=str(result.message), count=total)


def start_return_import(session: Session, academy_id: int, data: bytes, *, by_user_id: int):
    """Put a return file on the queue: the job keeps the file it works on."""
    job = queue.start(session, academy_id, PAYMENT_RETURN, started_by_id=by_user_id)
    job.input_data = data
    session.flush()
    return job


PURGE = "purge"


@job_kind(PURGE, _l("Purge of old jobs and mails"))
def purge_old_traces(session: Session, job: Job, progress: Progress) -> Result:
    """The académie's finished jobs and sent mails older than ``RETENTION_DAYS``."""
    days = current_app.config["RETENTION_DAYS"]
    done = purge.purge(session, job.academy_id, purge.cutoff(days), keep_job=job.id)
    return Result(
        count=done.jobs + done.mails,
        message=_(
            "%(jobs)s job(s) and %(mails)s mail(s) older than %(days)s days deleted.",
            jobs=done.jobs,
            mails=done.mails,
            days=days,
        ),
    )
