"""Values no real claim has, as the agent and the manager see them: the SNCF fare
``1e3`` refused in French, 5,000 copies refused next to the field naming the cap,
0 copies saved with a warning and validated only once confirmed, the caps editable on
the mission types."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import ExpenseClaim, MissionType
from models.enums import ClaimStatus, TransportMode
from tests.conftest import csrf_token
from tests.views.helpers import console, text
from tests.views.test_claim_processing import LIST
from tests.views.test_claim_processing import post as manager_post
from tests.views.test_claims import (
    claim_id,
    start,
    teacher,  # noqa: F401  (fixture)
)
from tests.views.test_claims import post as agent_post


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def train_leg(app) -> tuple[int, int]:
    """The jury claim of LE GALL (176629) with its trip made by train."""
    claim = claim_id(app, "LE GALL", 176629)
    with app.app_context():
        (leg,) = db.session.get(ExpenseClaim, claim).travel_legs
        leg.transport_mode, leg.km_one_way, leg.trips = TransportMode.TRAIN, None, None
        db.session.commit()
        return claim, leg.id


@pytest.mark.parametrize("fare", ["1e3", "NaN", "Infinity", "12,345", "١٢"])
def test_an_sncf_fare_no_ticket_has_is_refused_in_french(app, manager, fare):
    claim, leg = train_leg(app)
    page = manager_post(
        manager, f"{LIST}{claim}/tarif/{leg}", {"fare": fare}, follow_redirects=True
    )
    assert page.status_code == 200
    messages = " ".join(console(page.text))
    assert "Saisissez un montant" in messages or "2 décimales au plus" in messages
    with app.app_context():
        assert db.session.get(ExpenseClaim, claim).travel_legs[0].sncf_fare is None


def test_an_absurd_fare_is_refused_naming_the_cap(app, manager):
    claim, leg = train_leg(app)
    page = manager_post(
        manager, f"{LIST}{claim}/tarif/{leg}", {"fare": "1000000"}, follow_redirects=True
    )
    assert "entre 0 et 1" in " ".join(console(page.text))
    ok = manager_post(
        manager, f"{LIST}{claim}/tarif/{leg}", {"fare": "42,30"}, follow_redirects=True
    )
    assert "Le tarif SNCF est enregistré." in console(ok.text)


def test_the_managers_fee_amount_refuses_exponents(app, manager):
    claim = claim_id(app, "LECLERC", 77286)  # travaux administratifs: the manager prices it
    page = manager_post(
        manager, f"{LIST}{claim}/remuneration", {"amount": "1e3"}, follow_redirects=True
    )
    assert "Saisissez un montant, par exemple 12,50." in console(page.text)
    with app.app_context():
        assert db.session.get(ExpenseClaim, claim).fee_amount is None


def test_five_thousand_copies_are_refused_next_to_the_field(app, teacher):  # noqa: F811
    claim = claim_id(app, "LECLERC", 77642)
    start(teacher, claim)
    page = agent_post(teacher, f"/etats-de-frais/{claim}/remuneration", {"copies": "5000"})
    assert page.status_code == 422
    assert "300 copies au plus pour ce type de mission (CORRECTION A DOMICILE)." in text(page.text)
    assert 'value="5000"' in page.text  # nothing typed is lost


def test_the_manager_meets_the_same_cap(app, manager):
    claim = claim_id(app, "LECLERC", 86373)
    page = manager_post(manager, f"{LIST}{claim}/remuneration-detail", {"copies": "5000"})
    assert page.status_code == 422
    assert "300 copies au plus pour ce type de mission" in text(page.text)


def test_zero_copies_warn_then_validation_asks_for_a_confirmation(app, teacher):  # noqa: F811
    claim = claim_id(app, "LECLERC", 77642)
    start(teacher, claim)
    saved = agent_post(
        teacher, f"/etats-de-frais/{claim}/remuneration", {"copies": "0"}, follow_redirects=True
    )
    warning = "0 copie : aucune rémunération ne sera calculée."
    assert any(warning in message for message in console(saved.text))
    fee_tab = teacher.get(f"/etats-de-frais/{claim}/remuneration")
    assert warning in text(fee_tab.text)
    recap = teacher.get(f"/etats-de-frais/{claim}/recapitulatif")
    assert "Je confirme cette rémunération" in text(recap.text)
    refused = agent_post(teacher, f"/etats-de-frais/{claim}/valider", follow_redirects=True)
    assert any("cochez « Je confirme cette rémunération »" in m for m in console(refused.text))
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        assert (row.fee_status, row.number) == (ClaimStatus.NOT_VALIDATED, None)


def test_the_caps_are_edited_on_the_mission_type(app, manager):
    with app.app_context():
        type_id = db.session.scalar(select(MissionType.id).where(MissionType.code == "CORR"))
    form = manager.get(f"/missiontypemodelview/edit/{type_id}")
    assert form.status_code == 200
    assert "Nombre maximal de copies par état de frais" in text(form.text)
    values = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form.text))
    data = {
        "csrf_token": csrf_token(form.text),
        "code": "CORR",
        "name": "Correction de copies",
        "fee_family": "COPIES",
        "has_fee": "y",
        "reimburses_travel": "y",
        "active": "y",
        "max_copies": "0",
        "max_candidates": values.get("max_candidates", "120"),
        "max_hours": "60",
        "fee_imputation": values["fee_imputation"],
        "travel_imputation": values["travel_imputation"],
    }
    refused = manager.post(f"/missiontypemodelview/edit/{type_id}", data=data)
    assert refused.status_code == 200
    assert "entre 1 et 9999" in text(refused.text)
    data["max_copies"] = "450"
    manager.post(f"/missiontypemodelview/edit/{type_id}", data=data)
    with app.app_context():
        assert db.session.get(MissionType, type_id).max_copies == 450
