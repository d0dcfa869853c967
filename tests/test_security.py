"""Security from day one: CSRF, headers, cookies, no REST login, production settings."""

import pytest

from app import ConfigurationError, create_app, crypto
from tests.conftest import login
from tests.views.helpers import console


def test_a_post_without_csrf_token_is_refused_with_a_french_message(log_in, demo):
    client = log_in("gestionnaire")
    response = client.post("/messages/teacher/welcome", data={"body": "x", "save": "1"})
    assert response.status_code == 400
    assert any("Le formulaire a expiré" in m for m in console(response.text))


def test_the_login_form_itself_needs_the_token(client, demo):
    response = client.post("/login/", data={"username": "enseignant", "password": "imagin-demo"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


def test_security_headers(client):
    response = client.get("/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text


def test_every_script_tag_carries_the_nonce(log_in, demo):
    import re

    page = log_in("gestionnaire").get("/ouverture-activites/")
    scripts = re.findall(r"<script[^>]*>", page.text)
    assert scripts
    assert all("nonce=" in tag for tag in scripts)


def test_session_cookie_is_httponly_and_samesite(client, demo):
    response = login(client, "enseignant")
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("imagin_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_rest_login_is_not_routed(app, client, demo):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert "/api/v1/security/login" not in rules
    assert "/api/v1/security/refresh" not in rules
    response = client.post(
        "/api/v1/security/login",
        json={"username": "admin", "password": "imagin-demo", "provider": "db"},
    )
    assert response.status_code in (400, 404)
    assert "access_token" not in response.text


def test_form_login_is_rate_limited(app, client, demo):
    from tests.conftest import csrf_token

    token = csrf_token(client.get("/login/").text)
    statuses = [
        client.post(
            "/login/", data={"username": "x", "password": "y", "csrf_token": token}
        ).status_code
        for _ in range(12)
    ]
    assert 429 in statuses
    assert statuses.index(429) == 10


def test_production_refuses_the_development_secret_key(monkeypatch):
    with pytest.raises(ConfigurationError):
        create_app({"TESTING": False, "DEBUG": False})


def test_production_defaults_are_safe():
    import config

    assert config.DEBUG is False
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.WTF_CSRF_ENABLED is True
    assert config.BABEL_DEFAULT_LOCALE == "fr"


def test_outside_debug_the_session_cookie_is_secure(app):
    production = create_app(
        {
            "TESTING": False,
            "DEBUG": False,
            "SECRET_KEY": "a-production-secret-of-enough-length",
            "PUBLIC_URL": "https://imagin.ac-rennes.fr",
            # The tests' key (the app refuses to start without one outside debug).
            "DATA_ENCRYPTION_KEYS": crypto.DEVELOPMENT_KEY,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        }
    )
    response = production.test_client().get("/login/")
    cookie = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith("imagin_session=")
    )
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
