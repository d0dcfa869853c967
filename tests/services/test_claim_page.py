"""What a claim's page shows and offers, decided by the services: the agent's tabs and
actions, the manager's actions (each refused with its French reason), the amounts as
shown, each travel line's total, and the first mission of the day."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.services import DomainError
from app.services.claims import amounts, lifecycle, processing, workflow
from app.services.claims import page as claim_page
from app.services.common import clock
from models import (
    Academy,
    Agent,
    Assignment,
    Establishment,
    ExamSession,
    ExpenseClaim,
    Manager,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
    TravelLeg,
)
from models.enums import ClaimStatus, SlotDuration, TransportMode

S = ClaimStatus
DAY = dt.timedelta(days=1)


@pytest.fixture
def people(demo, session):
    teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
    external = session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
    return teacher, external


@pytest.fixture
def manager(demo, session) -> int:
    return session.scalar(select(Manager.user_id).where(Manager.code == "DEC2-GUILLOU"))


def claim_of(session, agent, number) -> ExpenseClaim:
    return session.scalar(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent.id, Mission.number == number)
    )


def reasons(decisions: dict) -> dict:
    return {key: (None if d else str(d.reason)) for key, d in decisions.items()}


# --- The agent's tabs -------------------------------------------------------------------


def test_before_the_first_choice_only_suivi_is_open(session, people, app_ctx):
    teacher, _external = people
    claim = claim_of(session, teacher, 86373)
    assert reasons(claim_page.tabs(claim, clock.today())) == {
        "suivi": None,
        "remuneration": "Choisissez d'abord « Je souhaite compléter l'état de frais ».",
        "deplacement": "Choisissez d'abord « Je souhaite compléter l'état de frais ».",
        "recapitulatif": "Choisissez d'abord « Je souhaite compléter l'état de frais ».",
    }
    workflow.start(session, claim, today=clock.today())
    assert claim_page.open_tabs(claim, clock.today()) == list(claim_page.TAB_KEYS)


def test_the_travel_tab_of_a_second_mission_of_the_day_is_refused(session, people, app_ctx):
    teacher, _external = people
    claim = claim_of(session, teacher, 52531)  # travel « Invalidable »
    workflow.start(session, claim, today=clock.today())
    tabs = claim_page.tabs(claim, clock.today())
    assert tabs["remuneration"] and tabs["recapitulatif"]
    assert str(tabs["deplacement"].reason).startswith(
        "Le déplacement de cette mission est à saisir sur la première mission"
    )


def test_a_future_or_cancelled_claim_opens_no_entry_tab(session, people, app_ctx):
    teacher, _external = people
    future = claim_page.tabs(claim_of(session, teacher, 77824), clock.today())
    assert future["suivi"] and not future["remuneration"]
    assert str(future["remuneration"].reason).startswith("La mission n'a pas encore commencé")
    cancelled = claim_page.tabs(claim_of(session, teacher, 77842), clock.today())
    assert not any(cancelled.values())
    assert "annulé par le gestionnaire" in str(cancelled["suivi"].reason)


# --- The agent's actions ----------------------------------------------------------------


def test_unvalidate_is_allowed_until_the_manager_processes_the_claim(session, people, app_ctx):
    teacher, _external = people
    assert workflow.can_unvalidate(claim_of(session, teacher, 77508))  # validated
    accepted = workflow.can_unvalidate(claim_of(session, teacher, 77847))
    assert "Le gestionnaire a déjà traité cet état de frais" in str(accepted.reason)
    open_claim = workflow.can_unvalidate(claim_of(session, teacher, 86373))
    assert str(open_claim.reason) == "Cet état de frais n'est pas validé."
    with pytest.raises(DomainError) as refused:
        workflow.unvalidate(session, claim_of(session, teacher, 77847), by_user_id=1)
    assert str(refused.value.message) == str(accepted.reason)


def test_validate_is_offered_greyed_with_its_reason_during_the_mission(session, people, app_ctx):
    teacher, _external = people
    claim = claim_of(session, teacher, 99685)  # yesterday to tomorrow
    workflow.start(session, claim, today=clock.today())
    page = claim_page.agent_page(session, claim, clock.today())
    assert {"save", "validate"} <= page.offered
    assert page.actions["save"] and not page.actions["validate"]
    assert str(page.actions["validate"].reason).startswith("La mission est en cours")


# --- The manager's actions --------------------------------------------------------------


def test_a_cancelled_claim_without_fee_offers_restore_not_cancel(session, people, manager):
    _teacher, external = people
    claim = claim_of(session, external, 176629)  # jury: no fee, travel validated
    processing.cancel(session, claim, by_user_id=manager)
    assert (claim.fee_status, claim.travel_status) == (S.NO_FEE, S.CANCELLED)
    page = claim_page.manager_page(session, claim, clock.today())
    assert "restore" in page.offered and "cancel" not in page.offered
    assert page.actions["restore"]
    restore_first = "Cet état de frais est annulé : rétablissez-le d'abord."
    assert str(page.actions["accept"].reason) == restore_first
    assert str(page.actions["deposit"].reason) == restore_first
    assert "deposit" not in page.offered


def test_the_fare_is_set_only_on_a_train_or_voucher_trip(session, people, manager):
    teacher, _external = people
    claim = claim_of(session, teacher, 77508)
    where = {"departure_town": "RENNES", "arrival_town": "PONTIVY", "completed": True}
    car = TravelLeg(position=9, transport_mode=TransportMode.CAR, **where)
    train = TravelLeg(position=10, transport_mode=TransportMode.TRAIN, **where)
    claim.travel_legs.extend([car, train])
    session.flush()
    assert processing.can_set_fare(claim, train)
    refusal = processing.can_set_fare(claim, car)
    assert "tarif SNCF" in str(refusal.reason)
    with pytest.raises(DomainError):
        processing.set_fare(session, claim, car.id, Decimal("12.00"), by_user_id=manager)
    lines = claim_page.travel_lines(claim, amounts.compute(session, claim), manager=True)
    assert [line.fare is None for line in lines][-2:] == [True, False]


# --- What is shown -------------------------------------------------------------------------


def test_the_amount_shown_is_the_stored_one_else_an_estimate(session, people, app_ctx):
    teacher, _external = people
    claim = claim_of(session, teacher, 77508)
    computed = amounts.compute(session, claim)
    fee, travel = claim_page.shown_amounts(claim, computed, for_agent=True)
    assert (fee.value, fee.estimate) == (claim.fee_amount, False)
    claim.fee_amount = None
    fee, _travel = claim_page.shown_amounts(claim, computed, for_agent=False)
    assert fee.estimate and fee.value == computed.fee.amount
    to_process = claim_of(session, teacher, 77286)  # travaux administratifs
    computed = amounts.compute(session, to_process)
    agent_fee, _t = claim_page.shown_amounts(to_process, computed, for_agent=True)
    manager_fee, _t = claim_page.shown_amounts(to_process, computed, for_agent=False)
    assert str(agent_fee.note) == "calcul effectué par le gestionnaire"
    assert manager_fee.value is None and manager_fee.note is None


def test_each_travel_line_total_adds_up_its_parts(session, people, app_ctx):
    teacher, _external = people
    claim = claim_of(session, teacher, 77508)
    computed = amounts.compute(session, claim)
    lines = claim_page.travel_lines(claim, computed)
    assert lines
    for line, leg in zip(lines, computed.travel.legs, strict=True):
        assert line.total == leg.transport + leg.misc + leg.meals + leg.nights
        assert line.lines  # the trip in words


# --- The first mission of the day -----------------------------------------------------------


def test_the_first_mission_of_the_day_is_the_earliest_slot_that_day(session, people, app_ctx):
    """Mission A spans two days and starts at 08:00 on the second; mission B starts at
    14:00 that second day: B's travel is entered on A (A's first day is another day)."""
    teacher, _external = people
    corr = session.scalar(select(MissionType).where(MissionType.code == "CORR"))
    day = clock.today() - 45 * DAY
    made = []
    for number, slots in (
        (990001, [(day - DAY, dt.time(9)), (day, dt.time(8))]),
        (990002, [(day, dt.time(14))]),
    ):
        mission = Mission(
            academy=session.scalar(select(Academy).where(Academy.code == "RENNES")),
            number=number,
            mission_type=corr,
            session=session.scalars(select(ExamSession)).first(),
            paper=session.scalar(select(Paper).where(Paper.code == "MATS")),
            centre=session.scalar(
                select(Establishment).where(Establishment.name == "LGT JOSEPH LOTH")
            ),
        )
        mission.slots = [
            MissionSlot(day=d, start_time=t, duration=SlotDuration.HALF_DAY) for d, t in slots
        ]
        assignment = Assignment(mission=mission, agent=teacher)
        assignment.claim = lifecycle.new_claim(corr)
        session.add(assignment)
        made.append(assignment.claim)
    workflow.refresh_same_day_travel(session, teacher.id, by_user_id=None)
    first, second = made
    assert (first.travel_status, second.travel_status) == (S.NOT_VALIDATED, S.NOT_VALIDATABLE)
    assert workflow.first_mission_of_day(session, second).number == 990001
    assert workflow.first_mission_of_day(session, first) is None
