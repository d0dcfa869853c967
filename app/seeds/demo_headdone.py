"""Demo data of the head of the exam centre's « Constat de service fait » (issue 16 §5):
two ended missions held at the LGT Emile Zola (Yves MORVAN, the ``chef`` account, heads
it), with convoked contributors: the service done of the first is still to record, that
of the second was recorded by the head. Idempotent (looked up by mission number)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.seeds.demo_data import MONTHS
from app.services.claims import lifecycle
from app.services.common import clock
from models import Agent, Assignment, ExamSession, Mission, MissionSlot
from models.enums import AgentKind, AssignmentQuality, SlotDuration

ZOLA = "0350024"
# numen, last name, first name
AGENTS = (
    ("35E0000501ENS", "HAMON", "Gaëlle"),
    ("35E0000502ENS", "JAOUEN", "Ronan"),
    ("35E0000503ENS", "KERBRAT", "Morgane"),
    ("35E0000504ENS", "LE BRIS", "Tanguy"),
)
# number, exam, mission type, paper, (days from today, duration), agents, quality, recorded
MISSIONS = (
    (
        330001,
        "BCG",
        "CORR",
        ("BCG", "ES", "MATNS"),
        ((-4, SlotDuration.DAY), (-3, SlotDuration.DAY)),
        (0, 1, 2),
        AssignmentQuality.CORRECTOR,
        False,
    ),
    (
        330002,
        "BCG",
        "JURY",
        None,
        ((-6, SlotDuration.HALF_DAY),),
        (2, 3),
        AssignmentQuality.JURY_MEMBER,
        True,
    ),
)


def _agents(session: Session, academy_id: int) -> list[Agent]:
    agents = []
    for numen, last, first in AGENTS:
        agent = session.scalar(select(Agent).where(Agent.numen == numen))
        if agent is None:
            agent = Agent(
                numen=numen,
                academy_id=academy_id,
                kind=AgentKind.TEACHER,
                last_name=last,
                first_name=first,
                town="RENNES",
                postcode="35000",
            )
            session.add(agent)
        agents.append(agent)
    session.flush()
    return agents


def seed_head_service_done(session: Session, ref: dict, people: dict, today: dt.date) -> None:
    rennes = ref["rennes"]
    manager_id = people["manager_user"].id
    head_user_id = people["head"].user_id
    agents = _agents(session, rennes.id)
    for number, exam_code, type_code, paper_key, slots, chosen, quality, recorded in MISSIONS:
        if session.scalar(
            select(Mission.id).where(Mission.academy_id == rennes.id, Mission.number == number)
        ):
            continue
        exam = ref["exams"][exam_code]
        first = today + dt.timedelta(days=min(offset for offset, _duration in slots))
        name = f"{MONTHS[first.month - 1]} {first.year}"
        exam_session = session.scalar(
            select(ExamSession).where(ExamSession.exam_id == exam.id, ExamSession.name == name)
        ) or ExamSession(exam_id=exam.id, name=name, year=first.year)
        paper = ref["papers"][paper_key] if paper_key else None
        mission = Mission(
            academy_id=rennes.id,
            number=number,
            mission_type=ref["types"][type_code],
            session=exam_session,
            paper=paper,
            specialty=paper.specialty if paper else None,
            centre=ref["establishments"][ZOLA],
            slots=[
                MissionSlot(
                    day=today + dt.timedelta(days=offset),
                    start_time=dt.time(8, 0),
                    duration=duration,
                )
                for offset, duration in slots
            ],
        )
        session.add(mission)
        session.flush()
        for index in chosen:
            assignment = Assignment(
                mission=mission, agent=agents[index], quality=quality, convoked_by_id=manager_id
            )
            assignment.claim = lifecycle.new_claim(mission.mission_type, by_user_id=manager_id)
            if recorded:
                assignment.service_done_on = mission.last_day
                # On the mission's last day, at the time of day of the seeding: a stamp
                # that moves with the clock, as the demo's others (the tests restore
                # the demo with every timestamp shifted by the time elapsed).
                seeded_at = clock.now()
                assignment.service_done_at = dt.datetime.combine(mission.last_day, seeded_at.time())
                assignment.service_done_by_id = head_user_id
            session.add(assignment)
        session.flush()
