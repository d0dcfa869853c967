"""Machine clients for the API tests: a token with the scopes asked for, of the demo
académie or of a second académie (created here, with its own centre, mission and
claim), created through the administration's service."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.services.interfaces.clients import READ_SCOPES, SCOPES

ALL_SCOPES = tuple(SCOPES)


def make_token(app, scopes=ALL_SCOPES, *, academy_code: str = "RENNES", days: int = 30) -> str:
    from app.extensions import db
    from app.services.common import clock
    from app.services.interfaces import clients
    from app.transaction import unit_of_work
    from models import Academy

    with app.app_context(), unit_of_work(db.session) as session:
        academy = session.scalar(select(Academy).where(Academy.code == academy_code))
        created = clients.create(
            session,
            academy_id=academy.id,
            name=f"client {academy_code} {' '.join(scopes)}"[:100],
            scopes=list(scopes),
            # The portal's day (Paris), not the machine's: they differ around midnight.
            expires_on=clock.today() + dt.timedelta(days=days),
            by_user_id=None,
        )
        token = created.token
    return token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token(app, demo):
    """A client of the demo académie with every scope."""
    return make_token(app)


@pytest.fixture
def read_token(app, demo):
    return make_token(app, READ_SCOPES)


@pytest.fixture
def other_academy(app, demo):
    """A second académie with one centre, one mission (and slot) and a convocation of
    one of its agents: what a client of Rennes must never see."""
    from app.extensions import db
    from app.services.claims import lifecycle
    from app.transaction import unit_of_work
    from models import (
        Academy,
        Agent,
        Assignment,
        Establishment,
        ExamSession,
        Mission,
        MissionSlot,
        MissionType,
    )
    from models.enums import AgentKind, EstablishmentCategory, LodgingZone, SlotDuration

    with app.app_context(), unit_of_work(db.session) as session:
        academy = Academy(code="ESSAI", name="Académie d'essai")
        session.add(academy)
        centre = Establishment(
            uai="0440001A",
            name="Lycée de Nantes",
            category=next(iter(EstablishmentCategory)),
            academy=academy,
            postcode="44000",
            town="NANTES",
            lodging_zone=next(iter(LodgingZone)),
            is_exam_centre=True,
        )
        agent = Agent(
            academy=academy,
            kind=next(iter(AgentKind)),
            last_name="NANTAIS",
            first_name="Jean",
            numen="99E0000000NAN",
        )
        mission_type = session.scalar(select(MissionType).order_by(MissionType.id))
        exam_session = session.scalar(select(ExamSession).order_by(ExamSession.id))
        number = 990001
        mission = Mission(
            academy=academy,
            number=number,
            mission_type=mission_type,
            session=exam_session,
            centre=centre,
            first_day=dt.date.today() + dt.timedelta(days=10),
            last_day=dt.date.today() + dt.timedelta(days=10),
        )
        mission.slots.append(
            MissionSlot(
                day=dt.date.today() + dt.timedelta(days=10),
                start_time=dt.time(8),
                duration=SlotDuration.DAY,
            )
        )
        assignment = Assignment(mission=mission, agent=agent, convoked_at=dt.datetime.now())
        assignment.claim = lifecycle.new_claim(mission_type, by_user_id=None)
        session.add_all([centre, agent, mission, assignment])
        session.flush()
        ids = {
            "academy": academy.id,
            "establishment": centre.id,
            "mission": mission.id,
            "assignment": assignment.id,
            "claim": assignment.claim.id,
            "agent": agent.id,
        }
    return ids
