"""Demo data of the other académies (issue 16 §4).

- ``seed_demo_peers``: in the demo académie (Rennes), Nantes is a peer read through
  its API at ``DEMO_PEER_URL`` with the public demo token ``DEMO_PEER_TOKEN``; while
  nothing runs there, the teacher's tab « Académie de Nantes » says it does not answer.
- ``seed_peer_academy``: what a second instance serving Nantes holds for that (its
  own database): a centre, two missions of the demo teacher (same numen) and the API
  client of ``DEMO_PEER_TOKEN``. ``tools/peer_instance.py`` starts such an instance
  (see the README, « Autres académies »); the tests start one on a free port.

Mission numbers 320000–320999 and numen 35E00004xx are this module's."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.claims import lifecycle
from models import (
    Academy,
    Agent,
    ApiClient,
    Assignment,
    CorrectionState,
    Establishment,
    Exam,
    ExamSession,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
    Specialty,
)
from models.enums import (
    AgentKind,
    AssignmentQuality,
    CorrectionStatus,
    EstablishmentCategory,
    FeeEntryFamily,
    LodgingZone,
    SlotDuration,
)

PEER_CODE = "NANTES"
DEMO_PEER_PORT = 8081
DEMO_PEER_URL = f"http://127.0.0.1:{DEMO_PEER_PORT}/api/v1"
# Public, for the demo only (like the demo accounts' password): the token of the API
# client the Nantes demo instance holds for Rennes.
DEMO_PEER_PREFIX = "000000320000"
DEMO_PEER_TOKEN = (
    f"imagin_{DEMO_PEER_PREFIX}_" + ("demo-peer-token-of-the-nantes-instance" + "0" * 43)[:43]
)
DEMO_TEACHER_NUMEN = "35E0000001MPC"


def seed_demo_peers(session: Session) -> None:
    """Nantes, a peer of the demo académie (idempotent: an administrator's later
    settings are kept)."""
    nantes = session.scalar(select(Academy).where(Academy.code == PEER_CODE))
    if nantes is None or nantes.api_url:
        return
    nantes.api_url = DEMO_PEER_URL
    nantes.api_token = DEMO_PEER_TOKEN
    nantes.peer_enabled = True
    session.flush()


def _get(session: Session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


def seed_peer_academy(
    session: Session,
    *,
    token: str = DEMO_PEER_TOKEN,
    numen: str = DEMO_TEACHER_NUMEN,
    today: dt.date | None = None,
) -> None:
    """The instance of Nantes: two missions of the agent ``numen`` and the API client of
    ``token`` (read missions), in an empty database (idempotent)."""
    today = today or dt.date.today()
    nantes = _get(session, Academy, code=PEER_CODE)
    if nantes is None:
        nantes = Academy(code=PEER_CODE, name="Nantes", portal_url="https://imagin.ac-nantes.fr")
        session.add(nantes)
    exam = _get(session, Exam, code="BTS") or Exam(
        code="BTS", name="BREVET DE TECHNICIEN SUPÉRIEUR"
    )
    specialty = _get(session, Specialty, code="SIO") or Specialty(
        exam=exam, code="SIO", name="SERVICES INFORMATIQUES AUX ORGANISATIONS"
    )
    paper = _get(session, Paper, code="SIO-E4") or Paper(
        specialty=specialty, code="SIO-E4", name="E4 - SUPPORT ET MISE À DISPOSITION DE SERVICES"
    )
    exam_session = _get(session, ExamSession, name=f"juin {today.year}") or ExamSession(
        exam=exam, name=f"juin {today.year}", year=today.year
    )
    types = {}
    for code, name, family in (
        ("VALTHEME", "VALIDATION DES THEMES", FeeEntryFamily.DURATION),
        ("CORRECTION", "Correction de copies", FeeEntryFamily.COPIES),
    ):
        types[code] = _get(session, MissionType, code=code) or MissionType(
            code=code, name=name, fee_family=family
        )
    centre = _get(session, Establishment, uai="0440288Z") or Establishment(
        uai="0440288Z",
        name="LPO LIVET",
        category=EstablishmentCategory.LPO,
        academy=nantes,
        postcode="44000",
        town="NANTES",
        lodging_zone=LodgingZone.STANDARD,
        is_exam_centre=True,
    )
    agent = _get(session, Agent, numen=numen) or Agent(
        academy=nantes,
        kind=AgentKind.TEACHER,
        last_name="LECLERC",
        first_name="Claire",
        numen=numen,
    )
    session.add_all([exam, specialty, paper, exam_session, centre, agent, *types.values()])
    session.flush()
    for number, code, days, quality, state in (
        (320001, "VALTHEME", 12, AssignmentQuality.JURY_MEMBER, None),
        (320002, "CORRECTION", -5, AssignmentQuality.CORRECTOR, CorrectionStatus.TO_CORRECT),
    ):
        if _get(session, Mission, academy_id=nantes.id, number=number):
            continue
        day = today + dt.timedelta(days=days)
        mission = Mission(
            academy=nantes,
            number=number,
            mission_type=types[code],
            session=exam_session,
            specialty=specialty,
            paper=paper if code == "CORRECTION" else None,
            centre=centre,
            first_day=day,
            last_day=day,
        )
        mission.slots.append(MissionSlot(day=day, start_time=dt.time(8), duration=SlotDuration.DAY))
        assignment = Assignment(mission=mission, agent=agent, quality=quality)
        assignment.claim = lifecycle.new_claim(types[code], by_user_id=None)
        session.add_all([mission, assignment])
        session.flush()
        if state is not None:
            session.add(
                CorrectionState(
                    assignment_id=assignment.id,
                    copies=0,
                    state=state,
                    session_label=exam_session.name,
                )
            )
    prefix, secret = token.split("_")[1], token.split("_", 2)[2]
    if _get(session, ApiClient, prefix=prefix) is None:
        session.add(
            ApiClient(
                academy=nantes,
                name="Portail IMAG'IN de Rennes",
                scopes="missions:lire",
                prefix=prefix,
                token_hash=hashlib.sha256(secret.encode()).hexdigest(),
                expires_at=dt.datetime.combine(today + dt.timedelta(days=366), dt.time()),
            )
        )
    session.flush()
