"""Mails to agents, through the outbox and real workers, to a real SMTP server
(aiosmtpd): the convocation with its PDF, the send-back with the manager's message,
the receipt with the dossier number, the notice of payment; each in French, plain
text and HTML, its link under PUBLIC_URL, sent once; none to an agent without an
address (the manager is told who); and a worker killed with SIGKILL in the middle of a
mass convocation: the next worker sends the rest, each mail arrives exactly once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.jobs import mails as mail_jobs
from app.jobs.queue import job_queue
from app.services.mails import messages, outbox
from app.transaction import unit_of_work
from models import Agent, Assignment, ExpenseClaim, Job, Mission, OutgoingMail
from models.base import utcnow
from models.enums import JobState, MailState
from tests.conftest import ROOT, TMP, JobWorker, csrf_token, login
from tests.jobs.test_jobs import REDIS_URL, start_export
from tests.views.helpers import console
from tests.views.test_claims import accept as accept_conditions

CONVOCATION_HOME = "/missions-affectations/"
PROCESSING = "/traitement-etats-de-frais/"
NO_ADDRESS = "sans-adresse.invalid"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def parts(message) -> tuple[str, str]:
    """(plain text, HTML) of a mail."""
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def mission_of(app, number: int) -> int:
    with app.app_context():
        return db.session.scalar(select(Mission.id).where(Mission.number == number))


def candidates(app, manager, mission: int, count: int) -> list[int]:
    """``count`` of the mission's candidates, each given an address if they had none."""
    page = manager.get(f"{CONVOCATION_HOME}{mission}")
    found = [int(i) for i in re.findall(r'name="agent_id" value="(\d+)"', page.text)][:count]
    with app.app_context(), unit_of_work(db.session):
        for agent in db.session.scalars(select(Agent).where(Agent.id.in_(found))):
            if outbox.agent_address(agent) is None:
                agent.email_personal = f"agent{agent.id}@example.org"
    return found


def without_address(app, agent_id: int) -> str:
    """The agent loses every address (as an agent imported without one); their name."""
    with app.app_context(), unit_of_work(db.session):
        agent = db.session.get(Agent, agent_id)
        agent.email_personal = agent.email_professional = None
        if agent.user is not None:
            agent.user.email = f"{agent.user.username}@{NO_ADDRESS}"
        return agent.full_name


def address_of(app, agent_id: int) -> str:
    with app.app_context():
        return outbox.agent_address(db.session.get(Agent, agent_id))


def convoke(manager, mission: int, agent_ids: list[int]):
    token = csrf_token(manager.get(CONVOCATION_HOME).text)
    response = manager.post(
        f"{CONVOCATION_HOME}{mission}/convoquer",
        data={"csrf_token": token, "agent_id": [str(i) for i in agent_ids], "quality": "ASSISTANT"},
    )
    assert response.status_code == 302
    return console(manager.get(response.headers["Location"]).text)


def job_of_kind(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Job.id).where(Job.kind == kind).order_by(Job.id.desc()))


def rows(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(OutgoingMail.kind, OutgoingMail.recipient, OutgoingMail.state).order_by(
                OutgoingMail.id
            )
        ).all()


# --- Each mail -------------------------------------------------------------------------------


def test_a_convocation_is_mailed_with_its_pdf_and_the_manager_sees_who_got_none(
    app, manager, smtp_server
):
    mission = mission_of(app, 77286)  # travaux administratifs: any free agent is a candidate
    first, second = candidates(app, manager, mission, 2)
    address = address_of(app, first)
    nameless = without_address(app, second)
    messages_ = convoke(manager, mission, [first, second])
    assert "2 intervenant(s) convoqué(s)." in messages_
    assert f"1 agent(s) sans adresse électronique, non prévenu(s) par courriel : {nameless}." in (
        messages_
    )
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == address
    assert mail["Subject"] == "IMAG'IN : convocation à la mission n° 77286"
    plain, html = parts(mail)
    assert "Bonjour" in plain and "Vous êtes convoqué(e) à la mission n° 77286" in plain
    assert "Votre convocation est jointe à ce message (PDF)" in plain
    assert "Vous êtes convoqué(e) à la mission n° 77286" in html and "<p>" in html
    with app.app_context():
        assignment = db.session.scalar(
            select(Assignment.id).where(
                Assignment.mission_id == mission, Assignment.agent_id == first
            )
        )
    link = f"{app.config['PUBLIC_URL']}/missions/{assignment}"
    assert link in plain and f'href="{link}"' in html
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "convocation-77286.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    # The job page says how many left and who got none.
    job_id = job_of_kind(app, mail_jobs.MAIL_DELIVERY)
    with app.app_context():
        deadline = time.monotonic() + 15
        while db.session.get(Job, job_id).state is not JobState.DONE:
            assert time.monotonic() < deadline
            time.sleep(0.1)
            db.session.expire_all()
    page = manager.get(f"/traitements/{job_id}")
    assert "1 courriel(s) envoyé(s)." in page.text
    assert f"1 agent(s) sans adresse électronique, non prévenu(s) par courriel : {nameless}." in (
        page.text
    )
    smtp_server.settle()
    assert len(smtp_server.messages) == 1  # none to the agent without an address
    assert [state for _kind, _to, state in rows(app)] == [MailState.SENT, MailState.NO_ADDRESS]


def send_back(app, manager, smtp_server) -> int:
    """The manager sends Claire LECLERC's validated claim back; its mail is checked."""
    with app.app_context():
        claim = db.session.scalar(
            select(ExpenseClaim.id)
            .join(ExpenseClaim.assignment)
            .join(Assignment.agent)
            .join(Assignment.mission)
            .where(Agent.last_name == "LECLERC", Mission.number == 77508)
        )
    token = csrf_token(manager.get(PROCESSING).text)
    response = manager.post(
        f"{PROCESSING}{claim}/renvoyer",
        data={"csrf_token": token, "message": "Il manque le ticket de péage du 12."},
    )
    assert response.status_code == 302
    (mail,) = smtp_server.wait_for(1)
    assert (
        mail["Subject"] == "IMAG'IN : votre état de frais de la mission n° 77508 vous est renvoyé"
    )
    plain, html = parts(mail)
    assert "La division des examens vous renvoie votre état de frais" in plain
    assert "> Il manque le ticket de péage du 12." in plain
    assert "<blockquote" in html and "Il manque le ticket de péage du 12." in html
    assert f"{app.config['PUBLIC_URL']}/etats-de-frais/{claim}/" in plain
    return claim


def test_a_send_back_mails_the_managers_message(app, manager, smtp_server):
    send_back(app, manager, smtp_server)
    smtp_server.settle()
    assert len(smtp_server.messages) == 1


def test_a_send_back_to_an_agent_without_address_tells_the_manager(app, manager, smtp_server):
    with app.app_context():
        claim, agent = db.session.execute(
            select(ExpenseClaim.id, Agent.id)
            .join(ExpenseClaim.assignment)
            .join(Assignment.agent)
            .join(Assignment.mission)
            .where(Agent.last_name == "LECLERC", Mission.number == 77508)
        ).one()
    name = without_address(app, agent)
    token = csrf_token(manager.get(PROCESSING).text)
    response = manager.post(
        f"{PROCESSING}{claim}/renvoyer", data={"csrf_token": token, "message": "À revoir."}
    )
    shown = console(manager.get(response.headers["Location"]).text)
    assert any("renvoyé" in line for line in shown), shown
    assert f"1 agent(s) sans adresse électronique, non prévenu(s) par courriel : {name}." in shown
    smtp_server.settle()
    assert smtp_server.messages == []
    assert [state for _kind, _to, state in rows(app)] == [MailState.NO_ADDRESS]


def test_a_validation_mails_a_receipt_with_the_dossier_number(app, manager, smtp_server):
    claim = send_back(app, manager, smtp_server)
    teacher = app.test_client()
    assert login(teacher, "enseignant").status_code == 302
    accept_conditions(teacher)
    token = csrf_token(teacher.get("/etats-de-frais/").text)
    response = teacher.post(
        f"/etats-de-frais/{claim}/valider", data={"csrf_token": token, "confirm_zero": "y"}
    )
    shown = console(teacher.get(response.headers["Location"]).text)
    number = re.search(r"dossier n° (\S+)\.", " ".join(shown)).group(1)
    receipt = smtp_server.wait_for(2)[1]
    assert receipt["Subject"] == f"IMAG'IN : votre état de frais est validé (dossier n° {number})"
    plain, html = parts(receipt)
    assert f"Son numéro de dossier est {number}" in plain and number in html
    smtp_server.settle()
    assert len(smtp_server.messages) == 2


def test_the_payment_export_notifies_each_agent_once(app, manager, smtp_server):
    export_job = start_export(manager)
    with JobWorker(app, flush=False) as worker:
        assert worker.wait_for(export_job)["state"] is JobState.DONE
        notices = None
        deadline = time.monotonic() + 15
        while notices is None:
            notices = job_of_kind(app, mail_jobs.PAYMENT_NOTICES)
            assert time.monotonic() < deadline
        done = worker.wait_for(notices)
    assert done["state"] is JobState.DONE, done["message"]
    sent = smtp_server.wait_for(done["total"])
    assert done["total"] == 2  # the two accepted claims of the demo
    assert "2 courriel(s) envoyé(s)." in done["message"]
    subjects = sorted(m["Subject"] for m in sent)
    assert all(
        re.fullmatch(r"IMAG'IN : votre état de frais n° \S+ est transmis pour paiement", s)
        for s in subjects
    )
    assert "transmis au service financier pour paiement" in parts(sent[0])[0]
    # The same notices job run again (as after a worker lost before "done") queues and
    # sends nothing twice.
    with app.app_context(), unit_of_work(db.session):
        lost = db.session.get(Job, notices)
        lost.state = JobState.RUNNING  # its worker silent for an hour
        lost.heartbeat_at = utcnow() - dt.timedelta(hours=1)
    job_queue(app).enqueue(notices)  # the smtp_server fixture's worker runs it
    deadline = time.monotonic() + 15
    while True:
        with app.app_context():
            again = db.session.get(Job, notices)
            attempts, state = again.attempts, again.state
        if attempts == 2 and state is JobState.DONE:
            break
        assert time.monotonic() < deadline, (attempts, state)
        time.sleep(0.1)
    smtp_server.settle()
    assert len(smtp_server.messages) == 2
    assert [kind for kind, _to, _state in rows(app)] == [messages.PAYMENT] * 2


def test_a_mail_server_down_is_tried_again_and_the_mail_arrives_once(app, manager, smtp_server):
    mission = mission_of(app, 77286)
    (agent,) = candidates(app, manager, mission, 1)
    port = app.config["MAIL_PORT"]
    with socket.socket() as probe:  # a port nobody listens on: the server is "down"
        probe.bind(("127.0.0.1", 0))
        app.config["MAIL_PORT"] = probe.getsockname()[1]
    convoke(manager, mission, [agent])
    job_id = job_of_kind(app, mail_jobs.MAIL_DELIVERY)
    deadline = time.monotonic() + 15
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            attempts, state, message = job.attempts, job.state, job.message
        if attempts >= 1 and state is JobState.QUEUED:
            break
        assert time.monotonic() < deadline, (attempts, state, message)
        time.sleep(0.05)
    assert "serveur de messagerie n'a pas répondu : le traitement sera relancé" in message
    app.config["MAIL_PORT"] = port  # the server is back before the next attempt
    (mail,) = smtp_server.wait_for(1)
    assert mail["To"] == address_of(app, agent)
    deadline = time.monotonic() + 15
    while True:
        with app.app_context():
            job = db.session.get(Job, job_id)
            attempts, state = job.attempts, job.state
        if state is JobState.DONE:
            break
        assert time.monotonic() < deadline, (attempts, state)
        time.sleep(0.05)
    assert attempts >= 2
    smtp_server.settle()
    assert len(smtp_server.messages) == 1


def test_the_same_mail_is_queued_once(app, demo):
    with app.app_context(), unit_of_work(db.session):
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        first = messages.queue_convocations(db.session, [assignment])
        again = messages.queue_convocations(db.session, [assignment])
    assert len(rows(app)) == 1
    assert first.recipients == again.recipients


# --- A worker killed in the middle ------------------------------------------------------------


class HoldingHandler:
    """An SMTP server's handler that accepts every mail, except that it can hold the
    answer to one (the worker then waits in the middle of a send); a mail whose sender
    went away before the answer is not delivered (as a real server does)."""

    def __init__(self):
        self.messages = []
        self.hold_number: int | None = None
        self.holding = False
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.seen += 1
        if self.seen == self.hold_number:
            self.holding = True
            while self.hold_number is not None:
                if server.transport is None or server.transport.is_closing():
                    return "421 Connection lost"
                await asyncio.sleep(0.05)
        self.messages.append(message_from_bytes(envelope.original_content, policy=default))
        return "250 Message accepted"


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.services)])
def queue_settings(request, app, monkeypatch):
    """The queue both the test and the worker processes use."""
    from huey import RedisHuey

    from app.jobs.queue import EXTENSION, JobQueue
    from tests.conftest import WORKER

    if request.param == "redis":
        name = f"imagin-test-mails-{WORKER or 'main'}"
        huey = RedisHuey(name, url=REDIS_URL, results=False)
        huey.storage.conn.ping()
        monkeypatch.setitem(app.extensions, EXTENSION, JobQueue(app, huey))
        for key in (mail_jobs.EXTENSION, outbox.DISPATCH):  # restored after the test
            monkeypatch.setitem(app.extensions, key, app.extensions[key])
        mail_jobs.init_app(app)  # the single mails' task on this queue too
        yield {"JOB_QUEUE_URL": REDIS_URL, "JOB_QUEUE_NAME": name}
        huey.flush()
    else:
        yield {"JOB_QUEUE_FILE": str(TMP / "jobs.db")}


def start_worker(settings: dict, name: str) -> subprocess.Popen:
    """A worker process, once it is ready (its output goes to a file of the test's)."""
    log = TMP / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, the test's own module
            [sys.executable, "-m", "tests.jobs.mail_worker", json.dumps(settings)],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
    deadline = time.monotonic() + 60
    while "worker ready" not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)
    return process


def test_a_worker_killed_mid_job_loses_no_mail_and_doubles_none(app, manager, queue_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = HoldingHandler()
    handler.hold_number = 2  # the worker will be killed while sending the second mail
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    job_queue(app).huey.flush()
    settings = queue_settings | {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],  # this xdist worker's
        "SERVER_NAME": None,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_SEND_LEASE_SECONDS": 1,
        "JOB_LEASE_SECONDS": 3,  # a heartbeat every half second: late under load, not lost
        "UPLOAD_FOLDER": str(TMP / "uploads"),
    }
    first = second = None
    try:
        first = start_worker(settings, "worker-1")
        mission = mission_of(app, 77286)
        chosen = candidates(app, manager, mission, 3)
        expected = sorted(address_of(app, agent) for agent in chosen)
        assert len(set(expected)) == 3 and all(expected)
        convoke(manager, mission, chosen)
        job_id = job_of_kind(app, mail_jobs.MAIL_DELIVERY)
        deadline = (
            time.monotonic() + 120
        )  # a loaded machine: the worker starts, renders the convocations first
        while not handler.holding:  # mail 1 sent, mail 2 on its way
            assert time.monotonic() < deadline, (
                "the worker did not start sending:\n"
                + (TMP / "worker-1.log").read_text(errors="replace")[-4000:]
            )
            time.sleep(0.05)
        assert len(handler.messages) == 1
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        handler.hold_number = None
        states = [state for _kind, _to, state in rows(app)]
        assert states.count(MailState.SENT) == 1 and states.count(MailState.PENDING) == 2
        with app.app_context():
            assert db.session.get(Job, job_id).state is JobState.RUNNING
        # Another worker, and nobody's help: its sweeper finds the job silent for the
        # lease, takes it back; the job sends what is pending (mail 2 once its lease ran out).
        second = start_worker(settings, "worker-2")
        deadline = time.monotonic() + 90
        while True:
            with app.app_context():
                job = db.session.get(Job, job_id)
                state, message = job.state, job.message
            if state is JobState.DONE:
                break
            assert time.monotonic() < deadline, f"job still {state}: {message}"
            time.sleep(0.1)
        assert "3 courriel(s) envoyé(s)." in message
        received = sorted(m["To"] for m in handler.messages)
        assert received == expected  # each once: not lost, not doubled
        assert [state for _kind, _to, state in rows(app)] == [MailState.SENT] * 3
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(10)
        controller.stop()
        job_queue(app).huey.flush()
