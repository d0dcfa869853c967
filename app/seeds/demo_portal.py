"""Demo data of the access portal (issue 16): the applications it opens (SANTORIN
available, CYCLADES's jury portal under maintenance), each mission type's application,
every « Etat correction » on the teacher's missions, an EPS teacher (``enseignant-eps``),
an inspector (``inspecteur``) and the jury deliberation 176629 presided by ``EXT35000123``.

Idempotent like ``app.seeds.demo``: each record is looked up by its natural key first.
Numens 35E00002xx; no mission of its own (the demo's claims and their figures stay
as they are)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    Mef,
    Mission,
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
# The jury deliberation the external contributor presides (his quality there).
PRESIDED_DELIBERATION = 176629


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


def _presidency(session, rennes, external) -> None:
    """Marc LE GALL presides the jury deliberation 176629 (he reaches CYCLADES's jury
    portal); his claim there is unchanged."""
    assignment = session.scalar(
        select(Assignment)
        .join(Mission)
        .where(
            Mission.academy_id == rennes.id,
            Mission.number == PRESIDED_DELIBERATION,
            Assignment.agent_id == external.id,
        )
    )
    if assignment is not None:
        assignment.quality = AssignmentQuality.PRESIDENT
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


def seed_portal(session: Session, security_manager, password: str) -> None:
    """The access portal's demo data (after the rest of the demo académie); the new
    accounts get the demo ``password``."""
    rennes = _get(session, Academy, code="RENNES")
    apps = _applications(session)
    _mission_types(session, apps)
    _people(security_manager, password, session, rennes)
    teacher = _get(session, Agent, numen="35E0000001MPC")
    external = _get(session, Agent, external_id="EXT35000123")
    _presidency(session, rennes, external)
    _correction_states(session, rennes, teacher)
