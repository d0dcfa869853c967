"""The access portal as each user sees it (issue 16): the list of missions with their
« Etat correction », the click that leads to the application (or the console error),
the activities kept for the people they concern, the administrator's applications."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Agent, Application, ApplicationAccess, Assignment, Mission
from tests.conftest import csrf_token, login
from tests.views.helpers import console, current_entry, menu_entries, text

LIST = "/portail/missions/"
ENTRIES = {
    "eps_management": "/portail/epreuves-eps/",
    "jury_portal": "/portail/deliberation-jury/",
    "subjects": "/portail/sujets/",
    "national_statistics": "/portail/statistiques-notation/",
}
CONCERNED = {
    "eps_management": "enseignant-eps",
    "jury_portal": "EXT35000123",
    "subjects": "inspecteur",
    "national_statistics": "inspecteur",
}


def assignment_id(app, number, numen=None, external_id=None):
    with app.app_context():
        agent = db.session.scalar(
            select(Agent.id).filter_by(
                **({"numen": numen} if numen else {"external_id": external_id})
            )
        )
        return db.session.scalar(
            select(Assignment.id)
            .join(Mission)
            .where(Assignment.agent_id == agent, Mission.number == number)
        )


def set_application(app, code, **values):
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.code == code))
        for name, value in values.items():
            setattr(application, name, value)
        db.session.commit()


def test_the_teacher_sees_her_missions_with_the_seeds_columns(app, log_in, demo):
    client = log_in("enseignant")
    page = client.get(LIST)
    assert page.status_code == 200
    assert current_entry(page.text) == "Portail d'accès aux missions"
    body = text(page.text)
    for label in (
        "Examen",
        "Spécialité",
        "Epreuve-option",
        "Type de mission",
        "N° de mission",
        "Début de mission",
        "Etat correction",
        "A corriger dans SANTORIN",
        "A numériser dans SANTORIN",
        "Service fait SANTORIN",
        "Service fait",
    ):
        assert label in body
    assert "77742" not in body  # ended 120 days ago
    assert "Bientôt disponible" not in body
    # A row opens the application through the portal route; a mission opening none has no link.
    link = f'data-href="/portail/missions/{assignment_id(app, 86373, numen="35E0000001MPC")}/acces"'
    assert link in page.text
    assert (
        f"/portail/missions/{assignment_id(app, 52525, numen='35E0000001MPC')}/acces"
        not in page.text
    )
    filtered = text(client.get(LIST + "?q=numériser").text)
    assert "Page 1 / 1 (1 ligne)" in filtered


def test_a_click_records_the_access_and_leads_to_santorin(app, log_in, demo):
    client = log_in("enseignant")
    response = client.get(
        f"/portail/missions/{assignment_id(app, 86373, numen='35E0000001MPC')}/acces"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "https://santorin.ac-rennes.fr/correcteur?mission=86373"
    with app.app_context():
        access = db.session.scalar(select(ApplicationAccess))
        assert access.application.code == "SANTORIN" and access.activity == "missions_portal"


def test_another_agents_mission_is_a_404(app, log_in, demo):
    client = log_in("enseignant")
    theirs = assignment_id(app, 86373, external_id="EXT35000123")
    assert client.get(f"/portail/missions/{theirs}/acces").status_code == 404
    assert client.get("/portail/missions/99999999999/acces").status_code == 404


def test_an_unavailable_application_gives_the_console_error(app, log_in, demo):
    set_application(app, "SANTORIN", available=False, maintenance_message="Retour à 14 h.")
    client = log_in("enseignant")
    response = client.get(
        f"/portail/missions/{assignment_id(app, 86373, numen='35E0000001MPC')}/acces"
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(LIST)
    messages = console(client.get(LIST).text)
    assert (
        "L'application SANTORIN n'est pas disponible : veuillez prendre contact avec votre"
        " gestionnaire. Retour à 14 h." in messages
    )
    with app.app_context():
        assert db.session.scalar(select(ApplicationAccess)) is None


@pytest.mark.parametrize("code", sorted(ENTRIES))
def test_an_activity_is_only_for_the_people_it_concerns(app, client, demo, code):
    url = ENTRIES[code]
    assert "/login/" in client.get(url).headers["Location"]  # anonymous
    for username in ("chef", "gestionnaire", "admin"):
        other = app.test_client()
        login(other, username)
        assert other.get(url).status_code == 403
        assert other.get(url + "acces").status_code == 403
    teacher = app.test_client()
    login(teacher, "enseignant")
    assert teacher.get(url).status_code == 404
    assert teacher.get(url + "acces").status_code == 404
    concerned = app.test_client()
    login(concerned, CONCERNED[code])
    page = concerned.get(url)
    assert page.status_code == 200
    assert current_entry(page.text) in {label for label, _open in menu_entries(page.text)}


def test_the_eps_teacher_opens_cyclades_eps_module(app, log_in, demo):
    client = log_in("enseignant-eps")
    page = client.get(ENTRIES["eps_management"])
    assert "Accéder à CYCLADES – Gestion EPS" in text(page.text)
    response = client.get(ENTRIES["eps_management"] + "acces")
    assert response.headers["Location"] == "https://cyclades.ac-rennes.fr/eps/"


def test_a_mission_type_opening_cyclades_leads_there(app, log_in, demo):
    with app.app_context():
        from models import MissionType

        oral = db.session.scalar(select(MissionType).where(MissionType.code == "ORAUXPRO"))
        oral.application = db.session.scalar(
            select(Application).where(Application.code == "CYCLADES")
        )
        db.session.commit()
    client = log_in("enseignant")
    mission = assignment_id(app, 52525, numen="35E0000001MPC")
    assert f"/portail/missions/{mission}/acces" in client.get(LIST).text
    response = client.get(f"/portail/missions/{mission}/acces")
    assert response.headers["Location"] == (
        "https://cyclades.ac-rennes.fr/examens/mission?numero=52525"
    )


def test_the_jury_portal_under_maintenance_says_so_and_offers_no_button(log_in, demo):
    client = log_in("EXT35000123")
    page = client.get(ENTRIES["jury_portal"])
    assert page.status_code == 200
    assert any("Maintenance du portail jury" in message for message in console(page.text))
    assert "Accéder à" not in text(page.text)
    response = client.get(ENTRIES["jury_portal"] + "acces")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        ENTRIES["jury_portal"]
    )


def test_the_inspector_opens_delos_and_santorins_statistics(log_in, demo):
    client = log_in("inspecteur")
    assert client.get(ENTRIES["subjects"] + "acces").headers["Location"] == (
        "https://delos.education.gouv.fr/bns/"
    )
    assert client.get(ENTRIES["national_statistics"] + "acces").headers["Location"] == (
        "https://santorin.education.gouv.fr/statistiques/"
    )


def add_application(client, **fields):
    form = client.get("/applicationmodelview/add")
    data = {
        "csrf_token": csrf_token(form.text),
        "code": "SANTORIN_TEST",
        "name": "SANTORIN test",
        "url_template": "https://test.fr/?m={numero}",
        "available": "y",
        **fields,
    }
    return client.post("/applicationmodelview/add", data=data)


def test_the_administrator_sets_an_application_https_only(app, log_in, demo):
    client = log_in("admin")
    listing = client.get("/applicationmodelview/list/")
    assert listing.status_code == 200
    assert "CYCLADES_JURY" in listing.text
    refused = add_application(client, url_template="http://test.fr/?m={numero}")
    assert refused.status_code == 200
    body = text(refused.text)
    assert "L'adresse doit commencer par https:// suivi du nom du serveur." in body
    assert 'value="SANTORIN test"' in refused.text  # nothing typed is lost
    unknown = text(add_application(client, url_template="https://test.fr/?u={nom}").text)
    assert "Variable inconnue {nom}" in unknown
    period = text(
        add_application(client, unavailable_from="2026-06-10", unavailable_until="2026-06-01").text
    )
    assert "L'indisponibilité ne peut pas finir avant de commencer." in period
    assert add_application(client).status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(
                select(Application.url_template).where(Application.code == "SANTORIN_TEST")
            )
            == "https://test.fr/?m={numero}"
        )


def test_the_manager_chooses_the_application_of_a_mission_type(app, log_in, demo):
    client = log_in("gestionnaire")
    assert client.get("/applicationmodelview/list/").status_code == 403
    with app.app_context():
        from models import MissionType

        corr = db.session.scalar(select(MissionType.id).where(MissionType.code == "CORR"))
    form = client.get(f"/missiontypemodelview/edit/{corr}")
    assert re.search(r"<option[^>]*selected[^>]*>SANTORIN</option>", form.text)
    assert "Jury de délibération" in text(form.text)
