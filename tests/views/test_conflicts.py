"""« Conflits d'intérêts » as a manager sees it: the académie's recorded conflicts
with a keyword filter, recording one (French messages next to the fields, nothing typed
lost), deleting one after a confirmation; another académie's is not found; nobody but
the managers reaches it; a conflicted agent is neither a candidate nor convoked on the
mission page."""

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models import Academy, Agent, AssignmentConflict, Establishment, Mission
from models.enums import EstablishmentCategory, LodgingZone
from tests.conftest import csrf_token
from tests.views.helpers import console, text
from tests.views.test_claims import list_rows
from tests.views.test_inputs import submit

HOME = "/conflits-interets/"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(AssignmentConflict.id)))


def demo_conflict(app):
    with app.app_context():
        return db.session.scalar(select(AssignmentConflict.id))


def test_the_list_shows_the_demo_conflict_and_filters_by_keyword(manager):
    page = manager.get(HOME)
    assert page.status_code == 200
    rows = list_rows(page.text)
    assert len(rows) == 1
    assert rows[0][:5] == [
        "GOURVES Erwan",
        "35E0000008ENS",
        "Mission N° 340001",
        "Son fils passe l'épreuve dans ce centre d'examen.",
        "Anne Guillou",
    ]
    assert "Enregistrer un conflit d'intérêts" in text(page.text)
    assert list_rows(manager.get(HOME + "?q=340001").text)[0][0] == "GOURVES Erwan"
    assert list_rows(manager.get(HOME + "?q=zzzz").text) == [["Aucune ligne ne correspond."]]


def test_record_a_conflict_with_a_centre(app, manager):
    response = submit(
        manager,
        HOME + "ajouter",
        {
            "agent": "ext35000123",
            "centre": "0350024l",
            "mission": "",
            "reason": "Son épouse y enseigne",
        },
    )
    assert response.status_code == 302
    page = manager.get(response.headers["Location"])
    assert any(
        "Le conflit d'intérêts de LE GALL Marc est enregistré" in m and "0350024L" in m
        for m in console(page.text)
    )
    assert count(app) == 2


def test_a_wrong_form_is_shown_again_with_french_messages_and_nothing_typed_lost(app, manager):
    response = submit(
        manager,
        HOME + "ajouter",
        {"agent": "INCONNU42", "centre": "0350024L", "mission": "77824", "reason": "Motif gardé"},
    )
    assert response.status_code == 422
    html = response.text
    body = text(html)
    assert "Aucun intervenant de votre académie n'a ce numen ou cet identifiant." in body
    assert "Indiquez soit un centre d'examen, soit un numéro de mission, pas les deux." in body
    assert re.search(r'id="f-agent"[^>]*aria-invalid="true"', html)
    assert 'value="INCONNU42"' in html and 'value="77824"' in html and "Motif gardé" in html
    assert count(app) == 1


def test_delete_after_a_confirmation(app, manager):
    conflict = demo_conflict(app)
    url = f"{HOME}{conflict}/supprimer"
    page = manager.get(url)
    assert "Supprimer ce conflit d'intérêts ?" in text(page.text)
    assert count(app) == 1
    response = manager.post(url, data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert "Le conflit d'intérêts de GOURVES Erwan est supprimé." in console(
        manager.get(response.headers["Location"]).text
    )
    assert count(app) == 0


def test_a_delete_without_its_token_deletes_nothing(app, manager):
    response = manager.post(f"{HOME}{demo_conflict(app)}/supprimer", data={})
    assert response.status_code in (302, 400)
    assert count(app) == 1


def test_another_academys_conflict_is_not_found(app, manager):
    with app.app_context():
        nantes = db.session.scalar(select(Academy).where(Academy.code == "NANTES"))
        nantes = nantes or Academy(code="NANTES", name="Nantes")
        centre = Establishment(
            uai="0449999Z",
            name="LYCEE DE NANTES",
            category=EstablishmentCategory.LPO,
            academy=nantes,
            postcode="44000",
            town="NANTES",
            lodging_zone=LodgingZone.STANDARD,
        )
        gourves = db.session.scalar(select(Agent).where(Agent.numen == "35E0000008ENS"))
        db.session.add_all([nantes, centre])
        db.session.flush()
        other = AssignmentConflict(
            academy_id=nantes.id, agent=gourves, establishment=centre, reason="Ailleurs"
        )
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    assert manager.get(f"{HOME}{other_id}/supprimer").status_code == 404
    page = manager.get(HOME + "?q=ailleurs")
    assert list_rows(page.text) == [["Aucune ligne ne correspond."]]
    token = csrf_token(manager.get(HOME).text)
    assert (
        manager.post(f"{HOME}{other_id}/supprimer", data={"csrf_token": token}).status_code == 404
    )
    assert count(app) == 2


@pytest.mark.parametrize("username", ["enseignant", "chef", "EXT35000123", "admin"])
def test_nobody_else_reaches_the_conflicts(app, log_in, demo, username):
    client = log_in(username)
    for url in (HOME, HOME + "ajouter", f"{HOME}{demo_conflict(app)}/supprimer"):
        assert client.get(url).status_code in (302, 403), url
    token = csrf_token(client.get("/").text)
    response = client.post(f"{HOME}{demo_conflict(app)}/supprimer", data={"csrf_token": token})
    assert response.status_code in (302, 403)
    response = client.post(
        HOME + "ajouter",
        data={"csrf_token": token, "agent": "EXT35000123", "centre": "0350024L", "reason": "x"},
    )
    assert response.status_code in (302, 403)
    assert count(app) == 1


def test_the_anonymous_go_to_the_login(client, demo):
    for url in (HOME, HOME + "ajouter"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_conflicted_agent_is_no_candidate_and_cannot_be_convoked(app, manager):
    with app.app_context():
        mission = db.session.scalar(select(Mission.id).where(Mission.number == 77286))
        agent = db.session.scalar(select(Agent).where(Agent.numen == "35E0000004ENS"))
        agent_id, name = agent.id, agent.last_name
    url = f"/missions-affectations/{mission}"
    candidates = lambda: [  # noqa: E731
        row[0]
        for row in list_rows(
            re.search(
                r'id="candidates".*?</table>', manager.get(url + "?c_per_page=100").text, re.S
            ).group(0)
        )
    ]
    assert any(name in cell for cell in candidates())
    response = submit(
        manager,
        HOME + "ajouter",
        {"agent": "35E0000004ENS", "mission": "77286", "reason": "Parent d'un candidat"},
    )
    assert response.status_code == 302
    assert not any(name in cell for cell in candidates())
    token = csrf_token(manager.get(url).text)
    response = manager.post(
        f"{url}/convoquer", data={"csrf_token": token, "agent_id": str(agent_id)}
    )
    page = manager.get(response.headers["Location"])
    assert any("conflit d'intérêts" in m and name in m for m in console(page.text))


def test_the_needs_page_offers_a_conflict_for_its_mission_prefilled(app, manager):
    with app.app_context():
        mission = db.session.scalar(select(Mission.id).where(Mission.number == 340001))
    page = manager.get(f"/missions-affectations/{mission}/besoins")
    assert "GOURVES Erwan (35E0000008ENS) — Son fils passe l'épreuve" in text(page.text)
    assert 'href="/conflits-interets/ajouter?mission=340001"' in page.text
    form = manager.get(HOME + "ajouter?mission=340001")
    assert re.search(r'id="f-mission"[^>]*value="340001"', form.text)
