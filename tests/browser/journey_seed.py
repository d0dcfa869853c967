"""What the import journey (test_imports_journey_browser.py) needs besides the ministry's
files: an académie as it is before any import, and the few records other screens make
between the imports (each of those screens is tested elsewhere), made here through the
seeds' and the services' own functions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.seeds import demo
from app.seeds.demo_data import IMPUTATIONS, MISSION_TYPES
from app.services.missions.convocation import convoke
from app.services.people.directory import ensure_account
from models import (
    Academy,
    AcademySettings,
    Agent,
    Exam,
    ExamSession,
    Manager,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
    PaperTeachingRule,
    Specialty,
    Subject,
)
from models.enums import AssignmentQuality, SlotDuration

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"


def seed_empty_academy(session: Session, security_manager) -> None:
    """The académie de Rennes before any import: its settings, the mission types, the
    barème, the manager's and administrator's accounts and the portal's messages — no
    exams, papers, sessions, establishments, agents, teachings nor missions."""
    rennes = Academy(code="RENNES", name="Rennes", portal_url="https://imagin.ac-rennes.fr")
    session.add(rennes)
    session.flush()
    session.add(
        AcademySettings(
            academy_id=rennes.id,
            management_office_name="DEXACO RENNES – Division des examens et concours",
            management_office_address="96 RUE D'ANTRAIN\nCS 10503\n35705 RENNES CEDEX 7",
            dematerialised_documents=True,
            documents_info_url="https://www.ac-rennes.fr",
        )
    )
    for code, name, family, has_fee, travel in MISSION_TYPES:
        imputations = dict(
            zip(("fee_imputation", "travel_imputation"), IMPUTATIONS.get(code, ()), strict=False)
        )
        session.add(
            MissionType(
                code=code,
                name=name,
                fee_family=family,
                has_fee=has_fee,
                reimburses_travel=travel,
                **imputations,
            )
        )
    demo._rates(session)
    manager = demo._user(
        security_manager,
        session,
        "gestionnaire",
        "Anne",
        "Guillou",
        "Gestionnaire",
        "dexaco@ac-rennes.fr",
    )
    demo._user(security_manager, session, "admin", "Admin", "Imagin", "Admin", "admin@ac-rennes.fr")
    session.add(
        Manager(user_id=manager.id, academy_id=rennes.id, code="DEC2-GUILLOU", office="DEC2")
    )
    session.flush()
    demo._messages(session, manager.id)
    # The national subjects the table de correspondance names (STS-WEB files add the
    # others): the rule of the journey is written before any STS file is imported.
    session.add(Subject(code="061300", name="MATHEMATIQUES"))
    session.flush()


def paper_of(session: Session, key: tuple[str, str, str]) -> Paper:
    exam, specialty, paper = key
    return session.scalar(
        select(Paper)
        .join(Paper.specialty)
        .join(Specialty.exam)
        .where(Exam.code == exam, Specialty.code == specialty, Paper.code == paper)
    )


def add_teaching_rule(session: Session, paper_key: tuple[str, str, str], subject: str) -> None:
    """A line of the table de correspondance: the subject qualifies for the paper."""
    subject_id = session.scalar(select(Subject.id).where(Subject.code == subject))
    session.add(PaperTeachingRule(paper_id=paper_of(session, paper_key).id, subject_id=subject_id))
    session.flush()


def convoke_teacher(
    session: Session, numen: str, number: int, paper_key: tuple[str, str, str]
) -> None:
    """The written test ``number`` (« Epreuve écrite ponctuelle », the AUTOMATIC fee
    family) on the imported paper, its per-copy group set as on the papers' screen, the
    teacher convoked (her claim is created), and her account created as the people's
    screen does, with the demo password."""
    paper = paper_of(session, paper_key)
    paper.copy_rate_group = 4
    academy_id = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
    exam_session = session.scalar(
        select(ExamSession).where(ExamSession.exam_id == paper.specialty.exam_id)
    )
    mission = Mission(
        academy_id=academy_id,
        number=number,
        mission_type=session.scalar(select(MissionType).where(MissionType.code == "EEPCC")),
        session=exam_session,
        specialty=paper.specialty,
        paper=paper,
    )
    mission.slots = [
        MissionSlot(
            # Over (the claim's « Frais rémunération » opens once the mission is done),
            # although the example's only sessions are those of June 2027.
            day=dt.date.today() - dt.timedelta(days=20),
            start_time=dt.time(9, 0),
            duration=SlotDuration.DAY,
        )
    ]
    session.add(mission)
    session.flush()
    teacher = session.scalar(select(Agent).where(Agent.numen == numen))
    manager_id = session.scalar(select(Manager.user_id))
    convoke(
        session,
        mission,
        [teacher.id],
        quality=AssignmentQuality.CORRECTOR,
        jury=None,
        by_user_id=manager_id,
    )
    user = ensure_account(session, demo_security_manager(), teacher)
    demo_security_manager().reset_password(user.id, demo.DEMO_PASSWORD)


def demo_security_manager():
    from flask import current_app

    return current_app.appbuilder.sm
