"""« Clients API » as the administrator sees it: create a client (its token shown
once, only its hash kept), the French errors next to the fields, the list, revoking;
the documentation page with Swagger UI served by the portal; nobody else gets in."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import ApiClient
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text

HOME = "/administration/clients-api/"
NEW = "/administration/clients-api/nouveau"
DOC = "/administration/api/documentation"


@pytest.fixture
def admin(log_in, demo):
    return log_in("admin")


def create(client, **fields):
    token = csrf_token(client.get(NEW).text)
    data = {"csrf_token": token, "name": "SANTORIN", "expires_on": "", **fields}
    return client.post(NEW, data=data)


def rennes(app) -> int:
    from models import Academy

    with app.app_context():
        return db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))


def test_the_administrator_creates_a_client_and_sees_its_token_once(app, admin):
    page = admin.get(HOME)
    assert page.status_code == 200
    assert "Aucun client API pour l'instant." in text(page.text)
    form = admin.get(NEW)
    shown = text(form.text)
    for label in ("Nom du client", "Académie", "Permissions", "Date d'expiration"):
        assert label in shown
    assert "corrections:ecrire" in shown and "Envoyer les corrections (SANTORIN)" in shown
    expiry = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    response = create(
        admin,
        academy=str(rennes(app)),
        scopes=["corrections:ecrire", "missions:lire"],
        expires_on=expiry,
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(r'id="api-token"[^>]*value="([^"]+)"', response.text).group(1)
    assert "il n'est affiché qu'une fois" in text(response.text)
    with app.app_context():
        client = db.session.scalar(select(ApiClient))
        assert client.scopes == "missions:lire corrections:ecrire"
        assert token not in (client.token_hash, client.prefix)
        assert client.token_hash == hashlib.sha256(token.split("_", 2)[2].encode()).hexdigest()
        assert client.expires_on.isoformat() == expiry
    listing = admin.get(HOME).text
    assert "SANTORIN" in text(listing) and token not in listing
    # The token works on the API, for its scopes.
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/missions", headers=headers).status_code == 200
    assert api.get("/api/v1/claims", headers=headers).status_code == 403


def test_wrong_values_are_said_next_to_the_fields(app, admin):
    response = create(admin, name="", academy="", expires_on="2000-01-01")
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert "Donnez un nom au client." in text(response.text)
    response = create(
        admin, academy=str(rennes(app)), expires_on="2000-01-01", scopes=["missions:lire"]
    )
    assert "La date d'expiration doit être postérieure à aujourd'hui." in text(response.text)
    response = create(
        admin, academy=str(rennes(app)), expires_on="2099-01-01", scopes=["missions:lire"]
    )
    assert "La date d'expiration est au plus dans trois ans." in text(response.text)
    response = create(admin, academy=str(rennes(app)), expires_on="2099-01-01")
    assert "Choisissez au moins une permission." in text(response.text)
    response = create(
        admin, academy="99999999999999", expires_on="pas une date", scopes=["tout:faire"]
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(ApiClient)) is None


def test_revoking_a_client_refuses_its_token(app, admin):
    expiry = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    response = create(admin, academy=str(rennes(app)), scopes=["missions:lire"], expires_on=expiry)
    token = re.search(r'id="api-token"[^>]*value="([^"]+)"', response.text).group(1)
    with app.app_context():
        client_id = db.session.scalar(select(ApiClient.id))
    page = admin.get(HOME)
    revoked = admin.post(
        f"/administration/clients-api/{client_id}/revoquer",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert revoked.status_code == 302
    page = admin.get(revoked.headers["Location"])
    assert any("est révoqué : son jeton est refusé" in m for m in console(page.text))
    assert "Révoqué le" in text(page.text)
    api = app.test_client()
    answer = api.get("/api/v1/missions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


def test_the_documentation_page_serves_swagger_ui_itself(app, admin):
    page = admin.get(DOC)
    assert page.status_code == 200
    assert 'data-spec-url="/api/v1/_openapi"' in page.text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert all(src.startswith("/") for src in scripts), scripts  # no CDN
    bundle = admin.get(f"{DOC}/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and b"SwaggerUIBundle" in bundle.data
    assert admin.get(f"{DOC}/index.html").status_code == 404


@pytest.mark.parametrize("username", ["enseignant", "chef", "EXT35000123", "gestionnaire"])
def test_only_the_administrator_opens_it(app, demo, username):
    client = app.test_client()
    login(client, username)
    for url in (HOME, NEW, DOC):
        response = client.get(url)
        assert response.status_code == 403
        assert "Vous n'avez pas accès à cette page." in console(response.text)


def test_the_anonymous_are_sent_to_the_login(client, demo):
    for url in (HOME, NEW, DOC):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.headers["Location"]
