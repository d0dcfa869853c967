"""The API clients' rules: the token is returned once and only its hash is kept; a
wrong value is refused with its field; authentication refuses unknown, malformed,
revoked and expired tokens alike; the last use is written at most once a minute."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.services import DomainError
from app.services.common import clock
from app.services.interfaces import clients
from models import Academy, ApiClient


@pytest.fixture
def academy_id(session):
    academy = Academy(code="TEST", name="Académie de test")
    session.add(academy)
    session.flush()
    return academy.id


def new(session, academy, **changes):
    values = {
        "academy_id": academy,
        "name": "SANTORIN",
        "scopes": ["corrections:ecrire", "missions:lire"],
        "expires_on": clock.today() + dt.timedelta(days=30),
        "by_user_id": None,
    } | changes
    return clients.create(session, **values)


def test_the_token_is_given_once_and_only_its_hash_is_kept(session, academy_id):
    created = new(session, academy_id)
    token, client = created.token, created.client
    assert token.startswith(f"imagin_{client.prefix}_")
    assert len(token.split("_", 2)[2]) == 43  # 32 random bytes
    stored = session.scalar(select(ApiClient))
    assert token not in (stored.token_hash, stored.prefix, stored.scopes, stored.name)
    assert stored.scopes == "missions:lire corrections:ecrire"  # the catalogue's order
    assert clients.authenticate(session, token) is stored
    other = new(session, academy_id).token
    assert other != token


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"academy_id": None}, "academy"),
        ({"academy_id": 999_999}, "academy"),
        ({"scopes": []}, "scopes"),
        ({"scopes": ["tout:faire"]}, "scopes"),
        ({"expires_on": None}, "expires_on"),
        ({"expires_on": dt.date(2000, 1, 1)}, "expires_on"),
        ({"expires_on": dt.date.today() + dt.timedelta(days=4 * 366)}, "expires_on"),
    ],
)
def test_a_wrong_value_is_refused_with_its_field(session, academy_id, changes, field):
    with pytest.raises(clients.FieldError) as refusal:
        new(session, academy_id, **changes)
    assert refusal.value.field == field
    assert session.scalar(select(ApiClient)) is None


def test_unknown_malformed_revoked_and_expired_tokens_are_refused(
    session, academy_id, frozen_clock
):
    created = new(session, academy_id, expires_on=clock.today() + dt.timedelta(days=1))
    token = created.token
    prefix = created.client.prefix
    for wrong in (
        None,
        "",
        "imagin",
        token + "x",
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the right prefix, a wrong secret
        f"imagin_{'0' * 12}_{token.split('_', 2)[2]}",  # a wrong prefix
        # The prefix in other letters (when it has letters: it may be all digits).
        *([token.replace(prefix, prefix.upper())] if prefix.upper() != prefix else []),
    ):
        assert clients.authenticate(session, wrong) is None, wrong
    assert clients.authenticate(session, token) is not None
    frozen_clock.advance(days=3)
    assert clients.authenticate(session, token) is None


def test_a_revoked_client_is_refused_and_cannot_be_revoked_twice(session, academy_id):
    created = new(session, academy_id)
    clients.revoke(session, created.client)
    assert clients.authenticate(session, created.token) is None
    with pytest.raises(DomainError):
        clients.revoke(session, created.client)


def test_the_last_use_is_written_at_most_once_a_minute(session, academy_id, frozen_clock):
    created = new(session, academy_id)
    clients.authenticate(session, created.token)
    first = created.client.last_used_at
    assert first == frozen_clock.now
    frozen_clock.advance(seconds=30)
    clients.authenticate(session, created.token)
    assert created.client.last_used_at == first
    frozen_clock.advance(seconds=31)
    clients.authenticate(session, created.token)
    assert created.client.last_used_at == frozen_clock.now


def test_every_model_row_is_scoped_to_its_academy(session, academy_id):
    from app.services.common import scope

    created = new(session, academy_id)
    assert scope.in_academy(session, ApiClient, academy_id, created.client.id) is created.client
    with pytest.raises(DomainError):
        scope.in_academy(session, ApiClient, academy_id + 1, created.client.id)
