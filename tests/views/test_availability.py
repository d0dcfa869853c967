"""Agents' availability as users see it: « Saisie des indisponibilités » for teachers
and external contributors (list, add, change, delete until the closing date, French
messages next to the fields), « Indisponibilités des intervenants » for managers, and
the unavailable listed apart on a mission's candidates, convoked only with a reason."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.seeds import demo_availability
from app.services.missions import convocation
from models import Agent, Assignment, ExamSession, Mission, Unavailability
from models.enums import DayPart
from tests.conftest import csrf_token, login, page_queries
from tests.views.helpers import console, menu_entries, text

ENTRY = "/indisponibilites/"
STAFF = "/indisponibilites-intervenants/"


def ids(app):
    """(open session id, teacher's unavailability id, colleague's unavailability id)."""
    with app.app_context():
        exam_session = db.session.scalar(
            select(ExamSession.id).where(ExamSession.unavailability_closes_on.is_not(None))
        )
        teacher = db.session.scalar(
            select(Unavailability.id).where(
                Unavailability.comment == demo_availability.TEACHER_COMMENT
            )
        )
        colleague = db.session.scalar(
            select(Unavailability.id).where(
                Unavailability.comment == demo_availability.COLLEAGUE_COMMENT
            )
        )
        db.session.remove()
    return exam_session, teacher, colleague


def session_days(app):
    with app.app_context():
        found = db.session.scalar(
            select(ExamSession).where(ExamSession.unavailability_closes_on.is_not(None))
        )
        days = (found.starts_on, found.ends_on, found.unavailability_closes_on)
        db.session.remove()
    return days


@pytest.mark.parametrize("url", [ENTRY, STAFF])
def test_the_anonymous_go_to_the_login(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]


@pytest.mark.parametrize(
    ("username", "url", "status"),
    [
        ("enseignant", ENTRY, 200),
        ("EXT35000123", ENTRY, 200),
        ("chef", ENTRY, 403),
        ("gestionnaire", ENTRY, 403),
        ("admin", ENTRY, 403),
        ("gestionnaire", STAFF, 200),
        ("enseignant", STAFF, 403),
        ("EXT35000123", STAFF, 403),
        ("chef", STAFF, 403),
        ("admin", STAFF, 403),
    ],
)
def test_each_role_reaches_its_own_screen_only(log_in, demo, username, url, status):
    assert log_in(username).get(url).status_code == status


def test_the_teacher_sees_the_activity_and_her_declaration(log_in, demo):
    page = log_in("enseignant").get(ENTRY)
    assert ("Saisie des indisponibilités", True) in menu_entries(page.text)
    shown = text(page.text)
    assert demo_availability.TEACHER_COMMENT in shown
    assert "Matin" in shown
    assert "La saisie est ouverte jusqu'au" in shown
    assert "Ajouter une indisponibilité" in shown


def test_wrong_fields_are_shown_again_with_their_messages(app, log_in, demo):
    client = log_in("enseignant")
    exam_session, _teacher, _colleague = ids(app)
    first, _last, _closes = session_days(app)
    url = f"{ENTRY}session/{exam_session}/ajouter"
    token = csrf_token(client.get(url).text)
    page = client.post(
        url,
        data={
            "csrf_token": token,
            "starts_on": (first + dt.timedelta(days=2)).isoformat(),
            "ends_on": first.isoformat(),
            "part": "MORNING",
            "comment": "x" * 201,
        },
    )
    assert page.status_code == 200
    assert "La date de fin ne peut pas être antérieure à la date de début." in page.text
    assert "200 caractères au plus." in page.text
    assert 'id="f-ends_on"' in page.text and 'aria-invalid="true"' in page.text
    assert "x" * 201 in page.text  # nothing typed is lost
    assert console(page.text) == [
        "Certains champs ne sont pas valides : consultez les messages affichés à côté."
    ]


def test_the_teacher_adds_changes_and_deletes_an_unavailability(app, log_in, demo):
    client = log_in("enseignant")
    exam_session, _teacher, _colleague = ids(app)
    first, _last, _closes = session_days(app)
    url = f"{ENTRY}session/{exam_session}/ajouter"
    token = csrf_token(client.get(url).text)
    day = first.isoformat()
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "starts_on": day,
            "ends_on": day,
            "part": "AFTERNOON",
            "comment": "Jury de BTS blanc",
        },
    )
    assert response.status_code == 302
    page = client.get(ENTRY)
    assert "Votre indisponibilité est enregistrée." in console(page.text)
    assert "Jury de BTS blanc" in text(page.text)
    with app.app_context():
        created = db.session.scalar(
            select(Unavailability.id).where(Unavailability.comment == "Jury de BTS blanc")
        )
        db.session.remove()
    edit = f"{ENTRY}{created}/modifier"
    assert "Jury de BTS blanc" in client.get(edit).text
    client.post(
        edit,
        data={
            "csrf_token": token,
            "starts_on": day,
            "ends_on": day,
            "part": "DAY",
            "comment": "Jury blanc",
        },
    )
    assert "Jury blanc" in text(client.get(ENTRY).text)
    delete = f"{ENTRY}{created}/supprimer"
    assert "Supprimer cette indisponibilité ?" in client.get(delete).text
    client.post(delete, data={"csrf_token": token})
    page = client.get(ENTRY)
    assert "Votre indisponibilité est supprimée." in console(page.text)
    assert "Jury blanc" not in text(page.text)


def test_another_agents_unavailability_is_a_404(app, log_in, demo):
    client = log_in("enseignant")
    _session, _teacher, colleague = ids(app)
    assert client.get(f"{ENTRY}{colleague}/modifier").status_code == 404
    assert client.get(f"{ENTRY}{colleague}/supprimer").status_code == 404
    token = csrf_token(client.get(ENTRY).text)
    assert (
        client.post(f"{ENTRY}{colleague}/supprimer", data={"csrf_token": token}).status_code == 404
    )
    external = app.test_client()
    assert login(external, "EXT35000123").status_code == 302
    assert external.get(f"{ENTRY}{colleague}/modifier").status_code == 404
    assert client.get(f"{ENTRY}session/999999/ajouter").status_code == 404


def test_after_the_closing_date_the_declarations_are_read_only(app, log_in, demo, frozen_clock):
    exam_session, teacher, _colleague = ids(app)
    _first, _last, closes = session_days(app)
    frozen_clock.now = dt.datetime.combine(closes + dt.timedelta(days=1), dt.time(10))
    client = log_in("enseignant")
    page = client.get(ENTRY)
    shown = text(page.text)
    assert demo_availability.TEACHER_COMMENT in shown
    assert "ne peuvent plus être modifiées" in shown
    assert "Ajouter une indisponibilité" not in shown
    assert f"{ENTRY}{teacher}/modifier" not in page.text
    response = client.get(f"{ENTRY}session/{exam_session}/ajouter")
    assert response.status_code == 302
    assert any("ne peuvent plus être modifiées" in m for m in console(client.get(ENTRY).text))
    token = csrf_token(page.text)
    client.post(f"{ENTRY}{teacher}/supprimer", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(Unavailability, teacher) is not None
        db.session.remove()


def test_the_manager_reads_the_declarations_of_the_session(log_in, demo):
    client = log_in("gestionnaire")
    page = client.get(STAFF)
    shown = text(page.text)
    assert demo_availability.TEACHER_COMMENT in shown
    assert demo_availability.COLLEAGUE_COMMENT in shown
    filtered = client.get(STAFF + "?q=formation")
    assert demo_availability.TEACHER_COMMENT not in text(filtered.text)


def _invigilation(app):
    with app.app_context():
        mission = db.session.scalar(
            select(Mission.id).where(Mission.number == demo_availability.INVIGILATION_NUMBER)
        )
        agent = db.session.scalar(
            select(Agent)
            .join(Unavailability, Unavailability.agent_id == Agent.id)
            .where(Unavailability.comment == demo_availability.COLLEAGUE_COMMENT)
        )
        found = (mission, agent.id, agent.last_name)
        db.session.remove()
    return found


def test_the_unavailable_are_listed_apart_and_convoked_only_with_a_reason(app, log_in, demo):
    client = log_in("gestionnaire")
    mission, agent_id, name = _invigilation(app)
    url = f"/missions-affectations/{mission}"
    page = client.get(url)
    candidates = re.search(r'id="candidates".*?</table>', page.text, re.S).group(0)
    assert name not in candidates
    apart = page.text[page.text.index('id="unavailable-title"') :]
    assert name in apart and demo_availability.COLLEAGUE_COMMENT in apart
    token = csrf_token(page.text)
    client.post(f"{url}/convoquer", data={"csrf_token": token, "agent_id": agent_id})
    refused = console(client.get(url).text)
    assert any("Indisponibilité déclarée sur une date de la mission" in m for m in refused)
    client.post(
        f"{url}/convoquer",
        data={"csrf_token": token, "agent_id": agent_id, "override_reason": "Renfort urgent"},
    )
    page = client.get(url)
    assert "Convoqué(e) malgré une indisponibilité déclarée : Renfort urgent" in text(page.text)
    with app.app_context():
        assignment = db.session.scalar(
            select(Assignment).where(
                Assignment.mission_id == mission, Assignment.agent_id == agent_id
            )
        )
        assert assignment.unavailability_override == "Renfort urgent"
        db.session.remove()


def test_the_manager_sets_the_closing_date_on_the_session(app, log_in, demo):
    exam_session, _teacher, _colleague = ids(app)
    page = log_in("gestionnaire").get(f"/examsessionmodelview/edit/{exam_session}")
    assert page.status_code == 200
    assert "Date de clôture de la saisie des indisponibilités" in page.text


def test_the_candidates_page_costs_the_same_statements_however_many_are_unavailable(
    app, log_in, demo
):
    client = log_in("gestionnaire")
    mission, _agent_id, _name = _invigilation(app)
    url = f"/missions-affectations/{mission}"
    before, page = page_queries(app, client, url)
    assert "Intervenants indisponibles (1)" in text(page.text)
    with app.app_context():
        target = db.session.get(Mission, mission)
        day = target.first_day
        for candidate in convocation.candidates(db.session, target)[:4]:
            db.session.add(
                Unavailability(
                    agent=candidate.agent,
                    session=target.session,
                    starts_on=day,
                    ends_on=day,
                    part=DayPart.MORNING,
                )
            )
        db.session.commit()
        db.session.remove()
    after, page = page_queries(app, client, url)
    assert "Intervenants indisponibles (5)" in text(page.text)
    assert after == before
