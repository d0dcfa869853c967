"""Dossier numbers under concurrent validations: every agent validating at the same
moment gets a distinct number, and none is skipped or given twice (run on PostgreSQL
in the PostgreSQL pass of ``make test``, on SQLite in the other)."""

import datetime as dt
import threading

from sqlalchemy import select

from app.extensions import db
from app.services.claims import entry as claim_entry
from app.services.claims import lifecycle, workflow
from app.services.common import clock
from app.transaction import unit_of_work
from models import Agent, Assignment, Mission, MissionSlot, MissionType, NumberCounter
from models.enums import SlotDuration

WORKERS = 8


def ready_claims(count: int) -> list[int]:
    """``count`` copies claims of the external contributor, entered and ready to be
    validated (no travel, no document required)."""
    today = clock.today()
    agent = db.session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
    home = db.session.scalar(select(MissionType).where(MissionType.code == "CORRDOM"))
    template = db.session.scalar(select(Mission).where(Mission.number == 77642))
    ids = []
    for index in range(count):
        mission = Mission(
            academy_id=template.academy_id,
            number=900000 + index,
            mission_type=home,
            session_id=template.session_id,
            paper_id=template.paper_id,
            specialty_id=template.specialty_id,
        )
        mission.slots = [
            MissionSlot(
                day=today - dt.timedelta(days=10 + index),
                start_time=dt.time(9),
                duration=SlotDuration.DAY,
            )
        ]
        assignment = Assignment(mission=mission, agent=agent)
        assignment.claim = lifecycle.new_claim(home)
        db.session.add(assignment)
        db.session.commit()
        claim = assignment.claim
        with unit_of_work(db.session):
            workflow.start(db.session, claim, today=today)
            claim_entry.save_fee(db.session, claim, {"copies": str(10 + index)}, today=today)
        ids.append(claim.id)
    return ids


def test_concurrent_validations_get_distinct_numbers(app, demo):
    with app.app_context():
        ids = ready_claims(WORKERS)
        year = clock.today().year
        counter = db.session.get(NumberCounter, f"claim-{year}")
        before = counter.last_value if counter else 0
        db.session.remove()
    barrier = threading.Barrier(WORKERS)
    numbers, errors = [], []

    def validate(claim_id):
        with app.app_context():
            try:
                claim = workflow.agent_claim(
                    db.session,
                    db.session.scalar(select(Agent.id).where(Agent.external_id == "EXT35000123")),
                    claim_id,
                )
                barrier.wait(timeout=30)
                with unit_of_work(db.session):  # one request's transaction
                    numbers.append(
                        workflow.validate(db.session, claim, by_user_id=None, today=clock.today())
                    )
            except Exception as error:  # reported below, with the thread's claim
                errors.append((claim_id, repr(error)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=validate, args=(claim_id,)) for claim_id in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # Distinct, consecutive: none given twice, none lost.
    assert sorted(numbers) == [f"{year}-{n:06d}" for n in range(before + 1, before + WORKERS + 1)]
    with app.app_context():
        counter = db.session.get(NumberCounter, f"claim-{year}")
        assert counter.last_value == before + WORKERS
