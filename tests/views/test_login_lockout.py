"""Finding 6: the lockout counts per account whatever identifier is typed (username or
e-mail, any letter case); "Mot de passe oublié ?" is rate limited and takes the same
time whether the identifier is known or not."""

import pytest

from app.services.people import accounts
from tests.conftest import csrf_token, login
from tests.views.helpers import console

LOCK = "Trop de tentatives infructueuses sur cet identifiant"
TEACHER_EMAIL = "enseignant@example.org"


@pytest.fixture
def no_ip_limit(app):
    """The per-IP rate limit would answer 429 first: these tests are about the lockout."""
    limiter = app.appbuilder.sm.limiter
    limiter.enabled = False
    yield
    limiter.enabled = True


@pytest.fixture
def teacher_email(app, demo):
    """The demo teacher's account e-mail (FAB accepts it as login identifier)."""
    from sqlalchemy import select

    from app.extensions import db
    from models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "enseignant"))
        user.email = TEACHER_EMAIL
        db.session.commit()
    return TEACHER_EMAIL


def follow(client, response):
    return client.get(response.headers["Location"])


def fail_ten_times(client, identifier):
    for _ in range(10):
        login(client, identifier, "wrong password")


@pytest.mark.parametrize(
    ("failed_with", "then_with"),
    [
        ("enseignant", TEACHER_EMAIL),
        (TEACHER_EMAIL, "enseignant"),
        ("ENSEIGNANT", TEACHER_EMAIL),
        ("Enseignant", "enseignant"),
        (TEACHER_EMAIL.upper(), "enseignant"),
    ],
)
def test_a_locked_account_is_locked_under_every_identifier(
    app, client, teacher_email, frozen_clock, no_ip_limit, failed_with, then_with
):
    assert login(app.test_client(), then_with).headers["Location"] == "/"  # it works
    fail_ten_times(client, failed_with)
    page = follow(client, login(client, then_with, "imagin-demo"))
    assert any(LOCK in m for m in console(page.text))
    assert client.get("/").status_code == 302
    frozen_clock.advance(minutes=16)
    assert login(client, then_with).headers["Location"] == "/"


def test_failures_spread_over_the_aliases_add_up(app, client, teacher_email, no_ip_limit):
    for identifier in ["enseignant", TEACHER_EMAIL, "ENSEIGNANT", " enseignant "] * 3:
        login(client, identifier, "wrong password")
    page = follow(client, login(client, "enseignant", "imagin-demo"))
    assert any(LOCK in m for m in console(page.text))


def test_an_unknown_identifier_is_locked_whatever_its_case(app, client, demo, no_ip_limit):
    fail_ten_times(client, "Inconnu.Total")
    page = follow(client, login(client, "INCONNU.TOTAL", "wrong password"))
    assert any(LOCK in m for m in console(page.text))
    # Another account is not touched.
    assert login(app.test_client(), "enseignant").headers["Location"] == "/"


def test_a_success_clears_the_account_count_whatever_identifier_was_used(
    app, client, teacher_email, no_ip_limit
):
    for _ in range(9):
        login(client, TEACHER_EMAIL, "wrong password")
    assert login(client, "enseignant").headers["Location"] == "/"
    client.post("/logout/", data={"csrf_token": csrf_token(client.get("/").text)})
    for _ in range(9):
        login(client, TEACHER_EMAIL, "wrong password")
    assert login(client, TEACHER_EMAIL).headers["Location"] == "/"


def test_the_lockout_service_resolves_the_account(session, teacher_email):
    from flask import current_app

    policy = accounts.Policy.from_config(current_app.config)
    for _ in range(policy.lockout_failures):
        accounts.record_failure(session, TEACHER_EMAIL.upper(), policy)
    assert accounts.is_locked(session, "enseignant")
    assert accounts.is_locked(session, " Enseignant ")
    assert not accounts.is_locked(session, "gestionnaire")


# --- Forgotten password: rate limit and constant time ---------------------------------------


def ask_reset(client, identifier):
    page = client.get("/compte/mot-de-passe-oublie")
    return client.post(
        "/compte/mot-de-passe-oublie",
        data={"csrf_token": csrf_token(page.text), "identifier": identifier},
    )


def test_forgotten_password_is_rate_limited_per_address(app, demo, monkeypatch):
    monkeypatch.setitem(app.config, "FORGOT_RATE_LIMIT", "3 per minute")
    client = app.test_client()
    statuses = [ask_reset(client, f"personne-{i}").status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    refused = ask_reset(client, "EXT35000123")
    assert refused.status_code == 429
    assert any("Trop de tentatives" in m for m in console(refused.text))
    # The page itself, the login and the other account pages are not counted.
    assert client.get("/compte/mot-de-passe-oublie").status_code == 200
    assert login(client, "enseignant").headers["Location"] == "/"
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert ask_reset(other, "EXT35000123").status_code == 302


class FakeClock:
    """``time.monotonic`` and ``time.sleep`` of the timing floor, under the test's hand."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_forgotten_password_takes_the_same_time_known_or_not(app, demo, monkeypatch, no_ip_limit):
    from app.services.common import timing

    fake = FakeClock()
    monkeypatch.setattr(timing, "monotonic", fake.monotonic)
    monkeypatch.setattr(timing, "sleep", fake.sleep)
    monkeypatch.setitem(app.config, "FORGOT_MIN_SECONDS", 0.4)
    real_request_reset = accounts.request_reset

    def slow_when_known(session, identifier, policy):
        found = real_request_reset(session, identifier, policy)
        fake.now += 0.07 if found else 0.017  # what the probe measured
        return found

    monkeypatch.setattr(accounts, "request_reset", slow_when_known)
    durations, answers = {}, {}
    for identifier in ("EXT35000123", "personne-inconnue"):
        client = app.test_client()
        started = fake.now
        response = ask_reset(client, identifier)
        durations[identifier] = round(fake.now - started, 6)
        answers[identifier] = (response.headers["Location"], console(follow(client, response).text))
    assert durations == {"EXT35000123": 0.4, "personne-inconnue": 0.4}
    assert answers["EXT35000123"] == answers["personne-inconnue"]


def test_the_floor_is_not_padded_when_the_work_took_longer(monkeypatch):
    from app.services.common import timing

    fake = FakeClock()
    monkeypatch.setattr(timing, "monotonic", fake.monotonic)
    monkeypatch.setattr(timing, "sleep", fake.sleep)
    with timing.at_least(0.2):
        fake.now += 0.5
    assert fake.slept == []
    with timing.at_least(0.2):
        fake.now += 0.05
    assert fake.slept == [pytest.approx(0.15)]
