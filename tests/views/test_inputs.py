"""Managers' inputs never show a database error: every value the database would refuse is
refused first, in French, next to its field, with what was typed kept; a refusal that
still comes from the database (a unique constraint, a record still used) is a French
message too, on the field when it is known, on SQLite as on PostgreSQL."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models import (
    Academy,
    Exam,
    ExamSession,
    Mission,
    MissionType,
    Paper,
    RateLine,
    RateTable,
    Specialty,
    Subject,
)
from tests.conftest import csrf_token
from tests.views.helpers import console, text

# What a database says in its own words: none of it may reach a user.
DATABASE_WORDS = (
    "constraint",
    "IntegrityError",
    "DataError",
    "sqlalchemy",
    "psycopg",
    "sqlite",
    "INSERT INTO",
    "UPDATE ",
    "DELETE FROM",
    "violates",
    "out of range",
    "too large",
    "Database Error",
    "Integrity error",
    "Associated data exists",
)


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def ids(app, model, **lookup):
    with app.app_context():
        return db.session.scalar(select(model.id).filter_by(**lookup))


def submit(client, url, data):
    """Post the form of ``url`` (GET first for its CSRF token)."""
    form = client.get(url)
    assert form.status_code == 200, url
    return client.post(url, data={"csrf_token": csrf_token(form.text), **data})


def field_errors(html: str, name: str) -> str:
    """The text of the form group of field ``name`` (its label, input and errors)."""
    import re

    match = re.search(rf'<tr>(?:(?!</tr>).)*?(?:name|id)="{name}"(?:(?!</tr>).)*?</tr>', html, re.S)
    assert match, f"no field {name} in the page"
    return text(match.group(0))


def assert_no_database_text(html: str) -> None:
    body = text(html)
    for word in DATABASE_WORDS:
        assert word not in body, f"{word!r} shown to the user"


# --- Barèmes --------------------------------------------------------------------------


RATE_TABLE = {"name": "Barème 2027", "valid_from": "2027-01-01", "reference": "Arrêté fictif"}


def test_a_rate_table_ending_before_it_starts_is_refused_on_the_field(app, manager):
    response = submit(
        manager, "/ratetablemodelview/add", RATE_TABLE | {"valid_until": "2026-12-31"}
    )
    assert response.status_code == 200
    assert "La fin de validité ne peut précéder son début." in field_errors(
        response.text, "valid_until"
    )
    assert 'value="Barème 2027"' in response.text
    assert_no_database_text(response.text)
    assert ids(app, RateTable, name="Barème 2027") is None


def test_a_rate_table_edited_to_end_before_it_starts_is_refused(app, manager):
    table = ids(app, RateTable, name="Barème des jurys et déplacements 2022")
    response = submit(
        manager,
        f"/ratetablemodelview/edit/{table}",
        {
            "name": "Barème modifié",
            "valid_from": "2022-03-14",
            "valid_until": "2022-01-01",
            "reference": "",
        },
    )
    assert response.status_code == 200
    assert "La fin de validité ne peut précéder son début." in field_errors(
        response.text, "valid_until"
    )
    assert 'value="Barème modifié"' in response.text
    assert_no_database_text(response.text)


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-3.50", "Un taux est positif ou nul."),
        ("1" * 30, "Au plus 999999,9999."),
    ],
)
def test_a_negative_or_huge_rate_is_refused_on_the_field(app, manager, amount, message):
    table = ids(app, RateTable, name="Barème des jurys et déplacements 2022")
    with app.app_context():
        before = db.session.scalar(select(func.count(RateLine.id)))
    response = submit(
        manager,
        "/ratelinemodelview/add",
        {"table": str(table), "kind": "MEAL", "key": "administratif2", "amount": amount},
    )
    assert response.status_code == 200
    assert message in field_errors(response.text, "amount")
    assert 'value="administratif2"' in response.text
    assert_no_database_text(response.text)
    with app.app_context():
        assert db.session.scalar(select(func.count(RateLine.id))) == before


# --- Missions -------------------------------------------------------------------------


def mission_form(app, **changes):
    with app.app_context():
        session = db.session.scalar(
            select(ExamSession).join(ExamSession.exam).where(Exam.code == "BTS")
        )
        paper = db.session.scalar(select(Paper).where(Paper.code == "U3"))
        data = {
            "number": "990001",
            "session": str(session.id),
            "mission_type": str(db.session.scalar(select(MissionType.id).filter_by(code="CORR"))),
            "specialty": str(paper.specialty_id),
            "paper": str(paper.id),
            "centre": "",
            "observations": "Saisie à garder",
        }
    return data | changes


def missions_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Mission.id)))


def test_a_valid_mission_is_created(app, manager):
    response = submit(manager, "/missionmodelview/add", mission_form(app))
    assert response.status_code == 302
    assert ids(app, Mission, number=990001) is not None


@pytest.mark.parametrize(
    "number, message",
    [
        ("52525", "Ce numéro de mission existe déjà."),
        ("0", "Un numéro de mission va de 1 à 999999999."),
        ("-7", "Un numéro de mission va de 1 à 999999999."),
        ("1234567890", "Un numéro de mission va de 1 à 999999999."),
        ("1" * 30, "Un numéro de mission va de 1 à 999999999."),
    ],
)
def test_a_mission_number_no_real_mission_has_is_refused_on_the_field(
    app, manager, number, message
):
    before = missions_count(app)
    response = submit(manager, "/missionmodelview/add", mission_form(app, number=number))
    assert response.status_code == 200
    assert message in field_errors(response.text, "number")
    assert "Saisie à garder" in response.text
    assert_no_database_text(response.text)
    assert missions_count(app) == before


def test_a_mission_edited_to_a_number_already_taken_is_refused(app, manager):
    mission = ids(app, Mission, number=86373)
    page = manager.get(f"/missionmodelview/edit/{mission}")
    assert page.status_code == 200
    with app.app_context():
        item = db.session.get(Mission, mission)
        data = {
            "number": "52525",
            "session": str(item.session_id),
            "mission_type": str(item.mission_type_id),
            "specialty": str(item.specialty_id or ""),
            "paper": str(item.paper_id or ""),
            "centre": str(item.centre_id or ""),
            "observations": "Saisie à garder",
        }
    response = submit(manager, f"/missionmodelview/edit/{mission}", data)
    assert response.status_code == 200
    assert "Ce numéro de mission existe déjà." in field_errors(response.text, "number")
    assert_no_database_text(response.text)
    # Its own number is not "already taken".
    response = submit(manager, f"/missionmodelview/edit/{mission}", data | {"number": "86373"})
    assert response.status_code == 302


def test_a_bts_paper_in_a_bac_session_is_refused_on_the_field(app, manager):
    with app.app_context():
        bac_session = db.session.scalar(
            select(ExamSession.id).join(ExamSession.exam).where(Exam.code == "BCG")
        )
    before = missions_count(app)
    response = submit(manager, "/missionmodelview/add", mission_form(app, session=str(bac_session)))
    assert response.status_code == 200
    assert "Cette épreuve n'appartient pas à l'examen de la session." in field_errors(
        response.text, "paper"
    )
    assert "Cette spécialité n'appartient pas à l'examen de la session." in field_errors(
        response.text, "specialty"
    )
    assert "Saisie à garder" in response.text
    assert missions_count(app) == before


def test_a_paper_of_another_specialty_is_refused_on_the_field(app, manager):
    with app.app_context():
        other = db.session.scalar(select(Specialty.id).where(Specialty.code == "31210"))
    response = submit(manager, "/missionmodelview/add", mission_form(app, specialty=str(other)))
    assert response.status_code == 200
    assert "Cette épreuve n'appartient pas à la spécialité choisie." in field_errors(
        response.text, "paper"
    )


# --- Académies ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://imagin.ac-nantes.fr", "javascript:alert(1)", "ftp://x.fr", "https://"]
)
def test_a_portal_url_must_be_https(app, manager, url):
    rennes = ids(app, Academy, code="RENNES")
    response = submit(
        manager,
        f"/academymodelview/edit/{rennes}",
        {"name": "Académie test", "portal_url": url},
    )
    assert response.status_code == 200
    assert "L'adresse du portail commence par https:// suivi du nom du site." in field_errors(
        response.text, "portal_url"
    )
    assert 'value="Académie test"' in response.text
    assert ids(app, Academy, name="Académie test") is None


def test_an_https_portal_url_is_accepted(app, manager):
    rennes = ids(app, Academy, code="RENNES")
    response = submit(
        manager,
        f"/academymodelview/edit/{rennes}",
        {"name": "Rennes", "portal_url": "https://imagin.ac-rennes.fr/portail"},
    )
    assert response.status_code == 302
    assert ids(app, Academy, portal_url="https://imagin.ac-rennes.fr/portail") == rennes


# --- Any refusal that still comes from the database -----------------------------------


def test_a_duplicate_specialty_code_is_a_french_message_on_the_field(app, manager):
    exam = ids(app, Exam, code="BTS")
    before = ids(app, Specialty, code="31406")
    response = submit(
        manager,
        "/specialtymodelview/add",
        {"exam": str(exam), "code": "31406", "name": "Saisie à garder"},
    )
    assert response.status_code == 200
    assert "Cette valeur existe déjà." in field_errors(response.text, "code")
    assert 'value="Saisie à garder"' in response.text
    assert_no_database_text(response.text)
    assert ids(app, Specialty, code="31406") == before


def test_a_specialty_edited_to_a_duplicate_code_is_a_french_message(app, manager):
    exam = ids(app, Exam, code="BTS")
    specialty = ids(app, Specialty, code="31210")
    response = submit(
        manager,
        f"/specialtymodelview/edit/{specialty}",
        {"exam": str(exam), "code": "31406", "name": "Saisie à garder"},
    )
    assert response.status_code == 200
    assert "Cette valeur existe déjà." in field_errors(response.text, "code")
    assert 'value="Saisie à garder"' in response.text
    assert_no_database_text(response.text)


def test_a_value_a_check_constraint_refuses_is_a_french_message_on_the_field(app, manager):
    specialty = ids(app, Specialty, code="31406")
    response = submit(
        manager,
        "/papermodelview/add",
        {
            "specialty": str(specialty),
            "code": "U9",
            "name": "Saisie à garder",
            "copy_rate_group": "9",
            "hour_rate_group": "1",
        },
    )
    assert response.status_code == 200
    assert "Cette valeur n'est pas admise." in field_errors(response.text, "copy_rate_group")
    assert 'value="Saisie à garder"' in response.text
    assert_no_database_text(response.text)


def test_a_number_too_large_for_its_column_is_refused_on_the_field(app, manager):
    exam = ids(app, Exam, code="BTS")
    response = submit(
        manager,
        "/examsessionmodelview/add",
        {"exam": str(exam), "name": "juin 2099", "year": "9" * 30},
    )
    assert response.status_code == 200
    assert "Au plus 2147483647." in field_errors(response.text, "year")
    assert_no_database_text(response.text)


@pytest.mark.parametrize(
    "model, lookup, view, used_by",
    [
        (Exam, {"code": "BTS"}, "exammodelview", "session"),
        (MissionType, {"code": "CORR"}, "missiontypemodelview", "mission"),
        (Specialty, {"code": "31406"}, "specialtymodelview", "épreuve"),
    ],
)
def test_deleting_a_record_still_used_is_refused_in_french(
    app, manager, model, lookup, view, used_by
):
    record = ids(app, model, **lookup)
    token = csrf_token(manager.get(f"/{view}/list/").text)
    response = manager.post(f"/{view}/delete/{record}", data={"csrf_token": token})
    assert response.status_code == 302
    page = manager.get(response.headers["Location"])
    messages = " ".join(console(page.text))
    assert "Suppression impossible : cet enregistrement est encore utilisé par" in messages
    assert used_by in messages
    assert_no_database_text(page.text)
    assert ids(app, model, **lookup) == record


def test_deleting_a_record_nothing_uses_still_works(app, manager):
    response = submit(manager, "/subjectmodelview/add", {"code": "999999", "name": "MATIERE TEST"})
    assert response.status_code == 302
    record = ids(app, Subject, code="999999")
    token = csrf_token(manager.get("/subjectmodelview/list/").text)
    response = manager.post(f"/subjectmodelview/delete/{record}", data={"csrf_token": token})
    assert response.status_code == 302
    assert ids(app, Subject, code="999999") is None


def test_a_session_ending_before_it_starts_is_refused_on_the_field(app, manager):
    exam = ids(app, Exam, code="BTS") or ids(app, Exam)
    response = submit(
        manager,
        "/examsessionmodelview/add",
        {
            "exam": str(exam),
            "name": "Session test",
            "year": "2027",
            "starts_on": "2027-06-10",
            "ends_on": "2027-06-01",
        },
    )
    assert response.status_code == 200
    assert "La session ne peut finir avant de commencer." in field_errors(response.text, "ends_on")
    assert 'value="Session test"' in response.text
    assert ids(app, ExamSession, name="Session test") is None


def test_the_documents_information_address_must_be_https(app, manager):
    from models import AcademySettings

    settings = ids(app, AcademySettings)
    response = submit(
        manager,
        f"/academysettingsmodelview/edit/{settings}",
        {
            "management_office_name": "DEC",
            "management_office_address": "RENNES",
            "documents_info_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200
    assert "Cette adresse commence par https:// suivi du nom du site." in field_errors(
        response.text, "documents_info_url"
    )
