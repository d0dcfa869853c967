"""Managers' generated CRUD: eager lists, bounded pages, French validation, invariants."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models import Assignment, Establishment, Mission, MissionSlot
from models.enums import SlotDuration
from tests.conftest import csrf_token, page_queries
from tests.views.helpers import text


def add_missions(app, count):
    """``count`` more missions, each with a centre, a type, a session and a slot."""
    with app.app_context():
        template = db.session.scalar(select(Mission).where(Mission.number == 52525))
        centres = db.session.scalars(select(Establishment)).all()
        start = db.session.scalar(select(func.max(Mission.number))) + 1
        for index in range(count):
            mission = Mission(
                academy_id=template.academy_id,
                number=start + index,
                mission_type_id=template.mission_type_id,
                session_id=template.session_id,
                centre=centres[index % len(centres)],
            )
            mission.slots = [
                MissionSlot(
                    day=dt.date(2026, 6, 1) + dt.timedelta(days=index),
                    start_time=dt.time(8),
                    duration=SlotDuration.DAY,
                )
            ]
            db.session.add(mission)
        db.session.commit()


def list_queries(app, client, url):
    return page_queries(app, client, url)[0]


@pytest.mark.parametrize(
    "view",
    [
        "missionmodelview",
        "assignmentmodelview",
        "agentmodelview",
        "papermodelview",
        "establishmentmodelview",
        "paperteachingrulemodelview",
        "teachingmodelview",
    ],
)
def test_a_list_page_costs_the_same_queries_for_5_or_50_rows(app, log_in, demo, view):
    client = log_in("gestionnaire")
    small = list_queries(
        app, client, f"/{view}/list/?psize_{view.replace('modelview', 'ModelView')}=5"
    )
    large = list_queries(
        app, client, f"/{view}/list/?psize_{view.replace('modelview', 'ModelView')}=50"
    )
    assert large == small


def test_the_mission_list_with_50_missions_costs_no_query_per_row(app, log_in, demo):
    add_missions(app, 60)
    client = log_in("gestionnaire")
    few = list_queries(app, client, "/missionmodelview/list/?psize_MissionModelView=5")
    many = list_queries(app, client, "/missionmodelview/list/?psize_MissionModelView=50")
    assert many == few
    page = client.get("/missionmodelview/list/?psize_MissionModelView=50")
    assert page.text.count("/missionmodelview/show/") >= 50


@pytest.mark.parametrize(
    "query",
    [
        "psize_MissionModelView=100000000",
        "psize_MissionModelView=abc",
        "page_MissionModelView=-5",
        "page_MissionModelView=xyz",
        "page_MissionModelView=999999",
        "psize_MissionModelView=0",
        "_oc_MissionModelView=nonexistent&_od_MissionModelView=asc",
        "_oc_MissionModelView=number&_od_MissionModelView=sideways",
        "_flt_0_first_day=not-a-date",
        "_flt_0_number=abc",
    ],
)
def test_bad_list_arguments_give_a_normal_page(log_in, demo, query):
    client = log_in("gestionnaire")
    response = client.get(f"/missionmodelview/list/?{query}", follow_redirects=True)
    assert response.status_code == 200
    assert "Missions et affectations" in text(response.text)


def test_a_huge_page_size_is_bounded(app, log_in, demo):
    add_missions(app, 120)
    client = log_in("gestionnaire")
    response = client.get("/missionmodelview/list/?psize_MissionModelView=100000000")
    assert response.status_code == 302
    assert "psize_MissionModelView=100" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert page.text.count("/missionmodelview/show/") == 100


def test_an_invalid_uai_is_refused_with_a_french_message_and_nothing_typed_is_lost(log_in, demo):
    client = log_in("gestionnaire")
    form = client.get("/establishmentmodelview/add")
    response = client.post(
        "/establishmentmodelview/add",
        data={
            "csrf_token": csrf_token(form.text),
            "uai": "0350024M",
            "name": "LYCEE TEST",
            "category": "LGT",
            "academy": "1",
            "postcode": "35000",
            "town": "RENNES",
            "lodging_zone": "STANDARD",
            "is_exam_centre": "y",
        },
    )
    assert response.status_code == 200
    body = text(response.text)
    assert "Ce code établissement (UAI) n'est pas valide" in body
    assert 'value="LYCEE TEST"' in response.text


def test_the_assignments_crud_neither_creates_nor_changes_an_assignment(app, log_in, demo):
    """Finding 3: an assignment is made only through the convocation (competence,
    availability); the "Affectations" CRUD is read only, whatever is posted."""
    client = log_in("gestionnaire")
    with app.app_context():
        mission = db.session.scalar(select(Mission).where(Mission.number == 77844))  # SURVEILLANCE
        from models import Agent

        agent = db.session.scalar(select(Agent).where(Agent.last_name == "GOURVES"))
        mission_id, agent_id = mission.id, agent.id
        existing = db.session.scalars(select(Assignment)).first()
        existing_id, quality = existing.id, existing.quality
        count = db.session.scalar(select(func.count(Assignment.id)))
    token = csrf_token(client.get("/assignmentmodelview/list/").text)
    listing = client.get("/assignmentmodelview/list/")
    assert listing.status_code == 200
    assert "/assignmentmodelview/add" not in listing.text
    assert "/assignmentmodelview/edit/" not in listing.text
    added = client.post(
        "/assignmentmodelview/add",
        data={
            "csrf_token": token,
            "mission": str(mission_id),
            "agent": str(agent_id),
            "quality": "INVIGILATOR",
            "jury": "",
        },
    )
    edited = client.post(
        f"/assignmentmodelview/edit/{existing_id}",
        data={"csrf_token": token, "quality": "EXAMINER", "jury": "X"},
    )
    deleted = client.post(f"/assignmentmodelview/delete/{existing_id}", data={"csrf_token": token})
    assert client.get("/assignmentmodelview/add").status_code in (403, 404, 405)
    assert {added.status_code, edited.status_code, deleted.status_code} <= {403, 404, 405}
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == count
        assert db.session.get(Assignment, existing_id).quality == quality


def test_enum_values_are_shown_with_their_french_labels(log_in, demo):
    body = text(log_in("gestionnaire").get("/establishmentmodelview/list/").text)
    assert "Lycée général et technologique" in body
    assert "Collège" in body


def test_an_unticked_checkbox_saves_false(app, log_in, demo):
    from models import Agent

    client = log_in("gestionnaire")
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))
        agent_id = agent.id
    form = client.get(f"/agentmodelview/edit/{agent_id}")
    data = {
        "csrf_token": csrf_token(form.text),
        "last_name": "LE GALL",
        "first_name": "Marc",
        "kind": "EXTERNAL",
        "external_id": "EXT35000123",
        "academy": "1",
    }
    response = client.post(f"/agentmodelview/edit/{agent_id}", data=data)
    assert response.status_code == 302, text(response.text)
    with app.app_context():
        assert db.session.get(Agent, agent_id).financial_file_active is False


def test_a_wrong_enum_value_is_a_form_error_not_a_crash(app, log_in, demo):
    client = log_in("gestionnaire")
    form = client.get("/agentmodelview/add")
    response = client.post(
        "/agentmodelview/add",
        data={
            "csrf_token": csrf_token(form.text),
            "last_name": "NOUVEL",
            "first_name": "Agent",
            "kind": "ASTRONAUT",
            "numen": "35E0000099XYZ",
            "academy": "1",
        },
    )
    assert response.status_code == 200
    assert 'value="NOUVEL"' in response.text
    assert "Choix non valide" in text(response.text)
    assert "Not a valid choice" not in response.text
