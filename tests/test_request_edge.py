"""The request edge: links in mails come from PUBLIC_URL, unknown hosts are refused,
the client's address is read through the trusted proxies only, production settings
are checked at start-up, and no response names the server software."""

import logging
import re

import pytest

from app import ConfigurationError, create_app, crypto
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text

PUBLIC = "https://imagin.ac-rennes.fr"
PRODUCTION_KEY = "a-production-secret-of-enough-length-0123456789"


def settings_of(app, **changes):
    """The test application's settings, for a second instance with ``changes``."""
    keys = (
        "TESTING",
        "SECRET_KEY",
        "SQLALCHEMY_DATABASE_URI",
        "UPLOAD_FOLDER",
        "SESSION_COOKIE_SECURE",
        "FAB_PASSWORD_HASH_METHOD",
        "RATELIMIT_STORAGE_URI",
    )
    return {key: app.config[key] for key in keys} | changes


def production_settings(app, **changes):
    return (
        settings_of(
            app,
            TESTING=False,
            DEBUG=False,
            SECRET_KEY=PRODUCTION_KEY,
            PUBLIC_URL=PUBLIC,
            TRUSTED_HOSTS=None,
            RATELIMIT_STORAGE_URI="memory://",
            DATA_ENCRYPTION_KEYS=crypto.DEVELOPMENT_KEY,
        )
        | changes
    )


def ask_reset(client, identifier="EXT35000123", **headers):
    page = client.get("/compte/mot-de-passe-oublie", headers=headers)
    return client.post(
        "/compte/mot-de-passe-oublie",
        data={"csrf_token": csrf_token(page.text), "identifier": identifier},
        headers=headers,
    )


# --- Finding 4: links in mails ----------------------------------------------------------


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000"])
def test_the_reset_link_starts_with_public_url_whatever_the_host(
    app, demo, smtp_server, monkeypatch, host
):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    client = app.test_client()
    response = ask_reset(client, Host=host)
    assert response.status_code == 302
    (message,) = smtp_server.wait_for(1)
    links = re.findall(r"\w+://\S+", message.get_body(("plain",)).get_content())
    assert links and all(link.startswith(PUBLIC + "/compte/reinitialiser/") for link in links)


def test_a_forged_host_gets_a_400_and_no_mail(app, demo, smtp_server):

    client = app.test_client()
    for path in ("/login/", "/compte/mot-de-passe-oublie", "/page-inconnue", "/"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path
        assert "Adresse du site inconnue" in response.text
    forged = client.post(
        "/compte/mot-de-passe-oublie",
        data={"identifier": "EXT35000123"},
        headers={"Host": "evil.example"},
    )
    assert forged.status_code == 400
    smtp_server.settle()
    assert smtp_server.messages == []
    # A signed-in user's page with a forged host is refused too.
    signed = app.test_client()
    login(signed, "enseignant")
    assert signed.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert signed.get("/").status_code == 200


def test_production_trusts_the_host_of_public_url_only(app, demo):
    production = create_app(production_settings(app)).test_client()
    assert production.get("/login/", headers={"Host": "imagin.ac-rennes.fr"}).status_code == 200
    assert production.get("/login/", headers={"Host": "localhost"}).status_code == 400
    listed = create_app(
        production_settings(app, TRUSTED_HOSTS="imagin.ac-rennes.fr, imagin.local")
    ).test_client()
    assert listed.get("/login/", headers={"Host": "imagin.local"}).status_code == 200
    assert listed.get("/login/", headers={"Host": "evil.example"}).status_code == 400


def test_public_url_is_required_outside_debug(app):
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        create_app(production_settings(app, PUBLIC_URL=""))
    with pytest.raises(ConfigurationError, match="PUBLIC_URL"):
        create_app(production_settings(app, PUBLIC_URL="imagin.ac-rennes.fr/portail"))
    debug = create_app(settings_of(app, TESTING=False, DEBUG=True, PUBLIC_URL=""))
    assert debug.config["PUBLIC_URL"] == "http://127.0.0.1:8080"


def test_a_short_secret_key_is_refused_outside_debug(app):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(production_settings(app, SECRET_KEY="x" * 31))
    assert create_app(production_settings(app, SECRET_KEY="x" * 32))


# --- Finding 4: the client's address behind the load balancer -----------------------------


def failed_login(client, identifier, forwarded_for):
    headers = {"X-Forwarded-For": forwarded_for}
    page = client.get("/login/", headers=headers)
    return client.post(
        "/login/",
        data={"username": identifier, "password": "wrong", "csrf_token": csrf_token(page.text)},
        headers=headers,
    ).status_code


def behind_balancer(instance):
    """A client whose packets come from the load balancer's address."""
    client = instance.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    return client


def test_behind_one_proxy_each_client_has_its_own_login_limit(app, demo, caplog):
    caplog.set_level(logging.INFO, logger="imagin.auth")
    instance = create_app(settings_of(app, PROXY_COUNT=1, RATELIMIT_STORAGE_URI="memory://"))
    first, second = behind_balancer(instance), behind_balancer(instance)
    statuses = [failed_login(first, f"x{i}", "203.0.113.7") for i in range(11)]
    assert statuses == [302] * 10 + [429]
    assert failed_login(second, "y", "198.51.100.9") == 302
    logged = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage()]
    assert any("ip=203.0.113.7" in line for line in logged)
    assert any("ip=198.51.100.9" in line for line in logged)
    assert not any("ip=10.0.0.2" in line for line in logged)


def test_behind_one_proxy_the_forwarded_host_is_checked_too(app, demo):
    instance = create_app(settings_of(app, PROXY_COUNT=1, RATELIMIT_STORAGE_URI="memory://"))
    client = behind_balancer(instance)
    forged = client.get("/login/", headers={"X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 400
    fine = client.get("/login/", headers={"X-Forwarded-Host": "localhost"})
    assert fine.status_code == 200


def test_without_proxy_x_forwarded_for_is_ignored(app, demo, caplog):
    caplog.set_level(logging.INFO, logger="imagin.auth")
    first, second = behind_balancer(app), behind_balancer(app)
    statuses = [failed_login(first, f"x{i}", "203.0.113.7") for i in range(10)]
    assert statuses == [302] * 10
    assert failed_login(second, "y", "198.51.100.9") == 429
    logged = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage()]
    assert logged and all("ip=10.0.0.2" in line for line in logged)


def test_without_proxy_x_forwarded_host_is_ignored(app, demo):
    client = app.test_client()
    response = client.get("/login/", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200
    assert "evil.example" not in response.text


# --- Finding 10: logout by POST, no server banner ----------------------------------------


def test_logout_is_a_form_with_a_csrf_token_and_get_does_not_log_out(log_in, demo):
    client = log_in("enseignant")
    page = client.get("/")
    form = re.search(r'<form[^>]*action="/logout/"[^>]*>(.*?)</form>', page.text, re.S)
    assert form, "the header has no logout form"
    assert 'method="post"' in form.group(0)
    assert "Quitter" in text(form.group(1))
    assert "csrf_token" in form.group(1)
    refused = client.get("/logout/")
    assert refused.status_code == 405
    assert client.get("/").status_code == 200  # still signed in
    without_token = client.post("/logout/")
    assert without_token.status_code == 400
    assert any("Le formulaire a expiré" in m for m in console(without_token.text))
    assert client.get("/").status_code == 200
    done = client.post("/logout/", data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 302
    assert client.get("/").status_code == 302


def test_the_idle_timeout_submits_the_logout_form(log_in, demo):
    page = log_in("enseignant").get("/")
    assert "data-logout-url" not in page.text
    assert 'id="imagin-logout"' in page.text


def test_no_response_names_the_server(app, log_in, demo):
    client = log_in("enseignant")
    for response in (client.get("/"), client.get("/page-inconnue"), app.test_client().get("/")):
        assert "Server" not in response.headers


def test_the_development_server_sends_no_server_header(app):
    import http.client
    import threading

    from werkzeug.serving import make_server

    from app.serving import QuietRequestHandler

    server = make_server("127.0.0.1", 0, app, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        connection.request("GET", "/login/")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert response.getheader("Server") is None
        assert response.getheader("Date")
    finally:
        server.shutdown()


def test_gunicorn_with_the_project_settings_sends_no_server_header():
    import http.client
    import socket
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
    command += ["-b", f"127.0.0.1:{port}", "-w", "1", "tests.wsgi_hello:app"]
    server = subprocess.Popen(command, cwd=root, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/")
                response = connection.getresponse()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert response.read() == b"bonjour"
        assert response.getheader("Server") is None
    finally:
        server.terminate()
        server.wait(10)
