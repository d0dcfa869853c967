"""Handing a mail to the mail server, with Flask-Mailman: SMTP when ``MAIL_SERVER`` is
set, otherwise the outbox folder ``MAIL_OUTBOX`` (one ``.eml`` file per mail, the
embedded default).

The log gets one line per mail (recipient, subject, file), never the body, which may
hold a reset link. What to send and when is the outbox's business
(``app.services.mails``); a worker calls ``send`` (``app.jobs.mails``).
"""

from __future__ import annotations

import logging
import uuid
from email.header import Header
from pathlib import Path

from flask import current_app
from flask_mailman import EmailMultiAlternatives, Mail
from flask_mailman.backends.base import BaseEmailBackend

log = logging.getLogger("imagin.mail")

mailman = Mail()
SMTP_TIMEOUT = 15  # seconds: a mail server that does not answer is a transient error


class OutboxBackend(BaseEmailBackend):
    """Writes each mail as an ``.eml`` file in ``MAIL_OUTBOX`` (no mail server)."""

    def send_messages(self, email_messages) -> int:
        outbox = Path(current_app.config["MAIL_OUTBOX"])
        outbox.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            path = outbox / f"{uuid.uuid4().hex}.eml"
            path.write_bytes(message.message().as_bytes())
            log.info(
                "mail written to the outbox to=%s subject=%s file=%s",
                ",".join(message.to),
                message.subject,
                path.name,
            )
        return len(email_messages)


class PortalMail(EmailMultiAlternatives):
    """Flask-Mailman's mail, with a French subject encoded as its header's own length
    asks (Flask-Mailman folds it after "Subject:", which readers show as a leading
    space)."""

    def message(self):
        built = super().message()
        if not self.subject.isascii():
            encoded = Header(self.subject, "utf-8", header_name="Subject").encode()
            built.replace_header("Subject", encoded)
        return built


def build(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> PortalMail:
    """A mail with a plain-text body, its HTML alternative and its attachments
    ((file name, content, MIME type))."""
    headers = {"Message-ID": message_id} if message_id else {}
    message = PortalMail(
        subject=subject,
        body=text,
        from_email=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[to],
        headers=headers,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def connection():
    """The way out of these settings (read at each call: a test may change them)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return mailman.get_connection(backend=OutboxBackend)
    return mailman.get_connection(
        backend="smtp",
        host=config["MAIL_SERVER"],
        port=config["MAIL_PORT"],
        username=config.get("MAIL_USERNAME") or "",
        password=config.get("MAIL_PASSWORD") or "",
        use_tls=bool(config.get("MAIL_USE_TLS")),
        use_ssl=False,
        timeout=SMTP_TIMEOUT,
    )


def send(message: PortalMail, way_out=None) -> None:
    """Hand the mail over, through ``way_out`` (an open ``connection()``) or a
    connection of its own; an SMTP error is raised (the worker tries again later)."""
    if way_out is None:
        with connection() as own:
            send(message, own)
        return
    message.connection = way_out
    message.send(fail_silently=False)
    if current_app.config.get("MAIL_SERVER"):
        log.info("mail sent to=%s subject=%s", ",".join(message.to), message.subject)


def init_app(app) -> None:
    mailman.init_app(app)
