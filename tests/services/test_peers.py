"""The other académies read as peers: the administrator's settings (https only, the
token kept encrypted), the missions read from a peer's API (a real HTTP server on a
free port), the French message when it does not answer in time or answers an error,
the peers called at once, the cache and its expiry."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from app.services import NotFound
from app.services.interfaces import peers
from models import Academy
from tests.peer_stub import MISSION, PeerStub, page

TOKEN = "imagin_0123456789ab_" + "s" * 43


@pytest.fixture(autouse=True)
def _empty_cache():
    peers.CACHE.clear()
    yield
    peers.CACHE.clear()


@pytest.fixture
def stub():
    server = PeerStub()
    yield server
    server.close()


@pytest.fixture
def academies(session):
    rennes = Academy(code="RENNES", name="Rennes")
    nantes = Academy(code="NANTES", name="Nantes", portal_url="https://imagin.ac-nantes.fr")
    toulouse = Academy(code="TOULOUSE", name="Toulouse")
    session.add_all([rennes, nantes, toulouse])
    session.flush()
    return rennes, nantes, toulouse


def enable(session, academy, url, token=TOKEN):
    peers.configure(session, academy, api_url=url, token=token, enabled=True, allow_local_http=True)


def french(value) -> str:
    from flask_babel import force_locale

    with force_locale("fr"):
        return str(value)


# --- Configuration -----------------------------------------------------------------------


def test_the_token_is_stored_encrypted_and_an_empty_field_keeps_it(session, academies):
    _rennes, nantes, _toulouse = academies
    enable(session, nantes, "http://127.0.0.1:9/api/v1/")
    assert nantes.api_url == "http://127.0.0.1:9/api/v1"
    stored = session.execute(
        text("SELECT api_token FROM academy WHERE id = :id"), {"id": nantes.id}
    ).scalar()
    assert stored and TOKEN not in stored
    peers.configure(
        session, nantes, api_url=nantes.api_url, token="", enabled=False, allow_local_http=True
    )
    assert nantes.api_token == TOKEN and not nantes.peer_enabled
    assert french(peers.state_label(nantes)) == "Désactivée"
    peers.configure(
        session,
        nantes,
        api_url=nantes.api_url,
        token="",
        enabled=False,
        clear_token=True,
        allow_local_http=True,
    )
    assert nantes.api_token is None
    assert french(peers.state_label(nantes)) == "Non configurée"


@pytest.mark.parametrize(
    ("url", "local", "message"),
    [
        ("http://imagin.ac-nantes.fr/api/v1", True, "L'adresse doit commencer par https://."),
        ("http://127.0.0.1:8081/api/v1", False, "L'adresse doit commencer par https://."),
        ("ftp://imagin.ac-nantes.fr", True, "L'adresse doit commencer par https://."),
        ("https://user:pw@imagin.ac-nantes.fr/api/v1", True, "sans identifiant ni paramètre"),
        ("https://imagin.ac-nantes.fr/api/v1?x=1", True, "sans identifiant ni paramètre"),
    ],
)
def test_only_https_except_local_http_in_debug_and_tests(session, academies, url, local, message):
    with pytest.raises(peers.FieldError) as refused:
        peers.configure(
            session, academies[1], api_url=url, token=TOKEN, enabled=True, allow_local_http=local
        )
    assert refused.value.field == "api_url"
    assert message in french(refused.value)


def test_enabling_needs_an_address_and_a_token_of_imagin(session, academies):
    nantes = academies[1]
    url = "https://imagin.ac-nantes.fr/api/v1"
    for api_url, token, field in (("", TOKEN, "api_url"), (url, "", "token"), (url, "x", "token")):
        with pytest.raises(peers.FieldError) as refused:
            peers.configure(session, nantes, api_url=api_url, token=token, enabled=True)
        assert refused.value.field == field
    peers.configure(session, nantes, api_url=url, token=TOKEN, enabled=True)
    assert nantes.peer_enabled


def test_the_served_academy_is_not_a_peer(session, academies):
    rennes, nantes, toulouse = academies
    assert peers.peers(session, rennes.id) == [nantes, toulouse]
    with pytest.raises(NotFound):
        peers.peer(session, rennes.id, rennes.id)
    assert peers.peer(session, rennes.id, nantes.id) is nantes


# --- Reading the missions ----------------------------------------------------------------


def test_the_missions_of_the_agent_are_read_with_the_token(session, academies, stub):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    [result] = peers.agent_missions(session, rennes.id, "35E0000001ENS", timeout=2)
    assert not result.failed and result.name == "Nantes"
    [mission] = result.missions
    assert mission.number == 320001 and mission.exam == MISSION["exam"]
    assert mission.centre == "LPO LIVET NANTES (0440288Z)"
    assert mission.quality == "MEMBRE DU JURY"
    assert mission.correction_state == "A corriger dans SANTORIN"
    assert mission.first_day.isoformat() == "2026-11-26"
    path, authorization = stub.requests[0]
    assert path.startswith("/api/v1/agents/35E0000001ENS/missions?page=1&page_size=100")
    assert authorization == f"Bearer {TOKEN}"


def test_a_disabled_peer_or_an_agent_without_numen_calls_nobody(session, academies, stub):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    assert peers.agent_missions(session, rennes.id, None) == []
    nantes.peer_enabled = False
    assert peers.agent_missions(session, rennes.id, "35E0000001ENS") == []
    assert stub.requests == []


def test_a_peer_that_does_not_answer_in_time_gives_a_french_message(session, academies, stub):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    stub.delay = 2
    started = time.monotonic()
    [result] = peers.agent_missions(session, rennes.id, "35E0000001ENS", timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert result.failed and result.missions == ()
    assert french(result.error) == (
        "L'académie de Nantes ne répond pas : ses missions ne peuvent pas être affichées pour "
        "le moment. Réessayez dans quelques minutes."
    )


def test_a_stopped_peer_gives_the_same_message(session, academies, stub):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    stub.close()
    [result] = peers.agent_missions(session, rennes.id, "35E0000001ENS", timeout=1)
    assert "ne répond pas" in french(result.error)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (500, {"detail": "boom"}, "a répondu par une erreur (500)"),
        (401, {"detail": "jeton"}, "a refusé l'accès du portail"),
        (200, b"<html>not json</html>", "une réponse illisible"),
        (200, {"items": "nope"}, "une réponse illisible"),
    ],
)
def test_an_error_of_the_peer_gives_a_french_message(
    session, academies, stub, status, body, message
):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    stub.status, stub.body = status, body
    [result] = peers.agent_missions(session, rennes.id, "35E0000001ENS", timeout=2)
    assert result.failed and message in french(result.error)


def test_the_peers_are_called_at_once(session, academies, stub):
    rennes, nantes, toulouse = academies
    other = PeerStub()
    try:
        enable(session, nantes, stub.url)
        enable(session, toulouse, other.url)
        stub.delay = other.delay = 0.6
        started = time.monotonic()
        results = peers.agent_missions(session, rennes.id, "35E0000001ENS", timeout=3)
        assert time.monotonic() - started < 1.1  # not 1.2 s, one after the other
        assert [r.name for r in results] == ["Nantes", "Toulouse"]
        assert not any(r.failed for r in results)
    finally:
        other.close()


def test_pages_are_followed_up_to_the_bound(session, academies, stub):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    stub.body = page([MISSION], next_link="/next")
    [result] = peers.agent_missions(session, rennes.id, "35E0000001ENS", timeout=2)
    assert len(result.missions) == peers.MAX_PAGES == len(stub.requests)


def test_an_answer_is_cached_until_it_expires(session, academies, stub, monkeypatch):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    now = [1000.0]
    monkeypatch.setattr(peers.time, "monotonic", lambda: now[0])
    for _ in range(3):
        peers.agent_missions(session, rennes.id, "35E0000001ENS", cache_seconds=120)
    assert len(stub.requests) == 1
    now[0] += 119
    peers.agent_missions(session, rennes.id, "35E0000001ENS", cache_seconds=120)
    assert len(stub.requests) == 1
    now[0] += 2
    peers.agent_missions(session, rennes.id, "35E0000001ENS", cache_seconds=120)
    assert len(stub.requests) == 2
    # Another agent, or a new token, is another entry.
    peers.agent_missions(session, rennes.id, "35E0000002ENS", cache_seconds=120)
    enable(session, nantes, stub.url, token="imagin_ba9876543210_" + "t" * 43)
    peers.agent_missions(session, rennes.id, "35E0000001ENS", cache_seconds=120)
    assert len(stub.requests) == 4


def test_a_failure_is_kept_a_short_time_only(session, academies, stub, monkeypatch):
    rennes, nantes, _toulouse = academies
    enable(session, nantes, stub.url)
    stub.status = 503
    now = [1000.0]
    monkeypatch.setattr(peers.time, "monotonic", lambda: now[0])
    assert peers.agent_missions(session, rennes.id, "35E0000001ENS")[0].failed
    now[0] += peers.FAILURE_SECONDS + 1
    stub.status = 200
    assert not peers.agent_missions(session, rennes.id, "35E0000001ENS")[0].failed


def test_the_tabs_show_the_academies_where_the_agent_has_missions(session, academies, stub):
    rennes, nantes, toulouse = academies
    empty = PeerStub()
    try:
        enable(session, nantes, stub.url)
        enable(session, toulouse, empty.url)
        empty.body = page([])
        tabs = peers.academy_tabs(session, rennes, "35E0000001ENS", None)
        assert [(t.code, french(t.label), t.current) for t in tabs.tabs] == [
            ("", "Académie de Rennes", True),
            ("NANTES", "Académie de Nantes", False),
        ]
        assert tabs.shown and tabs.selected is None
        chosen = peers.academy_tabs(session, rennes, "35E0000001ENS", "NANTES")
        assert chosen.selected.code == "NANTES" and chosen.tabs[1].current
        assert peers.academy_tabs(session, rennes, "35E0000001ENS", "TOULOUSE").selected is None
    finally:
        empty.close()


def test_the_tokens_are_reencrypted_by_the_key_rotation(session, academies):
    from cryptography.fernet import Fernet

    from app import crypto

    nantes = academies[1]
    enable(session, nantes, "https://imagin.ac-nantes.fr/api/v1")
    new_key = Fernet.generate_key().decode()
    crypto.configure([new_key, crypto.DEVELOPMENT_KEY])
    try:
        assert peers.rotate_tokens(session) == 1
        crypto.configure([new_key])
        stored = session.execute(
            text("SELECT api_token FROM academy WHERE id = :id"), {"id": nantes.id}
        ).scalar()
        assert crypto.decrypt(stored) == TOKEN
    finally:
        crypto.configure([crypto.DEVELOPMENT_KEY])
