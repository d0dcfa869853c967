"""Account rules: passwords, temporary passwords, lockout, sessions, reset tokens."""

import datetime as dt

import pytest
from werkzeug.security import check_password_hash

from app.services import DomainError
from app.services.common import clock
from app.services.people import accounts

POLICY = accounts.Policy(
    idle=dt.timedelta(minutes=30),
    max_age=dt.timedelta(hours=12),
    temporary_valid=dt.timedelta(days=30),
    reset_valid=dt.timedelta(minutes=60),
    lockout_failures=10,
    lockout=dt.timedelta(minutes=15),
    hash_method="pbkdf2:sha256:1000",
)
T0 = dt.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def frozen(monkeypatch):
    """A clock the test moves: ``frozen.now``; ``frozen.advance(minutes=…)``."""

    class Frozen:
        now = T0

        def advance(self, **delta):
            self.now += dt.timedelta(**delta)

    state = Frozen()
    monkeypatch.setattr(clock, "now", lambda: state.now)
    return state


@pytest.fixture
def user(app_ctx, session):
    sm = app_ctx.appbuilder.sm
    return sm.add_user(
        "marc",
        "Marc",
        "Le Gall",
        "marc@example.org",
        sm.find_role("Intervenant extérieur"),
        "an old pass phrase",
    )


# --- Password rules ---------------------------------------------------------------------


PASSPHRASE_128 = ("cheval agrafe pile correct, " * 5)[:128]


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("x" * 11, False),
        ("correct horse battery staple", True),  # no composition rule
        ("cheval agrafe pile correct", True),
        ("une phrase de passe bien à moi", True),
        (PASSPHRASE_128, True),
        ("x" * 129, False),
        ("qwerty123456", False),  # in the shipped list of breached passwords
        ("QWERTY123456", False),  # whatever the case
        ("1q2w3e4r5t6y", False),
        # 12+ characters but predictable: refused by the strength estimate.
        ("123456789012", False),
        ("azertyuiopqs", False),
        ("motdepasse2024", False),
        ("Imagin-2026!!", False),
        ("aaaaaaaaaaab", False),
        ("é" * 12, False),
        ("x" * 128, False),
    ],
)
def test_password_rules(app_ctx, password, accepted):
    assert (accounts.password_problems(password) == []) is accepted


def test_a_password_equal_to_the_identifier_is_refused(app_ctx):
    assert accounts.password_problems("EXT35000123AB", username="ext35000123ab")


def test_the_identifier_repeated_is_refused(app_ctx):
    problems = accounts.password_problems("gestionnairegestionnaire", username="gestionnaire")
    assert [str(p) for p in problems] == [
        "Ce mot de passe est trop facile à deviner : il répète des caractères ou des mots "
        "(comme « aaa » ou « abcabc »). Choisissez une phrase de plusieurs mots que vous "
        "seul(e) pourriez imaginer."
    ]


def test_the_user_s_own_names_count_against_the_password(app_ctx):
    password = "GuillouAnne!!"
    assert accounts.password_problems(password) == []
    problems = accounts.password_problems(
        password, username="gestionnaire", user_inputs=["Anne", "Guillou", "Rennes"]
    )
    assert [str(p) for p in problems] == [
        "Ce mot de passe est trop facile à deviner : il reprend votre nom, votre identifiant, "
        "le nom du portail ou de l'académie. Choisissez une phrase de plusieurs mots que "
        "vous seul(e) pourriez imaginer."
    ]


def test_the_strength_message_is_french_and_helpful(app_ctx):
    (problem,) = accounts.password_problems("motdepasse2024")
    assert str(problem).startswith("Ce mot de passe est trop facile à deviner")
    assert "Choisissez une phrase de plusieurs mots" in str(problem)


def test_the_inputs_of_a_user_are_their_names_the_portal_and_the_academies(session, user):
    from models import Academy

    session.add(Academy(code="RENNES", name="Académie de Rennes"))
    session.flush()
    inputs = {value.lower() for value in accounts.password_inputs(session, user)}
    for expected in ("marc", "le gall", "marc@example.org", "imagin", "rennes"):
        assert expected in inputs


def test_change_requires_the_current_password(session, user):
    with pytest.raises(DomainError):
        accounts.change_password(
            session, user, "wrong one", "a new pass phrase!", "a new pass phrase!", POLICY
        )
    with pytest.raises(DomainError):
        accounts.change_password(session, user, "an old pass phrase", "short", "short", POLICY)
    with pytest.raises(DomainError):
        accounts.change_password(
            session, user, "an old pass phrase", "a new pass phrase!", "another one!!", POLICY
        )
    with pytest.raises(DomainError):
        accounts.change_password(
            session, user, "an old pass phrase", "an old pass phrase", "an old pass phrase", POLICY
        )


def test_a_change_sets_the_hash_and_ends_the_other_sessions(session, user, frozen):
    security = accounts.security_of(session, user)
    before = security.session_nonce
    accounts.change_password(
        session, user, "an old pass phrase", "a new pass phrase!", "a new pass phrase!", POLICY
    )
    assert check_password_hash(user.password, "a new pass phrase!")
    assert security.session_nonce != before
    assert security.password_changed_at == T0


# --- Temporary passwords ------------------------------------------------------------------


def test_a_temporary_password_must_be_changed_and_expires(session, user, frozen):
    password = accounts.issue_temporary_password(session, user, POLICY)
    assert len(password) == 14
    assert set(password) <= set(accounts.TEMPORARY_ALPHABET)
    assert check_password_hash(user.password, password)
    security = accounts.security_of(session, user)
    assert security.must_change_password
    assert security.temporary_password_expires_at == T0 + dt.timedelta(days=30)
    frozen.advance(days=30)
    assert not accounts.temporary_password_expired(security)
    frozen.advance(minutes=1)
    assert accounts.temporary_password_expired(security)
    accounts.change_password(
        session, user, password, "my own pass phrase", "my own pass phrase", POLICY
    )
    assert not security.must_change_password
    assert not accounts.temporary_password_expired(security)


def test_two_temporary_passwords_differ(session, user):
    assert accounts.issue_temporary_password(session, user, POLICY) != (
        accounts.issue_temporary_password(session, user, POLICY)
    )


# --- Lockout ---------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["marc", "nobody-at-all"])
def test_ten_failures_in_a_row_lock_an_identifier_for_fifteen_minutes(
    session, user, frozen, identifier
):
    for _ in range(9):
        assert accounts.record_failure(session, identifier, POLICY) is False
    assert not accounts.is_locked(session, identifier)
    assert accounts.record_failure(session, identifier, POLICY) is True
    assert accounts.is_locked(session, identifier.upper())  # identifiers ignore case
    frozen.advance(minutes=14, seconds=59)
    assert accounts.is_locked(session, identifier)
    frozen.advance(seconds=2)
    assert not accounts.is_locked(session, identifier)
    # The count starts again after the lock.
    assert accounts.record_failure(session, identifier, POLICY) is False


def test_a_success_resets_the_count(session, user, frozen):
    for _ in range(9):
        accounts.record_failure(session, "marc", POLICY)
    accounts.record_success(session, "marc")
    assert accounts.record_failure(session, "marc", POLICY) is False


# --- Sessions ---------------------------------------------------------------------------------


def test_session_checks(session, user, frozen):
    security = accounts.security_of(session, user)
    claims = accounts.session_claims(security)
    assert accounts.session_problem(claims, security, POLICY) is None
    frozen.advance(minutes=30)
    assert accounts.session_problem(claims, security, POLICY) is None
    frozen.advance(seconds=1)
    assert accounts.session_problem(claims, security, POLICY) == "idle"
    fresh = dict(claims, imagin_seen_at=frozen.now.isoformat())
    assert accounts.session_problem(fresh, security, POLICY) is None
    frozen.advance(hours=12)
    fresh = dict(claims, imagin_seen_at=frozen.now.isoformat())
    assert accounts.session_problem(fresh, security, POLICY) == "expired"
    accounts.end_all_sessions(security)
    assert accounts.session_problem(claims, security, POLICY) == "revoked"
    assert accounts.session_problem({}, security, POLICY) == "revoked"


def test_each_login_gets_a_new_session_id(session, user):
    security = accounts.security_of(session, user)
    assert (
        accounts.session_claims(security)["imagin_sid"]
        != (accounts.session_claims(security)["imagin_sid"])
    )


# --- Reset -------------------------------------------------------------------------------------


def test_a_reset_link_works_once(session, user, frozen):
    found = accounts.request_reset(session, "MARC", POLICY)
    assert found is not None
    _user, address, token = found
    assert address == "marc@example.org"
    accounts.reset_password(session, token, "brand new phrase!", "brand new phrase!", POLICY)
    assert check_password_hash(user.password, "brand new phrase!")
    with pytest.raises(DomainError):
        accounts.reset_password(session, token, "another phrase!!", "another phrase!!", POLICY)


def test_a_reset_link_expires_after_an_hour(session, user, frozen):
    _user, _address, token = accounts.request_reset(session, "marc", POLICY)
    frozen.advance(minutes=61)
    with pytest.raises(DomainError):
        accounts.check_reset_token(session, token)


def test_using_one_link_kills_the_others(session, user, frozen):
    first = accounts.request_reset(session, "marc", POLICY)[2]
    second = accounts.request_reset(session, "marc", POLICY)[2]
    accounts.reset_password(session, second, "brand new phrase!", "brand new phrase!", POLICY)
    with pytest.raises(DomainError):
        accounts.check_reset_token(session, first)


def test_no_link_for_an_unknown_identifier_or_an_account_without_e_mail(session, user, app_ctx):
    assert accounts.request_reset(session, "nobody", POLICY) is None
    sm = app_ctx.appbuilder.sm
    sm.add_user(
        "sansmail",
        "A",
        "B",
        accounts.placeholder_email("sansmail"),
        sm.find_role("Intervenant extérieur"),
        "whatever pass phrase",
    )
    assert accounts.request_reset(session, "sansmail", POLICY) is None


def test_only_a_hash_of_the_token_is_stored(session, user):
    from sqlalchemy import select

    from models import PasswordResetToken

    token = accounts.request_reset(session, "marc", POLICY)[2]
    stored = session.scalars(select(PasswordResetToken.token_hash)).all()
    assert token not in stored
    assert len(stored[0]) == 64
