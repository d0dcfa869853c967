"""Enquête DCS as users see it: the activity only for a DCS teacher while the survey is
open (404 otherwise), a step refused with its messages next to the fields and what was
typed kept, the steps saved, « Valider mes réponses »; the managers' list, one
teacher's answers, the CSV export job; the dates in the académie settings."""

import csv
import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.common import clock
from models import AcademySettings, Agent
from tests.conftest import csrf_token
from tests.views.helpers import console, menu_entries, text

SURVEY = "/enquete-dcs/"
ANSWERS = "/enquete-dcs/reponses/"


@pytest.fixture
def dcs(log_in, demo):
    return log_in("enseignant-dcs")


def agent_id(app, numen):
    with app.app_context():
        return db.session.scalar(select(Agent.id).where(Agent.numen == numen))


def set_dates(app, opens, closes):
    with app.app_context():
        settings = db.session.scalar(select(AcademySettings))
        settings.dcs_survey_opens_on, settings.dcs_survey_closes_on = opens, closes
        db.session.commit()


def post(client, step, data):
    url = f"{SURVEY}etape/{step}"
    token = csrf_token(client.get(url).text)
    return client.post(url, data={"csrf_token": token, **data})


def test_the_activity_is_in_the_menu_of_a_dcs_teacher_only(app, log_in, demo):
    teacher = log_in("enseignant-dcs")
    labels = [label for label, _open in menu_entries(teacher.get("/").text)]
    assert "Enquête DCS" in labels
    page = teacher.get(SURVEY, follow_redirects=True)
    assert page.status_code == 200
    assert "1. Activité" in text(page.text) and "6. Epreuves orales DSCG ou DCG" in text(page.text)
    other = app.test_client()
    from tests.conftest import login

    login(other, "enseignant")
    assert "Enquête DCS" not in [label for label, _ in menu_entries(other.get("/").text)]
    assert other.get(SURVEY).status_code == 404
    assert other.get(f"{SURVEY}etape/1").status_code == 404


def test_the_activity_is_gone_once_the_survey_is_closed(app, dcs):
    yesterday = clock.today() - dt.timedelta(days=1)
    set_dates(app, yesterday - dt.timedelta(days=10), yesterday)
    assert "Enquête DCS" not in [label for label, _ in menu_entries(dcs.get("/").text)]
    assert dcs.get(f"{SURVEY}etape/1").status_code == 404


def test_a_wrong_step_comes_back_with_its_messages_and_what_was_typed(dcs):
    response = post(dcs, 1, {"action": "next", "situation": "OTHER", "situation_detail": ""})
    assert response.status_code == 422
    html = response.text
    assert "Précisez votre situation." in text(html)
    assert re.search(r'id="situation_detail"[^>]*aria-invalid="true"', html)
    assert re.search(r'value="OTHER"[^>]*checked', html)
    assert "Certaines réponses ne sont pas valides" in " ".join(console(html))
    response = post(dcs, 2, {"action": "next", "establishments": "0350710X\n1234567Z"})
    assert response.status_code == 422
    assert "Code établissement inconnu : 0350710X, 1234567Z." in text(response.text)
    assert "1234567Z" in response.text  # kept in the text area


def test_the_six_steps_and_valider_mes_reponses(app, dcs):
    page = dcs.get(f"{SURVEY}etape/3")
    ue7 = re.search(r'name="papers" value="(\d+)"[^>]*>\s*DCG – UE7,', page.text).group(1)
    page = dcs.get(f"{SURVEY}etape/6")
    oral = re.search(r'name="papers" value="(\d+)"[^>]*>\s*DSCG – UE6,', page.text).group(1)
    response = post(dcs, 1, {"action": "next", "situation": "ACTIVE"})
    assert response.headers["Location"].endswith("/etape/2")
    step2 = dcs.get(f"{SURVEY}etape/2").text
    assert "0350710" in step2  # prefilled from the establishments the portal knows
    uai = re.search(r"(0350710[A-Z])", step2).group(1)
    assert (
        post(dcs, 2, {"action": "previous", "establishments": uai})
        .headers["Location"]
        .endswith("/etape/1")
    )
    assert post(dcs, 3, {"action": "next", "papers": ue7}).status_code == 302
    assert post(dcs, 4, {"action": "next", "vae_available": "no"}).status_code == 302
    assert post(dcs, 5, {"action": "next"}).status_code == 302
    response = post(dcs, 6, {"action": "validate", "papers": oral, "oral_places": "Rennes, Vannes"})
    assert response.status_code == 302
    page = dcs.get(response.headers["Location"])
    assert "Vos réponses sont validées." in " ".join(console(page.text))
    assert "Réponses validées" in text(page.text)
    assert re.search(rf'value="{oral}"[^>]*checked', page.text)
    # The oral paper is now a competence the teacher declared.
    competences = text(dcs.get("/competences/consultation/").text)
    assert "ANGLAIS DES AFFAIRES" in competences and "35E0000301DCS (C)" in competences


def test_managers_see_who_answered_and_read_one_answer(app, log_in, demo):
    manager = log_in("gestionnaire")
    page = text(manager.get(ANSWERS).text)
    assert "KERBRAT Gaël" in page and "Non commencée" in page
    assert "LE BRIS Maëlle" in page and "Réponses validées" in page
    colleague = agent_id(app, "35E0000302DCS")
    shown = text(manager.get(f"{ANSWERS}{colleague}").text)
    assert "DCG UE10, DCG UE11" in shown and "DCG UE13 (RENNES)" in shown
    not_answered = text(manager.get(f"{ANSWERS}{agent_id(app, '35E0000001MPC')}").text)
    assert "n'a pas encore répondu" in not_answered
    assert manager.get(f"{ANSWERS}999999").status_code == 404


def test_the_export_is_a_job_with_a_csv_file(app, log_in, demo, job_worker):
    manager = log_in("gestionnaire")
    token = csrf_token(manager.get(ANSWERS).text)
    response = manager.post(f"{ANSWERS}exporter", data={"csrf_token": token})
    job = int(re.fullmatch(r".*/traitements/(\d+)", response.headers["Location"]).group(1))
    job_worker.wait_for(job)
    download = manager.get(f"/traitements/{job}/resultat")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Identifiant", "Nom", "Prénom", "État"]
    assert {row[0] for row in rows[1:]} == {"35E0000301DCS", "35E0000302DCS"}


def test_agents_may_not_open_the_managers_screen(log_in, demo):
    assert log_in("enseignant-dcs").get(ANSWERS).status_code == 403


def test_the_survey_dates_are_checked_in_the_academy_settings(app, log_in, demo):
    manager = log_in("gestionnaire")
    with app.app_context():
        settings_id = db.session.scalar(select(AcademySettings.id))
    url = f"/academysettingsmodelview/edit/{settings_id}"
    form = manager.get(url).text
    assert "Ouverture de l'enquête DCS" in form
    response = manager.post(
        url,
        data={
            "csrf_token": csrf_token(form),
            "management_office_name": "DEXACO",
            "management_office_address": "Rennes",
            "dematerialised_documents": "y",
            "dcs_survey_opens_on": "2027-03-10",
            "dcs_survey_closes_on": "2027-03-01",
        },
    )
    assert "L'enquête DCS ne peut pas fermer avant d'ouvrir." in text(response.text)
