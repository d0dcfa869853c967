"""Demo data of the Enquête DCS (issue 16): the DCG and DSCG exams and their papers, the
DCS teacher ``enseignant-dcs`` (economics and management, LGT VICTOR ET HELENE BASCH in
Rennes, BTS and DCG classes), a colleague who has already confirmed her answers, and
the survey open in the académie de Rennes. Idempotent like the rest of the demo.

Ranges of this part: numen 35E00003xx, username ``enseignant-dcs``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.competences import rules as competences
from app.services.dcs import survey
from models import (
    Academy,
    AcademySettings,
    Agent,
    AgentEstablishment,
    Discipline,
    Establishment,
    Exam,
    ExamCategory,
    Mef,
    Paper,
    Specialty,
    Subject,
    Teaching,
)
from models.enums import (
    AgentKind,
    Civility,
    DcsSituation,
    EstablishmentCategory,
    EstablishmentLinkType,
)

# (code, name, short name, papers: (code, name, minutes per candidate for an oral))
EXAMS = (
    (
        "DCG",
        "DIPLOME DE COMPTABILITE ET DE GESTION",
        "DCG",
        (
            ("UE1", "FONDAMENTAUX DU DROIT", None),
            ("UE2", "DROIT DES SOCIETES ET DES GROUPEMENTS D'AFFAIRES", None),
            ("UE3", "DROIT SOCIAL", None),
            ("UE4", "DROIT FISCAL", None),
            ("UE5", "ECONOMIE CONTEMPORAINE", None),
            ("UE6", "FINANCE D'ENTREPRISE", None),
            ("UE7", "MANAGEMENT", None),
            ("UE8", "SYSTEMES D'INFORMATION DE GESTION", None),
            ("UE9", "INTRODUCTION A LA COMPTABILITE", None),
            ("UE10", "COMPTABILITE APPROFONDIE", None),
            ("UE11", "CONTROLE DE GESTION", None),
            ("UE12", "ANGLAIS DES AFFAIRES", None),
            ("UE13", "COMMUNICATION PROFESSIONNELLE", 40),
        ),
    ),
    (
        "DSCG",
        "DIPLOME SUPERIEUR DE COMPTABILITE ET DE GESTION",
        "DSCG",
        (
            ("UE1", "GESTION JURIDIQUE, FISCALE ET SOCIALE", None),
            ("UE2", "FINANCE", None),
            ("UE3", "MANAGEMENT ET CONTROLE DE GESTION", None),
            ("UE4", "COMPTABILITE ET AUDIT", None),
            ("UE5", "MANAGEMENT DES SYSTEMES D'INFORMATION", None),
            ("UE6", "ANGLAIS DES AFFAIRES", 30),
            ("UE7", "MISSION PROFESSIONNELLE", 60),
        ),
    ),
)
BASCH = "0350710"
PASSWORD = "imagin-demo"  # noqa: S105 - the demo accounts' documented password


def _one(session: Session, model, lookup: dict, **values):
    found = session.scalar(select(model).filter_by(**lookup))
    if found is None:
        found = model(**lookup, **values)
        session.add(found)
        session.flush()
    return found


def _exams(session: Session) -> dict[tuple[str, str], Paper]:
    papers = {}
    for code, name, short, exam_papers in EXAMS:
        exam = _one(session, Exam, {"code": code}, name=name, short_name=short)
        for category in (EstablishmentCategory.LGT, EstablishmentCategory.HIGHER):
            _one(session, ExamCategory, {"exam_id": exam.id, "category": category})
        specialty = _one(session, Specialty, {"exam_id": exam.id, "code": code}, name=name)
        for paper_code, paper_name, minutes in exam_papers:
            papers[(code, paper_code)] = _one(
                session,
                Paper,
                {"specialty_id": specialty.id, "code": paper_code},
                name=paper_name,
                copy_rate_group=None if minutes else 3,
                hour_rate_group=2 if minutes else None,
                minutes_per_candidate=minutes,
            )
    return papers


def _teacher(session, sm, rennes, basch, numen, last, first, username=None) -> Agent:
    user_id = None
    if username is not None:
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(
                username=username,
                first_name=first,
                last_name=last.title(),
                email=f"{first.lower()}.{last.lower().replace(' ', '-')}@ac-rennes.fr",
                role=sm.find_role("Enseignant"),
                password=PASSWORD,
            )
        user_id = user.id
    discipline = _one(
        session, Discipline, {"code": "P8011"}, name="ECONOMIE ET GESTION OPTION FINANCE CONTROLE"
    )
    agent = _one(
        session,
        Agent,
        {"numen": numen},
        user_id=user_id,
        academy_id=rennes.id,
        kind=AgentKind.TEACHER,
        civility=Civility.MRS if first in ("Maëlle",) else Civility.MR,
        last_name=last,
        first_name=first,
        post_discipline_id=discipline.id,
        postcode="35000",
        town="RENNES",
        dcs_teacher=True,
    )
    _one(
        session,
        AgentEstablishment,
        {"agent_id": agent.id, "establishment_id": basch.id},
        link_type=EstablishmentLinkType.PRINCIPAL,
        discipline_id=discipline.id,
    )
    subject = _one(session, Subject, {"code": "084600"}, name="ECONOMIE ET GESTION")
    for mef_code, mef_name in (
        ("32031307210", "2BTS2 COMPTABILITE ET GESTION"),
        ("35033001110", "1ERE ANNEE DCG"),
    ):
        mef = _one(session, Mef, {"code": mef_code}, name=mef_name)
        _one(
            session,
            Teaching,
            {
                "agent_id": agent.id,
                "establishment_id": basch.id,
                "mef_id": mef.id,
                "subject_id": subject.id,
                "modality": "COURS GENERAL",
                "school_year": competences.school_year(),
            },
        )
    return agent


def _answered(session: Session, agent: Agent, papers: dict) -> None:
    """A colleague who has answered the six steps and confirmed her answers."""
    if survey.answer_of(session, agent).id is not None:
        return
    survey.save_step(session, agent, 1, {"situation": DcsSituation.ACTIVE})
    survey.save_step(session, agent, 2, {"establishments": survey.initial_establishments(agent)})
    survey.save_step(
        session, agent, 3, {"papers": [papers[("DCG", "UE10")].id, papers[("DCG", "UE11")].id]}
    )
    survey.save_step(session, agent, 4, {"vae_available": True, "vae_comment": "Juin et juillet"})
    survey.save_step(session, agent, 5, {"papers": [papers[("DCG", "UE10")].id]})
    survey.validate(
        session, agent, {"papers": [papers[("DCG", "UE13")].id], "oral_places": "RENNES"}
    )


def seed_dcs(session: Session, security_manager, today: dt.date) -> None:
    rennes = session.scalar(select(Academy).where(Academy.code == "RENNES"))
    basch = session.scalar(select(Establishment).where(Establishment.uai.startswith(BASCH)))
    papers = _exams(session)
    settings = session.scalar(
        select(AcademySettings).where(AcademySettings.academy_id == rennes.id)
    )
    if settings.dcs_survey_opens_on is None:
        settings.dcs_survey_opens_on = today - dt.timedelta(days=7)
        settings.dcs_survey_closes_on = today + dt.timedelta(days=60)
    _teacher(
        session,
        security_manager,
        rennes,
        basch,
        "35E0000301DCS",
        "KERBRAT",
        "Gaël",
        username="enseignant-dcs",
    )
    colleague = _teacher(
        session, security_manager, rennes, basch, "35E0000302DCS", "LE BRIS", "Maëlle"
    )
    if survey.is_open(session, rennes.id, today):
        _answered(session, colleague, papers)
    session.flush()
