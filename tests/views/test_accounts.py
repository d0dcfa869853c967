"""Accounts and sessions as users live them: temporary password, forced change,
forgotten password through a real SMTP server, lockout, idle timeout, logout."""

import logging
import re
import statistics
import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.people import accounts
from models import Agent, User
from models.enums import AgentKind
from tests.conftest import csrf_token, login, logout
from tests.views.helpers import console, text

NEW_PASSWORD = "une phrase de passe bien à moi"


def new_external(app, email=None):
    """An external contributor without an account, as the manager records them."""
    with app.app_context():
        from models import Academy

        rennes = db.session.scalar(select(Academy).where(Academy.code == "RENNES"))
        agent = Agent(
            academy_id=rennes.id,
            kind=AgentKind.EXTERNAL,
            external_id="EXT35000999",
            last_name="NOUVEAU",
            first_name="Paul",
            email_personal=email,
        )
        db.session.add(agent)
        db.session.commit()
        return agent.id


def temporary_password_for(app, agent_id):
    manager = app.test_client()
    login(manager, "gestionnaire")
    page = manager.get(f"/intervenants/compte/{agent_id}")
    assert page.status_code == 200
    response = manager.post(
        f"/intervenants/compte/{agent_id}/mot-de-passe-temporaire",
        data={"csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 200
    assert "Mot de passe temporaire, affiché une seule fois" in text(response.text)
    return re.search(r"<code>([^<]+)</code>", response.text).group(1)


def follow(client, response):
    return client.get(response.headers["Location"])


# --- First login of an external contributor ---------------------------------------------


def test_first_login_with_a_temporary_password_forces_a_change(app, client, demo):
    agent_id = new_external(app)
    password = temporary_password_for(app, agent_id)
    response = login(client, "EXT35000999", password)
    assert response.headers["Location"].endswith("/compte/mot-de-passe")
    # Every other page leads back to the change form.
    for url in ("/", "/activite/claims-entry/", "/informations-personnelles/"):
        blocked = client.get(url)
        assert blocked.status_code == 302
        assert blocked.headers["Location"].endswith("/compte/mot-de-passe")
    form = client.get("/compte/mot-de-passe")
    body = text(form.text)
    assert "Vous vous êtes connecté(e) avec un mot de passe temporaire" in body
    assert "Aucune adresse électronique n'est connue pour vous" in body  # the invitation
    weak = client.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_token(form.text),
            "current": password,
            "new": "qwerty123456",
            "confirmation": "qwerty123456",
        },
    )
    assert any("plus courants" in m for m in console(weak.text))
    done = client.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_token(form.text),
            "current": password,
            "new": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
            "email": "Paul.Nouveau@Example.org",
        },
    )
    assert done.status_code == 302
    home = follow(client, done)
    assert "Votre mot de passe a été modifié." in console(home.text)
    assert "Votre identifiant figure en en-tête de votre convocation." in text(home.text)
    with app.app_context():
        agent = db.session.get(Agent, agent_id)
        assert agent.email_personal == "paul.nouveau@example.org"
        assert agent.user.email == "paul.nouveau@example.org"


def test_an_expired_temporary_password_is_refused(app, client, demo, frozen_clock):
    password = temporary_password_for(app, new_external(app))
    frozen_clock.advance(days=31)
    response = login(client, "EXT35000999", password)
    page = follow(client, response)
    assert "Votre mot de passe temporaire a expiré" in " ".join(console(page.text))
    assert client.get("/").status_code == 302


def test_a_change_needs_the_current_password_and_is_mailed(app, client, demo, smtp_server):
    login(client, "EXT35000123")
    form = client.get("/compte/mot-de-passe")
    refused = client.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_token(form.text),
            "current": "not the password",
            "new": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert "Le mot de passe actuel n'est pas correct." in console(refused.text)
    done = client.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_token(form.text),
            "current": "imagin-demo",
            "new": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "marc.legall@example.org"
    assert message["Subject"] == "IMAG'IN : votre mot de passe a été modifié"


# --- Forgotten password -------------------------------------------------------------------


def test_the_whole_reset_flow_through_a_real_smtp_server(app, client, demo, smtp_server, caplog):
    caplog.set_level(logging.DEBUG)
    page = client.get("/login/")
    assert "Mot de passe oublié ?" in text(page.text)
    forgot = client.get("/compte/mot-de-passe-oublie")
    asked = client.post(
        "/compte/mot-de-passe-oublie",
        data={"csrf_token": csrf_token(forgot.text), "identifier": "EXT35000123"},
    )
    assert asked.status_code == 302
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "marc.legall@example.org"
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://[^\s]+/compte/reinitialiser/[^\s]+", body).group(0)
    assert link.startswith(app.config["PUBLIC_URL"] + "/compte/reinitialiser/")
    path = link.removeprefix(app.config["PUBLIC_URL"])
    reset_page = client.get(path)
    assert reset_page.status_code == 200
    done = client.post(
        path,
        data={
            "csrf_token": csrf_token(reset_page.text),
            "new": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert done.status_code == 302
    assert "Votre mot de passe a été modifié : vous pouvez vous identifier." in console(
        follow(client, done).text
    )
    assert login(client, "EXT35000123", "imagin-demo").headers["Location"].startswith("/login")
    assert login(client, "EXT35000123", NEW_PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    # The link works once.
    other = app.test_client()
    reused = other.get(path)
    assert reused.status_code == 302
    assert "Ce lien n'est plus valide" in " ".join(console(follow(other, reused).text))
    # And a notice of the change was mailed too.
    assert smtp_server.wait_for(2)[1]["Subject"] == "IMAG'IN : votre mot de passe a été modifié"
    token = path.rsplit("/", 1)[-1]
    # The portal's log (the test's SMTP server, aiosmtpd's "mail.log", logs what it reads).
    logged = "\n".join(
        _logged(record) for record in caplog.records if not record.name.startswith("mail.")
    )
    assert token not in logged
    assert NEW_PASSWORD not in logged
    assert "imagin-demo" not in logged


def _logged(record) -> str:
    try:
        return record.getMessage()
    except Exception:  # a lazy argument that cannot be rendered any more (FAB's User)
        parts = []
        for arg in record.args if isinstance(record.args, tuple) else (record.args,):
            try:
                parts.append(repr(arg))
            except Exception:
                parts.append(type(arg).__name__)
        return f"{record.msg} {' '.join(parts)}"


def forgot_response(client, identifier):
    page = client.get("/compte/mot-de-passe-oublie")
    started = time.perf_counter()
    response = client.post(
        "/compte/mot-de-passe-oublie",
        data={"csrf_token": csrf_token(page.text), "identifier": identifier},
    )
    elapsed = time.perf_counter() - started
    landing = follow(client, response)
    return (response.status_code, response.headers["Location"], console(landing.text)), elapsed


def test_the_answer_is_the_same_whoever_asks(app, demo, smtp_server, no_ip_limit):
    with app.app_context():
        sm = app.appbuilder.sm
        sm.add_user(
            "sansmail",
            "A",
            "B",
            accounts.placeholder_email("sansmail"),
            sm.find_role("Intervenant extérieur"),
            "whatever pass phrase",
        )
    answers, times = {}, {}
    for identifier in ("EXT35000123", "sansmail", "personne-inconnue"):
        client = app.test_client()
        answers[identifier], _ = forgot_response(client, identifier)
        times[identifier] = [forgot_response(client, identifier)[1] for _ in range(5)]
    assert answers["EXT35000123"] == answers["sansmail"] == answers["personne-inconnue"]
    assert (
        "Si une adresse électronique est connue pour cet identifiant"
        in answers["EXT35000123"][2][0]
    )
    medians = {key: statistics.median(values) for key, values in times.items()}
    assert max(medians.values()) - min(medians.values()) < 0.1, medians


# --- Lockout ---------------------------------------------------------------------------------


@pytest.fixture
def no_ip_limit(app):
    """The per-IP rate limit would answer 429 first: this test is about the lockout."""
    limiter = app.appbuilder.sm.limiter
    limiter.enabled = False
    yield
    limiter.enabled = True


@pytest.mark.parametrize("identifier", ["enseignant", "inconnu-total"])
def test_ten_failures_lock_the_identifier_for_fifteen_minutes(
    app, client, demo, frozen_clock, no_ip_limit, identifier
):
    for _ in range(9):
        page = follow(client, login(client, identifier, "wrong password"))
        assert "Identifiant ou mot de passe incorrect." in console(page.text)
    page = follow(client, login(client, identifier, "wrong password"))
    lock = "Trop de tentatives infructueuses sur cet identifiant"
    assert any(lock in m for m in console(page.text))
    if identifier == "enseignant":
        page = follow(client, login(client, identifier, "imagin-demo"))  # right, but locked
        assert any(lock in m for m in console(page.text))
        assert client.get("/").status_code == 302
        frozen_clock.advance(minutes=16)
        assert login(client, identifier, "imagin-demo").headers["Location"] == "/"
        assert client.get("/").status_code == 200


# --- Sessions ---------------------------------------------------------------------------------


def test_the_session_ends_after_thirty_idle_minutes(app, client, demo, frozen_clock):
    login(client, "enseignant")
    frozen_clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # activity: the count starts again
    frozen_clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    frozen_clock.advance(minutes=31)
    ended = client.get("/")
    assert ended.status_code == 302
    assert "/login/" in ended.headers["Location"]
    assert "reason=idle" in ended.headers["Location"]
    page = follow(client, ended)
    # The login page says why (issue 18).
    assert "Votre session a pris fin après 30 minutes d&#39;inactivité" in page.text
    assert client.get("/").status_code == 302


def test_the_session_ends_after_twelve_hours_even_when_active(app, client, demo, frozen_clock):
    login(client, "enseignant")
    for _ in range(36):  # a request every 20 minutes for 12 hours
        frozen_clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    frozen_clock.advance(minutes=20)
    ended = client.get("/")
    assert ended.status_code == 302
    assert any("durée maximale" in m for m in console(follow(client, ended).text))


def test_keepalive_renews_the_idle_delay(app, client, demo, frozen_clock):
    login(client, "enseignant")
    token = csrf_token(client.get("/").text)
    frozen_clock.advance(minutes=26)
    assert client.post("/compte/prolonger", headers={"X-CSRFToken": token}).status_code == 204
    frozen_clock.advance(minutes=26)
    assert client.get("/").status_code == 200


def test_rester_connecte_renews_even_just_after_a_request(app, client, demo, frozen_clock):
    # The last activity is rewritten at most once a step; « Rester connecté » always
    # renews it, whatever the step (CI: the short delays of the browser test).
    login(client, "enseignant")
    token = csrf_token(client.get("/").text)
    frozen_clock.advance(seconds=20)
    assert client.post("/compte/prolonger", headers={"X-CSRFToken": token}).status_code == 204
    frozen_clock.advance(minutes=29, seconds=50)  # 30 min 10 s after the login
    assert client.get("/").status_code == 200


def test_a_short_idle_delay_is_renewed_by_activity(app, client, demo, frozen_clock, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 0.1)  # 6 seconds
    login(client, "enseignant")
    for _ in range(4):  # a page every 4 seconds: never 6 seconds idle
        frozen_clock.advance(seconds=4)
        assert client.get("/").status_code == 200
    frozen_clock.advance(seconds=7)
    assert client.get("/").status_code == 302


def test_an_old_cookie_no_longer_works_after_quitter(app, client, demo):
    login(client, "enseignant")
    assert client.get("/").status_code == 200
    old_cookie = client.get_cookie("imagin_session").value
    logout(client)
    thief = app.test_client()
    thief.set_cookie("imagin_session", old_cookie)
    assert thief.get("/").status_code == 302


def test_the_session_is_new_at_login(app, client, demo):
    client.get("/login/")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    login(client, "enseignant")
    with client.session_transaction() as after:
        assert "planted" not in after
        first_sid = after["imagin_sid"]
    logout(client)
    login(client, "enseignant")
    with client.session_transaction() as again:
        assert again["imagin_sid"] != first_sid


def test_a_password_change_ends_the_other_sessions(app, demo):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "enseignant")
    login(phone, "enseignant")
    form = laptop.get("/compte/mot-de-passe")
    laptop.post(
        "/compte/mot-de-passe",
        data={
            "csrf_token": csrf_token(form.text),
            "current": "imagin-demo",
            "new": NEW_PASSWORD,
            "confirmation": NEW_PASSWORD,
        },
    )
    assert laptop.get("/").status_code == 200  # the one who changed it goes on
    assert phone.get("/").status_code == 302  # the other one is out


def test_the_shell_carries_the_idle_warning(log_in, demo):
    page = log_in("enseignant").get("/")
    assert 'data-idle-minutes="30"' in page.text
    assert 'data-warning-minutes="5"' in page.text
    assert "Votre session va bientôt prendre fin" in text(page.text)


# --- Personal information ---------------------------------------------------------------------


def test_personal_information_is_edited_and_bank_details_are_read_only(app, log_in, demo):
    client = log_in("EXT35000123")
    page = client.get("/informations-personnelles/")
    body = text(page.text)
    assert (
        "Si vous avez besoin de modifier vos coordonnées bancaires, veuillez envoyer votre RIB au service de gestion"
        in body
    )
    assert "FR76 •••• •••• •••• •••• •••0 189" in body  # masked (tests/views/test_personal_data.py)
    assert "FR7630006000011234567890189" not in page.text
    assert 'name="iban"' not in page.text
    bad = client.post(
        "/informations-personnelles/",
        data={
            "csrf_token": csrf_token(page.text),
            "address_line1": "8 RUE NEUVE",
            "postcode": "14000",
            "town": "CAEN",
            "phone": "02 31 00 00 03",
            "email_personal": "pas-une-adresse",
            "iban": "FR1420041010050500013M02606",
        },
    )
    assert bad.status_code == 200
    assert "Cette adresse électronique n'est pas valide." in text(bad.text)
    assert 'value="8 RUE NEUVE"' in bad.text  # nothing typed is lost
    good = client.post(
        "/informations-personnelles/",
        data={
            "csrf_token": csrf_token(page.text),
            "address_line1": "8 RUE NEUVE",
            "postcode": "14000",
            "town": "CAEN",
            "phone": "02 31 00 00 03",
            "email_personal": "Marc@Example.org",
            "iban": "FR1420041010050500013M02606",
        },
    )
    assert good.status_code == 302
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
        assert (agent.town, agent.email_personal) == ("CAEN", "marc@example.org")
        assert agent.iban == "FR7630006000011234567890189"  # unchanged


def test_personal_information_is_closed_for_teachers_until_opened(log_in, demo):
    response = log_in("enseignant").get("/informations-personnelles/")
    assert response.status_code == 302  # closed for the teachers' service in the demo


# --- Managers ------------------------------------------------------------------------------------


def test_the_manager_mails_a_reset_link_only_when_an_address_is_known(app, demo, smtp_server):
    manager = app.test_client()
    login(manager, "gestionnaire")
    without = new_external(app)
    temporary_password_for(app, without)  # creates the account
    page = manager.get(f"/intervenants/compte/{without}")
    response = manager.post(
        f"/intervenants/compte/{without}/lien", data={"csrf_token": csrf_token(page.text)}
    )
    assert any(
        "Aucune adresse électronique n'est connue" in m
        for m in console(follow(manager, response).text)
    )
    with app.app_context():
        agent = db.session.get(Agent, without)
        agent.email_professional = "paul.nouveau@ac-rennes.fr"
        db.session.commit()
    response = manager.post(
        f"/intervenants/compte/{without}/lien", data={"csrf_token": csrf_token(page.text)}
    )
    assert any(
        "Un lien de réinitialisation a été envoyé à paul.nouveau@ac-rennes.fr" in m
        for m in console(follow(manager, response).text)
    )
    assert smtp_server.wait_for(1)[0]["To"] == "paul.nouveau@ac-rennes.fr"


def test_account_actions_are_for_managers_of_the_academy_only(app, log_in, demo):
    with app.app_context():
        agent_id = db.session.scalar(select(Agent.id).where(Agent.external_id == "EXT35000123"))
    assert log_in("enseignant").get(f"/intervenants/compte/{agent_id}").status_code == 403


def test_generated_accounts_get_the_external_role(app, demo):
    agent_id = new_external(app)
    temporary_password_for(app, agent_id)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "EXT35000999"))
        assert [role.name for role in user.roles] == ["Intervenant extérieur"]
        assert user.email == accounts.placeholder_email("EXT35000999")
