"""Other académies as users see them: the administrator's « Académies extérieures »
screen (nobody else gets in), the teacher's tabs in Consultation missions with the
peer's list or its French message, and the claims list's banner of links opening the
other académie in a new window."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.interfaces import peers
from models import Academy
from tests.conftest import csrf_token, login
from tests.peer_stub import PeerStub
from tests.views.helpers import console, text

HOME = "/administration/academies-exterieures/"
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


def academy_id(app, code: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Academy.id).where(Academy.code == code))
        db.session.remove()
    return found


def point_nantes_to(app, url: str, token: str = TOKEN) -> None:
    from app.transaction import unit_of_work

    with app.app_context(), unit_of_work(db.session) as session:
        nantes = session.scalar(select(Academy).where(Academy.code == "NANTES"))
        peers.configure(
            session, nantes, api_url=url, token=token, enabled=True, allow_local_http=True
        )


# --- The administrator's screen -------------------------------------------------------------


def test_the_administrator_configures_a_peer(app, demo, log_in):
    admin = log_in("admin")
    page = admin.get(HOME)
    assert page.status_code == 200
    shown = text(page.text)
    assert "Nantes (NANTES)" in shown and "Toulouse (TOULOUSE)" in shown
    assert "Rennes (RENNES)" not in shown
    assert "http://127.0.0.1:8081/api/v1" in shown and "Activée" in shown
    toulouse = f"{HOME}{academy_id(app, 'TOULOUSE')}"
    form = admin.get(toulouse)
    assert "Aucun jeton n'est enregistré." in text(form.text)
    assert "ACADÉMIE DE RENNES" in text(form.text)  # the header keeps the served académie
    data = {"csrf_token": csrf_token(form.text), "api_url": "http://imagin.ac-toulouse.fr"}
    refused = admin.post(toulouse, data=data | {"token": TOKEN, "enabled": "1"})
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert "L'adresse doit commencer par https://." in text(refused.text)
    assert 'value="http://imagin.ac-toulouse.fr"' in refused.text  # nothing typed lost
    saved = admin.post(
        toulouse,
        data=data
        | {"api_url": "https://imagin.ac-toulouse.fr/api/v1", "token": TOKEN, "enabled": "1"},
    )
    assert saved.status_code == 302
    listing = admin.get(HOME)
    assert "L'académie de Toulouse est enregistrée." in console(listing.text)
    assert "https://imagin.ac-toulouse.fr/api/v1" in text(listing.text)
    assert TOKEN not in admin.get(toulouse).text  # never shown again


def test_the_served_academy_and_an_unknown_one_are_not_found(app, demo, log_in):
    admin = log_in("admin")
    assert admin.get(f"{HOME}{academy_id(app, 'RENNES')}").status_code == 404
    assert admin.get(f"{HOME}999999").status_code == 404


@pytest.mark.parametrize("username", ["enseignant", "chef", "gestionnaire", "EXT35000123", None])
def test_nobody_else_opens_the_screen(app, demo, username):
    client = app.test_client()
    if username:
        assert login(client, username).status_code == 302
    nantes = f"{HOME}{academy_id(app, 'NANTES')}"
    for url in (HOME, nantes):
        response = client.get(url)
        assert response.status_code in (302, 403, 404)
        assert "Académies extérieures" not in text(response.text)


# --- The teacher's tabs ---------------------------------------------------------------------


def test_the_teacher_sees_a_tab_per_academy_where_she_has_missions(app, demo, log_in, stub):
    point_nantes_to(app, stub.url)
    teacher = log_in("enseignant")
    page = teacher.get("/missions/")
    shown = text(page.text)
    assert "Pour afficher les missions des académies extérieures" in shown
    assert 'href="/missions/?academie=NANTES"' in page.text
    assert 'aria-current="page">Académie de Rennes' in page.text
    tab = teacher.get("/missions/?academie=NANTES")
    assert tab.status_code == 200
    shown = text(tab.text)
    assert "Liste des missions de l'académie de Nantes (1 ligne)" in shown
    for value in (
        "VALIDATION DES THEMES",
        "320001",
        "LPO LIVET NANTES (0440288Z)",
        "MEMBRE DU JURY",
    ):
        assert value in shown
    assert "A corriger dans SANTORIN" in shown and "Etat correction" in shown
    assert 'aria-current="page">Académie de Nantes' in tab.text
    assert "nouvelle fenêtre" in shown  # the link to the peer's portal
    # The keyword filter works on the peer's list too.
    assert "(0 ligne)" in text(teacher.get("/missions/?academie=NANTES&q=zzzz").text)


def test_the_access_portal_has_the_same_tabs(app, demo, log_in, stub):
    # Seed 001 §2.3.1: the access portal shows the other académies' missions too.
    point_nantes_to(app, stub.url)
    teacher = log_in("enseignant")
    page = teacher.get("/portail/missions/")
    assert 'href="/portail/missions/?academie=NANTES"' in page.text
    assert 'aria-current="page">Académie de Rennes' in page.text
    tab = teacher.get("/portail/missions/?academie=NANTES")
    assert tab.status_code == 200
    shown = text(tab.text)
    assert "Liste des missions de l'académie de Nantes (1 ligne)" in shown
    assert "320001" in shown and "A corriger dans SANTORIN" in shown
    assert "nouvelle fenêtre" in shown
    assert "/portail/missions/" in tab.text and "/acces" not in tab.text  # no local access


def test_the_access_portal_says_when_a_peer_fails(app, demo, log_in, stub):
    point_nantes_to(app, stub.url)
    stub.status = 500
    teacher = log_in("enseignant")
    failed = teacher.get("/portail/missions/?academie=NANTES")
    assert failed.status_code == 200
    assert "ses missions ne peuvent pas être affichées" in text(failed.text)


def test_a_peer_that_fails_shows_the_french_message_in_its_tab(app, demo, log_in, stub):
    point_nantes_to(app, stub.url)
    stub.status = 500
    teacher = log_in("enseignant")
    page = teacher.get("/missions/")
    assert page.status_code == 200
    assert "(ne répond pas)" in text(page.text)
    tab = teacher.get("/missions/?academie=NANTES")
    assert tab.status_code == 200
    assert (
        "L'académie de Nantes a répondu par une erreur (500) : ses missions ne peuvent pas être "
        "affichées pour le moment." in text(tab.text)
    )
    # The teacher's own list is one click away.
    assert "Liste des missions" in text(teacher.get("/missions/").text)


def test_no_tab_without_missions_elsewhere_and_an_unknown_tab_is_the_own_list(
    app, demo, log_in, stub
):
    from tests.peer_stub import page

    point_nantes_to(app, stub.url)
    stub.body = page([])
    teacher = log_in("enseignant")
    shown = text(teacher.get("/missions/?academie=TOULOUSE").text)
    assert "Académie de Nantes" not in shown and "onglet" not in shown
    assert "Liste des missions (" in shown


def test_the_claims_banner_opens_the_other_academy_in_a_new_window(app, demo, log_in):
    from tests.views.test_claims import accept

    teacher = log_in("enseignant")
    accept(teacher)
    page = teacher.get("/etats-de-frais/")
    assert page.status_code == 200
    assert 'target="_blank"' in page.text
    assert "Académie de Nantes (nouvelle fenêtre)" in text(page.text)
