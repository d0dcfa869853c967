"""The access portal (issue 16): address templates, availability, « Etat correction »,
the 100 days, the way through the portal (checked, recorded, redirected) and who the
activities kept for their people concern."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.services import DomainError, NotFound
from app.services.missions.audiences import presides_deliberation
from app.services.people.audiences import (
    manages_subjects,
    reads_national_statistics,
    teaches_eps,
)
from app.services.portal import applications, mission_access
from models import (
    Agent,
    Application,
    ApplicationAccess,
    Assignment,
    Discipline,
    Mission,
    MissionType,
)
from models.enums import AssignmentQuality


def agent(session, **lookup):
    return session.scalar(select(Agent).filter_by(**lookup))


def application(session, code):
    return session.scalar(select(Application).where(Application.code == code))


def assignment_of(session, who, number):
    return session.scalar(
        select(Assignment)
        .join(Mission)
        .where(Assignment.agent_id == who.id, Mission.number == number)
    )


def accesses(session):
    return session.scalar(select(func.count()).select_from(ApplicationAccess))


@pytest.mark.parametrize(
    "template",
    [
        "https://santorin.ac-{academie}.fr/correcteur?mission={numero}",
        "https://delos.education.gouv.fr/bns/",
    ],
)
def test_an_https_template_with_known_placeholders_is_accepted(template):
    assert applications.template_error(template) is None


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("", "Saisissez"),
        ("http://santorin.ac-rennes.fr/", "https://"),
        ("javascript:alert(1)", "https://"),
        ("https:///chemin", "https://"),
        ("https://santorin.fr/?u={utilisateur}", "Variable inconnue {utilisateur}"),
        ("https://santorin.fr/?m={numero:>10}", "Variable inconnue"),
        ("https://santorin.fr/?m={numero", "accolade"),
        ("https://santorin.fr/ a", "espace"),
        ("https://s.fr/" + "a" * 400, "400 caractères"),
    ],
)
def test_a_template_is_refused_with_a_french_message(app, template, words):
    with app.test_request_context():
        assert words in str(applications.template_error(template))


def test_the_address_is_built_with_the_values_encoded(session, demo):
    santorin = application(session, "SANTORIN")
    url = applications.build_url(santorin, academy_code="RENNES", number=86373)
    assert url == "https://santorin.ac-rennes.fr/correcteur?mission=86373"
    santorin.url_template = "https://s.fr/{academie}?n={numero}"
    assert applications.build_url(santorin, academy_code="A&B") == "https://s.fr/a%26b?n="


def test_an_application_is_unavailable_when_marked_or_within_its_dates(app, session, demo):
    today = dt.date(2026, 6, 15)
    santorin = application(session, "SANTORIN")
    with app.test_request_context():
        assert applications.unavailability(santorin, today) is None
        santorin.unavailable_from, santorin.unavailable_until = today, today + dt.timedelta(1)
        assert "SANTORIN n'est pas disponible" in str(applications.unavailability(santorin, today))
        assert applications.unavailability(santorin, today - dt.timedelta(1)) is None
        assert applications.unavailability(santorin, today + dt.timedelta(2)) is None
        santorin.unavailable_from, santorin.unavailable_until = None, today
        assert applications.unavailability(santorin, today) is not None
        santorin.unavailable_until = None
        jury = application(session, "CYCLADES_JURY")  # marked unavailable, with a message
        message = str(applications.unavailability(jury, today))
        assert "prendre contact avec votre gestionnaire" in message
        assert message.endswith("Maintenance du portail jury : retour prévu lundi à 8 h.")


def test_the_portal_lists_every_correction_state_and_hides_old_missions(app, session, demo):
    teacher = agent(session, numen="35E0000001MPC")
    with app.test_request_context():
        rows = {row.number: row for row in mission_access.portal_missions(session, teacher.id)}
        states = {number: str(row.correction_state) for number, row in rows.items()}
    assert states[86373] == "A corriger dans SANTORIN"
    assert states[77824] == "A numériser dans SANTORIN"
    assert states[77842] == "Service fait SANTORIN"
    assert states[77847] == "Service fait"  # service fait recorded, nothing from SANTORIN
    assert states[52525] == ""
    assert 77742 not in rows  # ended 120 days ago
    assert rows[86373].may_open and rows[86373].application == "SANTORIN"
    assert not rows[52525].may_open  # ORAUX PROFESSIONNELS opens no application
    assert rows[77508].exam == "BACCALAUREAT GENERAL"
    assert rows[77508].specialty == "ES - ECONOMIQUE ET SOCIALE"
    assert rows[77508].paper == "MATS, MATHEMATIQUES SPECIALISTE"


def test_a_mission_leaves_the_portal_100_days_after_its_end(session, demo):
    teacher = agent(session, numen="35E0000001MPC")
    last_day = assignment_of(session, teacher, 77842).mission.last_day
    shown = {
        r.number
        for r in mission_access.portal_missions(session, teacher.id, last_day + dt.timedelta(100))
    }
    hidden = {
        r.number
        for r in mission_access.portal_missions(session, teacher.id, last_day + dt.timedelta(101))
    }
    assert 77842 in shown and 77842 not in hidden


def test_a_click_records_the_access_and_gives_the_address(session, demo):
    teacher = agent(session, numen="35E0000001MPC")
    assignment = assignment_of(session, teacher, 86373)
    url = applications.enter_mission(session, teacher, assignment.id, user_id=teacher.user_id)
    assert url == "https://santorin.ac-rennes.fr/correcteur?mission=86373"
    access = session.scalar(select(ApplicationAccess))
    assert (access.agent_id, access.user_id, access.assignment_id, access.activity) == (
        teacher.id,
        teacher.user_id,
        assignment.id,
        "missions_portal",
    )
    assert access.application.code == "SANTORIN" and access.accessed_at is not None


def test_another_agents_or_an_old_mission_is_not_found(session, demo):
    teacher = agent(session, numen="35E0000001MPC")
    external = agent(session, external_id="EXT35000123")
    theirs = assignment_of(session, external, 86373)
    with pytest.raises(NotFound):
        applications.enter_mission(session, teacher, theirs.id, user_id=None)
    old = assignment_of(session, teacher, 77742)
    with pytest.raises(NotFound):
        applications.enter_mission(session, teacher, old.id, user_id=None)
    assert accesses(session) == 0


def test_an_unavailable_application_or_none_is_refused_and_not_recorded(app, session, demo):
    teacher = agent(session, numen="35E0000001MPC")
    application(session, "SANTORIN").available = False
    with app.test_request_context():
        with pytest.raises(DomainError, match="SANTORIN n'est pas disponible"):
            applications.enter_mission(
                session, teacher, assignment_of(session, teacher, 86373).id, user_id=None
            )
        with pytest.raises(DomainError, match="aucune application"):
            applications.enter_mission(
                session, teacher, assignment_of(session, teacher, 52525).id, user_id=None
            )
    assert accesses(session) == 0


def test_an_activity_opens_its_application_through_the_same_rule(app, session, demo):
    inspector = agent(session, numen="35E0000202INS")
    url = applications.enter_activity(session, inspector, "subjects", user_id=None)
    assert url == "https://delos.education.gouv.fr/bns/"
    assert session.scalar(select(ApplicationAccess.activity)) == "subjects"
    external = agent(session, external_id="EXT35000123")
    with app.test_request_context(), pytest.raises(DomainError, match="Maintenance du portail"):
        applications.enter_activity(session, external, "jury_portal", user_id=None)
    assert accesses(session) == 1


def test_eps_concerns_the_teachers_of_eps_at_the_right_level(session, demo):
    eps = agent(session, numen="35E0000201EPS")
    assert teaches_eps(session, eps)
    assert not teaches_eps(session, agent(session, numen="35E0000001MPC"))
    eps.teachings[0].active = False  # a teaching the last STS-WEB file no longer has
    session.flush()
    assert not teaches_eps(session, eps)


def test_the_jury_portal_concerns_the_presidents_of_a_deliberation(session, demo):
    external = agent(session, external_id="EXT35000123")
    teacher = agent(session, numen="35E0000001MPC")
    assert presides_deliberation(session, external)
    assert not presides_deliberation(session, teacher)
    # President of an oral jury, not of a deliberation: not concerned.
    oral = assignment_of(session, teacher, 52525)
    oral.quality = AssignmentQuality.PRESIDENT
    session.flush()
    assert not presides_deliberation(session, teacher)
    oral.mission.mission_type.deliberation = True
    oral.quality = AssignmentQuality.DELIBERATION_LEAD
    session.flush()
    assert presides_deliberation(session, teacher)


def test_subjects_and_statistics_concern_inspectors_or_their_post_discipline(session, demo):
    inspector = agent(session, numen="35E0000202INS")
    teacher = agent(session, numen="35E0000001MPC")
    assert manages_subjects(session, inspector) and reads_national_statistics(session, inspector)
    assert not manages_subjects(session, teacher)
    assert not reads_national_statistics(session, teacher)
    imsta = Discipline(code="IMSTA", name="INSPECTION - STATISTIQUES")
    session.add(imsta)
    session.flush()
    teacher.post_discipline_id = imsta.id
    session.flush()
    assert reads_national_statistics(session, teacher)
    assert not manages_subjects(session, teacher)


def test_the_demo_mission_types_open_their_application(session, demo):
    types = {t.code: t for t in session.scalars(select(MissionType))}
    assert types["CORR"].application.code == "SANTORIN"
    assert types["CAEPS"].application.code == "CYCLADES"
    assert types["NOTEPS"].application.code == "SANTORIN"
    assert types["ORAUXPRO"].application is None
    assert types["JURY"].deliberation
