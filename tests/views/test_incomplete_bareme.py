"""A barème missing lines, as the agent and the manager see it: "Barème incomplet"
with the missing lines instead of 0,00 € (Suivi, Récapitulatif, PDF recap, the
manager's claim page, the dashboard), acceptance refused in French, the rate table
screens listing what a barème lacks, and "Copier le barème précédent"."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, select

from app.extensions import db
from app.services.claims import amounts, lifecycle
from app.services.claims import entry as claim_entry
from app.services.common import clock
from models import Academy, ExpenseClaim, RateLine, RateTable
from models.enums import ClaimPart, ClaimStatus, RateKind
from tests.conftest import csrf_token
from tests.services.test_claim_workflow import leg_values
from tests.views.helpers import console, text
from tests.views.test_claim_processing import LIST, signed_in
from tests.views.test_claim_processing import post as manager_post
from tests.views.test_claims import (
    claim_id,
    start,
    teacher,  # noqa: F401  (fixture)
)
from tests.views.test_claims import post as agent_post

INCOMPLETE = "Barème incomplet"
MEAL = "Repas « standard »"


def drop_meals(app):
    """The demo barème loses its meal lines."""
    with app.app_context():
        db.session.execute(delete(RateLine).where(RateLine.kind == RateKind.MEAL))
        db.session.commit()


def travel_with_a_lunch(app, client):
    """LECLERC's oral of mission 52525: 10 candidates, a car trip with one lunch."""
    claim = claim_id(app, "LECLERC", 52525)
    start(client, claim)
    agent_post(client, f"/etats-de-frais/{claim}/remuneration", {"candidates": "10"})
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        today = lifecycle.mission_days(row)[1] + dt.timedelta(days=1)
        claim_entry.save_leg(db.session, row, row.travel_legs[0].id, leg_values(row), today=today)
        db.session.commit()  # the request's commit
    return claim


def test_the_agent_reads_incomplete_bareme_not_zero(app, teacher):  # noqa: F811
    drop_meals(app)
    claim = travel_with_a_lunch(app, teacher)
    suivi = teacher.get(f"/etats-de-frais/{claim}/suivi")
    shown = text(suivi.text)
    assert INCOMPLETE in shown and MEAL in shown
    amounts_block = shown[shown.index("Montants") :][:400]
    assert "0,00" not in amounts_block
    assert "48,00" in amounts_block  # the fee is complete: 10 x 30 min x 9.60
    recap = teacher.get(f"/etats-de-frais/{claim}/recapitulatif")
    assert INCOMPLETE in text(recap.text) and MEAL in text(recap.text)


def test_the_pdf_recap_says_incomplete_bareme(app, teacher):  # noqa: F811
    drop_meals(app)
    claim = travel_with_a_lunch(app, teacher)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        for part in (ClaimPart.FEE, ClaimPart.TRAVEL):
            lifecycle.transition(row, part, ClaimStatus.VALIDATED, by_user_id=None)
        computed = amounts.compute(db.session, row)
        row.fee_amount, row.travel_amount = computed.fee.amount, computed.travel.total
        lifecycle.assign_number(db.session, row, clock.today().year)
        db.session.commit()
        assert row.travel_amount is None
    pdf = teacher.get(f"/etats-de-frais/{claim}/recapitulatif.pdf")
    assert pdf.status_code == 200
    content = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    content = " ".join(content.split())
    assert INCOMPLETE in content and "Repas" in content


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def test_the_manager_reads_incomplete_bareme_and_cannot_accept(app, teacher):  # noqa: F811
    manager = signed_in(app, "gestionnaire")
    drop_meals(app)
    claim = travel_with_a_lunch(app, teacher)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        for part in (ClaimPart.FEE, ClaimPart.TRAVEL):
            lifecycle.transition(row, part, ClaimStatus.VALIDATED, by_user_id=None)
        row.fee_amount, row.travel_amount = Decimal("48.00"), None
        row.assignment.service_done_on = clock.today()
        db.session.commit()
    page = manager.get(f"{LIST}{claim}")
    assert INCOMPLETE in text(page.text) and MEAL in text(page.text)
    refused = manager_post(manager, f"{LIST}{claim}/accepter", follow_redirects=True)
    messages = " ".join(console(refused.text))
    assert "ne contient pas des lignes dont cet état de frais a besoin" in messages
    assert MEAL in messages
    with app.app_context():
        assert db.session.get(ExpenseClaim, claim).travel_status is ClaimStatus.VALIDATED
    board = manager.get("/tableau-de-bord/")
    # The demo has 3 such claims already (fees of the correction system not priced).
    assert "4 états de frais validés n'ont pas de montant" in text(board.text)
    with app.app_context():
        agent_id = db.session.get(ExpenseClaim, claim).assignment.agent_id
    agent_page = manager.get(f"/agentmodelview/show/{agent_id}")
    assert "n'a pas de montant" in text(agent_page.text) or "n'ont pas de montant" in text(
        agent_page.text
    )


def test_the_rate_tables_say_what_a_bareme_lacks(app, manager):
    drop_meals(app)
    page = manager.get("/ratetablemodelview/list/")
    shown = text(page.text)
    assert "Barème des jurys et déplacements 2022" in shown
    assert INCOMPLETE in shown and MEAL in shown and "Repas « administratif »" in shown
    with app.app_context():
        table_id = db.session.scalar(select(RateTable.id))
    detail = manager.get(f"/ratetablemodelview/show/{table_id}")
    assert INCOMPLETE in text(detail.text) and MEAL in text(detail.text)


def test_copy_the_previous_bareme(app, manager):
    page = manager.get("/ratetablemodelview/list/")
    assert "Copier le barème précédent" in text(page.text)
    created = manager.post(
        "/ratetablemodelview/copier",
        data={
            "csrf_token": csrf_token(page.text),
            "name": "Barème 2031",
            "valid_from": "2031-01-01",
        },
        follow_redirects=True,
    )
    assert any("Barème 2031" in m and "23 lignes" in m for m in console(created.text))
    with app.app_context():
        table = db.session.scalar(select(RateTable).where(RateTable.name == "Barème 2031"))
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        assert (table.academy_id, table.valid_from, len(table.lines)) == (
            rennes,
            dt.date(2031, 1, 1),
            23,
        )
    wrong = manager.post(
        "/ratetablemodelview/copier",
        data={"csrf_token": csrf_token(page.text), "name": "X", "valid_from": "99999-01-01"},
        follow_redirects=True,
    )
    assert wrong.status_code == 200
    assert "Saisissez le premier jour du nouveau barème." in console(wrong.text)
    early = manager.post(
        "/ratetablemodelview/copier",
        data={"csrf_token": csrf_token(page.text), "name": "X", "valid_from": "2001-01-01"},
        follow_redirects=True,
    )
    assert any("Aucun barème ne commence avant le 01/01/2001" in m for m in console(early.text))


@pytest.mark.parametrize("amount", ["1e3", "NaN", "Infinity", "0.12345"])
def test_a_rate_no_barème_has_is_refused(app, manager, amount):
    with app.app_context():
        table_id = db.session.scalar(select(RateTable.id))
    form = manager.get("/ratelinemodelview/add")
    response = manager.post(
        "/ratelinemodelview/add",
        data={
            "csrf_token": csrf_token(form.text),
            "table": str(table_id),
            "kind": "FEE_PER_COPY",
            "key": "6",
            "amount": amount,
        },
    )
    assert response.status_code == 200
    assert "Saisissez un montant" in text(response.text) or "4 décimales au plus" in text(
        response.text
    )
    with app.app_context():
        assert db.session.scalar(select(RateLine).where(RateLine.key == "6")) is None
