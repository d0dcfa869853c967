"""Who may call the API: a valid token only (no session cookie), each endpoint with
its scope, each client with its académie's records only; refused tokens (unknown,
revoked, expired); every refusal is a problem+json in French."""

from __future__ import annotations

import pytest

from app.services.interfaces.clients import SCOPES
from tests.api.conftest import bearer, make_token
from tests.conftest import login

PROBLEM = "application/problem+json"

# Every endpoint of the API, a URL of it and the scope it needs.
ENDPOINTS = [
    ("GET", "/api/v1/referential/exams", "referentiel:lire"),
    ("GET", "/api/v1/referential/specialties", "referentiel:lire"),
    ("GET", "/api/v1/referential/papers", "referentiel:lire"),
    ("GET", "/api/v1/referential/sessions", "referentiel:lire"),
    ("GET", "/api/v1/referential/mission-types", "referentiel:lire"),
    ("GET", "/api/v1/referential/establishments", "referentiel:lire"),
    ("GET", "/api/v1/missions", "missions:lire"),
    ("GET", "/api/v1/missions/{mission}", "missions:lire"),
    ("GET", "/api/v1/assignments", "missions:lire"),
    ("GET", "/api/v1/assignments/{assignment}", "missions:lire"),
    ("POST", "/api/v1/missions/{mission}/convocations", "missions:ecrire"),
    ("GET", "/api/v1/claims", "etats:lire"),
    ("GET", "/api/v1/claims/{claim}", "etats:lire"),
    ("GET", "/api/v1/payments/batches", "paiements:lire"),
    ("GET", "/api/v1/payments/batches/{batch}", "paiements:lire"),
    ("GET", "/api/v1/payments/batches/{batch}/file", "paiements:lire"),
    ("POST", "/api/v1/payments/returns", "paiements:ecrire"),
    ("POST", "/api/v1/corrections", "corrections:ecrire"),
    ("GET", "/api/v1/agents/{numen}/missions", "missions:lire"),
]


def _ids(app) -> dict:
    from sqlalchemy import select

    from app.extensions import db
    from models import Assignment, ExpenseClaim, Mission, PaymentBatch

    with app.app_context():
        session = db.session
        ids = {
            "mission": session.scalar(select(Mission.id).order_by(Mission.id)),
            "assignment": session.scalar(select(Assignment.id).order_by(Assignment.id)),
            "claim": session.scalar(select(ExpenseClaim.id).order_by(ExpenseClaim.id)),
            "batch": session.scalar(select(PaymentBatch.id).order_by(PaymentBatch.id)) or 1,
            "numen": "35E0000001MPC",
        }
        db.session.remove()
    return ids


def call(client, method, url, token=None, **kwargs):
    headers = bearer(token) if token else {}
    return client.open(url, method=method, headers=headers, **kwargs)


def assert_problem(response, status):
    assert response.status_code == status, response.text
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["type"]
    assert body["detail"]
    return body


def test_every_endpoint_of_the_spec_is_listed_here(app, token, client):
    spec = client.get("/api/v1/_openapi", headers=bearer(token)).get_json()
    documented = {
        (method.upper(), path.replace("{", "").replace("}", ""))
        for path, operations in spec["paths"].items()
        for method in operations
        if method != "parameters"
    }
    listed = {
        (
            method,
            url.replace("{mission}", "mission_id")
            .replace("{assignment}", "assignment_id")
            .replace("{claim}", "claim_id")
            .replace("{batch}", "batch_id")
            .replace("{numen}", "numen"),
        )
        for method, url, _scope in ENDPOINTS
    }
    assert documented == listed


@pytest.mark.parametrize(("method", "url", "scope"), ENDPOINTS)
def test_without_a_token_the_api_answers_401_in_french(app, demo, client, method, url, scope):
    url = url.format(**_ids(app))
    body = assert_problem(call(client, method, url, json={}), 401)
    assert "jeton" in body["detail"]
    assert call(client, method, url, "imagin_000000000000_" + "x" * 43).status_code == 401
    assert call(client, method, url, "not a token").status_code == 401


@pytest.mark.parametrize(("method", "url", "scope"), ENDPOINTS)
def test_each_endpoint_refuses_a_token_without_its_scope(app, demo, client, method, url, scope):
    others = [other for other in SCOPES if other != scope]
    token = make_token(app, others)
    url = url.format(**_ids(app))
    body = assert_problem(call(client, method, url, token, json={}), 403)
    assert "ne donne pas accès" in body["detail"]


def test_a_session_cookie_opens_nothing_not_even_for_an_administrator(app, demo):
    for username in ("gestionnaire", "admin"):
        client = app.test_client()
        assert login(client, username).status_code == 302
        assert_problem(client.get("/api/v1/missions"), 401)
        # No CSRF token and a session: still a token is required, nothing written.
        assert_problem(client.post("/api/v1/payments/returns", json={"lignes": []}), 401)


def test_a_revoked_token_is_refused(app, demo, client):
    from sqlalchemy import select

    from app.extensions import db
    from app.services.interfaces import clients
    from app.transaction import unit_of_work
    from models import ApiClient

    token = make_token(app)
    assert client.get("/api/v1/missions", headers=bearer(token)).status_code == 200
    with app.app_context(), unit_of_work(db.session) as session:
        clients.revoke(session, session.scalar(select(ApiClient)))
    assert_problem(client.get("/api/v1/missions", headers=bearer(token)), 401)


def test_an_expired_token_is_refused(app, demo, client, frozen_clock):
    token = make_token(app, days=1)
    assert client.get("/api/v1/missions", headers=bearer(token)).status_code == 200
    frozen_clock.advance(days=3)
    assert_problem(client.get("/api/v1/missions", headers=bearer(token)), 401)


def test_the_last_use_of_a_client_is_recorded(app, demo, client):
    from sqlalchemy import select

    from app.extensions import db
    from models import ApiClient

    token = make_token(app)
    client.get("/api/v1/referential/exams", headers=bearer(token))
    with app.app_context():
        assert db.session.scalar(select(ApiClient.last_used_at)) is not None


def test_a_client_sees_only_its_academy(app, client, other_academy):
    rennes = make_token(app)
    nantes = make_token(app, academy_code="ESSAI")
    ids = other_academy
    for path in (
        f"/api/v1/missions/{ids['mission']}",
        f"/api/v1/assignments/{ids['assignment']}",
        f"/api/v1/claims/{ids['claim']}",
    ):
        body = assert_problem(client.get(path, headers=bearer(rennes)), 404)
        assert "n'existe pas" in body["detail"]
        assert client.get(path, headers=bearer(nantes)).status_code == 200
    # The lists: Nantes sees its one mission, Rennes never sees it.
    missions = client.get("/api/v1/missions?page_size=100", headers=bearer(nantes)).get_json()
    assert [m["id"] for m in missions["items"]] == [ids["mission"]]
    assert missions["total"] == 1
    seen = set()
    page = 1
    while True:
        body = client.get(
            f"/api/v1/missions?page={page}&page_size=100", headers=bearer(rennes)
        ).get_json()
        seen.update(m["id"] for m in body["items"])
        if body["links"]["next"] is None:
            break
        page += 1
    assert seen and ids["mission"] not in seen
    centres = client.get(
        "/api/v1/referential/establishments?page_size=100", headers=bearer(nantes)
    ).get_json()
    assert [e["uai"] for e in centres["items"]] == ["0440001A"]
    # Convoking to another académie's mission: not found, nothing written.
    response = client.post(
        f"/api/v1/missions/{ids['mission']}/convocations",
        json={"agent_ids": [ids["agent"]]},
        headers=bearer(rennes),
    )
    assert_problem(response, 404)


def test_unknown_urls_and_methods_are_problems_not_pages(app, token, client):
    assert_problem(client.get("/api/v1/nothing-here", headers=bearer(token)), 404)
    response = client.delete("/api/v1/missions", headers=bearer(token))
    body = assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]
    assert body["detail"] == "Cette méthode n'est pas permise sur cette ressource."
    assert_problem(client.get("/api/v1/missions/99999999999", headers=bearer(token)), 404)


def test_the_spec_is_for_tokens_and_administrators(app, demo, client):
    assert_problem(client.get("/api/v1/_openapi"), 401)
    login(client, "gestionnaire")
    assert_problem(client.get("/api/v1/_openapi"), 401)
    client = app.test_client()
    login(client, "admin")
    spec = client.get("/api/v1/_openapi")
    assert spec.status_code == 200
    assert spec.get_json()["openapi"].startswith("3.")
