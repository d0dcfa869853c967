"""« Mise en paiement » as the manager sees it: the control totals of each batch, the
finance office's return file (upload, French errors next to the field, the list of the
refused lines), what the agent then reads in Suivi and what comes back to the
manager's queue; the budget imputation of the mission types; who may do it."""

import datetime as dt
import io
import re

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.services.common import clock
from app.services.payments import export as payment_export
from app.transaction import unit_of_work
from models import Academy, ExpenseClaim, Manager, MissionType
from models.enums import ClaimStatus
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text
from tests.views.test_claims import accept as accept_conditions
from tests.views.test_claims import claim_id

PAGE = "/mise-en-paiement/"
RETURN = "/mise-en-paiement/retour"
HEADER = "numero_dossier;nature;resultat;date_paiement;motif_rejet\r\n"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def upload(client, content: bytes, name="retour.csv"):
    token = csrf_token(client.get(PAGE).text)
    return client.post(
        RETURN,
        data={"csrf_token": token, "return_file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def exported(app) -> dict[int, str]:
    """Batch 2 exported now (77847 and 71103); the dossier numbers by mission."""
    with app.app_context():
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        manager = db.session.scalar(select(Manager.user_id).where(Manager.code == "DEC2-GUILLOU"))
        with unit_of_work(db.session):
            payment_export.export_payments(db.session, rennes, by_user_id=manager)
        db.session.remove()
    return {number: number_of(app, claim_id(app, "LECLERC", number)) for number in (77742, 77847)}


def number_of(app, claim) -> str:
    with app.app_context():
        return db.session.get(ExpenseClaim, claim).number


def test_the_batches_show_their_control_totals_without_reading_the_files(app, manager):
    exported(app)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            page = manager.get(PAGE)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert page.status_code == 200
    shown = text(page.text)
    assert "Totaux de contrôle" in shown
    # Batch 2: 77847's fee (24.66) and travel (16.00), 71103's travel (16.00).
    assert "Rémunération (REMUNERATION) : 1 ligne, 24,66 €" in shown
    assert "Déplacement (DEPLACEMENT) : 2 lignes, 32,00 €" in shown
    batches = [s for s in statements if "FROM payment_batch" in s]
    assert batches and not any("payment_batch.content" in s for s in batches)
    assert "Fichier retour du service liquidateur" in shown


def test_a_return_file_pays_and_rejects_then_the_agent_and_the_manager_see_it(app, manager, log_in):
    numbers = exported(app)
    day = clock.today() - dt.timedelta(days=2)
    content = (
        HEADER
        + f"{numbers[77742]};REMUNERATION;PAYE;{day:%d/%m/%Y};\r\n"
        + f"{numbers[77847]};DEPLACEMENT;REJETE;;RIB illisible\r\n"
    ).encode()
    response = upload(manager, content)
    assert response.status_code == 302
    page = manager.get(response.headers["Location"])
    assert any(
        "Fichier retour enregistré : 1 partie(s) payée(s), 1 rejetée(s)" in m
        for m in console(page.text)
    )
    # The same file again changes nothing.
    again = manager.get(upload(manager, content).headers["Location"])
    assert any("0 partie(s) payée(s), 0 rejetée(s)" in m for m in console(again.text))
    assert any("2 déjà enregistrée(s)" in m for m in console(again.text))

    # The manager's queue: the rejected claim, with the reason.
    rejected = claim_id(app, "LECLERC", 77847)
    listing = text(manager.get("/traitement-etats-de-frais/?waiting=1").text)
    assert numbers[77847] in listing
    assert "Traité par le gestionnaire — Rejeté par la liquidation : RIB illisible" in listing
    claim_page = manager.get(f"/traitement-etats-de-frais/{rejected}")
    shown = text(claim_page.text)
    assert "Déplacement : Rejeté par la liquidation : RIB illisible" in shown
    assert f'action="/traitement-etats-de-frais/{rejected}/accepter"' in claim_page.text

    # The agent reads the payment in Suivi.
    teacher = app.test_client()
    login(teacher, "enseignant")
    accept_conditions(teacher)
    paid = claim_id(app, "LECLERC", 77742)
    suivi = text(teacher.get(f"/etats-de-frais/{paid}/suivi").text)
    assert f"Paiement Rémunération Payé le {day:%d/%m/%Y}" in suivi
    other = text(teacher.get(f"/etats-de-frais/{rejected}/suivi").text)
    assert "Payé le" not in other
    # Its history says why the payment was rejected.
    assert "Rejeté par la liquidation : RIB illisible" in other


def test_a_refused_file_lists_its_lines_next_to_the_field(app, manager):
    numbers = exported(app)
    content = (
        HEADER
        + f"{numbers[77742]};REMUNERATION;PAYE;01/01/2026;\r\n"
        + "2099-000001;DEPLACEMENT;PAYE;01/01/2026;\r\n"
        + f"{numbers[77742]};REMUNERATION;PAYE;01/01/2026;\r\n"
    ).encode()
    response = upload(manager, content)
    assert response.status_code == 422
    shown = text(response.text)
    assert "Le fichier retour est refusé, rien n'a été enregistré : 2 ligne(s) en erreur." in shown
    assert "Ligne 3 : « 2099-000001 » : dossier inconnu." in shown
    assert f"Ligne 4 : « {numbers[77742]} REMUNERATION » : dossier en double" in shown
    assert re.search(r'<input type="file" id="return-file"[^>]*aria-invalid="true"', response.text)
    with app.app_context():
        claim = db.session.get(ExpenseClaim, claim_id(app, "LECLERC", 77742))
        assert claim.fee_paid_on is None
        assert claim.fee_status is ClaimStatus.SENT_FOR_PAYMENT


def test_no_file_is_said_next_to_the_field(manager, demo):
    token = csrf_token(manager.get(PAGE).text)
    response = manager.post(RETURN, data={"csrf_token": token})
    assert response.status_code == 422
    assert "Choisissez le fichier retour du service liquidateur (CSV)." in text(response.text)


@pytest.mark.parametrize("username", ["enseignant", "EXT35000123", "chef", "admin"])
def test_only_the_manager_imports_a_return_file(app, demo, username):
    client = app.test_client()
    login(client, username)
    token = csrf_token(client.get("/").text)
    response = client.post(
        RETURN,
        data={"csrf_token": token, "return_file": (io.BytesIO(HEADER.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert client.get(PAGE).status_code == 403


def test_the_anonymous_are_sent_to_the_login(client, demo):
    response = client.post(RETURN, data={})
    assert response.status_code in (302, 400)
    assert client.get(PAGE).status_code == 302


def test_the_budget_imputation_is_edited_on_the_mission_type(app, manager):
    with app.app_context():
        type_id = db.session.scalar(select(MissionType.id).where(MissionType.code == "VAE"))
    form = manager.get(f"/missiontypemodelview/edit/{type_id}")
    shown = text(form.text)
    assert "Imputation budgétaire de la rémunération" in shown
    assert 'value="0214-05-T2-VAE"' in form.text and 'value="0214-05-T3-VAE"' in form.text
    values = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form.text))
    data = {
        "csrf_token": csrf_token(form.text),
        "code": "VAE",
        "name": "VAE",
        "fee_family": "CANDIDATES",
        "has_fee": "y",
        "reimburses_travel": "y",
        "active": "y",
        "max_copies": values["max_copies"],
        "max_candidates": values["max_candidates"],
        "max_hours": values["max_hours"],
        "fee_imputation": "=cmd|' /C calc'!A0",
        "travel_imputation": "0214-05-T3-VAE",
    }
    refused = manager.post(f"/missiontypemodelview/edit/{type_id}", data=data)
    assert "Lettres, chiffres, « - », « . » et « / » uniquement." in text(refused.text)
    data["fee_imputation"] = "0214-06-T2-VAE"
    manager.post(f"/missiontypemodelview/edit/{type_id}", data=data)
    with app.app_context():
        assert db.session.get(MissionType, type_id).fee_imputation == "0214-06-T2-VAE"
