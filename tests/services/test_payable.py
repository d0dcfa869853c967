"""A claim is accepted and exported only when the finance office can pay it: the
agent's financial file active, a valid IBAN and BIC, the INSEE number. Refusals are
checked on the French message the manager reads."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.seeds import large as large_dataset
from app.services import DomainError
from app.services.claims import amounts, processing
from app.services.payments import export as payment_export
from models import Agent, Assignment, ExpenseClaim, PaymentBatch
from models.enums import ClaimStatus
from tests.services import test_claim_processing as processing_tests
from tests.services.test_claim_processing import (
    claim_of,
    reloaded,
    said,
    service_done,
    statuses,
)

S = ClaimStatus
REFUSED = "Cet état de frais ne peut pas être accepté pour paiement : "
COMPLETE = ". Complétez le dossier financier de l'intervenant."


manager = pytest.fixture(processing_tests.manager.__wrapped__, name="manager")
rennes = pytest.fixture(processing_tests.rennes.__wrapped__, name="rennes")
people = pytest.fixture(processing_tests.people.__wrapped__, name="people")


@pytest.fixture
def julie(demo, session) -> Agent:
    """Julie BERTHELOT: her claim of mission 77508 is validated, her file is empty."""
    return session.scalar(select(Agent).where(Agent.numen == "35E0000003ENS"))


def ready_claim(session, agent, manager) -> ExpenseClaim:
    """The agent's claim of mission 77508 (validated: 14 copies, by car), service done."""
    claim = claim_of(session, agent, 77508)
    assert statuses(claim) == (S.VALIDATED, S.VALIDATED)
    service_done(session, claim, manager)
    return claim


def decision(session, claim):
    return processing.can_accept(claim, amounts.compute(session, claim))


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"financial_file_active": False}, "dossier financier non actif"),
        ({"iban": None}, "IBAN manquant"),
        ({"iban": "FR7630006000011234567890188"}, "IBAN non valide"),
        ({"bic": ""}, "BIC manquant"),
        ({"bic": "AG1RFRPP"}, "BIC non valide"),
        ({"insee_number": None}, "numéro INSEE manquant"),
        ({"insee_number": "278073512345624"}, "numéro INSEE non valide"),
        (
            {"financial_file_active": False, "iban": None, "insee_number": None},
            "dossier financier non actif, IBAN manquant, numéro INSEE manquant",
        ),
    ],
)
def test_accept_is_refused_for_each_missing_piece_of_the_financial_file(
    session, manager, people, change, missing
):
    teacher, _external = people
    claim = ready_claim(session, teacher, manager)
    assert decision(session, claim)  # her file is complete: accepted
    for name, value in change.items():
        setattr(teacher, name, value)
    session.commit()
    expected = f"{REFUSED}{missing} pour LECLERC Claire{COMPLETE}"
    assert str(decision(session, claim).reason) == expected
    with pytest.raises(DomainError) as error:
        processing.accept(session, claim, by_user_id=manager)
    assert said(error) == expected
    session.rollback()
    assert statuses(reloaded(session, claim)) == (S.VALIDATED, S.VALIDATED)


def test_a_claim_paying_nothing_needs_no_bank_details(session, manager, people):
    teacher, _external = people
    claim = ready_claim(session, teacher, manager)
    teacher.financial_file_active, teacher.iban, teacher.bic = False, None, None
    claim.fee_amount = claim.travel_amount = Decimal(0)
    claim.travel_legs.clear()  # no trip: nothing to refund
    session.commit()
    assert processing.payment_gaps(claim, amounts.compute(session, claim)) == []
    processing.accept(session, claim, by_user_id=manager)
    session.commit()
    assert statuses(reloaded(session, claim)) == (S.ACCEPTED, S.ACCEPTED)


def test_the_other_refusals_come_first(session, manager, julie):
    claim = claim_of(session, julie, 77508)  # service done not recorded yet
    assert "Enregistrez le service fait" in str(decision(session, claim).reason)


def test_bulk_accept_names_the_agents_whose_file_cannot_be_paid(
    session, rennes, manager, people, julie
):
    teacher, external = people
    accepted = ready_claim(session, teacher, manager)
    refused = ready_claim(session, julie, manager)
    no_service = claim_of(session, external, 176629)
    result = processing.bulk_accept(
        session, rennes, [accepted.id, refused.id, no_service.id, 999_999], by_user_id=manager
    )
    session.commit()
    assert [claim.id for claim in result.accepted] == [accepted.id]
    assert str(result.summary) == (
        "3 états de frais non acceptés : dossier financier non actif, IBAN manquant,"
        " BIC manquant, numéro INSEE manquant pour BERTHELOT Julie ; "
        f"{no_service.number} : Enregistrez le service fait de cette affectation avant"
        " de valider son état de frais ; 999999 : Cet état de frais n'existe pas"
    )
    assert statuses(reloaded(session, refused)) == (S.VALIDATED, S.VALIDATED)
    assert statuses(reloaded(session, accepted)) == (S.ACCEPTED, S.ACCEPTED)


def test_one_refusal_is_said_in_the_singular(session, rennes, manager, julie):
    refused = ready_claim(session, julie, manager)
    result = processing.bulk_accept(session, rennes, [refused.id], by_user_id=manager)
    assert str(result.summary).startswith("1 état de frais non accepté : dossier financier")
    assert processing.bulk_accept(session, rennes, [], by_user_id=manager).summary is None


def test_the_export_refuses_a_claim_the_finance_office_cannot_pay(session, rennes, manager, people):
    teacher, _external = people
    oral = claim_of(session, teacher, 77847)  # accepted, fee and travel
    assert statuses(oral) == (S.ACCEPTED, S.ACCEPTED)
    teacher.iban = "FR7630006000011234567890188"  # a wrong check number
    session.commit()
    batches = session.scalar(select(func.count()).select_from(PaymentBatch))
    with pytest.raises(DomainError) as error:
        payment_export.export_payments(session, rennes, by_user_id=manager)
    session.rollback()
    assert said(error) == (
        f"L'état de frais {oral.number} ne peut pas être mis en paiement :"
        " IBAN non valide pour LECLERC Claire"
    )
    assert session.scalar(select(func.count()).select_from(PaymentBatch)) == batches
    assert statuses(reloaded(session, oral)) == (S.ACCEPTED, S.ACCEPTED)


def test_the_large_data_sets_accepted_and_exported_claims_can_be_paid(demo, session):
    large_dataset.seed_large(session, agents=40, claims=200)
    session.commit()
    rows = session.execute(
        select(ExpenseClaim, Agent)
        .join(ExpenseClaim.assignment)
        .join(Assignment.agent)
        .where(Agent.numen.like("99X%") | Agent.external_id.like("99X%"))
    ).all()
    payable = [
        (claim, agent)
        for claim, agent in rows
        if {S.ACCEPTED, S.SENT_FOR_PAYMENT} & {claim.fee_status, claim.travel_status}
    ]
    assert payable
    assert all(processing.personal_data.payment_gaps(agent) == [] for _claim, agent in payable), [
        (agent.full_name, processing.personal_data.payment_gaps(agent)) for _, agent in payable
    ]
    # Some agents are not payable yet: their claims wait, validated.
    assert any(not agent.financial_file_active for _claim, agent in rows)
