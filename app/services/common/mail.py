"""Outgoing mail: SMTP when MAIL_SERVER is set, otherwise an outbox folder.

The embedded default writes each mail as an .eml file under ``instance/mails/`` and
logs one line (recipient, subject, file): never the body, which may hold a reset link.
Mails are sent from a background thread, so that a request takes the same time
whether it sends a mail or not (no account enumeration by timing).
"""

from __future__ import annotations

import logging
import smtplib
import threading
import uuid
from email.message import EmailMessage
from pathlib import Path

log = logging.getLogger("imagin.mail")

_pending: list[threading.Thread] = []


def _message(config: dict, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def _deliver(config: dict, message: EmailMessage) -> None:
    try:
        if config.get("MAIL_SERVER"):
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=15) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                smtp.send_message(message)
            log.info("mail sent to=%s subject=%s", message["To"], message["Subject"])
        else:
            outbox = Path(config["MAIL_OUTBOX"])
            outbox.mkdir(parents=True, exist_ok=True)
            path = outbox / f"{uuid.uuid4().hex}.eml"
            path.write_bytes(bytes(message))
            log.info(
                "mail written to the outbox to=%s subject=%s file=%s",
                message["To"],
                message["Subject"],
                path.name,
            )
    except Exception:  # noqa: BLE001 - a mail failure must never break the request
        log.exception("mail to %s could not be sent", message["To"])


def send(config: dict, to: str, subject: str, body: str) -> None:
    """Send a mail in the background."""
    settings = {
        key: config.get(key)
        for key in (
            "MAIL_SERVER",
            "MAIL_PORT",
            "MAIL_USE_TLS",
            "MAIL_USERNAME",
            "MAIL_PASSWORD",
            "MAIL_DEFAULT_SENDER",
            "MAIL_OUTBOX",
        )
    }
    thread = threading.Thread(
        target=_deliver, args=(settings, _message(settings, to, subject, body)), daemon=True
    )
    _pending.append(thread)
    thread.start()


def wait_for_outgoing(timeout: float = 10) -> None:
    """Wait until the mails sent so far have left (tests, CLI)."""
    while _pending:
        _pending.pop().join(timeout)
