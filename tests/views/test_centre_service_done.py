"""« Constat de service fait » as each user sees it: the head of the exam centre lists the
missions of their establishments and records the service done; another centre's mission
is a 404 (two heads side by side); the manager's screen says who recorded it and when."""

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Agent, AgentEstablishment, Assignment, Establishment, Mission
from models.enums import AgentKind, EstablishmentLinkType
from tests.conftest import csrf_token, login
from tests.views.helpers import console, menu_entries, text
from tests.views.test_claims import list_rows

HOME = "/constat-service-fait/"


def mission_id(app, number):
    with app.app_context():
        return db.session.scalar(select(Mission.id).where(Mission.number == number))


def post(client, url, data=None):
    token = csrf_token(client.get("/").text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


@pytest.fixture
def head(log_in, demo):
    return log_in("chef")


@pytest.fixture
def other_head(app, demo):
    """A second head, of the lycée where missions 52525 and 52531 are held."""
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(
            username="chef2",
            first_name="Hervé",
            last_name="Nedelec",
            email="ce.0560026@ac-rennes.fr",
            role=sm.find_role("Chef d'établissement"),
            password="imagin-demo",
        )
        lycee = db.session.scalar(select(Establishment).where(Establishment.uai.like("0560026%")))
        agent = Agent(
            numen="35E0000591DIR",
            user_id=user.id,
            academy_id=lycee.academy_id,
            kind=AgentKind.HEAD,
            last_name="NEDELEC",
            first_name="Hervé",
        )
        db.session.add(agent)
        db.session.flush()
        db.session.add(
            AgentEstablishment(
                agent_id=agent.id, establishment_id=lycee.id, link_type=EstablishmentLinkType.HEAD
            )
        )
        db.session.commit()
    client = app.test_client()
    assert login(client, "chef2").status_code == 302
    return client


def test_only_the_head_of_a_centre_opens_it(app, client, demo):
    assert client.get(HOME).status_code == 302  # anonymous: to the login
    mission = mission_id(app, 330001)
    for username in ("enseignant", "EXT35000123", "gestionnaire", "admin"):
        other = app.test_client()
        login(other, username)
        assert other.get(HOME).status_code == 403, username
        assert other.get(f"{HOME}{mission}").status_code == 403, username
        assert post(other, f"{HOME}{mission}/enregistrer", {"all": "1"}).status_code == 403
        assert "Constat de service fait" not in dict(menu_entries(other.get("/").text))


def test_the_head_lists_the_missions_of_the_centre(head):
    page = head.get(HOME)
    assert page.status_code == 200
    assert ("Constat de service fait", True) in menu_entries(head.get("/").text)
    rows = {row[0]: row for row in list_rows(page.text)}
    assert rows["330001"][-1] == "0 / 3" and rows["330002"][-1] == "2 / 2"
    assert "52525" not in rows and "77824" not in rows
    assert "Missions de vos établissements" in text(page.text)


def test_the_head_records_one_contributor_then_the_whole_mission(app, head):
    mission = mission_id(app, 330001)
    page = head.get(f"{HOME}{mission}")
    assert "HAMON Gaëlle" in text(page.text) and "Service fait pour toute la mission" in page.text
    with app.app_context():
        one = db.session.scalar(
            select(Assignment.id)
            .join(Agent)
            .where(Assignment.mission_id == mission, Agent.last_name == "JAOUEN")
        )
    response = post(head, f"{HOME}{mission}/enregistrer", {"assignment_id": str(one)})
    assert response.headers["Location"].endswith(f"{HOME}{mission}")
    page = head.get(response.headers["Location"])
    assert "Service fait enregistré pour 1 intervenant(s)." in console(page.text)
    rows = {row[1]: row for row in list_rows(page.text)}
    assert rows["JAOUEN Ronan"][-1] == "Yves Morvan" and rows["HAMON Gaëlle"][-1] == ""
    assert "Retirer" not in page.text  # withdrawing is the managers' action
    page = head.get(post(head, f"{HOME}{mission}/enregistrer", {"all": "1"}).headers["Location"])
    assert "Service fait enregistré pour 2 intervenant(s)." in console(page.text)
    assert "Service fait pour toute la mission" not in page.text
    # Nothing chosen: said so; a mission not over: refused with its date.
    assert post(head, f"{HOME}{mission}/enregistrer").status_code == 302
    ongoing = mission_id(app, 99685)
    page = head.get(post(head, f"{HOME}{ongoing}/enregistrer", {"all": "1"}).headers["Location"])
    assert any("n'est pas terminée" in m for m in console(page.text))


def test_another_centres_mission_is_not_found(app, head, other_head):
    mine, theirs = mission_id(app, 330001), mission_id(app, 52525)
    assert head.get(f"{HOME}{theirs}").status_code == 404
    assert post(head, f"{HOME}{theirs}/enregistrer", {"all": "1"}).status_code == 404
    assert head.get(f"{HOME}999999").status_code == 404
    assert other_head.get(f"{HOME}{mine}").status_code == 404
    assert post(other_head, f"{HOME}{mine}/enregistrer", {"all": "1"}).status_code == 404
    assert other_head.get(f"{HOME}{theirs}").status_code == 200
    rows = {row[0] for row in list_rows(other_head.get(HOME).text)}
    assert rows == {"52525", "52531"}
    with app.app_context():
        untouched = db.session.scalars(
            select(Assignment.service_done_on).where(Assignment.mission_id == mine)
        ).all()
    assert untouched == [None, None, None]


def test_the_manager_sees_who_recorded_the_service_done(app, log_in, demo):
    manager = log_in("gestionnaire")
    page = manager.get(f"/service-fait/{mission_id(app, 330002)}")
    assert "Constaté par" in page.text
    rows = list_rows(page.text)
    assert [row[-1] for row in rows] == ["Yves Morvan", "Yves Morvan"]
    assert "Retirer" in page.text
