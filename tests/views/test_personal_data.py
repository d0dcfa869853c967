"""The financial file on the pages (issue 12, finding 9): masked on the agent's
"Informations personnelles" and on the managers' contributor detail, whole only in
the manager's edit form (to correct it); a save never writes it to the log, and the
database keeps only its token."""

import logging

from sqlalchemy import select, text

from app.extensions import db
from models import Agent
from tests.conftest import csrf_token
from tests.views.helpers import text as page_text

IBAN = "FR7630006000011234567890189"
NIR = "178051412345626"
BIC = "AGRIFRPPXXX"
MASKED = ("FR76 •••• •••• •••• •••• •••0 189", "1 78 •• •• ••• ••• 26", "AGRI •••••••")


def external_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Agent.id).where(Agent.external_id == "EXT35000123"))


def assert_masked(html: str) -> None:
    body = page_text(html)
    for masked in MASKED:
        assert masked in body
    for clear in (IBAN, NIR, BIC, "30006000011234567890"):
        assert clear not in html


def test_the_agent_sees_their_bank_details_masked(log_in, demo):
    page = log_in("EXT35000123").get("/informations-personnelles/")
    assert page.status_code == 200
    assert_masked(page.text)


def test_the_manager_sees_a_contributor_masked_on_the_detail(app, log_in, demo):
    page = log_in("gestionnaire").get(f"/agentmodelview/show/{external_id(app)}")
    assert page.status_code == 200
    assert_masked(page.text)


def test_the_list_of_contributors_never_shows_them(app, log_in, demo):
    page = log_in("gestionnaire").get("/agentmodelview/list/")
    assert page.status_code == 200
    for clear in (IBAN, NIR, BIC):
        assert clear not in page.text


def test_the_edit_form_has_the_whole_values_and_a_save_logs_none(app, log_in, demo, caplog):
    agent_id = external_id(app)
    client = log_in("gestionnaire")
    form = client.get(f"/agentmodelview/edit/{agent_id}")
    for clear in (IBAN, NIR, BIC):
        assert f'value="{clear}"' in form.text
    new_iban = "FR1420041010050500013M02606"
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # even with SQL logged
    try:
        response = client.post(
            f"/agentmodelview/edit/{agent_id}",
            data={
                "csrf_token": csrf_token(form.text),
                "last_name": "LE GALL",
                "first_name": "Marc",
                "kind": "EXTERNAL",
                "external_id": "EXT35000123",
                "academy": "1",
                "insee_number": NIR,
                "iban": "fr14 2004 1010 0505 0001 3m02 606",
                "bic": BIC,
                "financial_file_active": "y",
            },
        )
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    assert response.status_code == 302, page_text(response.text)
    assert caplog.records, "the save was logged at all"
    for clear in (new_iban, NIR, BIC, "20041010050500013"):
        assert clear not in caplog.text
    with app.app_context():
        assert db.session.get(Agent, agent_id).iban == new_iban
        stored = db.session.execute(
            text("SELECT iban FROM agent WHERE id = :id"), {"id": agent_id}
        ).scalar()
        assert stored != new_iban and "FR14" not in stored
    detail = client.get(f"/agentmodelview/show/{agent_id}")
    assert "FR14 •••• •••• •••• •••• •••2 606" in page_text(detail.text)


def test_a_wrong_financial_file_is_refused_next_to_its_fields(app, log_in, demo):
    agent_id = external_id(app)
    client = log_in("gestionnaire")
    form = client.get(f"/agentmodelview/edit/{agent_id}")
    response = client.post(
        f"/agentmodelview/edit/{agent_id}",
        data={
            "csrf_token": csrf_token(form.text),
            "last_name": "LE GALL",
            "first_name": "Marc",
            "kind": "EXTERNAL",
            "external_id": "EXT35000123",
            "insee_number": "165073512345632",
            "iban": "FR7630006000011234567890188",
            "bic": "AGRI",
        },
    )
    assert response.status_code == 200
    body = page_text(response.text)
    for message in (
        "Ce numéro INSEE n'est pas valide (15 caractères, clé comprise).",
        "Cet IBAN n'est pas valide.",
        "Ce BIC n'est pas valide.",
    ):
        assert message in body
    assert 'value="FR7630006000011234567890188"' in response.text  # nothing typed is lost
    with app.app_context():
        assert db.session.get(Agent, agent_id).iban == IBAN  # nothing saved
