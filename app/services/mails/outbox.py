"""The outbox: the rules of an outgoing mail's row.

A mail is *pending* from the moment the action that causes it is committed (the row
is written in that action's transaction), then *sent* once a worker handed it to the
mail server; a recipient without an address gets a row *no address* (so the manager
sees who got nothing) and no mail. A worker *takes* a pending row for a lease
(``taken_until``): another worker leaves it alone until the lease runs out, which
is how a mail whose worker was killed is sent by the next one. Nothing here commits:
the worker (``app.jobs.mails``) runs each step in its own short transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session

from app.services.common import outcome
from app.services.people.accounts import NO_EMAIL_DOMAIN
from models import Agent, OutgoingMail
from models.base import utcnow
from models.enums import MailState

log = logging.getLogger(__name__)

# The application's way to put mails on the job queue once their rows are committed
# (``app.jobs.mails`` registers it): ``dispatch(mail_ids)``.
DISPATCH = "imagin_mail_dispatch"
_QUEUED_IDS = "imagin_mail_ids"
# Kinds whose body holds a secret (a reset link): emptied once the mail is sent.
SECRET_KINDS = frozenset({"password_reset"})


@dataclass
class Queued:
    """What an action queued: the rows to send, and whom no mail can reach."""

    recipients: list[str] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)

    def add(self, mail: OutgoingMail) -> None:
        if mail.state is MailState.NO_ADDRESS:
            self.without_address.append(mail.recipient_name)
        else:
            self.recipients.append(mail.recipient)

    def notice(self) -> str | None:
        """The manager's console line naming the agents without an address."""
        return no_address_notice(self.without_address)


def no_address_notice(names: list[str]) -> str | None:
    if not names:
        return None
    return str(
        _l(
            "%(count)s contributor(s) without an e-mail address, not mailed: %(names)s.",
            count=len(names),
            names=", ".join(sorted(names)),
        )
    )


def agent_address(agent: Agent) -> str | None:
    """Where to write to an agent: their personal, then professional e-mail, else their
    account's own address unless it is a placeholder."""
    user = agent.user
    for address in (
        agent.email_personal,
        agent.email_professional,
        user.email if user is not None else None,
    ):
        if address and not address.endswith("@" + NO_EMAIL_DOMAIN):
            return address
    return None


def queue(
    session: Session,
    *,
    key: str,
    kind: str,
    to: str | None,
    name: str,
    subject: str,
    text: str,
    html: str,
    academy_id: int | None = None,
    agent_id: int | None = None,
    job_id: int | None = None,
    attachment: tuple[str, int] | None = None,
) -> OutgoingMail:
    """Write the mail's row in the caller's transaction. The same ``key`` twice gives
    the row already written (a mail is never queued twice). A row without a job is
    put on the queue once the transaction is committed; a job's rows are sent by the
    job."""
    # No flush here: a refusal of the action's own writes surfaces at its commit, where
    # the request's boundary turns it into a page (``app/transaction.py``).
    key = key[:160]
    written = (m for m in session.new if isinstance(m, OutgoingMail) and m.key == key)
    existing = next(written, None)
    if existing is None:
        with session.no_autoflush:
            existing = session.scalar(select(OutgoingMail).where(OutgoingMail.key == key))
    if existing is not None:
        return existing
    mail = OutgoingMail(
        key=key,
        kind=kind,
        academy_id=academy_id,
        agent_id=agent_id,
        job_id=job_id,
        recipient=to,
        recipient_name=name[:200],
        subject=subject[:250],
        body_text=text,
        body_html=html,
        attachment_kind=attachment[0] if attachment else None,
        attachment_id=attachment[1] if attachment else None,
        state=MailState.PENDING if to else MailState.NO_ADDRESS,
        created_at=utcnow(),
    )
    session.add(mail)
    if to and job_id is None:
        _dispatch_after_commit(session, mail)
    return mail


def _dispatch_after_commit(session: Session, mail: OutgoingMail) -> None:
    """Put the mails of this transaction on the queue, together, once it is committed
    (a worker must find their rows). Without a queue (a script) they stay pending."""
    mails = session.info.get(_QUEUED_IDS)
    if mails is not None:
        mails.append(mail)
        return
    mails = session.info[_QUEUED_IDS] = [mail]
    dispatch = current_app.extensions.get(DISPATCH)

    def forget() -> None:
        session.info.pop(_QUEUED_IDS, None)

    def put() -> None:
        forget()
        # The ids from the identity map: the committed rows are not read again.
        ids = [inspect(row).identity[0] for row in mails if inspect(row).identity]
        if dispatch is not None and ids:
            dispatch(ids)

    outcome.on_commit(session, put)
    outcome.on_rollback(session, forget)


# --- The worker's side ----------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """A pending mail a worker holds for its lease: what it needs to send it."""

    id: int
    key: str
    kind: str
    recipient: str
    subject: str
    text: str
    html: str
    attachment_kind: str | None
    attachment_id: int | None


def pending_ids(
    session: Session,
    *,
    job_id: int | None = None,
    ids=None,
    single: bool = False,
    lost_after: dt.timedelta | None = None,
) -> list[int]:
    """The pending mails of a job, or among ``ids``, or those of no job (``single``),
    or all of them, oldest first. With ``lost_after``: only those whose sender was
    lost (held by a worker whose lease ran out, or never taken that long after being
    queued)."""
    statement = select(OutgoingMail.id).where(OutgoingMail.state == MailState.PENDING)
    if lost_after is not None:
        now = utcnow()
        statement = statement.where(
            (OutgoingMail.taken_until < now)
            | (OutgoingMail.taken_until.is_(None) & (OutgoingMail.created_at < now - lost_after))
        )
    if job_id is not None:
        statement = statement.where(OutgoingMail.job_id == job_id)
    if single:
        statement = statement.where(OutgoingMail.job_id.is_(None))
    if ids is not None:
        statement = statement.where(OutgoingMail.id.in_(list(ids)))
    return list(session.scalars(statement.order_by(OutgoingMail.id)))


def take(session: Session, mail_id: int, *, lease: dt.timedelta) -> Taken | None:
    """Hold the pending mail for ``lease``: None when it is sent already or held by
    another worker whose lease runs (compared and set in one ``UPDATE``)."""
    now = utcnow()
    held = session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.state == MailState.PENDING,
            (OutgoingMail.taken_until.is_(None)) | (OutgoingMail.taken_until < now),
        )
        .values(taken_until=now + lease, attempts=OutgoingMail.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if held != 1:
        return None
    mail = session.get(OutgoingMail, mail_id)
    session.refresh(mail)
    return Taken(
        id=mail.id,
        key=mail.key,
        kind=mail.kind,
        recipient=mail.recipient,
        subject=mail.subject,
        text=mail.body_text,
        html=mail.body_html,
        attachment_kind=mail.attachment_kind,
        attachment_id=mail.attachment_id,
    )


def mark_sent(session: Session, mail_id: int) -> None:
    """The mail server took it: sent, never again (a secret body is emptied)."""
    values = {"state": MailState.SENT, "sent_at": utcnow(), "taken_until": None}
    mail = session.get(OutgoingMail, mail_id)
    if mail is not None and mail.kind in SECRET_KINDS:
        values |= {"body_text": "", "body_html": ""}
    session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.state == MailState.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, mail_id: int) -> None:
    """The mail server refused it for now: the next attempt may take it at once."""
    session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.state == MailState.PENDING)
        .values(taken_until=None)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class JobMails:
    sent: int
    pending: int
    without_address: list[str]


def of_job(session: Session, job_id: int) -> JobMails:
    """What became of a job's mails."""
    counts = dict(
        session.execute(
            select(OutgoingMail.state, func.count())
            .where(OutgoingMail.job_id == job_id)
            .group_by(OutgoingMail.state)
        ).all()
    )
    names = list(
        session.scalars(
            select(OutgoingMail.recipient_name)
            .where(OutgoingMail.job_id == job_id, OutgoingMail.state == MailState.NO_ADDRESS)
            .order_by(OutgoingMail.recipient_name)
        )
    )
    return JobMails(
        sent=counts.get(MailState.SENT, 0),
        pending=counts.get(MailState.PENDING, 0),
        without_address=names,
    )


def job_summary(session: Session, job_id: int) -> str:
    """The job's result, in French: how many mails left, and who got none."""
    mails = of_job(session, job_id)
    lines = [str(_l("%(count)s mail(s) sent.", count=mails.sent))]
    notice = no_address_notice(mails.without_address)
    if notice:
        lines.append(notice)
    return " ".join(lines)
