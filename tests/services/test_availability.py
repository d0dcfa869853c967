"""Agents' availability (issue 16 §6): which slots a declared unavailability covers
(half-days), in Python and in SQL alike; the declarations' checks and closing date; the
convocation's candidates without the unavailable agents, and the override with a
reason."""

import datetime as dt
from types import SimpleNamespace

import pytest
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from app.seeds import demo_availability
from app.services import DomainError
from app.services.common import clock
from app.services.missions import availability, convocation, unavailabilities
from models import Agent, Mission, MissionSlot, Unavailability
from models.enums import DayPart, SlotDuration

H, D = SlotDuration.HALF_DAY, SlotDuration.DAY
DAY = dt.timedelta(days=1)
MONDAY = dt.date(2027, 6, 14)


def slot(day, start, duration):
    return SimpleNamespace(day=day, start_time=dt.time.fromisoformat(start), duration=duration)


def declared(starts_on, ends_on, part):
    return Unavailability(starts_on=starts_on, ends_on=ends_on, part=part)


# --- The half-day rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "start", "duration", "covered"),
    [
        (DayPart.DAY, "08:00", H, True),
        (DayPart.DAY, "14:00", H, True),
        (DayPart.DAY, "09:00", D, True),
        (DayPart.MORNING, "08:00", H, True),
        (DayPart.MORNING, "12:59", H, True),
        (DayPart.MORNING, "13:00", H, False),  # 13:00 starts the afternoon
        (DayPart.MORNING, "09:00", D, True),  # a day takes the morning too
        (DayPart.AFTERNOON, "08:00", H, False),
        (DayPart.AFTERNOON, "13:30", H, True),
        (DayPart.AFTERNOON, "09:00", D, True),
    ],
)
def test_a_half_day_unavailability_covers_the_slots_sharing_its_half(
    part, start, duration, covered
):
    assert availability.covers(declared(MONDAY, MONDAY, part), slot(MONDAY, start, duration)) is (
        covered
    )


@pytest.mark.parametrize(
    ("day", "covered"),
    [(MONDAY - DAY, False), (MONDAY, True), (MONDAY + DAY, True), (MONDAY + 2 * DAY, False)],
)
def test_every_day_of_the_period_is_covered_its_ends_included(day, covered):
    unavailability = declared(MONDAY, MONDAY + DAY, DayPart.DAY)
    assert availability.covers(unavailability, slot(day, "09:00", D)) is covered


def _agent(session):
    return session.scalar(select(Agent).where(Agent.numen.like("35E%ENS")).order_by(Agent.id))


def test_the_sql_clauses_read_the_rule_as_python_does(session, demo):
    """Every (part, slot) pair: ``slot_clause`` with values, with ``MissionSlot`` columns
    and ``unavailable_clause`` on a mission agree with ``covers``."""
    agent = _agent(session)
    mission = session.scalar(select(Mission).where(Mission.number == 77824))
    session.execute(Unavailability.__table__.delete().where(Unavailability.agent_id == agent.id))
    day = mission.first_day
    for part in DayPart:
        unavailability = Unavailability(
            agent=agent, session=mission.session, starts_on=day, ends_on=day, part=part
        )
        session.add(unavailability)
        session.flush()
        for start, duration in (("08:00", H), ("14:00", H), ("09:00", D)):
            mission.slots[0].start_time = dt.time.fromisoformat(start)
            mission.slots[0].duration = duration
            session.flush()
            expected = availability.covers(unavailability, mission.slots[0])
            by_values = session.scalar(
                select(Unavailability.id).where(
                    Unavailability.id == unavailability.id,
                    availability.slot_clause(day, mission.slots[0].start_time, duration),
                )
            )
            by_columns = session.scalar(
                select(MissionSlot.id).where(
                    MissionSlot.id == mission.slots[0].id,
                    availability.unavailable_on_slot_clause(agent.id),
                )
            )
            assert (by_values is not None) is expected, (part, start, duration)
            assert (by_columns is not None) is expected, (part, start, duration)
            assert availability.is_unavailable_for_mission(session, agent.id, mission) is expected
            assert availability.is_unavailable_on_slot(session, agent.id, mission.slots[0]) is (
                expected
            )
        session.delete(unavailability)
        session.flush()


# --- Declarations -----------------------------------------------------------------------


@pytest.fixture
def open_session(session, demo):
    """The demo's session open to declarations, and the demo teacher."""
    mission = session.scalar(select(Mission).where(Mission.number == 77824))
    teacher = session.scalar(
        select(Agent).join(User, Agent.user_id == User.id).where(User.username == "enseignant")
    )
    return mission.session, teacher


def values(first, last, part="DAY", comment=""):
    return {
        "starts_on": first.isoformat() if isinstance(first, dt.date) else first,
        "ends_on": last.isoformat() if isinstance(last, dt.date) else last,
        "part": part,
        "comment": comment,
    }


def test_an_agent_declares_changes_and_deletes_before_the_closing_date(session, open_session):
    exam_session, teacher = open_session
    today = exam_session.unavailability_closes_on  # the closing day is still open
    first = exam_session.starts_on
    created = unavailabilities.declare(
        session,
        teacher,
        exam_session,
        values(first, first + DAY, "AFTERNOON", " Jury "),
        today=today,
    )
    assert (created.part, created.comment) == (DayPart.AFTERNOON, "Jury")
    unavailabilities.change(session, created, values(first, first), today=today)
    assert (created.ends_on, created.part, created.comment) == (first, DayPart.DAY, None)
    blocks = unavailabilities.agent_sessions(session, teacher, today)
    (block,) = [b for b in blocks if b.exam_session is exam_session]
    assert block.may_edit and block.closed_reason is None
    assert created in block.unavailabilities
    unavailabilities.delete(session, created, today=today)
    assert session.get(Unavailability, created.id) is None


def test_after_the_closing_date_declarations_are_read_only(session, open_session):
    exam_session, teacher = open_session
    later = exam_session.unavailability_closes_on + DAY
    (existing,) = session.scalars(
        select(Unavailability).where(Unavailability.agent_id == teacher.id)
    ).all()
    first = exam_session.starts_on
    for action in (
        lambda: unavailabilities.declare(
            session, teacher, exam_session, values(first, first), today=later
        ),
        lambda: unavailabilities.change(session, existing, values(first, first), today=later),
        lambda: unavailabilities.delete(session, existing, today=later),
        lambda: unavailabilities.session_for_agent(session, exam_session.id, later),
    ):
        with pytest.raises(DomainError, match="ne peuvent plus être modifiées"):
            action()
    (block,) = [
        b
        for b in unavailabilities.agent_sessions(session, teacher, later)
        if b.exam_session is exam_session
    ]
    assert not block.may_edit
    assert "close depuis le" in str(block.closed_reason)


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (values("", "2027-01-01"), "starts_on", "obligatoire"),
        (values("31/02/2027", "2027-01-01"), "starts_on", "jj/mm/aaaa"),
        ({**values("x", "x"), "part": "NIGHT"}, "part", "Choix non valide"),
        (values("x", "x", comment="a" * 201), "comment", "200 caractères au plus"),
    ],
)
def test_each_wrong_field_has_its_message(session, open_session, typed, field, message):
    exam_session, teacher = open_session
    with pytest.raises(unavailabilities.FieldErrors) as refused:
        unavailabilities.declare(session, teacher, exam_session, typed, today=clock.today())
    assert message in str(refused.value.errors[field])


def test_dates_lie_inside_the_session_and_the_end_is_not_before_the_start(session, open_session):
    exam_session, teacher = open_session
    first, last = exam_session.starts_on, exam_session.ends_on
    with pytest.raises(unavailabilities.FieldErrors) as refused:
        unavailabilities.declare(
            session, teacher, exam_session, values(first - DAY, last + DAY), today=clock.today()
        )
    assert set(refused.value.errors) == {"starts_on", "ends_on"}
    assert "comprise dans la session" in str(refused.value.errors["starts_on"])
    with pytest.raises(unavailabilities.FieldErrors) as refused:
        unavailabilities.declare(
            session, teacher, exam_session, values(first + DAY, first), today=clock.today()
        )
    assert "antérieure à la date de début" in str(refused.value.errors["ends_on"])


def test_a_session_without_closing_date_takes_no_declaration(session, open_session):
    exam_session, teacher = open_session
    exam_session.unavailability_closes_on = None
    with pytest.raises(DomainError):
        unavailabilities.session_for_agent(session, exam_session.id, clock.today())
    with pytest.raises(DomainError):
        unavailabilities.declare(
            session,
            teacher,
            exam_session,
            values(exam_session.starts_on, exam_session.starts_on),
            today=clock.today(),
        )


# --- Convocation ------------------------------------------------------------------------


@pytest.fixture
def absent(session, demo):
    """The demo mission 340001 and the colleague whose declaration keeps them off it."""
    mission = session.scalar(
        select(Mission).where(Mission.number == demo_availability.INVIGILATION_NUMBER)
    )
    unavailability = session.scalar(
        select(Unavailability).where(Unavailability.comment == demo_availability.COLLEAGUE_COMMENT)
    )
    return mission, unavailability.agent


def test_candidates_never_include_an_agent_on_a_declared_unavailability(session, absent):
    mission, agent = absent
    assert agent.id not in {c.agent.id for c in convocation.candidates(session, mission)}
    overriding = convocation.candidates(session, mission, overriding=True)
    assert agent.id in {c.agent.id for c in overriding}
    (listed,) = unavailabilities.unavailable_candidates(session, mission)
    assert listed.agent is agent
    assert [u.comment for u in listed.unavailabilities] == [demo_availability.COLLEAGUE_COMMENT]


def test_the_pairs_of_a_session_name_the_unavailable_agent_of_each_mission(session, absent):
    mission, agent = absent
    missions = session.scalars(
        select(Mission.id).where(Mission.session_id == mission.session_id)
    ).all()
    pairs = availability.unavailable_pairs(session, missions)
    assert (agent.id, mission.id) in pairs
    assert pairs == {
        (agent_id, m.id)
        for m in session.scalars(select(Mission).where(Mission.id.in_(missions)))
        for agent_id in availability.declared_for(session, m)
    }
    assert availability.unavailable_pairs(session, []) == set()


def test_convoking_an_unavailable_agent_needs_a_reason_recorded_on_the_assignment(session, absent):
    mission, agent = absent
    manager = session.scalar(select(User).where(User.username == "gestionnaire")).id
    with pytest.raises(DomainError, match="Indisponibilité déclarée") as refused:
        convocation.convoke(
            session, mission, [agent.id], quality=None, jury=None, by_user_id=manager
        )
    assert agent.full_name in str(refused.value)
    with pytest.raises(DomainError, match="Indisponibilité déclarée"):
        convocation.convoke(
            session,
            mission,
            [agent.id],
            quality=None,
            jury=None,
            by_user_id=manager,
            override_reason="   ",
        )
    (assignment,) = convocation.convoke(
        session,
        mission,
        [agent.id],
        quality=None,
        jury=None,
        by_user_id=manager,
        override_reason=" Seul correcteur disponible ",
    )
    assert assignment.unavailability_override == "Seul correcteur disponible"
    assert {row.comment for row in assignment.claim.history} == {
        "Convoqué(e) malgré une indisponibilité déclarée : Seul correcteur disponible"
    }
    assert unavailabilities.unavailable_candidates(session, mission) == []


def test_a_reason_given_for_available_agents_is_not_recorded(session, absent):
    mission, agent = absent
    manager = session.scalar(select(User).where(User.username == "gestionnaire")).id
    other = convocation.candidates(session, mission)[0].agent
    created = convocation.convoke(
        session,
        mission,
        [other.id, agent.id],
        quality=None,
        jury=None,
        by_user_id=manager,
        override_reason="Urgence",
    )
    reasons = {a.agent_id: a.unavailability_override for a in created}
    assert reasons == {other.id: None, agent.id: "Urgence"}
