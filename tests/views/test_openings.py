"""Opening and closing activities: greyed menu entry, refused URL, the admin screen."""

import re

from sqlalchemy import select

from app.extensions import db
from models import Activity, ActivityOpening
from models.enums import Service
from tests.conftest import csrf_token
from tests.views.helpers import console, menu_entries, text


def opening_id(app, code, service):
    with app.app_context():
        return db.session.scalar(
            select(ActivityOpening.id)
            .join(Activity)
            .where(Activity.code == code, ActivityOpening.service == service)
        )


def set_open(client, app, code, service, is_open):
    url = f"/ouverture-activites/{opening_id(app, code, service)}"
    page = client.get(url)
    return client.post(
        url, data={"is_open": "1" if is_open else "0", "csrf_token": csrf_token(page.text)}
    )


def test_a_closed_activity_is_greyed_and_its_url_answers_with_a_console_message(app, log_in, demo):
    client = log_in("enseignant")
    assert ("Informations personnelles", False) in menu_entries(client.get("/").text)
    response = client.get("/informations-personnelles/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    assert any(
        "L'activité « Informations personnelles » est fermée pour votre service" in m
        for m in console(page.text)
    )


def test_the_manager_closes_an_activity_for_teachers_and_reopens_it(app, client, demo):
    from tests.conftest import login

    login(client, "gestionnaire")
    response = set_open(client, app, "claims_entry", Service.TEACHER, False)
    assert response.status_code == 302
    listing = client.get(response.headers["Location"])
    assert any("désormais fermée" in m for m in console(listing.text))

    teacher = app.test_client()
    login(teacher, "enseignant")
    assert ("Saisie état de frais mission", False) in menu_entries(teacher.get("/").text)
    assert teacher.get("/etats-de-frais/").status_code == 302
    # External contributors keep it: openings are per service.
    external = app.test_client()
    login(external, "EXT35000123")
    assert external.get("/etats-de-frais/").status_code == 200

    set_open(client, app, "claims_entry", Service.TEACHER, True)
    assert ("Saisie état de frais mission", True) in menu_entries(teacher.get("/").text)
    assert teacher.get("/etats-de-frais/").status_code == 200


def test_the_manager_cannot_touch_the_managers_own_openings(app, log_in, demo):
    client = log_in("gestionnaire")
    own = opening_id(app, "dashboard", Service.MANAGER)
    assert client.get(f"/ouverture-activites/{own}").status_code == 404
    page = client.get("/ouverture-activites/")
    token = csrf_token(page.text)
    assert (
        client.post(
            f"/ouverture-activites/{own}", data={"is_open": "0", "csrf_token": token}
        ).status_code
        == 404
    )


def test_the_admin_cannot_close_the_opening_screen_itself(app, log_in, demo):
    client = log_in("admin")
    response = set_open(client, app, "activity_openings", Service.MANAGER, False)
    assert response.status_code == 200
    assert any("ne peut pas être fermée" in m for m in console(response.text))


def test_the_opening_list_uses_the_list_component(log_in, demo):
    client = log_in("gestionnaire")
    page = client.get("/ouverture-activites/?q=exterieur&sort=activity&dir=desc")
    body = text(page.text)
    assert "Page 1 / 1 (9 lignes)" in body  # the external contributor's activities
    rows = re.findall(r'<tr data-href="(/ouverture-activites/\d+)"', page.text)
    assert len(rows) == 9
    assert "▼" in page.text
    # The list alone, as list.js asks for it while one types.
    fragment = client.get(
        "/ouverture-activites/?q=informations", headers={"X-Imagin-Fragment": "openings"}
    )
    assert fragment.text.lstrip().startswith('<div class="imagin-list-component"')
    assert "(2 lignes)" in text(fragment.text)
    assert "<header" not in fragment.text
