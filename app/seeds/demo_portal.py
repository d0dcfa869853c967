"""Demo data of the access portal (issue 16): the applications it opens (SANTORIN
available, CYCLADES's jury portal under maintenance), each mission type's application,
every « Etat correction » on the teacher's missions, an EPS teacher (``enseignant-eps``),
an inspector (``inspecteur``) and a jury deliberation presided by ``EXT35000123``.

Idempotent like ``app.seeds.demo``: each record is looked up by its natural key first.
Numens 35E00002xx, mission numbers 300000–300999."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.claims import lifecycle
from app.services.competences import rules as competences
from models import (
    Academy,
    Agent,
    AgentEstablishment,
    Application,
    Assignment,
    CorrectionState,
    Discipline,
    Establishment,
    Exam,
    ExamSession,
    Mef,
    Mission,
    MissionSlot,
    MissionType,
    Subject,
    Teaching,
    User,
)
from models.enums import (
    AgentKind,
    AssignmentQuality,
    Civility,
    CorrectionStatus,
    EstablishmentLinkType,
    FeeEntryFamily,
    SlotDuration,
)

APPLICATIONS = (
    # code, name, address template, available, maintenance message
    (
        "SANTORIN",
        "SANTORIN",
        "https://santorin.ac-{academie}.fr/correcteur?mission={numero}",
        True,
        None,
    ),
    (
        "CYCLADES",
        "CYCLADES",
        "https://cyclades.ac-{academie}.fr/examens/mission?numero={numero}",
        True,
        None,
    ),
    (
        "CYCLADES_EPS",
        "CYCLADES – Gestion EPS",
        "https://cyclades.ac-{academie}.fr/eps/",
        True,
        None,
    ),
    (
        "CYCLADES_JURY",
        "CYCLADES – Portail jury",
        "https://cyclades.education.gouv.fr/jury/",
        False,
        "Maintenance du portail jury : retour prévu lundi à 8 h.",
    ),
    (
        "DELOS_BNS",
        "DELOS – Banque nationale de sujets",
        "https://delos.education.gouv.fr/bns/",
        True,
        None,
    ),
    (
        "SANTORIN_STATS",
        "SANTORIN – Statistiques nationales",
        "https://santorin.education.gouv.fr/statistiques/",
        True,
        None,
    ),
)
# The mission types of the seeds not in the demo yet: code, name, family, has_fee.
MISSION_TYPES = (
    ("CCONF", "Conformité BTS (CCONF)", FeeEntryFamily.NONE, True),
    ("COMPO", "Composition en ligne (COMPO)", FeeEntryFamily.NONE, True),
    ("NUMERIS", "Chargé de numérisation", FeeEntryFamily.NONE, True),
    ("CAEPS", "Commission académique EPS", FeeEntryFamily.NONE, False),
    ("NOTEPS", "Notation EPS CCF", FeeEntryFamily.NONE, True),
)
# Which application each mission type's missions open (issue 16 §1).
TYPE_APPLICATION = {
    "CORR": "SANTORIN",
    "CORRDOM": "SANTORIN",
    "EEPCC": "SANTORIN",
    "MEMOIRE": "SANTORIN",
    "HARMO": "SANTORIN",
    "CCONF": "SANTORIN",
    "COMPO": "SANTORIN",
    "NUMERIS": "SANTORIN",
    "NOTEPS": "SANTORIN",
    "CAEPS": "CYCLADES",
}
# The teacher's missions and what SANTORIN sent for them (« Etat correction »); 77847
# (an oral) has its service fait (« Service fait »), 77742 ended 120 days ago (not shown).
CORRECTION_STATES = (
    (86373, CorrectionStatus.TO_CORRECT, 0),
    (77824, CorrectionStatus.TO_DIGITISE, 0),
    (77842, CorrectionStatus.DONE, 96),
    (77742, CorrectionStatus.DONE, 12),
)
# Missions of this part: number, exam code, type code, centre UAI, days from today.
MISSIONS = (
    (300001, "BCP", "CAEPS", "0560051B", 20),
    (300002, "BCG", "JURY", "0350024L", 15),
)


def _get(session: Session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


def _applications(session: Session) -> dict[str, Application]:
    found = {}
    for code, name, template, available, message in APPLICATIONS:
        application = _get(session, Application, code=code)
        if application is None:
            application = Application(
                code=code,
                name=name,
                url_template=template,
                available=available,
                maintenance_message=message,
            )
            session.add(application)
        found[code] = application
    session.flush()
    return found


def _mission_types(session: Session, apps: dict[str, Application]) -> dict[str, MissionType]:
    for code, name, family, has_fee in MISSION_TYPES:
        if _get(session, MissionType, code=code) is None:
            session.add(
                MissionType(
                    code=code,
                    name=name,
                    fee_family=family,
                    has_fee=has_fee,
                    reimburses_travel=True,
                )
            )
    session.flush()
    types = {t.code: t for t in session.scalars(select(MissionType))}
    for code, application in TYPE_APPLICATION.items():
        if code in types and types[code].application_id is None:
            types[code].application_id = apps[application].id
    if "JURY" in types:
        types["JURY"].deliberation = True
    return types


def _user(sm, password: str, username: str, first: str, last: str, role: str, email: str) -> User:
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(
            username=username,
            first_name=first,
            last_name=last,
            email=email,
            role=sm.find_role(role),
            password=password,
        )
        if not user:
            raise RuntimeError(f"could not create the demo user {username}")
    return user


def _agent(session: Session, numen: str, **values) -> Agent:
    agent = _get(session, Agent, numen=numen)
    if agent is None:
        agent = Agent(numen=numen, **values)
        session.add(agent)
        session.flush()
    return agent


def _discipline(session: Session, code: str, name: str) -> Discipline:
    discipline = _get(session, Discipline, code=code)
    if discipline is None:
        discipline = Discipline(code=code, name=name)
        session.add(discipline)
        session.flush()
    return discipline


def _people(sm, password: str, session: Session, rennes: Academy) -> dict[str, Agent]:
    eps_user = _user(
        sm, password, "enseignant-eps", "Gaël", "Tanguy", "Enseignant", "gael.tanguy@ac-rennes.fr"
    )
    inspector_user = _user(
        sm,
        password,
        "inspecteur",
        "Hélène",
        "Kervella",
        "Enseignant",
        "helene.kervella@education.gouv.fr",
    )
    eps = _agent(
        session,
        "35E0000201EPS",
        user_id=eps_user.id,
        academy_id=rennes.id,
        kind=AgentKind.TEACHER,
        civility=Civility.MR,
        last_name="TANGUY",
        first_name="Gaël",
        post_discipline_id=_discipline(session, "L1900", "EDUCATION PHYSIQUE ET SPORTIVE").id,
        postcode="56325",
        town="LANESTER",
        email_professional="gael.tanguy@ac-rennes.fr",
    )
    inspector = _agent(
        session,
        "35E0000202INS",
        user_id=inspector_user.id,
        academy_id=rennes.id,
        kind=AgentKind.INSPECTOR,
        civility=Civility.MRS,
        last_name="KERVELLA",
        first_name="Hélène",
        post_discipline_id=_discipline(session, "IMSUJ", "INSPECTION - SUJETS").id,
        postcode="35000",
        town="RENNES",
        email_professional="helene.kervella@education.gouv.fr",
    )
    mace = _get(session, Establishment, uai="0560051B")
    if _get(session, AgentEstablishment, agent_id=eps.id, establishment_id=mace.id) is None:
        session.add(
            AgentEstablishment(
                agent_id=eps.id,
                establishment_id=mace.id,
                link_type=EstablishmentLinkType.PRINCIPAL,
                discipline_id=eps.post_discipline_id,
            )
        )
    subject = _get(session, Subject, code="110100")
    mef = _get(session, Mef, code="20212010110")  # terminale générale: the BGT level
    year = competences.school_year()
    lookup = {
        "agent_id": eps.id,
        "establishment_id": mace.id,
        "mef_id": mef.id,
        "subject_id": subject.id,
        "modality": "COURS GENERAL",
        "school_year": year,
    }
    if _get(session, Teaching, **lookup) is None:
        session.add(Teaching(**lookup))
    session.flush()
    return {"eps": eps, "inspector": inspector}


def _missions(session, rennes, types, agents, manager_id, today) -> None:
    for number, exam_code, type_code, centre, offset in MISSIONS:
        mission = _get(session, Mission, academy_id=rennes.id, number=number)
        if mission is not None:
            continue
        day = today + dt.timedelta(days=offset)
        exam = _get(session, Exam, code=exam_code)
        name = f"session {day.year}"
        exam_session = _get(session, ExamSession, exam_id=exam.id, name=name)
        if exam_session is None:
            exam_session = ExamSession(exam_id=exam.id, name=name, year=day.year)
            session.add(exam_session)
        mission = Mission(
            academy_id=rennes.id,
            number=number,
            mission_type=types[type_code],
            session=exam_session,
            centre=_get(session, Establishment, uai=centre),
        )
        mission.slots = [
            MissionSlot(day=day, start_time=dt.time(9), duration=SlotDuration.HALF_DAY)
        ]
        session.add(mission)
        session.flush()
        agent, quality = agents[number]
        assignment = Assignment(
            mission=mission, agent=agent, quality=quality, convoked_by_id=manager_id
        )
        assignment.claim = lifecycle.new_claim(mission.mission_type, by_user_id=manager_id)
        session.add(assignment)
    session.flush()


def _correction_states(session, rennes, teacher) -> None:
    for number, state, copies in CORRECTION_STATES:
        assignment = session.scalar(
            select(Assignment)
            .join(Mission)
            .where(
                Mission.academy_id == rennes.id,
                Mission.number == number,
                Assignment.agent_id == teacher.id,
            )
        )
        if assignment is None or _get(session, CorrectionState, assignment_id=assignment.id):
            continue
        session.add(
            CorrectionState(
                assignment_id=assignment.id,
                copies=copies,
                state=state,
                session_label=f"{(assignment.mission.first_day or dt.date.today()).year}",
            )
        )
    session.flush()


def seed_portal(session: Session, security_manager, today: dt.date, password: str) -> None:
    """The access portal's demo data (after the rest of the demo académie); the new
    accounts get the demo ``password``."""
    rennes = _get(session, Academy, code="RENNES")
    apps = _applications(session)
    types = _mission_types(session, apps)
    people = _people(security_manager, password, session, rennes)
    teacher = _get(session, Agent, numen="35E0000001MPC")
    external = _get(session, Agent, external_id="EXT35000123")
    manager_id = session.scalar(select(User.id).where(User.username == "gestionnaire"))
    agents = {
        300001: (people["eps"], AssignmentQuality.JURY_MEMBER),
        300002: (external, AssignmentQuality.PRESIDENT),
    }
    _missions(session, rennes, types, agents, manager_id, today)
    _correction_states(session, rennes, teacher)
