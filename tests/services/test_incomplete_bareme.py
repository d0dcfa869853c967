"""A barème missing the lines a claim needs (issue 12): the amount of that part is
"barème incomplet" (None, with the missing lines), never 0; such a claim is neither
accepted nor exported; a barème belongs to an académie; the manager sees what a
barème lacks and can start a new one as a copy of the previous one."""

import datetime as dt
from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.services import DomainError
from app.services.claims import amounts, bareme, lifecycle, processing
from app.services.common import clock
from app.services.payments import export as payment_export
from models import Academy, FeeEntry, Manager, RateLine, RateTable
from models.enums import ClaimPart, ClaimStatus, LodgingZone, RateKind

from .test_amounts import RATES_2022, add_claim, add_leg, find, leg, make_claim

D = Decimal
K = RateKind
S = ClaimStatus


def without(*keys) -> bareme.Rates:
    return bareme.Rates(None, {k: v for k, v in RATES_2022.items() if k not in keys})


# --- The computation never takes a missing rate for 0 --------------------------------------


def test_meals_without_their_rate_are_incomplete_not_zero(app_ctx):
    claim = make_claim(legs=[leg(km=10, trips=2, lunches_refund=1)])
    travel = amounts.travel_amount(claim, without((K.MEAL, "standard"), (K.MEAL, "administratif")))
    assert travel.total is None
    assert travel.legs[0].total is None
    assert [(m.kind, m.key) for m in travel.missing] == [(K.MEAL, "standard")]
    with force_locale("fr"):
        assert [str(m) for m in travel.missing] == ["Repas « standard »"]


def test_nights_without_the_rate_of_their_zone_are_incomplete(app_ctx):
    claim = make_claim(zone=LodgingZone.PARIS, legs=[leg(km=10, trips=2, nights_refund=1)])
    travel = amounts.travel_amount(claim, without((K.NIGHT, "paris")))
    assert travel.total is None
    assert [(m.kind, m.key) for m in travel.missing] == [(K.NIGHT, "paris")]


def test_kilometres_beyond_the_bands_of_the_bareme_are_incomplete(app_ctx):
    claim = make_claim(power=5, legs=[leg(km=100, trips=2)])
    partial = without((K.KILOMETRE, "5CV:2001-10000"), (K.KILOMETRE, "5CV:10001-"))
    assert amounts.travel_amount(claim, partial, km_before=D(0)).total == D("64.00")
    late = amounts.travel_amount(claim, partial, km_before=D(1950))
    assert late.total is None
    assert [(m.kind, m.key) for m in late.missing] == [(K.KILOMETRE, "5CV:2001-10000")]


def test_no_kilometre_line_at_all_is_incomplete(app_ctx):
    claim = make_claim(power=7, legs=[leg(km=100, trips=2)])
    rates = bareme.Rates(None, {k: v for k, v in RATES_2022.items() if k[0] is not K.KILOMETRE})
    travel = amounts.travel_amount(claim, rates)
    assert travel.total is None
    assert [(m.kind, m.key) for m in travel.missing] == [(K.KILOMETRE, "6-7CV:0-2000")]


def test_a_fee_without_the_rate_of_its_group_is_incomplete(app_ctx):
    claim = make_claim(entries=[FeeEntry(copies=14)], copy_group=5)
    fee = amounts.fee_amount(claim, without((K.FEE_PER_COPY, "5")))
    assert fee.amount is None
    assert [(m.kind, m.key) for m in fee.missing] == [(K.FEE_PER_COPY, "5")]


def test_what_the_claim_does_not_use_may_be_missing(app_ctx):
    claim = make_claim(entries=[FeeEntry(copies=14)], legs=[leg(km=10, trips=2)])
    rates = without((K.NIGHT, "paris"), (K.MEAL, "standard"), (K.FEE_PER_HOUR, "3"))
    assert amounts.fee_amount(claim, rates).amount == D("70.00")
    travel = amounts.travel_amount(claim, rates)
    assert (travel.total, travel.missing) == (D("6.40"), [])


# --- With the database ------------------------------------------------------------------------


@pytest.fixture
def people(demo, session):
    from models import Agent

    teacher = find(session, Agent, numen="35E0000001MPC")
    external = find(session, Agent, external_id="EXT35000123")
    return teacher, external


@pytest.fixture
def rennes(demo, session):
    return find(session, Academy, code="RENNES")


@pytest.fixture
def manager(demo, session) -> int:
    return session.scalar(select(Manager.user_id).where(Manager.code == "DEC2-GUILLOU"))


def thin_bareme(session, academy, day, name="Barème 2030 incomplet"):
    """A barème from ``day`` holding only the fee per hour of group 3."""
    table = RateTable(academy=academy, name=name, valid_from=day)
    table.lines = [RateLine(kind=K.FEE_PER_HOUR, key="3", amount=D("9.60"))]
    session.add(table)
    session.commit()
    return table


def test_the_bareme_is_the_one_of_the_missions_academy(people, rennes, session):
    teacher, _external = people
    nantes = find(session, Academy, code="NANTES")
    thin_bareme(session, nantes, dt.date(2029, 1, 1), name="Barème de Nantes")
    assert bareme.rates_for(session, dt.date(2029, 6, 1), academy_id=rennes.id).table.name == (
        "Barème des jurys et déplacements 2022"
    )
    assert bareme.rates_for(session, dt.date(2029, 6, 1), academy_id=nantes.id).table.name == (
        "Barème de Nantes"
    )
    claim = add_claim(session, teacher, [dt.date(2029, 6, 3)], number=990501)
    assert amounts.compute(session, claim).rates.table.name.endswith("2022")


def incomplete_claim(session, teacher, rennes, manager):
    """A claim of 2030 validated by its agent, under a barème without meals nor
    kilometres: its travel amount is incomplete."""
    day = clock.today() - dt.timedelta(days=3)
    thin_bareme(session, rennes, day - dt.timedelta(days=10))
    claim = add_claim(session, teacher, [day], number=990601)
    claim.fee_entries.append(FeeEntry(candidates=10))
    session.commit()
    add_leg(session, claim, km=50, trips=2, lunches_refund=1)
    claim.travel_legs[0].completed = True
    for part in (ClaimPart.FEE, ClaimPart.TRAVEL):
        lifecycle.transition(claim, part, S.VALIDATED, by_user_id=None)
    computed = amounts.compute(session, claim)
    claim.fee_amount, claim.travel_amount = computed.fee.amount, computed.travel.total
    claim.assignment.service_done_on = day
    session.commit()
    return claim


def test_a_claim_with_an_incomplete_amount_is_not_accepted(people, rennes, manager, session):
    teacher, _external = people
    claim = incomplete_claim(session, teacher, rennes, manager)
    assert (claim.fee_amount, claim.travel_amount) == (D("48.00"), None)
    computed = amounts.compute(session, claim)
    assert computed.incomplete
    with pytest.raises(DomainError) as error:
        processing.accept(session, claim, by_user_id=manager)
    message = str(error.value.message)
    assert message.startswith("Le barème du ")
    assert "Repas « standard »" in message and "Indemnité kilométrique « 5CV:0-2000 »" in message
    session.rollback()
    assert claim.travel_status is S.VALIDATED


def test_a_claim_with_an_incomplete_amount_is_not_exported(people, rennes, manager, session):
    teacher, _external = people
    claim = incomplete_claim(session, teacher, rennes, manager)
    # Accepted before its barème lost its lines (or by hand in the database).
    for part in (ClaimPart.FEE, ClaimPart.TRAVEL):
        lifecycle.transition(claim, part, S.ACCEPTED, by_user_id=manager)
    session.commit()
    with pytest.raises(DomainError) as error:
        payment_export.export_payments(session, rennes.id, by_user_id=manager, only=[claim.id])
    assert "Repas « standard »" in str(error.value.message)
    session.rollback()
    assert claim.payment_batch_id is None and claim.travel_status is S.ACCEPTED


def test_the_manager_sees_what_a_bareme_lacks(rennes, session):
    complete = session.scalar(select(RateTable).where(RateTable.academy_id == rennes.id))
    assert bareme.missing_lines(session, complete) == []
    thin = thin_bareme(session, rennes, dt.date(2030, 1, 1))
    missing = bareme.missing_lines(session, thin)
    assert (K.MEAL, "standard") in [(m.kind, m.key) for m in missing]
    assert (K.KILOMETRE, "8CV:10001-") in [(m.kind, m.key) for m in missing]
    assert (K.FEE_PER_HOUR, "3") not in [(m.kind, m.key) for m in missing]
    assert len(missing) == len(RATES_2022) - 1


def test_copy_the_previous_bareme_as_a_start(rennes, session):
    previous = session.scalar(select(RateTable).where(RateTable.academy_id == rennes.id))
    copy = bareme.copy_previous(
        session, rennes.id, valid_from=dt.date(2031, 1, 1), name="Barème 2031"
    )
    session.commit()
    assert (copy.academy_id, copy.valid_from, copy.name) == (
        rennes.id,
        dt.date(2031, 1, 1),
        "Barème 2031",
    )
    assert {(line.kind, line.key): line.amount for line in copy.lines} == {
        (line.kind, line.key): line.amount for line in previous.lines
    }
    assert bareme.rates_for(session, dt.date(2031, 2, 1), academy_id=rennes.id).table is copy
    assert bareme.missing_lines(session, copy) == []


def test_without_a_previous_bareme_there_is_nothing_to_copy(rennes, session):
    nantes = find(session, Academy, code="NANTES")
    with pytest.raises(DomainError) as error:
        bareme.copy_previous(session, nantes.id, valid_from=dt.date(2031, 1, 1), name="B")
    assert "Aucun barème" in str(error.value.message)


def test_the_pages_say_barème_incomplet_and_refuse_accepting(people, rennes, manager, session):
    """``claim_page`` decides it: the amounts as shown carry the missing lines instead
    of a value, each trip too, and "Accepter" is offered refused with the same reason
    as the action's."""
    from app.services.claims import page as claim_page

    teacher, _external = people
    claim = incomplete_claim(session, teacher, rennes, manager)
    today = clock.today()
    with force_locale("fr"):
        page = claim_page.manager_page(session, claim, today)
        assert "accept" in page.offered
        decision = page.actions["accept"]
        assert not decision
        assert str(decision.reason).startswith("Le barème du ")
        assert "Repas « standard »" in str(decision.reason)
        with pytest.raises(DomainError) as error:
            processing.accept(session, claim, by_user_id=manager)
        assert str(error.value.message) == str(decision.reason)
        session.rollback()
        assert page.fee.value == D("48.00") and not page.fee.missing
        assert page.travel.value is None
        assert [(m.kind, m.key) for m in page.travel.missing] == [
            (K.KILOMETRE, "5CV:0-2000"),
            (K.MEAL, "standard"),
        ]
        assert [line.total for line in page.travel_lines] == [None]
        assert page.travel_lines[0].missing == page.travel.missing
        agent = claim_page.agent_page(session, claim, today, with_amounts=True)
        assert agent.travel.missing == page.travel.missing
        assert agent.missing_rates == list(page.travel.missing)
        assert claim_page.agent_page(session, claim, today).missing_rates == []
