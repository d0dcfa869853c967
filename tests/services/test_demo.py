"""The demo data: idempotent, every status of the seeds, the seeds' examples."""

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.seeds.demo import DEMO_ACCOUNTS, DEMO_AUDIENCE_ACCOUNTS, seed_demo
from app.services.claims import lifecycle
from models import (
    Agent,
    Assignment,
    Competence,
    ExpenseClaim,
    Mission,
    metadata,
)
from models.enums import ClaimStatus, SlotDuration


def row_counts(session):
    return {
        table.name: session.scalar(select(func.count()).select_from(table))
        for table in metadata.sorted_tables
    }


def test_seed_demo_is_idempotent(session, app):
    seed_demo(session, app.appbuilder.sm)
    first = row_counts(session)
    seed_demo(session, app.appbuilder.sm)
    assert row_counts(session) == first
    assert first["mission"] >= 15


def test_one_account_per_role(session, app):
    seed_demo(session, app.appbuilder.sm)
    for account in (*DEMO_ACCOUNTS, *DEMO_AUDIENCE_ACCOUNTS):
        user = app.appbuilder.sm.find_user(username=account.username)
        assert [role.name for role in user.roles] == [account.role]


def test_the_claims_cover_every_status_of_the_seeds(session, app):
    today = dt.date.today()
    seed_demo(session, app.appbuilder.sm, today=today)
    seen = set()
    for claim in session.scalars(
        select(ExpenseClaim).options(
            joinedload(ExpenseClaim.assignment).joinedload(Assignment.mission)
        )
    ):
        mission = claim.assignment.mission
        for stored in (claim.fee_status, claim.travel_status):
            seen.add(lifecycle.displayed_status(stored, mission.first_day, mission.last_day, today))
    assert seen == set(ClaimStatus)


def test_validated_claims_have_a_dossier_number(session, app):
    seed_demo(session, app.appbuilder.sm)
    validated = {ClaimStatus.VALIDATED, ClaimStatus.ACCEPTED, ClaimStatus.SENT_FOR_PAYMENT}
    for claim in session.scalars(select(ExpenseClaim)):
        if claim.fee_status in validated or claim.travel_status in validated:
            assert claim.number
            assert claim.history


def test_mission_52525_is_the_seeds_example(session, app):
    seed_demo(session, app.appbuilder.sm)
    mission = session.scalar(select(Mission).where(Mission.number == 52525))
    assert mission.mission_type.name == "ORAUX PROFESSIONNELS"
    assert mission.centre.name == "LGT JOSEPH LOTH"
    assert mission.centre.town == "PONTIVY CEDEX"
    assert mission.session.exam.name == "BREVET DE TECHNICIEN SUPERIEUR"
    assert mission.paper.code == "E4-A"
    assert [(s.start_time.strftime("%H:%M"), s.duration) for s in mission.slots] == [
        ("07:45", SlotDuration.HALF_DAY),
        ("13:30", SlotDuration.HALF_DAY),
        ("08:00", SlotDuration.HALF_DAY),
    ]
    assert mission.first_day == mission.slots[0].day
    assert mission.last_day == mission.slots[-1].day


def test_the_competence_trail_of_the_seed(session, app):
    seed_demo(session, app.appbuilder.sm)
    from app.services.competences.rules import trail_text

    teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
    trails = {
        c.paper.name: trail_text(c)
        for c in session.scalars(select(Competence).where(Competence.agent_id == teacher.id))
    }
    # Newest word first, as on the seed's screens: SYS generated it, then 0650012K confirmed.
    assert trails["LANGUE VIVANTE 3 ANGLAIS"] == "0650012K (C) SYS (C)"
