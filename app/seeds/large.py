"""The large data set of ``flask imagin seed-large``: a big académie (by default 20,000
agents and 200,000 expense claims over four school years) on top of the demo, for the
benchmark of the managers' lists.

Rows are written with bulk ``INSERT``s (one ``executemany`` per table and chunk, explicit
ids, no ORM unit of work), so that the whole set loads in about a minute. The data is
synthetic but consistent: every claim has its assignment, its two initial history rows
and a row for the status it was brought to; numbered dossiers, service-fait dates and
payment batches follow the workflow's rules. A batch's CSV file is not stored: it is
written the first time it is downloaded (``claim_processing.batch_file``).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban

from app.seeds import large_june
from app.seeds.demo import nir, uai
from app.services import DomainError
from app.services.claims.lifecycle import initial_statuses
from models import (
    Academy,
    Agent,
    Assignment,
    AssignmentConflict,
    ClaimStatusHistory,
    Commune,
    Competence,
    CompetenceEndorsement,
    Establishment,
    ExamSession,
    ExpenseClaim,
    Manager,
    Mission,
    MissionNeed,
    MissionSlot,
    MissionType,
    NumberCounter,
    Paper,
    PaymentBatch,
    Specialty,
    TravelLeg,
    Unavailability,
)
from models.enums import (
    AgentKind,
    AssignmentQuality,
    Civility,
    ClaimPart,
    ClaimStatus,
    EndorsementAuthor,
    EndorsementVerdict,
    EstablishmentCategory,
    SlotDuration,
    TransportMode,
)

ACADEMY_CODE = "RENNES"
# Identifiers of the generated agents: département 99 does not exist, so they never
# collide with real ones, and they tell a re-run that the set is already there.
NUMEN_PREFIX = "99X"
EXTERNAL_PREFIX = "EXT99"
CHUNK = 5000
PER_MISSION = 20
BATCH_SIZE = 2000


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


LAST_NAMES = _words(
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL "
    "LEFEBVRE LEROY ROUX DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE "
    "ROUSSEAU VINCENT MULLER LEFEVRE FAURE ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER "
    "FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT MORIN NICOLAS HENRY ROUSSEL "
    "MATHIEU GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOEL MEYER DUFOUR "
    "MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ "
    "GERARD ROCHE LE_GALL LE_GOFF LE_ROUX GUILLOU LE_BIHAN MORVAN KERGOAT TANGUY PRIGENT "
    "QUEMENER"
)
FIRST_NAMES = _words(
    "Marie Jean Anne Pierre Claire Yves Sophie Michel Catherine Philippe Isabelle Alain "
    "Nathalie Patrick Sylvie Nicolas Christine Eric Valérie Laurent Sandrine Stéphane Hélène "
    "Olivier Céline Frédéric Aurélie Julien Émilie Thomas Camille Hervé Gwenaëlle Erwan "
    "Maëlle Loïc Soizic Ronan Nolwenn Gaël Morgane Yann Enora Tristan Léa Mathieu Chloé "
    "Antoine"
)
# Towns of the académie (postcode, town).
TOWNS = (
    ("35000", "RENNES"),
    ("35400", "SAINT-MALO"),
    ("35300", "FOUGERES"),
    ("35500", "VITRE"),
    ("35600", "REDON"),
    ("35170", "BRUZ"),
    ("35510", "CESSON-SEVIGNE"),
    ("35700", "RENNES"),
    ("22000", "SAINT-BRIEUC"),
    ("22300", "LANNION"),
    ("22100", "DINAN"),
    ("22200", "GUINGAMP"),
    ("22600", "LOUDEAC"),
    ("22110", "ROSTRENEN"),
    ("29200", "BREST"),
    ("29000", "QUIMPER"),
    ("29600", "MORLAIX"),
    ("29300", "QUIMPERLE"),
    ("29100", "DOUARNENEZ"),
    ("29400", "LANDIVISIAU"),
    ("56000", "VANNES"),
    ("56100", "LORIENT"),
    ("56300", "PONTIVY"),
    ("56600", "LANESTER"),
    ("56400", "AURAY"),
    ("56800", "PLOERMEL"),
)
BANKS = (("30004", "BNPAFRPPXXX"), ("20041", "PSSTFRPPREN"), ("15589", "CMBRFR2BARK"))
QUALITIES = (
    AssignmentQuality.CORRECTOR,
    AssignmentQuality.EXAMINER,
    AssignmentQuality.JURY_MEMBER,
    AssignmentQuality.INVIGILATOR,
)
CATEGORIES = (
    EstablishmentCategory.LGT,
    EstablishmentCategory.LPO,
    EstablishmentCategory.LP,
    EstablishmentCategory.COLLEGE,
)
CENTRE_PREFIXES = ("LGT", "LP", "LPO", "CLG")


@dataclass
class LargeDataset:
    agents: int = 0
    competences: int = 0
    centres: int = 0
    missions: int = 0
    claims: int = 0
    history: int = 0
    batches: int = 0
    communes: int = 0
    june: large_june.JuneSession | None = None


def _ascii(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _next_id(session: Session, model) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def _insert(session: Session, model, rows: list[dict]) -> None:
    """Bulk insert, chunk by chunk (one ``executemany`` each)."""
    table = model.__table__
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start : start + CHUNK])


def _reset_sequences(session: Session, models) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the last id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        last = session.scalar(select(func.max(model.id))) or 1
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
            {"table": model.__tablename__, "last": last},
        )


def _iban(rng: random.Random) -> tuple[str, str]:
    bank, bic = rng.choice(BANKS)
    bban = f"{bank}{rng.randrange(10**5):05d}{rng.randrange(10**11):011d}{rng.randrange(100):02d}"
    return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}", bic


def _counter(session: Session, scope: str) -> int:
    return session.scalar(select(NumberCounter.last_value).where(NumberCounter.scope == scope)) or 0


def _set_counter(session: Session, scope: str, value: int) -> None:
    if session.get(NumberCounter, scope) is None:
        session.add(NumberCounter(scope=scope, last_value=value))
        session.flush()
    else:
        session.execute(
            update(NumberCounter).where(NumberCounter.scope == scope).values(last_value=value)
        )


def already_loaded(session: Session) -> bool:
    return bool(
        session.scalar(select(Agent.id).where(Agent.numen.like(f"{NUMEN_PREFIX}%")).limit(1))
    )


def seed_large(
    session: Session,
    *,
    agents: int = 20_000,
    claims: int = 200_000,
    june_missions: int = 0,
    today: dt.date | None = None,
    seed: int = 2026,
) -> LargeDataset:
    """Add ``agents`` agents and ``claims`` claims (one per assignment, ``PER_MISSION``
    assignments per mission) to the demo académie, which must be loaded; then the
    communes of their homes and a coming June session of ``june_missions`` missions
    with needs, for the automatic assignment (``large_june``)."""
    if agents < PER_MISSION:
        raise DomainError(f"Il faut au moins {PER_MISSION} agents (un jury complet).")
    academy = session.scalar(select(Academy).where(Academy.code == ACADEMY_CODE))
    if academy is None:
        raise DomainError("Chargez d'abord les données de démonstration (flask imagin seed-demo).")
    if already_loaded(session):
        raise DomainError("Le jeu de données volumineux est déjà chargé dans cette base.")
    today = today or dt.date.today()
    rng = random.Random(seed)
    now = dt.datetime.combine(today, dt.time(8))
    stats = LargeDataset()

    centres = _centres(session, rng, academy.id, stats)
    large_centres = {
        centre_id for centre_id, located in centres.items() if located.latitude is not None
    }
    centres = {centre_id: located.town for centre_id, located in centres.items()}
    agent_towns = _agents(session, rng, academy.id, agents, now, stats)
    papers = session.execute(select(Paper.id, Specialty.exam_id).join(Paper.specialty)).all()
    _competences(session, rng, list(agent_towns), [paper_id for paper_id, _ in papers], now, stats)
    types = session.scalars(select(MissionType).where(MissionType.active)).all()
    missions = _missions(session, rng, academy.id, papers, types, centres, claims, today, stats)
    _claims(session, rng, academy.id, missions, agent_towns, types, today, stats)
    agent_homes = session.execute(
        select(Agent.postcode, Agent.town)
        .where(Agent.numen.like(f"{NUMEN_PREFIX}%") | Agent.external_id.like(f"{EXTERNAL_PREFIX}%"))
        .distinct()
    ).all()
    stats.communes = large_june.communes(session, agent_homes, _insert)
    stats.june = large_june.seed_june(
        session,
        academy_id=academy.id,
        agent_ids=list(agent_towns),
        centre_ids=sorted(large_centres),
        types=list(types),
        count=june_missions,
        today=today,
        manager_id=session.scalar(text("SELECT id FROM ab_user WHERE username = 'gestionnaire'")),
        seed=seed + 1,
        insert=_insert,
    )
    _reset_sequences(
        session,
        (
            Establishment,
            Agent,
            Competence,
            CompetenceEndorsement,
            ExamSession,
            Mission,
            MissionSlot,
            Assignment,
            ExpenseClaim,
            ClaimStatusHistory,
            TravelLeg,
            PaymentBatch,
            Commune,
            MissionNeed,
            Unavailability,
            AssignmentConflict,
        ),
    )
    session.flush()
    return stats


def _centres(session: Session, rng: random.Random, academy_id: int, stats) -> dict:
    """The académie's exam centres: the demo's and 150 more across its towns, these
    with coordinates near their town's centre (``large_june.centre_point``)."""
    taken = set(session.scalars(select(Establishment.uai)))
    next_id = _next_id(session, Establishment)
    rows = []
    for n in range(150):
        postcode, town = TOWNS[n % len(TOWNS)]
        code = uai(f"0{postcode[:2]}{8000 + n:04d}")
        if code in taken:
            continue
        prefix = CENTRE_PREFIXES[n % len(CENTRE_PREFIXES)]
        latitude, longitude = large_june.centre_point(town, n // len(TOWNS))
        rows.append(
            {
                "id": next_id + len(rows),
                "uai": code,
                "name": f"{prefix} {rng.choice(LAST_NAMES).replace('_', ' ')} {town.title()}",
                "category": CATEGORIES[n % len(CATEGORIES)],
                "academy_id": academy_id,
                "postcode": postcode,
                "town": town,
                "is_exam_centre": True,
                "latitude": latitude,
                "longitude": longitude,
            }
        )
    _insert(session, Establishment, rows)
    stats.centres = len(rows)
    return {
        row.id: row
        for row in session.execute(
            select(Establishment.id, Establishment.town, Establishment.latitude).where(
                Establishment.academy_id == academy_id, Establishment.is_exam_centre
            )
        )
    }


def _file_active(n: int) -> bool:
    """One agent in seven has a financial file not active yet (the others can be paid)."""
    return n % 7 != 0


def _agents(session, rng, academy_id, count, now, stats) -> dict[int, str]:
    """``count`` agents (one in ten external, one in twenty a head), by id with their town."""
    first_id = _next_id(session, Agent)
    rows = []
    for n in range(count):
        kind = AgentKind.EXTERNAL if n % 10 == 9 else AgentKind.HEAD if n % 20 == 3 else None
        kind = kind or AgentKind.TEACHER
        civility = rng.choice((Civility.MR, Civility.MRS))
        last = rng.choice(LAST_NAMES).replace("_", " ")
        first = rng.choice(FIRST_NAMES)
        postcode, town = rng.choice(TOWNS)
        account, bic = _iban(rng)
        sex = "1" if civility is Civility.MR else "2"
        born = f"{rng.randrange(60, 99):02d}{rng.randrange(1, 13):02d}"
        body = f"{sex}{born}{postcode[:2]}{rng.randrange(1, 999):03d}{rng.randrange(1, 999):03d}"
        agent_id = first_id + n
        rows.append(
            {
                "id": agent_id,
                "academy_id": academy_id,
                "kind": kind,
                "numen": None if kind is AgentKind.EXTERNAL else f"{NUMEN_PREFIX}{n:010d}",
                "external_id": f"{EXTERNAL_PREFIX}{n:07d}" if kind is AgentKind.EXTERNAL else None,
                "civility": civility,
                "last_name": last,
                "first_name": first,
                "insee_number": nir(body),
                "iban": account,
                "bic": bic,
                "financial_file_active": _file_active(n),
                "address_line1": f"{rng.randrange(1, 120)} rue {rng.choice(LAST_NAMES).title()}",
                "postcode": postcode,
                "town": town,
                "car_fiscal_power": rng.choice((3, 4, 5, 6, 7, None)),
                "email_professional": f"{_ascii(first)}.{_ascii(last).replace(' ', '-')}{n}"
                "@ac-rennes.fr",
                "created_at": now,
                "updated_at": now,
            }
        )
    _insert(session, Agent, rows)
    stats.agents = len(rows)
    return {row["id"]: row["town"] for row in rows}


def _competences(session, rng, agent_ids, paper_ids, now, stats) -> None:
    """One to three papers per agent, confirmed by SYS; one in fifty later invalidated
    by the manager."""
    manager = session.scalar(select(Manager.code).order_by(Manager.id).limit(1)) or "GEST"
    competence_id = _next_id(session, Competence)
    endorsement_id = _next_id(session, CompetenceEndorsement)
    competences, endorsements = [], []
    for agent_id in agent_ids:
        for paper_id in rng.sample(paper_ids, min(len(paper_ids), rng.randint(1, 3))):
            competences.append(
                {"id": competence_id, "agent_id": agent_id, "paper_id": paper_id, "created_at": now}
            )
            words = [(EndorsementAuthor.SYSTEM, "SYS", EndorsementVerdict.CONFIRMED)]
            if rng.random() < 0.02:
                words.append((EndorsementAuthor.MANAGER, manager, EndorsementVerdict.INVALIDATED))
            for kind, code, verdict in words:
                endorsements.append(
                    {
                        "id": endorsement_id,
                        "competence_id": competence_id,
                        "author_kind": kind,
                        "author_code": code,
                        "verdict": verdict,
                        "created_at": now,
                    }
                )
                endorsement_id += 1
            competence_id += 1
    _insert(session, Competence, competences)
    _insert(session, CompetenceEndorsement, endorsements)
    stats.competences = len(competences)


@dataclass
class _Mission:
    id: int
    type: MissionType
    first_day: dt.date
    last_day: dt.date
    town: str


def _sessions(session, exam_ids, years) -> dict:
    """The June session of every exam and year, created when missing."""
    found = {
        (exam_id, year): session_id
        for session_id, exam_id, year in session.execute(
            select(ExamSession.id, ExamSession.exam_id, ExamSession.year).where(
                ExamSession.name.like("juin %")
            )
        )
    }
    next_id = _next_id(session, ExamSession)
    rows = []
    for exam_id in exam_ids:
        for year in years:
            if (exam_id, year) not in found:
                rows.append(
                    {"id": next_id, "exam_id": exam_id, "name": f"juin {year}", "year": year}
                )
                found[(exam_id, year)] = next_id
                next_id += 1
    _insert(session, ExamSession, rows)
    return found


def _missions(
    session, rng, academy_id, papers, types, centres, claims, today, stats
) -> list[_Mission]:
    """``claims / PER_MISSION`` missions spread over the last four school years and the
    coming two months, one or two slots each."""
    count = max(1, claims // PER_MISSION)
    years = range(today.year - 3, today.year + 2)  # school years end in June
    sessions = _sessions(session, sorted({exam_id for _, exam_id in papers}), years)
    first_number = max(
        100_000,
        (
            session.scalar(select(func.max(Mission.number)).where(Mission.academy_id == academy_id))
            or 0
        )
        + 1,
    )
    mission_id = _next_id(session, Mission)
    slot_id = _next_id(session, MissionSlot)
    span = (today + dt.timedelta(days=60) - dt.date(today.year - 3, 9, 1)).days
    start = dt.date(today.year - 3, 9, 1)
    missions, mission_rows, slot_rows = [], [], []
    centre_ids = list(centres)
    for n in range(count):
        paper_id, exam_id = rng.choice(papers)
        mission_type = rng.choice(types)
        first = start + dt.timedelta(days=rng.randrange(span))
        days = [first] if rng.random() < 0.6 else [first, first + dt.timedelta(days=1)]
        year = first.year if first.month < 9 else first.year + 1
        session_id = sessions[(exam_id, year)]
        created = dt.datetime.combine(first - dt.timedelta(days=30), dt.time(9))
        centre_id = rng.choice(centre_ids)
        mission_rows.append(
            {
                "id": mission_id,
                "academy_id": academy_id,
                "number": first_number + n,
                "mission_type_id": mission_type.id,
                "session_id": session_id,
                "paper_id": paper_id,
                "specialty_id": None,
                "centre_id": centre_id,
                "first_day": days[0],
                "last_day": days[-1],
                "created_at": created,
                "updated_at": created,
            }
        )
        for day in days:
            half = rng.random() < 0.5
            slot_rows.append(
                {
                    "id": slot_id,
                    "mission_id": mission_id,
                    "day": day,
                    "start_time": dt.time(8) if not half else rng.choice((dt.time(8), dt.time(14))),
                    "duration": SlotDuration.HALF_DAY if half else SlotDuration.DAY,
                }
            )
            slot_id += 1
        missions.append(_Mission(mission_id, mission_type, days[0], days[-1], centres[centre_id]))
        mission_id += 1
    specialty_of = dict(session.execute(select(Paper.id, Paper.specialty_id)).all())
    for row in mission_rows:
        row["specialty_id"] = specialty_of[row["paper_id"]]
    _insert(session, Mission, mission_rows)
    _insert(session, MissionSlot, slot_rows)
    stats.missions = len(mission_rows)
    return missions


# Where a claim ends up, by how long ago its mission ended.
OLD_STAGES = (("sent", 86), ("not_done", 6), ("cancelled", 4), ("accepted", 4))
RECENT_STAGES = (
    ("open", 30),
    ("validated", 30),
    ("accepted", 20),
    ("sent", 10),
    ("not_done", 5),
    ("cancelled", 5),
)
STAGE_STATUS = {
    "validated": ClaimStatus.VALIDATED,
    "accepted": ClaimStatus.ACCEPTED,
    "sent": ClaimStatus.SENT_FOR_PAYMENT,
    "cancelled": ClaimStatus.CANCELLED,
    "not_done": ClaimStatus.NO_FEE,
}
NUMBERED = {ClaimStatus.VALIDATED, ClaimStatus.ACCEPTED, ClaimStatus.SENT_FOR_PAYMENT}
PAYABLE = {ClaimStatus.ACCEPTED, ClaimStatus.SENT_FOR_PAYMENT}


def _stage(rng, mission: _Mission, today: dt.date) -> str:
    if mission.last_day >= today:
        return "open"
    stages = OLD_STAGES if (today - mission.last_day).days > 90 else RECENT_STAGES
    return rng.choices([s for s, _ in stages], weights=[w for _, w in stages])[0]


def _part_status(initial: ClaimStatus, stage: str) -> ClaimStatus:
    """The status a part reaches at ``stage``: a part without fees stays so (unless the
    agent declared the mission not done), a part the manager processes needs no
    validation by the agent."""
    if initial is ClaimStatus.NO_FEE or stage == "open":
        return initial
    if stage == "validated" and initial is not ClaimStatus.NOT_VALIDATED:
        return initial
    return STAGE_STATUS[stage]


def _claims(session, rng, academy_id, missions, agent_towns, types, today, stats) -> None:
    assignment_id = _next_id(session, Assignment)
    claim_id = _next_id(session, ExpenseClaim)
    history_id = _next_id(session, ClaimStatusHistory)
    leg_id = _next_id(session, TravelLeg)
    agent_ids = list(agent_towns)
    # Accepted and exported claims are the agents' whose file the finance office pays.
    first_agent = min(agent_ids, default=0)
    unpayable = {agent_id for agent_id in agent_ids if not _file_active(agent_id - first_agent)}
    batch_id = _next_id(session, PaymentBatch)
    batch_number = _counter(session, "payment-batch")
    manager_id = session.scalar(text("SELECT id FROM ab_user WHERE username = 'gestionnaire'"))
    initial = {mission_type.id: initial_statuses(mission_type) for mission_type in types}
    sequences: dict[int, int] = {}
    assignments, claim_rows, history, legs, batches = [], [], [], [], []
    to_send: list[tuple[dt.date, dict]] = []
    for mission in missions:
        convoked = dt.datetime.combine(mission.first_day - dt.timedelta(days=20), dt.time(10))
        fee0, travel0 = initial[mission.type.id]
        for agent_id in rng.sample(agent_ids, PER_MISSION):
            stage = _stage(rng, mission, today)
            if stage in ("accepted", "sent") and agent_id in unpayable:
                stage = "validated"
            fee, travel = _part_status(fee0, stage), _part_status(travel0, stage)
            done = dt.datetime.combine(mission.last_day + dt.timedelta(days=3), dt.time(18))
            claim = {
                "id": claim_id,
                "assignment_id": assignment_id,
                "number": None,
                "fee_status": fee,
                "travel_status": travel,
                "started_at": None,
                "not_done_declared_at": done if stage == "not_done" else None,
                "validated_at": None,
                "accepted_at": None,
                "fee_amount": None,
                "travel_amount": None,
                "travel_transport": None,
                "travel_misc": None,
                "travel_meals": None,
                "travel_nights": None,
                "payment_batch_id": None,
                "version": 1,
                "created_at": convoked,
                "updated_at": done if stage != "open" else convoked,
            }
            service_done = None
            if {fee, travel} & NUMBERED:
                year = mission.last_day.year
                sequences[year] = sequences.get(year) or _counter(session, f"claim-{year}")
                sequences[year] += 1
                claim["number"] = f"{year}-{sequences[year]:06d}"
                claim["started_at"] = claim["validated_at"] = done
                if fee in NUMBERED or fee is ClaimStatus.PROCESSED_BY_MANAGER:
                    claim["fee_amount"] = Decimal(rng.randrange(20, 400)) + Decimal("0.50")
                if travel in NUMBERED:
                    # A train trip whose fare the manager set: the amount is the fare.
                    fare = Decimal(rng.randrange(800, 9000)) / 100
                    claim["travel_amount"] = claim["travel_transport"] = fare
                    claim["travel_misc"] = claim["travel_meals"] = Decimal(0)
                    claim["travel_nights"] = Decimal(0)
                    legs.append(_leg(leg_id, claim, agent_towns[agent_id], mission, fare))
                    leg_id += 1
            if {fee, travel} & PAYABLE:
                service_done = mission.last_day
                claim["accepted_at"] = done + dt.timedelta(days=7)
            if ClaimStatus.SENT_FOR_PAYMENT in (fee, travel):
                to_send.append((mission.last_day, claim))
            assignments.append(
                {
                    "id": assignment_id,
                    "mission_id": mission.id,
                    "agent_id": agent_id,
                    "quality": rng.choice(QUALITIES),
                    "jury": f"J{rng.randrange(1, 40)}",
                    "convoked_at": convoked,
                    "convoked_by_id": manager_id,
                    "service_done_on": service_done,
                    "service_done_by_id": manager_id if service_done else None,
                    "cancelled_at": None,
                    "created_at": convoked,
                    "updated_at": convoked,
                }
            )
            claim_rows.append(claim)
            for part, first, last in (
                (ClaimPart.FEE, fee0, fee),
                (ClaimPart.TRAVEL, travel0, travel),
            ):
                history.append(
                    _history(history_id, claim_id, part, None, first, convoked, manager_id)
                )
                history_id += 1
                if last is not first:
                    history.append(
                        _history(history_id, claim_id, part, first, last, done, manager_id)
                    )
                    history_id += 1
            assignment_id += 1
            claim_id += 1

    # Payment batches of BATCH_SIZE claims, in the order the missions ended.
    to_send.sort(key=lambda item: (item[0], item[1]["id"]))
    for start in range(0, len(to_send), BATCH_SIZE):
        chunk = to_send[start : start + BATCH_SIZE]
        batch_number += 1
        sent = ClaimStatus.SENT_FOR_PAYMENT
        fees = [c["fee_amount"] or 0 for _, c in chunk if c["fee_status"] is sent]
        travels = [c["travel_amount"] or 0 for _, c in chunk if c["travel_status"] is sent]
        created = dt.datetime.combine(chunk[-1][0] + dt.timedelta(days=14), dt.time(11))
        batches.append(
            {
                "id": batch_id,
                "number": batch_number,
                "created_at": created,
                "created_by_id": manager_id,
                "academy_id": academy_id,
                "file_name": f"imagin-paiement-{batch_number:06d}.csv",
                "claim_count": len(chunk),
                # The control totals per nature, as the file will have them.
                "fee_rows": len(fees),
                "fee_total": sum(fees, Decimal(0)),
                "travel_rows": len(travels),
                "travel_total": sum(travels, Decimal(0)),
                "content": None,
            }
        )
        for _, claim in chunk:
            claim["payment_batch_id"] = batch_id
        batch_id += 1

    _insert(session, PaymentBatch, batches)
    _insert(session, Assignment, assignments)
    _insert(session, ExpenseClaim, claim_rows)
    _insert(session, ClaimStatusHistory, history)
    _insert(session, TravelLeg, legs)
    for year, value in sequences.items():
        _set_counter(session, f"claim-{year}", value)
    if batches:
        _set_counter(session, "payment-batch", batch_number)
    stats.claims, stats.history, stats.batches = len(claim_rows), len(history), len(batches)


def _leg(leg_id, claim, town, mission, fare) -> dict:
    return {
        "id": leg_id,
        "claim_id": claim["id"],
        "position": 1,
        "departure_town": town,
        "departure_date": mission.first_day,
        "departure_time": dt.time(7, 30),
        "arrival_town": mission.town,
        "return_date": mission.last_day,
        "return_time": dt.time(18),
        "transport_mode": TransportMode.TRAIN,
        "trips": 2,
        "sncf_fare": fare,
        "completed": True,
        "lunches_refund": 0,
        "lunches_administrative": 0,
        "lunches_free": 0,
        "dinners_refund": 0,
        "dinners_free": 0,
        "nights_refund": 0,
        "nights_free": 0,
    }


def _history(history_id, claim_id, part, from_status, to_status, at, by_id) -> dict:
    return {
        "id": history_id,
        "claim_id": claim_id,
        "part": part,
        "from_status": from_status,
        "to_status": to_status,
        "at": at,
        "by_id": by_id,
        "comment": None,
    }
