"""« Besoins en intervenants » as a manager sees it: the section on the mission page,
the needs page (unit, default load, convoked per quality), saving, refusing with a
French message next to the field and nothing typed lost; the session caps and the
own-students rule in the referential screens; nobody else reaches the needs page."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import AcademySettings, Mission, MissionNeed, MissionType
from models.enums import AssignmentQuality
from tests.conftest import csrf_token
from tests.views.helpers import console, text
from tests.views.test_inputs import field_errors, submit

HOME = "/missions-affectations/"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def mission_id(app, number):
    with app.app_context():
        return db.session.scalar(select(Mission.id).where(Mission.number == number))


def stored(app, mission):
    with app.app_context():
        return {
            (n.quality, n.places, n.load_per_agent)
            for n in db.session.scalars(
                select(MissionNeed).where(MissionNeed.mission_id == mission)
            )
        }


def section(html, title_id):
    match = re.search(rf'<section[^>]*aria-labelledby="{title_id}".*?</section>', html, re.S)
    assert match, title_id
    return text(match.group(0))


def test_the_mission_page_shows_the_needs_and_links_to_them(app, manager):
    mission = mission_id(app, 77824)
    page = manager.get(f"{HOME}{mission}")
    needs = section(page.text, "needs-title")
    assert "Besoins en intervenants" in needs
    assert "300 copies par défaut (type de mission)" in needs
    assert "CORRECTEUR 12 40 1" in needs  # quality, places, load, already convoked
    assert f'href="{HOME}{mission}/besoins"' in page.text
    assert 'href="/conflits-interets/"' in page.text
    # A mission without needs says what that means.
    other = manager.get(f"{HOME}{mission_id(app, 86373)}")
    assert "Aucun besoin n'est saisi" in section(other.text, "needs-title")


def test_the_needs_page_shows_the_unit_the_default_and_the_convoked(app, manager):
    mission = mission_id(app, 52525)  # ORAUX PROFESSIONNELS: 2 examiners, 1 professional
    page = manager.get(f"{HOME}{mission}/besoins")
    assert page.status_code == 200
    body = text(page.text)
    assert "Unité de charge candidats" in body
    assert "par défaut (type de mission)" in body
    assert "INTERROGATEUR : 2" in section(page.text, "convoked-title")
    assert "MEMBRE DE LA PROFESSION : 1" in section(page.text, "convoked-title")
    # Empty rows to add needs, each field labelled.
    assert 'id="f-quality-0"' in page.text and 'for="f-quality-0"' in page.text
    assert "Qualité (ligne 1)" in body


def test_save_needs_then_see_them(app, manager):
    mission = mission_id(app, 52525)
    url = f"{HOME}{mission}/besoins"
    response = submit(
        manager,
        url,
        {
            "quality-0": "EXAMINER",
            "places-0": "3",
            "load_per_agent-0": "",
            "quality-1": "PROFESSIONAL_MEMBER",
            "places-1": "1",
            "load_per_agent-1": "12",
            "quality-2": "",
            "places-2": "",
            "load_per_agent-2": "",
        },
    )
    assert response.status_code == 302
    page = manager.get(response.headers["Location"])
    assert "Les besoins de la mission sont enregistrés." in console(page.text)
    Q = AssignmentQuality
    assert stored(app, mission) == {(Q.EXAMINER, 3, None), (Q.PROFESSIONAL_MEMBER, 1, 12)}
    assert 'name="places-0" value="3"' in page.text


def test_a_wrong_row_is_shown_again_with_its_message_and_nothing_typed_is_lost(app, manager):
    mission = mission_id(app, 77824)
    before = stored(app, mission)
    response = submit(
        manager,
        f"{HOME}{mission}/besoins",
        {
            "quality-0": "CORRECTOR",
            "places-0": "12",
            "load_per_agent-0": "40",
            "quality-1": "CORRECTOR",
            "places-1": "1000",
            "load_per_agent-1": "abc",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert "Cette qualité figure déjà sur une autre ligne." in text(html)
    assert "Saisissez un nombre compris entre 1 et 999." in text(html)
    assert "Saisissez un nombre entier." in text(html)
    assert re.search(r'id="f-places-1"[^>]*aria-invalid="true"', html)
    assert 'value="1000"' in html and 'value="abc"' in html
    assert stored(app, mission) == before


def test_another_academys_mission_is_not_found(manager):
    assert manager.get(f"{HOME}999999/besoins").status_code == 404


@pytest.mark.parametrize("username", ["enseignant", "chef", "EXT35000123", "admin"])
def test_nobody_else_opens_or_saves_the_needs(app, log_in, demo, username):
    mission = mission_id(app, 77824)
    client = log_in(username)
    assert client.get(f"{HOME}{mission}/besoins").status_code in (302, 403)
    token = csrf_token(client.get("/").text) if username != "admin" else ""
    response = client.post(
        f"{HOME}{mission}/besoins",
        data={"csrf_token": token, "quality-0": "CORRECTOR", "places-0": "1"},
    )
    assert response.status_code in (302, 400, 403)
    assert stored(app, mission) == {(AssignmentQuality.CORRECTOR, 12, 40)}


def test_the_anonymous_go_to_the_login(app, client, demo):
    mission = mission_id(app, 77824)
    response = client.get(f"{HOME}{mission}/besoins")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_session_caps_are_bounded_in_the_academy_settings(app, manager):
    with app.app_context():
        settings = db.session.scalar(select(AcademySettings.id))
    url = f"/academysettingsmodelview/edit/{settings}"
    form = text(manager.get(url).text)
    for label in (
        "Copies au plus par intervenant et par session",
        "Candidats au plus par intervenant et par session",
        "Demi-journées au plus par intervenant et par session",
    ):
        assert label in form
    data = {
        "management_office_name": "DEC",
        "management_office_address": "RENNES",
        "session_max_copies": "0",
        "session_max_candidates": "100001",
        "session_max_half_days": "12",
    }
    response = submit(manager, url, data)
    assert response.status_code == 200
    bounds = "Le nombre doit être compris entre 1 et 100000."
    assert bounds in field_errors(response.text, "session_max_candidates")
    assert bounds in field_errors(response.text, "session_max_copies")
    response = submit(
        manager, url, data | {"session_max_copies": "500", "session_max_candidates": "80"}
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(AcademySettings, settings)
        assert (saved.session_max_copies, saved.session_max_candidates) == (500, 80)
        assert saved.session_max_half_days == 12


def test_the_own_students_rule_is_in_the_mission_types_screens(app, manager):
    label = "Interdit dans son établissement d'exercice (ses propres élèves)"
    assert label in text(manager.get("/missiontypemodelview/list/").text)
    with app.app_context():
        surv = db.session.scalar(select(MissionType.id).where(MissionType.code == "SURV"))
    assert label in text(manager.get(f"/missiontypemodelview/edit/{surv}").text)
