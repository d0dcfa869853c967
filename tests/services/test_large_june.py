"""What ``seed-large`` adds for the automatic assignment (issue 17 §6), at a small scale:
the communes of the agents' homes with coordinates in Brittany, located exam centres,
and a coming June session whose missions have needs, over two weeks of June, with
unavailabilities and conflicts — which the session's builder and the solver read."""

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.seeds import large as large_dataset
from app.seeds import large_june
from app.services.missions.assignment import checker, solver, source
from app.services.missions.convocation import commune
from app.services.referential import communes as communes_service
from app.transaction import unit_of_work
from models import (
    Academy,
    Agent,
    Assignment,
    AssignmentConflict,
    Commune,
    Establishment,
    ExamSession,
    Mission,
    MissionNeed,
    MissionSlot,
    Unavailability,
)
from models.enums import AssignmentQuality, FeeEntryFamily

AGENTS, CLAIMS, JUNE = 80, 400, 60
TODAY = dt.date(2026, 11, 28)
LAT, LON = (47.3, 48.9), (-5.1, -1.0)


@pytest.fixture
def june(app, demo):
    with app.app_context():
        communes_before = db.session.scalar(select(func.count(Commune.id)))
        with unit_of_work(db.session):
            stats = large_dataset.seed_large(
                db.session, agents=AGENTS, claims=CLAIMS, june_missions=JUNE, today=TODAY
            )
        stats.communes_added = db.session.scalar(select(func.count(Commune.id))) - communes_before
        db.session.remove()
    return stats


def _large_agents():
    return select(Agent).where(
        Agent.numen.like(f"{large_dataset.NUMEN_PREFIX}%")
        | Agent.external_id.like(f"{large_dataset.EXTERNAL_PREFIX}%")
    )


def test_every_home_town_has_its_commune_with_coordinates(app, june):
    with app.app_context():
        agents = db.session.scalars(_large_agents()).all()
        assert len(agents) == AGENTS
        communes = {
            (row.postcode, row.key): row for row in db.session.scalars(select(Commune)).all()
        }
        points = defaultdict(set)
        for agent in agents:
            found = communes.get((agent.postcode, commune(agent.town)))
            assert found is not None, (agent.postcode, agent.town)
            assert LAT[0] <= found.latitude <= LAT[1] and LON[0] <= found.longitude <= LON[1]
            points[commune(agent.town)].add((found.latitude, found.longitude))
        # The same town is one point, whatever its postcode (Rennes 35000 and 35700).
        assert all(len(found) == 1 for found in points.values())
        assert len(points["RENNES"]) == 1
        # The builder finds every home.
        homes = communes_service.homes(db.session, [(a.id, a.postcode, a.town) for a in agents])
        assert all(home.located for home in homes.values())
        # Only the (postcode, town) the table lacked were added (the demo holds some).
        assert june.communes == june.communes_added
        assert 0 < june.communes <= len({(a.postcode, commune(a.town)) for a in agents})


def test_the_generated_centres_stand_in_brittany(app, june):
    with app.app_context():
        located = db.session.execute(
            select(Establishment.latitude, Establishment.longitude).where(
                Establishment.uai.like("0__8%"), Establishment.latitude.is_not(None)
            )
        ).all()
        assert len(located) == june.centres == 150
        for latitude, longitude in located:
            assert LAT[0] <= latitude <= LAT[1] and LON[0] <= longitude <= LON[1]


def test_the_june_session_has_its_missions_and_needs(app, june):
    with app.app_context():
        exam_session = db.session.get(ExamSession, june.june.session_id)
        assert exam_session.name == "juin 2027 – écrits et oraux"
        missions = db.session.scalars(
            select(Mission).where(Mission.session_id == exam_session.id)
        ).all()
        assert len(missions) == june.june.missions == JUNE
        days = large_june.june_days(TODAY)
        assert (days[0], days[-1]) == (dt.date(2027, 6, 14), dt.date(2027, 6, 25))
        needs = defaultdict(list)
        for need in db.session.scalars(
            select(MissionNeed).where(MissionNeed.mission_id.in_([m.id for m in missions]))
        ):
            needs[need.mission_id].append(need)
        kinds = set()
        for mission in missions:
            [need] = needs[mission.id]
            assert all(slot.day in days for slot in mission.slots) and mission.slots
            family = mission.mission_type.fee_family
            if need.quality is AssignmentQuality.CORRECTOR:
                assert family is FeeEntryFamily.COPIES and 6 <= need.places <= 15
                assert need.load_per_agent in large_june.CORRECTION_LOADS
            elif need.quality is AssignmentQuality.EXAMINER:
                assert family is FeeEntryFamily.CANDIDATES and need.places == 2
                assert mission.centre_id is not None and mission.paper_id is not None
            else:
                assert need.quality is AssignmentQuality.INVIGILATOR
                assert 2 <= need.places <= 6 and mission.paper_id is None
            kinds.add(need.quality)
        assert len(kinds) == 3
        assert june.june.places == sum(n.places for rows in needs.values() for n in rows)
        # Nobody is convoked yet: the proposal fills them.
        convoked = select(func.count(Assignment.id)).where(
            Assignment.mission_id.in_([m.id for m in missions])
        )
        assert db.session.scalar(convoked) == 0
        # Half-days clash: several missions share a slot.
        shared = db.session.execute(
            select(MissionSlot.day, MissionSlot.start_time, func.count())
            .where(MissionSlot.mission_id.in_([m.id for m in missions]))
            .group_by(MissionSlot.day, MissionSlot.start_time)
            .having(func.count() > 1)
        ).all()
        assert shared
        period = select(func.count(Unavailability.id)).where(
            Unavailability.session_id == exam_session.id
        )
        assert db.session.scalar(period) == june.june.unavailabilities == AGENTS // 20
        large_agents = _large_agents().with_only_columns(Agent.id)
        recorded = select(func.count(AssignmentConflict.id)).where(
            AssignmentConflict.agent_id.in_(large_agents)
        )
        assert db.session.scalar(recorded) == 40  # the demo's own are not counted


def test_the_builder_and_the_solver_read_it(app, june):
    with app.app_context():
        academy_id = db.session.scalar(
            select(Academy.id).where(Academy.code == large_dataset.ACADEMY_CODE)
        )
        built = source.build(db.session, academy_id, june.june.session_id)
        instance = built.instance
        assert len(built.missions) == JUNE
        assert sum(need.count for need in instance.needs) == june.june.places
        located = [n for n in instance.needs if n.place is not None]
        assert located and all(n.place.located for n in located)
        proposal = solver.solve(instance)
        assert proposal.placements
        assert checker.violations(instance, proposal.placements) == []
