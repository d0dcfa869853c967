"""Demo data: the académie de Rennes with establishments, exams, mission types of
every family, missions whose claims cover every status of the seeds, and one account
per role (password ``imagin-demo``).

Idempotent: every record is looked up by its natural key first, so running it again
creates nothing new and changes nothing already there. Mission dates are relative to
the day of the first run, so that the date-derived statuses (Mission non effectuée /
en cours / Non validé) are all present.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.seeds import (
    demo_assignment,
    demo_availability,
    demo_communes,
    demo_dcs,
    demo_peers,
    demo_portal,
)
from app.seeds.demo_data import (
    ASSIGNMENTS,
    CONDITIONS,
    ESTABLISHMENTS,
    EXAMS,
    IMPUTATIONS,
    MISSION_TYPES,
    MISSIONS,
    MONTHS,
    WELCOME,
)
from app.seeds.demo_headdone import seed_head_service_done
from app.services.claims import amounts, lifecycle, workflow
from app.services.competences import rules as competences
from app.services.payments import export as payment_export
from app.services.people.users import ensure_roles
from app.services.portal import activities, messages
from app.services.referential.rules import UAI_KEYS
from models import (
    Academy,
    AcademySettings,
    Agent,
    AgentEstablishment,
    Assignment,
    Competence,
    CompetenceEndorsement,
    Discipline,
    Establishment,
    Exam,
    ExamCategory,
    ExamSession,
    FeeEntry,
    Manager,
    Mef,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
    PaperTeachingRule,
    RateLine,
    RateTable,
    Specialty,
    Subject,
    Teaching,
    TravelLeg,
)
from models.enums import (
    AgentKind,
    Civility,
    ClaimPart,
    ClaimStatus,
    EndorsementAuthor,
    EndorsementVerdict,
    EstablishmentCategory,
    EstablishmentLinkType,
    FeeEntryFamily,
    LodgingZone,
    MessageKind,
    RateKind,
    Service,
    TransportMode,
)

DEMO_PASSWORD = "imagin-demo"

Cat = EstablishmentCategory


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("enseignant", "Enseignant", "Claire LECLERC, professeure de mathématiques"),
    DemoAccount("chef", "Chef d'établissement", "Yves MORVAN, proviseur du LGT Emile Zola"),
    DemoAccount("gestionnaire", "Gestionnaire", "Anne GUILLOU, division des examens"),
    # An external contributor logs in with the identifier printed on his convocation.
    DemoAccount("EXT35000123", "Intervenant extérieur", "Marc LE GALL, professionnel"),
    DemoAccount("admin", "Admin", "Administrateur du portail"),
)
# The accounts that show the activities kept for the people they concern (issue 16):
# printed too, but not one per role (DEMO_ACCOUNTS is).
DEMO_AUDIENCE_ACCOUNTS = (
    DemoAccount("enseignant-eps", "Enseignant", "Gaël TANGUY, EPS : Gestion des épreuves EPS"),
    DemoAccount("inspecteur", "Enseignant", "Hélène KERVELLA, IMSUJ : Gestion des sujets"),
    DemoAccount("enseignant-dcs", "Enseignant", "Gaël KERBRAT, enseignant DCS : Enquête DCS"),
)


def nir(body: str) -> str:
    """An INSEE number (NIR) with its key."""
    from stdnum.fr import nir as stdnum_nir

    return body + stdnum_nir.calc_check_digits(body)


def iban(bban: str) -> str:
    """A French IBAN with its check digits."""
    from stdnum import iban as stdnum_iban

    return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}"


def uai(body: str) -> str:
    """A UAI code with its key letter."""
    return body + UAI_KEYS[int(body) % 23]


def _get(session: Session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


def _get_or_create(session: Session, model, lookup: dict, **values):
    obj = _get(session, model, **lookup)
    if obj is None:
        obj = model(**lookup, **values)
        session.add(obj)
        session.flush()
    return obj


def _referential(session: Session) -> dict:
    rennes = _get_or_create(
        session,
        Academy,
        {"code": "RENNES"},
        name="Rennes",
        portal_url="https://imagin.ac-rennes.fr",
    )
    for code, name in (("TOULOUSE", "Toulouse"), ("NANTES", "Nantes")):
        _get_or_create(
            session,
            Academy,
            {"code": code},
            name=name,
            portal_url=f"https://imagin.ac-{code.lower()}.fr",
        )
    _get_or_create(
        session,
        AcademySettings,
        {"academy_id": rennes.id},
        management_office_name="DEXACO RENNES – Division des examens et concours",
        management_office_address="96 RUE D'ANTRAIN\nCS 10503\n35705 RENNES CEDEX 7",
        dematerialised_documents=True,
        documents_info_url="https://www.ac-rennes.fr",
    )
    academies = {a.code: a for a in session.scalars(select(Academy))}
    establishments = {}
    for body, name, category, postcode, town, academy in ESTABLISHMENTS:
        establishments[body] = _get_or_create(
            session,
            Establishment,
            {"uai": uai(body)},
            name=name,
            category=category,
            postcode=postcode,
            town=town,
            academy_id=academies[academy].id,
            lodging_zone=LodgingZone.LARGE_CITY
            if town.startswith("RENNES")
            else LodgingZone.STANDARD,
        )
    papers = {}
    exams = {}
    for code, name, short, categories, specialties in EXAMS:
        exam = _get_or_create(session, Exam, {"code": code}, name=name, short_name=short)
        exams[code] = exam
        for category in categories:
            _get_or_create(session, ExamCategory, {"exam_id": exam.id, "category": category})
        for spec_code, spec_name, spec_papers in specialties:
            specialty = _get_or_create(
                session, Specialty, {"exam_id": exam.id, "code": spec_code}, name=spec_name
            )
            for paper_code, paper_name, copy_group, hour_group in spec_papers:
                papers[(code, spec_code, paper_code)] = _get_or_create(
                    session,
                    Paper,
                    {"specialty_id": specialty.id, "code": paper_code},
                    name=paper_name,
                    copy_rate_group=copy_group,
                    hour_rate_group=hour_group,
                )
    types = {
        code: _get_or_create(
            session,
            MissionType,
            {"code": code},
            name=name,
            fee_family=family,
            has_fee=has_fee,
            reimburses_travel=travel,
            # Orals: never in the establishment where the examiner works (issue 17).
            own_students_conflict=family is FeeEntryFamily.CANDIDATES,
            **dict(
                zip(
                    ("fee_imputation", "travel_imputation"), IMPUTATIONS.get(code, ()), strict=False
                )
            ),
        )
        for code, name, family, has_fee, travel in MISSION_TYPES
    }
    subjects = {
        code: _get_or_create(session, Subject, {"code": code}, name=name)
        for code, name in (
            ("061300", "MATHEMATIQUES"),
            ("030201", "ANGLAIS LV1"),
            ("040100", "HISTOIRE-GEOGRAPHIE"),
            ("001600", "FRANCAIS"),
            ("110100", "EDUCATION PHYSIQUE ET SPORTIVE"),
        )
    }
    mefs = {
        code: _get_or_create(session, Mef, {"code": code}, name=name)
        for code, name in (
            ("20212010110", "TERMINALE ECONOMIQUE ET SOCIALE"),
            ("20111010110", "1ERE GENERALE"),
            ("32031210210", "2BTS2 BANQUE"),
            ("10310019110", "3EME"),
        )
    }
    disciplines = {
        code: _get_or_create(session, Discipline, {"code": code}, name=name)
        for code, name in (
            ("L1300", "MATHEMATIQUES"),
            ("L0422", "ANGLAIS"),
            ("L1000", "HISTOIRE GEOGRAPHIE"),
            ("P8039", "ECO-GEST OPTION GESTION-ADMINISTRATION"),
            ("D0010", "PERSONNEL DE DIRECTION"),
        )
    }
    for key, subject in (
        (("BCG", "ES", "MATS"), "061300"),
        (("BTS", "31406", "U3"), "061300"),
        (("BCG", "L", "LV3A"), "030201"),
        (("BCG", "TOUTES", "003"), "040100"),
    ):
        _get_or_create(
            session,
            PaperTeachingRule,
            {"paper_id": papers[key].id, "subject_id": subjects[subject].id, "mef_id": None},
        )
    return {
        "rennes": rennes,
        "academies": academies,
        "establishments": establishments,
        "papers": papers,
        "exams": exams,
        "types": types,
        "subjects": subjects,
        "mefs": mefs,
        "disciplines": disciplines,
    }


def _rates(session: Session) -> None:
    table = _get(session, RateTable, name="Barème des jurys et déplacements 2022")
    if table is not None:
        return
    table = RateTable(
        academy=_get(session, Academy, code="RENNES"),
        name="Barème des jurys et déplacements 2022",
        valid_from=dt.date(2022, 3, 14),
        reference="Arrêté du 13 avril 2012 (jurys) ; arrêté du 14 mars 2022 (indemnités kilométriques)",
    )
    lines = [
        *(
            (RateKind.FEE_PER_COPY, str(g), a)
            for g, a in enumerate(("0.75", "1.10", "1.73", "2.47", "5.00"), 1)
        ),
        *(
            (RateKind.FEE_PER_HOUR, str(g), a)
            for g, a in enumerate(("4.11", "5.49", "9.60", "13.72"), 1)
        ),
        (RateKind.MEAL, "standard", "20.00"),
        (RateKind.MEAL, "administratif", "10.00"),
        (RateKind.NIGHT, LodgingZone.STANDARD.value, "90.00"),
        (RateKind.NIGHT, LodgingZone.LARGE_CITY.value, "120.00"),
        (RateKind.NIGHT, LodgingZone.PARIS.value, "140.00"),
        (RateKind.KILOMETRE, "5CV:0-2000", "0.32"),
        (RateKind.KILOMETRE, "5CV:2001-10000", "0.40"),
        (RateKind.KILOMETRE, "5CV:10001-", "0.23"),
        (RateKind.KILOMETRE, "6-7CV:0-2000", "0.41"),
        (RateKind.KILOMETRE, "6-7CV:2001-10000", "0.50"),
        (RateKind.KILOMETRE, "6-7CV:10001-", "0.29"),
        (RateKind.KILOMETRE, "8CV:0-2000", "0.45"),
        (RateKind.KILOMETRE, "8CV:2001-10000", "0.55"),
        (RateKind.KILOMETRE, "8CV:10001-", "0.32"),
    ]
    table.lines = [RateLine(kind=k, key=key, amount=Decimal(a)) for k, key, a in lines]
    session.add(table)
    session.flush()


def _user(sm, session: Session, username: str, first: str, last: str, role: str, email: str):
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(
            username=username,
            first_name=first,
            last_name=last,
            email=email,
            role=sm.find_role(role),
            password=DEMO_PASSWORD,
        )
        if not user:
            raise RuntimeError(f"could not create the demo user {username}")
    return user


def _people(sm, session: Session, ref: dict) -> dict:
    est = ref["establishments"]
    rennes = ref["rennes"]
    teacher_user = _user(
        sm, session, "enseignant", "Claire", "Leclerc", "Enseignant", "claire.leclerc@ac-rennes.fr"
    )
    head_user = _user(
        sm, session, "chef", "Yves", "Morvan", "Chef d'établissement", "ce.0350024l@ac-rennes.fr"
    )
    manager_user = _user(
        sm, session, "gestionnaire", "Anne", "Guillou", "Gestionnaire", "dexaco@ac-rennes.fr"
    )
    external_user = _user(
        sm,
        session,
        "EXT35000123",
        "Marc",
        "Le Gall",
        "Intervenant extérieur",
        "marc.legall@example.org",
    )
    _user(sm, session, "admin", "Admin", "Imagin", "Admin", "admin@ac-rennes.fr")

    teacher = _get_or_create(
        session,
        Agent,
        {"numen": "35E0000001MPC"},
        user_id=teacher_user.id,
        academy_id=rennes.id,
        kind=AgentKind.TEACHER,
        civility=Civility.MRS,
        last_name="LECLERC",
        first_name="Claire",
        post_discipline_id=ref["disciplines"]["L1300"].id,
        address_line1="12 RUE DES TILLEULS",
        postcode="35134",
        town="THOURIE",
        phone="0299000001",
        email_professional="claire.leclerc@ac-rennes.fr",
        # A complete file: her accepted claims can be paid.
        insee_number=nir("2780735123456"),
        iban=iban("20041010050500013M02606"),
        bic="PSSTFRPPREN",
        financial_file_active=True,
    )
    head = _get_or_create(
        session,
        Agent,
        {"numen": "35E0000002DIR"},
        user_id=head_user.id,
        academy_id=rennes.id,
        kind=AgentKind.HEAD,
        civility=Civility.MR,
        last_name="MORVAN",
        first_name="Yves",
        post_discipline_id=ref["disciplines"]["D0010"].id,
        postcode="35000",
        town="RENNES",
        email_professional="ce.0350024l@ac-rennes.fr",
        financial_file_active=True,
        insee_number=nir("1650735123456"),
    )
    external = _get_or_create(
        session,
        Agent,
        {"external_id": "EXT35000123"},
        user_id=external_user.id,
        academy_id=rennes.id,
        kind=AgentKind.EXTERNAL,
        civility=Civility.MR,
        last_name="LE GALL",
        first_name="Marc",
        address_line1="4 ALLEE DES CHENES",
        postcode="14123",
        town="CORMELLES LE ROYAL",
        phone="0231000002",
        email_personal="marc.legall@example.org",
        insee_number=nir("1780514123456"),
        iban="FR7630006000011234567890189",
        bic="AGRIFRPPXXX",
        financial_file_active=True,
    )
    _get_or_create(
        session,
        Manager,
        {"user_id": manager_user.id},
        academy_id=rennes.id,
        code="DEC2-GUILLOU",
        office="DEC2",
    )
    zola = est["0350024"]
    for agent, link, discipline in (
        (teacher, EstablishmentLinkType.PRINCIPAL, "L1300"),
        (head, EstablishmentLinkType.HEAD, "D0010"),
    ):
        _get_or_create(
            session,
            AgentEstablishment,
            {"agent_id": agent.id, "establishment_id": zola.id},
            link_type=link,
            discipline_id=ref["disciplines"][discipline].id,
        )
    year = competences.school_year()
    for mef in ("20212010110", "20111010110", "32031210210"):
        _get_or_create(
            session,
            Teaching,
            {
                "agent_id": teacher.id,
                "establishment_id": zola.id,
                "mef_id": ref["mefs"][mef].id,
                "subject_id": ref["subjects"]["061300"].id,
                "modality": "COURS GENERAL",
                "school_year": year,
            },
        )
    colleagues = []
    for index, (last, first, body, discipline) in enumerate(
        (
            ("BERTHELOT", "Julie", "0350024", "L0422"),
            ("CADIOU", "Pierre", "0350024", "L1000"),
            ("DANIEL", "Sophie", "0560026", "L1300"),
            ("EVEN", "Loïc", "0220056", "P8039"),
            ("FLOCH", "Nathalie", "0351907", "L0422"),
            ("GOURVES", "Erwan", "0350042", "L1300"),
        ),
        start=3,
    ):
        agent = _get_or_create(
            session,
            Agent,
            {"numen": f"35E000000{index}ENS"},
            academy_id=rennes.id,
            kind=AgentKind.TEACHER,
            last_name=last,
            first_name=first,
            post_discipline_id=ref["disciplines"][discipline].id,
            town="RENNES",
            postcode="35000",
        )
        _get_or_create(
            session,
            AgentEstablishment,
            {"agent_id": agent.id, "establishment_id": est[body].id},
            link_type=EstablishmentLinkType.PRINCIPAL,
            discipline_id=ref["disciplines"][discipline].id,
        )
        colleagues.append(agent)
    # Teachings of two colleagues: the generation (SYS) gives them their competences.
    for agent, mef, subject in (
        (colleagues[0], "20111010110", "030201"),
        (colleagues[1], "20212010110", "040100"),
    ):
        _get_or_create(
            session,
            Teaching,
            {
                "agent_id": agent.id,
                "establishment_id": zola.id,
                "mef_id": ref["mefs"][mef].id,
                "subject_id": ref["subjects"][subject].id,
                "modality": "COURS GENERAL",
                "school_year": year,
            },
        )
    return {
        "teacher": teacher,
        "head": head,
        "external": external,
        "colleagues": colleagues,
        "teacher_user": teacher_user,
        "manager_user": manager_user,
    }


def _competences(session: Session, ref: dict, people: dict) -> None:
    teacher = people["teacher"]
    trails = (
        (
            ("BCG", "L", "LV3A"),
            (
                ("SYS", EndorsementAuthor.SYSTEM, "C"),
                (uai("0650012"), EndorsementAuthor.ESTABLISHMENT, "C"),
            ),
        ),
        (
            ("BCG", "ES", "MATS"),
            (
                ("SYS", EndorsementAuthor.SYSTEM, "C"),
                (uai("0350024"), EndorsementAuthor.ESTABLISHMENT, "C"),
                (teacher.numen, EndorsementAuthor.AGENT, "C"),
            ),
        ),
        (
            ("BTS", "31406", "U3"),
            (("SYS", EndorsementAuthor.SYSTEM, "C"), (teacher.numen, EndorsementAuthor.AGENT, "I")),
        ),
    )
    for key, endorsements in trails:
        paper = ref["papers"][key]
        if _get(session, Competence, agent_id=teacher.id, paper_id=paper.id) is not None:
            continue
        competence = Competence(agent_id=teacher.id, paper_id=paper.id)
        competence.endorsements = [
            CompetenceEndorsement(
                author_code=code,
                author_kind=kind,
                verdict=EndorsementVerdict.CONFIRMED
                if verdict == "C"
                else EndorsementVerdict.INVALIDATED,
            )
            for code, kind, verdict in endorsements
        ]
        session.add(competence)
    session.flush()


def _head_invalidation(session: Session, ref: dict, people: dict) -> None:
    """The seed's "0310055S (I) SYS (C)": the establishment invalidated a generated one."""
    paper = ref["papers"][("BCG", "TOUTES", "003")]
    colleague = people["colleagues"][1]
    competence = _get(session, Competence, agent_id=colleague.id, paper_id=paper.id)
    if competence is not None and competences.word_of(competence, uai("0350024")) is None:
        competences.endorse(
            session,
            colleague,
            competence.id,
            competences.Actor(EndorsementAuthor.ESTABLISHMENT, uai("0350024")),
            EndorsementVerdict.INVALIDATED,
        )


def _missions(session: Session, ref: dict, people: dict, today: dt.date) -> None:
    rennes = ref["rennes"]
    missions = {}
    for spec in MISSIONS:
        mission = _get(session, Mission, academy_id=rennes.id, number=spec.number)
        if mission is None:
            exam = ref["exams"][spec.exam]
            first = today + dt.timedelta(days=min(s[0] for s in spec.slots))
            session_name = f"{MONTHS[first.month - 1]} {first.year}"
            exam_session = _get_or_create(
                session, ExamSession, {"exam_id": exam.id, "name": session_name}, year=first.year
            )
            paper = ref["papers"][spec.paper] if spec.paper else None
            mission = Mission(
                academy_id=rennes.id,
                number=spec.number,
                mission_type=ref["types"][spec.mission_type],
                session=exam_session,
                paper=paper,
                specialty=paper.specialty if paper else None,
                centre=ref["establishments"][spec.centre] if spec.centre else None,
                observations=spec.observations,
            )
            mission.slots = [
                MissionSlot(
                    day=today + dt.timedelta(days=offset),
                    start_time=dt.time.fromisoformat(hour),
                    duration=duration,
                )
                for offset, hour, duration in spec.slots
            ]
            session.add(mission)
            session.flush()
        missions[spec.number] = mission

    agents = {"teacher": people["teacher"], "external": people["external"]}
    agents.update({f"colleague{i}": a for i, a in enumerate(people["colleagues"])})
    manager_id = people["manager_user"].id
    to_export = []
    for key, number, quality, jury, fee, travel in ASSIGNMENTS:
        agent, mission = agents[key], missions[number]
        if _get(session, Assignment, mission_id=mission.id, agent_id=agent.id) is not None:
            continue
        assignment = Assignment(
            mission=mission, agent=agent, quality=quality, jury=jury, convoked_by_id=manager_id
        )
        claim = lifecycle.new_claim(mission.mission_type, by_user_id=manager_id)
        assignment.claim = claim
        session.add(assignment)
        # "Transmis à la liquidation" is reached by the real export, below.
        sent = ClaimStatus.SENT_FOR_PAYMENT in (fee, travel)
        fee, travel = (
            ClaimStatus.ACCEPTED if wanted is ClaimStatus.SENT_FOR_PAYMENT else wanted
            for wanted in (fee, travel)
        )
        for part, wanted in ((ClaimPart.FEE, fee), (ClaimPart.TRAVEL, travel)):
            if wanted is not None:
                _walk_to(session, claim, part, wanted, agent, manager_id, mission)
        if ClaimStatus.ACCEPTED in (fee, travel):
            assignment.service_done_on = mission.last_day
            assignment.service_done_by_id = manager_id
        if sent:
            to_export.append(assignment)
        _amounts(session, claim, fee, travel)
        if mission.mission_type.code == "EEPCC":
            claim.fee_entries.append(
                FeeEntry(
                    copies=112,
                    from_correction_system=True,
                    comment="Regroupement des copies des missions 218280 et 218281 (session, vague 1).",
                )
            )
        session.flush()
    for agent in agents.values():
        workflow.refresh_same_day_travel(session, agent.id, by_user_id=manager_id)
    if to_export:
        session.flush()
        payment_export.export_payments(
            session,
            to_export[0].mission.academy_id,
            by_user_id=manager_id,
            only=[assignment.claim.id for assignment in to_export],
        )


def _walk_to(session, claim, part, wanted, agent, manager_id, mission) -> None:
    """Bring one part of a demo claim to ``wanted`` through plausible transitions."""
    agent_user = agent.user_id
    validated_path = {
        ClaimStatus.VALIDATED: [(ClaimStatus.VALIDATED, agent_user)],
        ClaimStatus.ACCEPTED: [
            (ClaimStatus.VALIDATED, agent_user),
            (ClaimStatus.ACCEPTED, manager_id),
        ],
    }
    steps = validated_path.get(wanted, [(wanted, manager_id)])
    for status, by in steps:
        lifecycle.transition(claim, part, status, by_user_id=by)
    if wanted in validated_path:
        year = mission.last_day.year if mission.last_day else dt.date.today().year
        lifecycle.assign_number(session, claim, year)
        claim.validated_at = claim.validated_at or dt.datetime.now()
        claim.started_at = claim.started_at or claim.validated_at
        if part is ClaimPart.FEE:
            claim.fee_entries.extend(_demo_fee(mission))
        else:
            claim.travel_legs.extend(_demo_trip(agent, mission))


VALIDATED_PATH = (ClaimStatus.VALIDATED, ClaimStatus.ACCEPTED)


def _demo_fee(mission) -> list[FeeEntry]:
    """What the agent entered on a demo claim already validated, per fee family."""
    family = mission.mission_type.fee_family
    if family is FeeEntryFamily.COPIES:
        return [FeeEntry(copies=14)]
    if family is FeeEntryFamily.CANDIDATES:
        return [FeeEntry(candidates=12)]
    if family is FeeEntryFamily.HALF_DAY_TIMES:
        return [FeeEntry(day=mission.first_day, morning_start=dt.time(8), morning_end=dt.time(12))]
    if family is FeeEntryFamily.DURATION:
        return [FeeEntry(hours=3, minutes=30)]
    return []


def _demo_trip(agent, mission) -> list[TravelLeg]:
    """A completed round trip by car from the agent's home town to the centre."""
    if mission.centre is None or not agent.town or mission.first_day is None:
        return []
    return [
        TravelLeg(
            position=1,
            departure_town=agent.town,
            departure_postcode=agent.postcode,
            departure_date=mission.first_day,
            departure_time=dt.time(7, 30),
            arrival_town=mission.centre.town,
            arrival_postcode=mission.centre.postcode,
            return_date=mission.last_day or mission.first_day,
            return_time=dt.time(18),
            transport_mode=TransportMode.CAR,
            km_one_way=Decimal(25),
            trips=2,
            completed=True,
        )
    ]


def _amounts(session, claim, fee, travel) -> None:
    """Amounts stored at validation, as the wizard does, for the demo's validated parts."""
    if fee not in VALIDATED_PATH and travel not in VALIDATED_PATH:
        return
    session.flush()
    computed = amounts.compute(session, claim)
    if fee in VALIDATED_PATH:
        claim.fee_amount = computed.fee.amount
    if travel in VALIDATED_PATH:
        claim.travel_amount = computed.travel.total
        for name, value in computed.travel.breakdown().items():
            setattr(claim, f"travel_{name}", value)


def _messages(session: Session, by_user_id: int) -> None:
    for service, text in WELCOME.items():
        if messages.get_message(session, service, MessageKind.WELCOME) is None:
            messages.save_message(
                session, service, MessageKind.WELCOME, text, by_user_id=by_user_id
            )
    for service in (Service.TEACHER, Service.EXTERNAL):
        if messages.get_message(session, service, MessageKind.CONDITIONS) is None:
            messages.save_message(
                session, service, MessageKind.CONDITIONS, CONDITIONS, by_user_id=by_user_id
            )


def seed_demo(session: Session, security_manager, today: dt.date | None = None) -> None:
    """Load the demo académie (idempotent)."""
    today = today or dt.date.today()
    ensure_roles(security_manager)
    activities.sync_activities(session)
    ref = _referential(session)
    _rates(session)
    people = _people(security_manager, session, ref)
    _competences(session, ref, people)
    competences.generate(session)
    _head_invalidation(session, ref, people)
    _missions(session, ref, people, today)
    session.flush()
    _messages(session, people["manager_user"].id)
    demo_peers.seed_demo_peers(session)
    seed_head_service_done(session, ref, people, today)
    demo_dcs.seed_dcs(session, security_manager, today)
    demo_availability.seed_availability(session, today)
    demo_assignment.seed_assignment_inputs(session, ref["rennes"].id, people["manager_user"].id)
    demo_portal.seed_portal(session, security_manager, DEMO_PASSWORD)
    demo_communes.seed_communes(session, ref["rennes"].id)
