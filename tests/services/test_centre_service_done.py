"""The head of the exam centre's « Constat de service fait »: the head sees the missions
held in the establishments they head, and only those (two heads side by side), and
records the service done by the managers' rule."""

import datetime as dt

import pytest
from sqlalchemy import select

from app.services import DomainError, NotFound
from app.services.claims import processing
from app.services.common import formats
from app.services.payments import centre, service_done
from models import Agent, AgentEstablishment, Assignment, Establishment, Mission, User
from models.enums import AgentKind, EstablishmentLinkType

TODAY = dt.date.today()


def mission(session, number) -> Mission:
    return session.scalar(select(Mission).where(Mission.number == number))


def chef(session) -> Agent:
    return session.scalar(
        select(Agent).join(User, Agent.user_id == User.id).where(User.username == "chef")
    )


@pytest.fixture
def other_head(session, demo):
    """The head of the LP where mission 52525 is held (no account needed here)."""
    head = Agent(
        numen="35E0000590DIR",
        academy_id=chef(session).academy_id,
        kind=AgentKind.HEAD,
        last_name="NEDELEC",
        first_name="Hervé",
    )
    session.add(head)
    session.flush()
    lycee = session.scalar(select(Establishment).where(Establishment.uai.like("0560026%")))
    session.add(
        AgentEstablishment(
            agent_id=head.id, establishment_id=lycee.id, link_type=EstablishmentLinkType.HEAD
        )
    )
    session.flush()
    return head


def numbers(session, head):
    return {m.number for m in session.scalars(centre.centre_missions(head, TODAY))}


def test_a_head_sees_the_missions_of_their_centres_only(session, demo, other_head):
    head = chef(session)
    mine = numbers(session, head)
    assert {330001, 330002, 77508, 176629, 99685} <= mine
    assert 77824 not in mine  # not begun
    assert 52525 not in mine and 86373 not in mine  # held elsewhere
    assert numbers(session, other_head) == {52525, 52531}
    with pytest.raises(NotFound):
        centre.centre_mission(session, other_head, mission(session, 330001).id)
    with pytest.raises(NotFound):
        centre.centre_mission(session, head, mission(session, 52525).id)
    assert centre.centre_mission(session, head, mission(session, 330001).id).number == 330001
    # The audience of the activity: a head of an exam centre.
    assert centre.heads_an_exam_centre(session, head)
    assert centre.heads_an_exam_centre(session, other_head)
    teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
    assert not centre.heads_an_exam_centre(session, teacher)


def test_the_head_records_one_then_the_whole_mission(session, demo):
    head = chef(session)
    target = centre.centre_mission(session, head, mission(session, 330001).id)
    done = centre.mission_done(target, TODAY)
    assert [r.assignment.agent.last_name for r in done.rows] == ["HAMON", "JAOUEN", "KERBRAT"]
    assert done.may_record and all(r.may_record and not r.may_undo for r in done.rows)
    first = done.rows[0].assignment
    now = dt.datetime(2026, 11, 27, 15, 30)
    assert centre.record(session, head, target, {first.id}, today=TODAY) == 1
    assert first.service_done_on == TODAY and first.service_done_by_id == head.user_id
    assert first.service_done_at is not None
    # Another mission's assignment id is ignored: only this mission's convoked count.
    elsewhere = mission(session, 52525).assignments[0]
    assert centre.record(session, head, target, {elsewhere.id}, today=TODAY) == 0
    assert elsewhere.service_done_on is None
    first.service_done_at = now
    assert centre.record(session, head, target, None, today=TODAY) == 2
    done = centre.mission_done(target, TODAY)
    assert not done.may_record
    assert done.rows[0].done_by == "Yves Morvan"
    assert done.rows[0].done_when == "27/11/2026 16:30"  # Paris time


def test_the_rules_are_the_managers(session, demo):
    head = chef(session)
    # Not before the mission's last day.
    ongoing = centre.centre_mission(session, head, mission(session, 99685).id)
    shown = centre.mission_done(ongoing, TODAY)
    assert not shown.may_record and shown.opens_on
    with pytest.raises(DomainError, match="pas terminée|not over"):
        centre.record(session, head, ongoing, None, today=TODAY)
    # Not on a cancelled claim; a withdrawn convocation is not listed to the head.
    target = centre.centre_mission(session, head, mission(session, 330001).id)
    cancelled, withdrawn, kept = sorted(target.assignments, key=lambda a: a.agent.last_name)
    processing.cancel(session, cancelled.claim, by_user_id=head.user_id, comment="")
    withdrawn.cancelled_at = dt.datetime(2026, 11, 1)
    session.flush()
    rows = centre.mission_done(target, TODAY).rows
    assert [r.assignment for r in rows] == [cancelled, kept]
    assert rows[0].struck and not rows[0].may_record
    assert centre.record(session, head, target, None, today=TODAY) == 1
    assert kept.service_done_on == TODAY
    assert cancelled.service_done_on is None and withdrawn.service_done_on is None
    assert service_done.progress(target) == "1 / 1"


def test_the_manager_sees_who_recorded_it_and_may_withdraw_it(session, demo):
    recorded = mission(session, 330002)
    shown = service_done.mission_done(recorded, TODAY, undo=True)
    assert {r.done_by for r in shown.rows} == {"Yves Morvan"}
    assert all(r.may_undo for r in shown.rows)
    assert [r.done_when for r in shown.rows] == [
        formats.moment(r.assignment.service_done_at) for r in shown.rows
    ]
    assert all(r.assignment.service_done_at.date() == recorded.last_day for r in shown.rows)
    assert not any(r.may_undo for r in centre.mission_done(recorded, TODAY).rows)
    assignment = shown.rows[0].assignment
    service_done.undo_service_done(session, assignment)
    assert assignment.service_done_at is None and assignment.service_done_by_id is None
    assert session.get(Assignment, assignment.id).service_done_on is None
