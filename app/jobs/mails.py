"""Sending the outbox (``app.services.mails``) from the workers.

Two ways in, one way to send:

- the task ``imagin.send_mails`` (Huey, retried like a job) sends the mails of one
  action that the manager does not follow (the agent's receipt, a send-back, the
  password mails): the outbox puts it on the queue once the action is committed;
- the jobs ``mail_delivery`` (a manager's convocations) and ``payment_notices`` (after
  a payment export) send many, recorded on « Traitements en cours » with their
  progress and who got no mail.

``deliver`` sends each pending mail in three short transactions of its own: take it
for a lease, hand it to the mail server, mark it sent. A worker killed after the
server took a mail has marked it sent (or dies within the few milliseconds before:
the mail is then sent again, with the same ``Message-ID``); a worker killed before
leaves it pending: the next attempt sends it once its lease has run out.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app.extensions import db
from app.jobs.queue import job_queue
from app.jobs.queue import start as start_job
from app.jobs.runner import Progress, Result, job_kind
from app.services.common import mail
from app.services.jobs import records
from app.services.mails import messages, outbox
from app.transaction import unit_of_work
from models import Job

log = logging.getLogger(__name__)

TASK_NAME = "imagin.send_mails"
EXTENSION = "imagin_mail_task"
MAIL_DELIVERY = "mail_delivery"
PAYMENT_NOTICES = "payment_notices"
PAYMENT_NOTICES_KEY = "payment-notices:"
PROGRESS_EVERY = 20  # mails between two progress reports


class MailsInFlight(TimeoutError):
    """Some mails are held by another worker's lease (maybe a killed one): a transient
    error, the job is tried again later."""


@dataclass
class Delivery:
    sent: int = 0
    held_elsewhere: int = 0


def deliver(
    *,
    job_id: int | None = None,
    ids=None,
    single: bool = False,
    lost_only: bool = False,
    progress: Progress | None = None,
) -> Delivery:
    """Send the pending mails of a job (or among ``ids``, or of no job; ``lost_only``:
    only those whose worker was lost); an SMTP error stops here and is raised, the
    mail it was on released for the next attempt."""
    lease = dt.timedelta(seconds=current_app.config["MAIL_SEND_LEASE_SECONDS"])
    with Session(db.engine) as session:
        todo = outbox.pending_ids(
            session,
            job_id=job_id,
            ids=ids,
            single=single,
            lost_after=lease if lost_only else None,
        )
    done = Delivery()
    if not todo:
        return done
    with mail.connection() as way_out:  # one SMTP session for the whole batch
        for number, mail_id in enumerate(todo, start=1):
            with Session(db.engine) as session, unit_of_work(session):
                taken = outbox.take(session, mail_id, lease=lease)
            if taken is None:
                with Session(db.engine) as session:
                    if outbox.pending_ids(session, ids=[mail_id]):
                        done.held_elsewhere += 1
                continue
            try:
                mail.send(_message(taken), way_out)
            except Exception:
                with Session(db.engine) as session, unit_of_work(session):
                    outbox.release(session, mail_id)
                raise
            with Session(db.engine) as session, unit_of_work(session):
                outbox.mark_sent(session, mail_id)
            done.sent += 1
            if progress is not None and (number % PROGRESS_EVERY == 0 or number == len(todo)):
                progress.report(number, len(todo))
    return done


def _message(taken: outbox.Taken):
    attachments = []
    render = messages.ATTACHMENTS.get(taken.attachment_kind or "")
    if render is not None and taken.attachment_id is not None:
        # The stored convocation (rendered and stored now if it is not yet: kept).
        with Session(db.engine) as session, unit_of_work(session):
            document = render(session, taken.attachment_id)
        if document is not None:
            attachments.append((*document, "application/pdf"))
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "imagin"
    return mail.build(
        to=taken.recipient,
        subject=taken.subject,
        text=taken.text,
        html=taken.html,
        message_id=f"<imagin-{taken.id}@{domain}>",
        attachments=attachments,
    )


# --- The jobs the manager follows ------------------------------------------------------------


def start_delivery(session: Session, academy_id: int, *, started_by_id: int | None) -> Job:
    """A job that will send the mails queued with its id (``job_id=job.id``)."""
    return start_job(session, academy_id, MAIL_DELIVERY, started_by_id=started_by_id)


@job_kind(MAIL_DELIVERY, _l("Sending of mails to contributors"))
def send_job_mails(session: Session, job: Job, progress: Progress) -> Result:
    done = deliver(job_id=job.id, progress=progress)
    if done.held_elsewhere:
        raise MailsInFlight(f"{done.held_elsewhere} mail(s) held by another worker")
    mails = outbox.of_job(session, job.id)
    return Result(count=mails.sent, message=outbox.job_summary(session, job.id))


def start_payment_notices(
    session: Session, academy_id: int, batch_id: int, *, started_by_id: int | None
) -> Job:
    """After a payment export: the job that tells each agent of the batch (one job per
    batch: its key names the batch)."""
    return start_job(
        session,
        academy_id,
        PAYMENT_NOTICES,
        started_by_id=started_by_id,
        key=f"{PAYMENT_NOTICES_KEY}{batch_id}",
    )


@job_kind(PAYMENT_NOTICES, _l("Notices of payment to contributors"))
def send_payment_notices(session: Session, job: Job, progress: Progress) -> Result:
    batch_id = int(job.idempotency_key.removeprefix(PAYMENT_NOTICES_KEY))
    # The rows first, committed (a retry finds them: their keys forbid doubles).
    with Session(db.engine) as writer, unit_of_work(writer):
        messages.queue_payment_notices(writer, batch_id, job_id=job.id)
    return send_job_mails(session, job, progress)


# --- After an incident ---------------------------------------------------------------------


def resume() -> tuple[int, Delivery]:
    """``flask imagin send-mails``: the mail jobs still queued or running go on the
    queue again (a worker killed, a queue lost: the job sends only what is pending),
    and the single mails still pending are sent now. Returns (jobs, delivery)."""
    with Session(db.engine) as session, unit_of_work(session):
        jobs = records.unfinished(session, [MAIL_DELIVERY, PAYMENT_NOTICES])
        for job_id in jobs:  # running on a lost worker: taken back without its lease
            records.take_back(session, job_id, session.get(Job, job_id).attempts)
    queue = job_queue()
    for job_id in jobs:
        queue.enqueue(job_id)
    return len(jobs), deliver(single=True)


# --- The single mails ----------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Register the task on the application's queue, and the outbox's dispatch."""
    queue = job_queue(app)

    def send_mails(mail_ids: list[int], task=None) -> None:
        with app.app_context():
            try:
                done = deliver(ids=mail_ids)
            finally:
                db.session.remove()
        if done.held_elsewhere:
            raise MailsInFlight(f"{done.held_elsewhere} mail(s) held by another worker")

    task = queue.huey.task(
        retries=app.config["JOB_RETRIES"],
        retry_delay=app.config["JOB_RETRY_DELAY"],
        context=True,
        name=TASK_NAME,
    )(send_mails)

    def dispatch(mail_ids: list[int]) -> None:
        try:
            task(mail_ids)
        except Exception:  # Redis down: the rows stay pending (``flask imagin send-mails``)
            log.exception("Mails %s could not be put on the queue", mail_ids)

    app.extensions[EXTENSION] = task
    app.extensions[outbox.DISPATCH] = dispatch
