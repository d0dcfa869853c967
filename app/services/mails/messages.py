"""What the portal mails, always in French, as plain text and HTML (the Jinja
templates ``imagin/mails/mail.txt`` and ``mail.html``), every link built from
``PUBLIC_URL`` (``app.urls.public_url``), never from a request's host.

Each ``queue_*`` writes the rows in the caller's transaction (``outbox.queue``) and
says whom no mail can reach (``outbox.Queued``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.services.common import formats
from app.services.mails import outbox
from app.services.missions import documents
from app.urls import public_url
from models import Agent, Assignment, ExpenseClaim, Mission, User
from models.base import utcnow

MAIL_LOCALE = "fr"
CONVOCATION = "convocation"
SEND_BACK = "send_back"
RECEIPT = "receipt"
PAYMENT = "payment"
PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a kind of mail
PASSWORD_RESET = "password_reset"  # noqa: S105 - a kind of mail


@dataclass(frozen=True)
class Body:
    text: str
    html: str


def render(
    *,
    name: str,
    paragraphs: list[str],
    quote: str | None = None,
    link: str | None = None,
    link_label: str | None = None,
    closing: str | None = None,
) -> Body:
    """The two bodies of a mail (the caller is in French already)."""
    context = {
        "name": name,
        "paragraphs": paragraphs,
        "quote": quote,
        "link": link,
        "link_label": link_label,
        "closing": closing,
    }
    return Body(
        render_template("imagin/mails/mail.txt", **context),
        render_template("imagin/mails/mail.html", **context),
    )


def _mission_line(mission: Mission) -> str:
    return _(
        "mission no. %(number)s, %(type)s, %(exam)s",
        number=mission.number,
        type=mission.mission_type.name,
        exam=mission.session.exam.name,
    )


def _agent_name(agent: Agent) -> str:
    return f"{agent.first_name} {agent.last_name.upper()}"


def _stamp(moment: dt.datetime | None = None) -> str:
    """What makes a send-back or a receipt of the same claim unique: its moment."""
    return (moment or utcnow()).strftime("%Y%m%dT%H%M%S%f")


def _no_flush(queue_function):
    """Composing a mail reads the records (lazy loads) without flushing the action's
    writes: a refusal of those surfaces at the commit, where the boundary handles it."""

    @functools.wraps(queue_function)
    def queue_without_flush(session: Session, *args, **kwargs):
        with session.no_autoflush:
            return queue_function(session, *args, **kwargs)

    return queue_without_flush


# --- Agents ---------------------------------------------------------------------------------


@_no_flush
def queue_convocations(
    session: Session, assignments: list[Assignment], *, job_id: int | None = None
) -> outbox.Queued:
    """One convocation per assignment, its PDF attached when sent."""
    queued = outbox.Queued()
    for assignment in assignments:
        queued.add(_queue_convocation(session, assignment, job_id))
    return queued


def _queue_convocation(session: Session, assignment: Assignment, job_id: int | None):
    mission, agent = assignment.mission, assignment.agent
    slots = sorted(mission.slots, key=lambda s: (s.day, s.start_time))
    with force_locale(MAIL_LOCALE):
        days = ", ".join(
            _(
                "%(day)s at %(time)s",
                day=formats.long_day(slot.day),
                time=formats.hour(slot.start_time),
            )
            for slot in slots
        )
        centre = mission.centre
        paragraphs = [
            _(
                "You are convoked to %(mission)s.",
                mission=_mission_line(mission),
            ),
            _("Dates: %(days)s.", days=days),
        ]
        if centre is not None:
            paragraphs.append(
                _("Place: %(centre)s, %(town)s.", centre=centre.name, town=centre.town or "")
            )
        if assignment.quality is not None:
            paragraphs.append(_("Quality: %(quality)s.", quality=assignment.quality.label))
        paragraphs.append(
            _(
                "Your convocation is attached to this message (PDF); you will also find "
                "it in « Mission consultation »."
            )
        )
        body = render(
            name=_agent_name(agent),
            paragraphs=paragraphs,
            link=public_url("MissionConsultationView.show", assignment_id=assignment.id),
            link_label=_("See the mission"),
        )
        subject = _("IMAG'IN: convocation to mission no. %(number)s", number=mission.number)
    stamp = _stamp(assignment.convoked_at)
    return outbox.queue(
        session,
        key=f"{CONVOCATION}:{assignment.id}:{stamp}",
        kind=CONVOCATION,
        to=outbox.agent_address(agent),
        name=agent.full_name,
        subject=subject,
        text=body.text,
        html=body.html,
        academy_id=mission.academy_id,
        agent_id=agent.id,
        job_id=job_id,
        attachment=(CONVOCATION, assignment.id),
    )


def _claim_mail(
    session: Session, claim: ExpenseClaim, kind: str, key: str, build, job_id: int | None = None
):
    assignment = claim.assignment
    mission, agent = assignment.mission, assignment.agent
    with force_locale(MAIL_LOCALE):
        subject, paragraphs, quote = build(claim, mission)
        body = render(
            name=_agent_name(agent),
            paragraphs=paragraphs,
            quote=quote,
            link=public_url("ClaimEntryView.show", claim_id=claim.id),
            link_label=_("See the expense claim"),
        )
    return outbox.queue(
        session,
        key=key,
        kind=kind,
        to=outbox.agent_address(agent),
        name=agent.full_name,
        subject=subject,
        text=body.text,
        html=body.html,
        academy_id=mission.academy_id,
        agent_id=agent.id,
        job_id=job_id,
    )


@_no_flush
def queue_send_back(session: Session, claim: ExpenseClaim) -> outbox.Queued:
    """The manager sent the claim back: the agent reads why, and where to correct it."""

    def build(claim, mission):
        return (
            _(
                "IMAG'IN: your expense claim for mission no. %(number)s is sent back to you",
                number=mission.number,
            ),
            [
                _(
                    "The examinations division sends your expense claim for %(mission)s "
                    "back to you, with this message:",
                    mission=_mission_line(mission),
                ),
            ],
            claim.manager_message or "",
        )

    key = f"{SEND_BACK}:{claim.id}:{_stamp()}"
    queued = outbox.Queued()
    queued.add(_claim_mail(session, claim, SEND_BACK, key, build))
    return queued


@_no_flush
def queue_receipt(session: Session, claim: ExpenseClaim) -> outbox.Queued:
    """The agent validated: a receipt with the dossier number."""

    def build(claim, mission):
        return (
            _(
                "IMAG'IN: your expense claim is validated (file no. %(number)s)",
                number=claim.number,
            ),
            [
                _(
                    "Your expense claim for %(mission)s is validated on %(day)s.",
                    mission=_mission_line(mission),
                    day=formats.long_day(claim.validated_at.date()),
                ),
                _(
                    "Its file number is %(number)s: quote it in every exchange with the "
                    "examinations division.",
                    number=claim.number,
                ),
            ],
            None,
        )

    key = f"{RECEIPT}:{claim.id}:{_stamp(claim.validated_at)}"
    queued = outbox.Queued()
    queued.add(_claim_mail(session, claim, RECEIPT, key, build))
    return queued


def queue_payment_notices(session: Session, batch_id: int, *, job_id: int | None) -> outbox.Queued:
    """Every claim of the payment batch: a notice that it is sent for payment."""

    def build(claim, mission):
        return (
            _(
                "IMAG'IN: your expense claim no. %(number)s is sent for payment",
                number=claim.number,
            ),
            [
                _(
                    "Your expense claim no. %(number)s for %(mission)s is sent to the "
                    "finance office for payment.",
                    number=claim.number,
                    mission=_mission_line(mission),
                ),
                _("The payment itself follows within a few weeks."),
            ],
            None,
        )

    queued = outbox.Queued()
    claims = session.scalars(
        select(ExpenseClaim)
        .where(ExpenseClaim.payment_batch_id == batch_id)
        .options(
            selectinload(ExpenseClaim.assignment).selectinload(Assignment.agent),
            selectinload(ExpenseClaim.assignment).selectinload(Assignment.mission),
        )
        .order_by(ExpenseClaim.id)
    )
    for claim in claims:
        key = f"{PAYMENT}:{claim.id}:{batch_id}"
        queued.add(_claim_mail(session, claim, PAYMENT, key, build, job_id))
    return queued


def convocation_attachment(session: Session, assignment_id: int) -> tuple[str, bytes] | None:
    """(file name, PDF) of the convocation: the stored document the agent and the
    manager download (rendered now, once, if it is not stored yet); None if the
    assignment is gone."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return None
    return documents.file_name(assignment), documents.convocation_pdf(session, assignment)


ATTACHMENTS = {CONVOCATION: convocation_attachment}


# --- Accounts -------------------------------------------------------------------------------


def _user_name(user: User) -> str:
    return f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username


@_no_flush
def queue_password_changed(session: Session, user: User, address: str) -> None:
    with force_locale(MAIL_LOCALE):
        body = render(
            name=_user_name(user),
            paragraphs=[
                _(
                    "The password of your IMAG'IN account %(user)s has just been changed. "
                    "If you did not do it, contact the examinations division of your "
                    "academy at once.",
                    user=user.username,
                )
            ],
        )
        subject = _("IMAG'IN: your password has been changed")
    outbox.queue(
        session,
        key=f"{PASSWORD_CHANGED}:{user.id}:{uuid.uuid4().hex}",
        kind=PASSWORD_CHANGED,
        to=address,
        name=_user_name(user),
        subject=subject,
        text=body.text,
        html=body.html,
    )


@_no_flush
def queue_reset_link(session: Session, user: User, address: str, token: str, minutes: int) -> None:
    """The reset link (its body is emptied once sent: only the token's hash is kept)."""
    with force_locale(MAIL_LOCALE):
        body = render(
            name=_user_name(user),
            paragraphs=[
                _(
                    "To choose a new password for your IMAG'IN account %(user)s, open this "
                    "link within %(minutes)s minutes; it works once.",
                    user=user.username,
                    minutes=minutes,
                )
            ],
            link=public_url("AccountView.reset", token=token),
            link_label=_("Choose a new password"),
            closing=_(
                "If you did not ask for it, ignore this message: your password stays the same."
            ),
        )
        subject = _("IMAG'IN: reset your password")
    digest = hashlib.sha256(token.encode()).hexdigest()[:40]
    outbox.queue(
        session,
        key=f"{PASSWORD_RESET}:{digest}",
        kind=PASSWORD_RESET,
        to=address,
        name=_user_name(user),
        subject=subject,
        text=body.text,
        html=body.html,
    )
