"""Outgoing mails (the outbox): one row per mail the portal means to send, written in
the transaction of the action that causes it (convocation, send-back, validation,
payment, password), then sent by a worker, which marks it sent right after the SMTP
server took it. A mail is known by its ``key`` (what it is about, e.g.
``convocation:12:2027-06-01T10:00``): the same mail is never queued twice."""

from __future__ import annotations

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import enum_type, utcnow
from .enums import MailState


class OutgoingMail(Model):
    """A mail to send (or not sent, when its recipient has no address)."""

    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    academy_id: Mapped[int | None] = mapped_column(
        ForeignKey("academy.id", ondelete="SET NULL"), index=True
    )
    # The job that sends it (a manager's mass convocation…); none for a single mail.
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id", ondelete="SET NULL"))
    recipient: Mapped[str | None] = mapped_column(String(254))
    # Whom it is for, as the manager reads it ("MARTIN Paul").
    recipient_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    subject: Mapped[str] = mapped_column(String(250), nullable=False)
    # Emptied once sent when they hold a secret (a password reset link).
    body_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # A document rendered when the mail is sent: ("convocation", assignment id).
    attachment_kind: Mapped[str | None] = mapped_column(String(40))
    attachment_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[MailState] = mapped_column(
        enum_type(MailState), nullable=False, default=MailState.PENDING, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, default=utcnow)
    # A worker sending it holds it until then (a killed worker's lease runs out).
    taken_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    def __str__(self) -> str:
        return f"{self.kind} #{self.id}"
