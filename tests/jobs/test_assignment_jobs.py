"""The automatic assignment's jobs through a real worker (Huey's consumer) and a real
SMTP server (aiosmtpd), as a manager runs them: the proposal job, then « Convoquer »:
each agent proposed receives the convocation mail with its PDF attached."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import db
from app.services.missions.assignment import runs
from models import Assignment, Job
from models.assignment import AssignmentProposal, AssignmentRun
from models.enums import AssignmentRunState, JobState, SlotDuration
from tests.services.test_assignment_runs import manager, world  # noqa: F401 - fixtures
from tests.services.test_assignment_source import Q, competent, mission

H = SlotDuration.HALF_DAY


def finished(app, job_id: int, timeout: float = 60) -> dict:
    """The job's row, as committed, once a worker has finished it."""
    deadline = time.monotonic() + timeout
    while True:
        with db.engine.connect() as connection:
            row = connection.execute(sa.select(Job.__table__).where(Job.id == job_id)).one()
        if row.state in (JobState.DONE, JobState.FAILED):
            return row._asdict()
        assert time.monotonic() < deadline, f"job {job_id} still {row.state}"
        time.sleep(0.1)


def test_the_manager_proposes_convokes_and_the_agents_get_their_pdf(  # noqa: F811
    app,
    session,
    world,  # noqa: F811
    manager,  # noqa: F811
    smtp_server,
):
    academy, exam_session, agents = world
    first = mission(session, world, 992001, slots=((30, "09:00", H),), needs=[(Q.CORRECTOR, 2)])
    second = mission(session, world, 992002, slots=((31, "14:00", H),), needs=[(Q.CORRECTOR, 1)])
    for number, agent in enumerate(agents[:3]):
        competent(session, agent, first.paper)
        agent.email_personal = f"correcteur{number}@example.org"
    run = runs.start(
        session,
        academy.id,
        exam_session_id=exam_session.id,
        mission_numbers=f"{first.number} {second.number}",
        weights={},
        by_user_id=manager,
    )
    run_id = run.id
    job_id = run.proposal_job_id
    session.commit()  # the request's end: the worker finds the job
    assert finished(app, job_id)["state"] is JobState.DONE
    session.expire_all()
    shown = runs.review(session, academy.id, run_id)
    assert shown.state_label == "Proposée" and shown.may_convoke
    proposed = {
        (line.mission_id, line.agent_id)
        for line in session.scalars(
            select(AssignmentProposal).where(AssignmentProposal.run_id == run_id)
        )
    }
    assert len(proposed) == 3
    session.commit()
    job = runs.convoke(session, academy.id, run_id, by_user_id=manager)
    job_id = job.id
    session.commit()
    row = finished(app, job_id)
    assert row["state"] is JobState.DONE, row["message"]
    assert row["message"].startswith("3 intervenant(s) convoqué(s) sur 3 ; ")
    mails = smtp_server.wait_for(3, timeout=60)
    smtp_server.settle(timeout=60)
    assert len(smtp_server.messages) == 3
    addresses = {agent.id: agent.email_personal for agent in agents[:3]}
    numbers = {first.id: first.number, second.id: second.number}
    expected = {
        (addresses[agent_id], f"IMAG'IN : convocation à la mission n° {numbers[mission_id]}")
        for mission_id, agent_id in proposed
    }
    assert {(mail["To"], mail["Subject"]) for mail in mails} == expected
    for mail in mails:
        (attachment,) = list(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content().startswith(b"%PDF")
    session.expire_all()
    assert session.get(AssignmentRun, run_id).state is AssignmentRunState.CONVOKED
    convoked = set(
        session.execute(
            select(Assignment.mission_id, Assignment.agent_id).where(
                Assignment.mission_id.in_([first.id, second.id])
            )
        ).all()
    )
    assert convoked == proposed
