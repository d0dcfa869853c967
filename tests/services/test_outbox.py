"""The outbox's rules: a mail is queued once per key, taken by one worker at a time for
its lease, taken again once a (killed) worker's lease ran out, never again once sent;
a reset link's body is not kept once sent; no row is sent to nobody."""

from __future__ import annotations

import datetime as dt
import time
from email import message_from_bytes
from email.policy import default

from sqlalchemy import select

from app.extensions import db
from app.services.mails import outbox
from app.transaction import unit_of_work
from models import OutgoingMail
from models.enums import MailState
from tests.conftest import TMP, JobWorker, csrf_token

LEASE = dt.timedelta(seconds=1)


def queue(session, key="test:1", to="paul.martin@example.org", kind="test"):
    """A mail queued (flushed: it has its id; the outbox itself never flushes)."""
    mail = outbox.queue(
        session,
        key=key,
        kind=kind,
        to=to,
        name="MARTIN Paul",
        subject="Sujet",
        text="Texte",
        html="<p>Texte</p>",
    )
    session.flush()
    return mail


def test_a_key_is_queued_once_and_a_mail_without_address_is_not_to_send(session):
    with unit_of_work(session):
        first = queue(session)
        assert queue(session) is first
        nobody = queue(session, key="test:2", to=None)
    assert nobody.state is MailState.NO_ADDRESS
    assert outbox.pending_ids(session) == [first.id]
    with unit_of_work(session):
        assert queue(session).id == first.id  # committed: found again by its key


def test_one_worker_at_a_time_then_another_once_the_lease_ran_out(session):
    with unit_of_work(session):
        mail_id = queue(session).id
    with unit_of_work(session):
        taken = outbox.take(session, mail_id, lease=LEASE)
    assert (taken.recipient, taken.subject, taken.text) == (
        "paul.martin@example.org",
        "Sujet",
        "Texte",
    )
    with unit_of_work(session):
        assert outbox.take(session, mail_id, lease=LEASE) is None  # held by the first
    time.sleep(1.1)  # the first worker was killed: its lease runs out
    with unit_of_work(session):
        assert outbox.take(session, mail_id, lease=LEASE) is not None
        outbox.mark_sent(session, mail_id)
    time.sleep(1.1)
    with unit_of_work(session):
        assert outbox.take(session, mail_id, lease=LEASE) is None  # sent: never again
    session.expire_all()
    mail = session.get(OutgoingMail, mail_id)
    assert (mail.state, mail.attempts) == (MailState.SENT, 2)
    assert mail.sent_at is not None


def test_a_refused_send_releases_the_mail_for_the_next_attempt(session):
    with unit_of_work(session):
        mail_id = queue(session).id
    with unit_of_work(session):
        outbox.take(session, mail_id, lease=dt.timedelta(minutes=5))
        outbox.release(session, mail_id)
    with unit_of_work(session):
        assert outbox.take(session, mail_id, lease=LEASE) is not None


def test_a_reset_link_is_not_kept_once_sent(session):
    with unit_of_work(session):
        mail_id = queue(session, kind="password_reset").id
    with unit_of_work(session):
        outbox.take(session, mail_id, lease=LEASE)
        outbox.mark_sent(session, mail_id)
    session.expire_all()
    mail = session.get(OutgoingMail, mail_id)
    assert (mail.body_text, mail.body_html) == ("", "")


def test_without_a_mail_server_the_worker_writes_an_eml_file(app, client, demo):
    outbox_dir = TMP / "mails"
    before = set(outbox_dir.glob("*.eml")) if outbox_dir.exists() else set()
    assert not app.config.get("MAIL_SERVER")
    with JobWorker(app):
        page = client.get("/compte/mot-de-passe-oublie")
        client.post(
            "/compte/mot-de-passe-oublie",
            data={"csrf_token": csrf_token(page.text), "identifier": "EXT35000123"},
        )
        deadline = time.monotonic() + 15
        while not set(outbox_dir.glob("*.eml")) - before:
            assert time.monotonic() < deadline, "no .eml file written"
            time.sleep(0.05)
    (written,) = set(outbox_dir.glob("*.eml")) - before
    message = message_from_bytes(written.read_bytes(), policy=default)
    assert message["To"] == "marc.legall@example.org"
    assert message["Subject"] == "IMAG'IN : réinitialisation de votre mot de passe"
    assert "/compte/reinitialiser/" in message.get_body(("plain",)).get_content()
    assert "Choisir un nouveau mot de passe" in message.get_body(("html",)).get_content()
    with app.app_context():
        state = db.session.scalar(select(OutgoingMail.state))
    assert state is MailState.SENT
