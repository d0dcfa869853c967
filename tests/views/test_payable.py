"""The manager's claim page says what the finance office lacks to pay the contributor,
next to the documents the agent sent, with the way to the contributor's file and back;
the single and the bulk acceptance are refused with the reason in French."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Agent, ExpenseClaim
from models.enums import ClaimStatus
from tests.conftest import csrf_token
from tests.views.helpers import console, text
from tests.views.test_claims import claim_id

LIST = "/traitement-etats-de-frais/"
GAPS = "dossier financier non actif, IBAN manquant, BIC manquant, numéro INSEE manquant"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def post(client, url, data=None, **kwargs):
    token = csrf_token(client.get(LIST).text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def statuses(app, claim):
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        return row.fee_status, row.travel_status


def service_done(app, manager, claim):
    with app.app_context():
        mission = db.session.get(ExpenseClaim, claim).assignment.mission_id
    post(manager, f"/service-fait/{mission}/enregistrer", data={"all": "1"})


def gaps_block(html):
    block = re.search(r'<div class="alert alert-warning imagin-payment-gaps".*?</div>', html, re.S)
    return block.group(0) if block else ""


def test_the_claim_page_shows_what_is_missing_next_to_the_documents(app, manager):
    claim = claim_id(app, "BERTHELOT", 77508)
    page = manager.get(f"{LIST}{claim}").text
    block = gaps_block(page)
    assert f"Manque pour le paiement : {GAPS}." in text(block)
    assert "Complétez le dossier de l'intervenant à partir des pièces ci-dessous" in text(block)
    # In the documents' section, above the pay dossier's pieces (RIB, carte vitale).
    documents = page.index("Pièces justificatives")
    assert documents < page.index("imagin-payment-gaps") < page.index("imagin-required")
    required = text(re.search(r'<ul class="imagin-required">.*?</ul>', page, re.S).group(0))
    assert "Relevé d'identité bancaire (IBAN) — à fournir" in required
    assert "Copie de carte vitale — à fournir" in required
    with app.app_context():
        agent_id = db.session.scalar(select(Agent.id).where(Agent.last_name == "BERTHELOT"))
    link = unescape(re.search(r'href="([^"]+)">Compléter le dossier financier', block).group(1))
    parts = urlsplit(link)
    assert parts.path == f"/agentmodelview/edit/{agent_id}"
    assert parse_qs(parts.query) == {"next": [f"{LIST}{claim}"]}


def test_a_complete_file_shows_nothing_missing(app, manager):
    claim = claim_id(app, "LECLERC", 77508)
    page = manager.get(f"{LIST}{claim}").text
    assert gaps_block(page) == ""
    assert "Manque pour le paiement" not in text(page)


def test_the_single_action_is_refused_with_the_reason(app, manager):
    claim = claim_id(app, "BERTHELOT", 77508)
    service_done(app, manager, claim)
    page = manager.get(f"{LIST}{claim}").text
    reason = (
        f"Cet état de frais ne peut pas être accepté pour paiement : {GAPS} pour BERTHELOT"
        " Julie. Complétez le dossier financier de l'intervenant."
    )
    assert reason in text(page)  # the button is disabled with its reason
    post(manager, f"{LIST}{claim}/accepter")
    assert reason in console(manager.get(f"{LIST}{claim}").text)
    assert statuses(app, claim) == (ClaimStatus.VALIDATED, ClaimStatus.VALIDATED)


def test_the_bulk_action_names_the_agents_refused(app, manager):
    julie = claim_id(app, "BERTHELOT", 77508)
    claire = claim_id(app, "LECLERC", 77508)
    service_done(app, manager, julie)
    response = post(
        manager,
        f"{LIST}selection/accepter",
        data={"claim_id": [str(julie), str(claire)], "next": LIST},
    )
    messages = console(manager.get(response.headers["Location"]).text)
    assert "1 état(s) de frais validé(s) par le gestionnaire." in messages
    assert f"1 état de frais non accepté : {GAPS} pour BERTHELOT Julie" in messages
    assert statuses(app, julie) == (ClaimStatus.VALIDATED, ClaimStatus.VALIDATED)
    assert statuses(app, claire) == (ClaimStatus.ACCEPTED, ClaimStatus.ACCEPTED)


def form_values(html):
    """The values an edit form would send back as it is."""
    form = re.search(r'<form id="model_form".*?</form>', html, re.S).group(0)
    values = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        values[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', body) or re.search(
            r'<option[^>]*value="([^"]*)"[^>]*selected', body
        )
        if chosen:
            values[name] = unescape(chosen.group(1))
    return values


def test_complete_the_file_and_accept_in_one_visit(app, manager):
    claim = claim_id(app, "BERTHELOT", 77508)
    service_done(app, manager, claim)
    page = manager.get(f"{LIST}{claim}").text
    link = unescape(re.search(r'href="([^"]+)">Compléter le dossier financier', page).group(1))
    assert link.startswith("/agentmodelview/edit/")
    edit = manager.get(link)
    assert edit.status_code == 200
    values = form_values(edit.text)
    # A wrong IBAN first: refused next to the field, in French.
    values.update(financial_file_active="y", iban="FR7630006000011234567890188")
    values.update(bic="AGRIFRPPXXX", insee_number="2 85 03 35 123 456 04")
    refused = manager.post(link, data=values)
    assert refused.status_code == 200
    assert "Cet IBAN n'est pas valide." in text(refused.text)
    values["iban"] = "FR76 3000 6000 0112 3456 7890 189"
    values["csrf_token"] = csrf_token(refused.text)
    saved = manager.post(link, data=values)
    assert saved.status_code == 302, text(saved.text)[-3000:]
    assert saved.headers["Location"].endswith(f"{LIST}{claim}")  # back to the claim
    page = manager.get(f"{LIST}{claim}").text
    assert gaps_block(page) == ""
    post(manager, f"{LIST}{claim}/accepter")
    assert statuses(app, claim) == (ClaimStatus.ACCEPTED, ClaimStatus.ACCEPTED)


def test_the_way_back_never_leaves_the_site(app, manager):
    with app.app_context():
        agent_id = db.session.scalar(select(Agent.id).where(Agent.last_name == "BERTHELOT"))
    link = f"/agentmodelview/edit/{agent_id}?next=//evil.example/"
    values = form_values(manager.get(link).text)
    saved = manager.post(link, data=values)
    assert saved.status_code == 302, text(saved.text)[-3000:]
    assert "evil.example" not in saved.headers["Location"]
