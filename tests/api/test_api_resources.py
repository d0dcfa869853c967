"""What a machine client reads and writes: bounded pages with their links, the claims
with the statuses and amounts the services give, a convocation through the convocation
rules, the payment batches and their file, the finance office's return; validation
errors listed per field in French; the rate limit per client."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.services.common import clock
from models import Agent, Assignment, ExpenseClaim, Mission
from tests.api.conftest import bearer, make_token
from tests.api.test_api_access import assert_problem
from tests.views.test_claims import claim_id
from tests.views.test_payment_returns import exported


def get(client, url, token):
    return client.get(url, headers=bearer(token))


def test_pages_are_bounded_and_linked(app, token, client):
    first = get(client, "/api/v1/referential/exams?page_size=1", token)
    assert first.status_code == 200
    body = first.get_json()
    assert body["page"] == 1 and body["page_size"] == 1 and len(body["items"]) == 1
    assert body["total"] > 1
    assert body["links"]["prev"] is None
    second = get(client, body["links"]["next"], token).get_json()
    assert second["page"] == 2 and second["items"][0]["id"] != body["items"][0]["id"]
    assert second["links"]["prev"] == "/api/v1/referential/exams?page_size=1&page=1"
    beyond = get(client, f"/api/v1/referential/exams?page={body['total'] + 1}&page_size=1", token)
    assert beyond.get_json()["items"] == [] and beyond.get_json()["links"]["next"] is None
    for query, field, message in (
        ("page_size=101", "page_size", "Une taille de page de 1 à 100 est attendue."),
        ("page_size=0", "page_size", "Une taille de page de 1 à 100 est attendue."),
        ("page=10001", "page", "Un numéro de page de 1 à 10000 est attendu."),
        ("page=abc", "page", "Un nombre entier est attendu."),
        ("page=99999999999999999999", "page", "Un numéro de page de 1 à 10000 est attendu."),
    ):
        problem = assert_problem(get(client, f"/api/v1/missions?{query}", token), 400)
        assert problem["errors"] == [{"field": field, "message": message}], query


def test_a_claim_shows_its_statuses_and_the_amounts_of_the_services(app, token, client):
    from app.services.claims import amounts, lifecycle

    claim = claim_id(app, "LECLERC", 77742)
    body = get(client, f"/api/v1/claims/{claim}", token).get_json()
    with app.app_context():
        record = db.session.get(ExpenseClaim, claim)
        mission = record.assignment.mission
        computed = amounts.compute(db.session, record)
        fee = lifecycle.displayed_status(
            record.fee_status, mission.first_day, mission.last_day, clock.today()
        )
        assert body["fee_status"] == {"code": fee.name, "label": str(fee.label)}
        assert body["number"] == record.number
        expected = computed.fee.amount
        assert body["computed_fee_amount"] == (None if expected is None else f"{expected:.2f}")
        assert body["fee_amount"] == (
            None if record.fee_amount is None else f"{record.fee_amount:.2f}"
        )
        assert body["assignment_id"] == record.assignment_id
    listed = get(client, "/api/v1/claims?page_size=100", token).get_json()
    assert any(item["id"] == claim for item in listed["items"])


def test_convoking_through_the_api_obeys_the_convocation_rules(app, token, client):
    with app.app_context():
        mission = db.session.scalar(select(Mission.id).where(Mission.number == 77286))
        agent = db.session.scalar(select(Agent.id).where(Agent.last_name == "BERTHELOT"))
    url = f"/api/v1/missions/{mission}/convocations"
    response = client.post(
        url,
        json={"agent_ids": [agent], "quality": "INVIGILATOR", "jury": "A1"},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    created = response.get_json()["items"]
    assert [item["agent"]["id"] for item in created] == [agent]
    assert created[0]["quality"]["code"] == "INVIGILATOR" and created[0]["claim_id"]
    with app.app_context():
        assert db.session.scalar(
            select(Assignment.id).where(
                Assignment.mission_id == mission, Assignment.agent_id == agent
            )
        )
    # Twice: the service's own refusal, in French, and nothing written.
    again = assert_problem(
        client.post(url, json={"agent_ids": [agent]}, headers=bearer(token)), 422
    )
    assert again["detail"].startswith("Déjà convoqué(e) à cette mission")
    # Validation: every wrong field listed.
    wrong = assert_problem(
        client.post(
            url, json={"agent_ids": [], "quality": "CHEF", "extra": 1}, headers=bearer(token)
        ),
        422,
    )
    assert {e["field"] for e in wrong["errors"]} == {"agent_ids", "quality", "extra"}
    assert {e["message"] for e in wrong["errors"]} >= {"Qualité inconnue.", "Champ inconnu."}


def test_a_refused_convocation_writes_nothing(app, token, client):
    with app.app_context():
        mission = db.session.scalar(select(Mission.id).where(Mission.number == 77286))
        agent = db.session.scalar(select(Agent.id).where(Agent.last_name == "BERTHELOT"))
        count = db.session.scalar(select(db.func.count(Assignment.id)))
    response = client.post(
        f"/api/v1/missions/{mission}/convocations",
        json={"agent_ids": [agent, 2_000_000]},
        headers=bearer(token),
    )
    body = assert_problem(response, 422)
    assert body["detail"] == (
        "Non disponible(s) pour cette mission (compétence, dates, déjà convoqué, conflit d'intérêts) : 2000000."
    )
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Assignment.id))) == count


def test_the_batches_their_file_and_the_return(app, token, client):
    numbers = exported(app)
    batches = get(client, "/api/v1/payments/batches", token).get_json()
    assert batches["total"] >= 1
    newest = batches["items"][0]
    detail = get(client, f"/api/v1/payments/batches/{newest['id']}", token).get_json()
    assert detail == newest
    file = get(client, f"/api/v1/payments/batches/{newest['id']}/file", token)
    assert file.status_code == 200 and file.mimetype == "text/csv"
    assert numbers[77847] in file.text
    day = clock.today() - dt.timedelta(days=2)
    lines = [
        {
            "numero_dossier": numbers[77742],
            "nature": "REMUNERATION",
            "resultat": "PAYE",
            "date_paiement": day.isoformat(),
        },
        {
            "numero_dossier": numbers[77847],
            "nature": "DEPLACEMENT",
            "resultat": "REJETE",
            "motif_rejet": "RIB illisible",
        },
    ]
    response = client.post(
        "/api/v1/payments/returns", json={"lignes": lines}, headers=bearer(token)
    )
    assert response.status_code == 200, response.text
    result = response.get_json()
    assert (result["paid"], result["rejected"], result["unchanged"]) == (1, 1, 0)
    assert result["message"].startswith("Fichier retour enregistré")
    again = client.post("/api/v1/payments/returns", json={"lignes": lines}, headers=bearer(token))
    assert again.get_json()["unchanged"] == 2
    with app.app_context():
        paid = db.session.get(ExpenseClaim, claim_id(app, "LECLERC", 77742))
        assert paid.fee_paid_on == day


def test_a_wrong_return_is_refused_whole_with_its_lines(app, token, client):
    numbers = exported(app)
    lines = [
        {
            "numero_dossier": numbers[77742],
            "nature": "REMUNERATION",
            "resultat": "PAYE",
            "date_paiement": "2026-01-01",
        },
        {
            "numero_dossier": "2099-000001",
            "nature": "DEPLACEMENT",
            "resultat": "PAYE",
            "date_paiement": "2026-01-01",
        },
    ]
    response = client.post(
        "/api/v1/payments/returns", json={"lignes": lines}, headers=bearer(token)
    )
    body = assert_problem(response, 422)
    assert body["detail"].startswith("Le fichier retour est refusé, rien n'a été enregistré")
    assert body["errors"] == [
        {"field": "lignes.1", "message": "Ligne 3 : « 2099-000001 » : dossier inconnu."}
    ]
    with app.app_context():
        assert db.session.get(ExpenseClaim, claim_id(app, "LECLERC", 77742)).fee_paid_on is None
    wrong = client.post(
        "/api/v1/payments/returns",
        json={"lignes": [{"numero_dossier": "", "nature": "AUTRE", "resultat": "PAYE"}]},
        headers=bearer(token),
    )
    fields = {e["field"]: e["message"] for e in assert_problem(wrong, 422)["errors"]}
    assert fields == {
        "lignes.0.numero_dossier": "De 1 à 20 caractères.",
        "lignes.0.nature": "REMUNERATION ou DEPLACEMENT attendu.",
    }
    not_json = client.post(
        "/api/v1/payments/returns",
        data="lignes",
        headers=bearer(token) | {"Content-Type": "text/plain"},
    )
    assert (
        not_json.status_code in (400, 415, 422) and not_json.mimetype == "application/problem+json"
    )


def test_each_client_has_its_own_rate_limit(app, demo, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    first, second = make_token(app), make_token(app)
    for _ in range(3):
        assert get(client, "/api/v1/referential/exams", first).status_code == 200
    body = assert_problem(get(client, "/api/v1/referential/exams", first), 429)
    assert body["detail"] == "Trop de requêtes : patientez un instant avant de réessayer."
    # Every endpoint shares the client's count; another client has its own.
    assert get(client, "/api/v1/missions", first).status_code == 429
    assert get(client, "/api/v1/referential/exams", second).status_code == 200


def santorin_copies(app, number: int) -> list[tuple[int, str | None]]:
    with app.app_context():
        claim = db.session.scalar(
            select(ExpenseClaim)
            .join(ExpenseClaim.assignment)
            .join(Assignment.mission)
            .join(Assignment.agent)
            .where(Mission.number == number, Agent.numen == "35E0000001MPC")
        )
        copies = [(e.copies, e.comment) for e in claim.fee_entries if e.from_correction_system]
        db.session.remove()
    return copies


def test_santorin_pushes_corrections_that_fill_the_claim(app, demo, client):
    token = make_token(app, ("corrections:ecrire",))
    line = {
        "numero_mission": 218280,
        "identifiant": "35E0000001MPC",
        "copies": 87,
        "etat": "A corriger dans SANTORIN",
        "vague": "1",
    }
    response = client.post("/api/v1/corrections", json={"lignes": [line]}, headers=bearer(token))
    assert response.status_code == 200, response.text
    result = response.get_json()
    assert (result["nouvelles"], result["modifiees"], result["refusees"]) == (1, 0, 0)
    assert santorin_copies(app, 218280) == [(87, None)]
    again = client.post("/api/v1/corrections", json={"lignes": [line]}, headers=bearer(token))
    assert again.get_json()["inchangees"] == 1


def test_refused_corrections_write_nothing_and_name_each_field(app, demo, client):
    token = make_token(app, ("corrections:ecrire",))
    good = {"numero_mission": 218280, "identifiant": "35E0000001MPC", "copies": 30}
    lines = [
        {**good, "etat": "SERVICE_FAIT"},
        {**good, "numero_mission": 999999, "etat": "SERVICE_FAIT"},
    ]
    before = santorin_copies(app, 218280)  # the demo's copies (112, with a comment)
    assert before and before != [(30, None)]
    response = client.post("/api/v1/corrections", json={"lignes": lines}, headers=bearer(token))
    body = assert_problem(response, 422)
    assert "rien n'a été importé" in body["detail"]
    assert [error["field"] for error in body["errors"]] == ["lignes.1.numero_mission"]
    assert santorin_copies(app, 218280) == before
    skipped = client.post(
        "/api/v1/corrections",
        json={"lignes": lines, "ignorer_refusees": True},
        headers=bearer(token),
    )
    result = skipped.get_json()
    assert (result["nouvelles"], result["refusees"]) == (1, 1)
    assert result["lignes_refusees"][0]["ligne"] == 2
    assert result["lignes_refusees"][0]["colonne"] == "numero_mission"
    assert santorin_copies(app, 218280) == [(30, None)]
    invalid = client.post(
        "/api/v1/corrections",
        json={"lignes": [{**good, "copies": -1, "etat": "X\u0000"}]},
        headers=bearer(token),
    )
    fields = {error["field"] for error in assert_problem(invalid, 422)["errors"]}
    assert {"lignes.0.copies", "lignes.0.etat"} <= fields
