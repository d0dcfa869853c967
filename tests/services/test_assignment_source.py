"""The automatic assignment's problem read from the database (issue 17): the needs less
the agents convoked already, the pairs every hard rule allows (competence, half-days
of any session, declared unavailability, conflicts of interest, active agents of the
académie), the homes' coordinates, the wishes; and a proposal on it that the
independent checker accepts."""

import datetime as dt

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.services.common import clock
from app.services.missions import convocation
from app.services.missions.assignment import checker, solver, source
from models import (
    Academy,
    Agent,
    AgentEstablishment,
    AssignmentConflict,
    Competence,
    CompetenceEndorsement,
    Establishment,
    Exam,
    ExamSession,
    Mission,
    MissionNeed,
    MissionSlot,
    MissionType,
    Paper,
    Teaching,
    Unavailability,
)
from models.enums import (
    AssignmentQuality,
    DayPart,
    EndorsementAuthor,
    EndorsementVerdict,
    EstablishmentLinkType,
    GapReason,
    SlotDuration,
)

Q = AssignmentQuality
D, H = SlotDuration.DAY, SlotDuration.HALF_DAY
DAY = dt.timedelta(days=1)


def find(session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


@pytest.fixture
def manager(demo, session):
    return find(session, User, username="gestionnaire").id


@pytest.fixture
def world(demo, session):
    """A new exam session of the demo académie (no demo mission in it), six teachers."""
    academy = find(session, Academy, code="RENNES")
    exam_session = ExamSession(
        exam=session.scalars(select(Exam).order_by(Exam.id)).first(), name="juin", year=2031
    )
    session.add(exam_session)
    agents = session.scalars(
        select(Agent)
        .where(Agent.numen.like("35E%ENS"), Agent.numen != "35E0000001MPC")
        .order_by(Agent.last_name)
    ).all()[:6]
    session.flush()
    return academy, exam_session, agents


def competent(session, agent, paper, *, author=EndorsementAuthor.SYSTEM, invalidated=False):
    competence = Competence(agent=agent, paper=paper)
    competence.endorsements.append(
        CompetenceEndorsement(
            author_kind=author, author_code="X", verdict=EndorsementVerdict.CONFIRMED
        )
    )
    if invalidated:
        competence.endorsements.append(
            CompetenceEndorsement(
                author_kind=EndorsementAuthor.MANAGER,
                author_code="GEST01",
                verdict=EndorsementVerdict.INVALIDATED,
                created_at=clock.now() + dt.timedelta(seconds=1),
            )
        )
    session.add(competence)
    session.flush()


def mission(session, world, number, *, slots=((30, "09:00", D),), type_code="CORR", needs=()):
    academy, exam_session, _agents = world
    created = Mission(
        academy=academy,
        number=number,
        mission_type=find(session, MissionType, code=type_code),
        session=exam_session,
        paper=find(session, Paper, code="MATNS"),
        centre=find(session, Establishment, uai="0350024L"),
    )
    created.slots = [
        MissionSlot(
            day=clock.today() + offset * DAY, start_time=dt.time.fromisoformat(at), duration=d
        )
        for offset, at, d in slots
    ]
    session.add(created)
    session.flush()
    for quality, places, *load in needs:
        session.add(
            MissionNeed(
                mission=created,
                quality=quality,
                places=places,
                load_per_agent=load[0] if load else None,
            )
        )
    session.flush()
    return created


def build(session, world, *missions):
    academy, exam_session, _agents = world
    return source.build(session, academy.id, exam_session.id, mission_ids=[m.id for m in missions])


def allowed(built, mission_, quality=Q.CORRECTOR):
    return set(built.instance.eligible[(mission_.id, quality.name)])


def test_only_the_competent_active_agents_of_the_academie(session, world):
    _academy, _exam_session, agents = world
    target = mission(session, world, 990001, needs=[(Q.CORRECTOR, 2)])
    for agent in agents[:4]:
        competent(session, agent, target.paper)
    competent(session, agents[4], target.paper, invalidated=True)
    agents[3].active = False
    session.flush()
    assert allowed(build(session, world, target), target) == {a.id for a in agents[:3]}


def test_needs_less_the_agents_convoked_already_who_stay(session, world, manager):
    _academy, _exam_session, agents = world
    target = mission(session, world, 990002, needs=[(Q.CORRECTOR, 3, 120)])
    for agent in agents:
        competent(session, agent, target.paper)
    convocation.convoke(
        session, target, [agents[0].id], quality=Q.CORRECTOR, jury=None, by_user_id=manager
    )
    built = build(session, world, target)
    need = built.instance.need((target.id, "CORRECTOR"))
    assert (need.count, need.load, need.unit) == (2, 120, "copies")
    assert [(f.agent_id, f.mission_id, f.load) for f in built.instance.fixed] == [
        (agents[0].id, target.id, 120)
    ]
    assert built.missions[target.id].convoked == 1
    proposal = solver.solve(built.instance)
    assert checker.violations(built.instance, proposal.placements) == []
    assert len(proposal.placements) == 2
    assert agents[0].id not in {p.agent_id for p in proposal.placements}


def test_a_convocation_without_quality_counts_against_the_largest_need(session, world, manager):
    _academy, _exam_session, agents = world
    target = mission(session, world, 990003, needs=[(Q.CORRECTOR, 2), (Q.PRESIDENT, 1)])
    for agent in agents:
        competent(session, agent, target.paper)
    convocation.convoke(
        session, target, [agents[0].id], quality=None, jury=None, by_user_id=manager
    )
    built = build(session, world, target)
    assert built.instance.need((target.id, "CORRECTOR")).count == 1
    assert built.instance.need((target.id, "PRESIDENT")).count == 1


def test_declared_unavailable_or_busy_on_the_same_half_day_of_any_session(session, world, manager):
    academy, exam_session, agents = world
    target = mission(session, world, 990004, slots=((30, "09:00", H),), needs=[(Q.CORRECTOR, 2)])
    for agent in agents:
        competent(session, agent, target.paper)
    day = target.first_day
    session.add(
        Unavailability(
            agent=agents[0], session=exam_session, starts_on=day, ends_on=day, part=DayPart.MORNING
        )
    )
    session.add(
        Unavailability(
            agent=agents[1],
            session=exam_session,
            starts_on=day,
            ends_on=day,
            part=DayPart.AFTERNOON,  # the afternoon: free in the morning
        )
    )
    # Convoked the same morning to a mission of another session (the demo's).
    elsewhere = Mission(
        academy=academy,
        number=990005,
        mission_type=find(session, MissionType, code="CORR"),
        session=session.scalars(
            select(ExamSession).where(ExamSession.id != exam_session.id)
        ).first(),
        paper=target.paper,
        centre=target.centre,
        slots=[MissionSlot(day=day, start_time=dt.time(10, 0), duration=H)],
    )
    session.add(elsewhere)
    session.flush()
    convocation.convoke(
        session, elsewhere, [agents[2].id], quality=None, jury=None, by_user_id=manager
    )
    built = build(session, world, target)
    assert allowed(built, target) == {a.id for a in agents} - {agents[0].id, agents[2].id}
    # The other session's convocation takes time, not load nor a mission of this one.
    assert built.instance.fixed == []


def test_conflicts_of_interest_recorded_or_own_students(session, world, manager):
    academy, _exam_session, agents = world
    correction = mission(session, world, 990006, needs=[(Q.CORRECTOR, 1)])
    oral = mission(session, world, 990007, type_code="INTERRO", needs=[(Q.EXAMINER, 1)])
    for agent in agents:
        competent(session, agent, correction.paper)
    session.add_all(
        [
            AssignmentConflict(
                academy_id=academy.id,
                agent=agents[0],
                establishment=correction.centre,
                reason="Conjoint",
            ),
            AssignmentConflict(
                academy_id=academy.id,
                agent=agents[1],
                mission=correction,
                reason="Parent d'un candidat",
            ),
            AgentEstablishment(
                agent=agents[2],
                establishment=oral.centre,
                link_type=EstablishmentLinkType.PRINCIPAL,
            ),
        ]
    )
    oral.mission_type.own_students_conflict = True  # orals: their own students
    session.flush()
    built = build(session, world, correction, oral)
    everyone = {a.id for a in agents}
    # Agents already attached to the demo centre (the demo's own) are excluded too.
    attached = set(
        session.scalars(
            select(AgentEstablishment.agent_id).where(
                AgentEstablishment.establishment_id == oral.centre_id
            )
        )
    ) | set(
        session.scalars(
            select(Teaching.agent_id).where(
                Teaching.establishment_id == oral.centre_id, Teaching.active.is_(True)
            )
        )
    )
    assert allowed(built, correction) == everyone - {agents[0].id, agents[1].id}
    assert allowed(built, oral, Q.EXAMINER) == everyone - {agents[0].id} - attached
    assert agents[2].id in attached


def test_a_mission_without_needs_or_of_another_session_is_left_out(session, world, demo):
    target = mission(session, world, 990008)  # no need
    other = session.scalar(select(Mission).where(Mission.number == 77824))
    built = build(session, world, target, other)
    assert built.instance.needs == [] and built.missions == {}


def test_wishes_are_the_competences_the_agents_declared(session, world):
    _academy, _exam_session, agents = world
    target = mission(session, world, 990009, needs=[(Q.CORRECTOR, 1)])
    competent(session, agents[0], target.paper, author=EndorsementAuthor.AGENT)
    competent(session, agents[1], target.paper)
    built = build(session, world, target)
    assert built.instance.wishes == frozenset({(agents[0].id, target.id)})


def test_the_reasons_of_empty_places(session, world):
    _academy, _exam_session, agents = world
    nobody = mission(session, world, 990010, needs=[(Q.CORRECTOR, 1)])
    nobody.paper = session.scalar(
        select(Paper).where(~Paper.id.in_(select(Competence.paper_id))).order_by(Paper.id)
    )
    session.flush()
    scarce = mission(session, world, 990011, needs=[(Q.CORRECTOR, 3)])
    competent(session, agents[0], scarce.paper)
    built = build(session, world, nobody, scarce)
    proposal = solver.solve(built.instance)
    reasons = {gap.key: built.gap_reason(gap.key, gap.reason) for gap in proposal.unfilled}
    assert reasons[(nobody.id, "CORRECTOR")] is GapReason.NO_COMPETENT
    assert {gap.key: gap.places for gap in proposal.unfilled}[(scarce.id, "CORRECTOR")] >= 1
