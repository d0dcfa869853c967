"""Activities: the catalogue, the menu of each service, openings and who may change them."""

import pytest
from sqlalchemy import func, select

from app.catalogue import CATALOGUE, ROLE_BY_SERVICE, activities_for, fab_roles
from app.services import DomainError, NotFound
from app.services.portal import activities
from models import Activity, ActivityOpening
from models.enums import Service


def labels(menu):
    return [str(entry.label) for section in menu for entry in section.entries]


def opening(session, code, service):
    return session.scalar(
        select(ActivityOpening)
        .join(Activity)
        .where(Activity.code == code, ActivityOpening.service == service)
    )


def test_sync_is_idempotent_and_keeps_a_changed_opening(session):
    rows = session.scalar(select(func.count()).select_from(ActivityOpening))
    assert rows == sum(len(a.services) for a in CATALOGUE)
    target = opening(session, "claims_entry", Service.TEACHER)
    target.is_open = False
    session.commit()
    assert activities.sync_activities(session) == 0
    assert session.scalar(select(func.count()).select_from(ActivityOpening)) == rows
    assert opening(session, "claims_entry", Service.TEACHER).is_open is False


def test_teacher_menu_lists_the_teacher_activities_in_sections(session, app):
    with app.test_request_context():
        menu = activities.menu_for(session, [Service.TEACHER])
        assert [str(s.label) for s in menu] == ["Consultation", "Saisie", "Accès"]
        assert labels(menu) == [
            "Consultation missions",
            "Consultation compétences",
            "Saisie compétences",
            "Saisie état de frais mission",
            "Informations personnelles",
            "Saisie des indisponibilités",
            "Portail d'accès aux missions",
        ]


def test_menu_marks_closed_and_current_entries(session):
    menu = activities.menu_for(session, [Service.TEACHER], current_code="claims_entry")
    entries = {e.code: e for s in menu for e in s.entries}
    assert entries["claims_entry"].is_current
    assert entries["claims_entry"].is_open
    assert not entries["personal_info"].is_open  # closed when first written
    assert not entries["missions_view"].is_current


def test_is_open_for_answers_none_outside_the_users_services(session):
    assert activities.is_open_for(session, "claims_entry", [Service.TEACHER]) is True
    assert activities.is_open_for(session, "personal_info", [Service.TEACHER]) is False
    assert activities.is_open_for(session, "claims_processing", [Service.TEACHER]) is None


def test_an_activity_open_for_one_of_the_users_services_is_open(session):
    target = opening(session, "missions_view", Service.TEACHER)
    activities.set_opening(
        session, target.id, False, by_user_id=None, editor_services=[Service.ADMIN]
    )
    assert activities.is_open_for(session, "missions_view", [Service.TEACHER]) is False
    both = [Service.TEACHER, Service.EXTERNAL]
    assert activities.is_open_for(session, "missions_view", both) is True


def test_manager_changes_the_agents_services_only(session):
    rows = activities.opening_rows(session, [Service.MANAGER])
    assert {row.service for row in rows} == {Service.TEACHER, Service.HEAD, Service.EXTERNAL}
    own = opening(session, "dashboard", Service.MANAGER)
    with pytest.raises(NotFound):
        activities.set_opening(
            session, own.id, False, by_user_id=None, editor_services=[Service.MANAGER]
        )
    assert opening(session, "dashboard", Service.MANAGER).is_open is True


def test_administrator_changes_every_service_but_cannot_lock_itself_out(session):
    rows = activities.opening_rows(session, [Service.ADMIN])
    assert Service.MANAGER in {row.service for row in rows}
    target = opening(session, "activity_openings", Service.MANAGER)
    with pytest.raises(DomainError):
        activities.set_opening(
            session, target.id, False, by_user_id=None, editor_services=[Service.ADMIN]
        )
    closed = activities.set_opening(
        session,
        opening(session, "dashboard", Service.MANAGER).id,
        False,
        by_user_id=None,
        editor_services=[Service.ADMIN],
    )
    assert closed.is_open is False


def test_an_agent_may_change_no_opening(session):
    assert activities.opening_rows(session, [Service.TEACHER]) == []
    target = opening(session, "claims_entry", Service.TEACHER)
    with pytest.raises(NotFound):
        activities.set_opening(
            session, target.id, False, by_user_id=None, editor_services=[Service.TEACHER]
        )


def test_fab_roles_give_each_role_exactly_the_views_of_its_activities():
    roles = fab_roles()
    assert set(roles) == set(ROLE_BY_SERVICE.values())
    for service, role in ROLE_BY_SERVICE.items():
        allowed = {view for a in activities_for(service) for view in a.views}
        patterns = roles[role]
        import re

        for activity in CATALOGUE:
            for view in activity.views:
                granted = any(re.match(v, view) and re.match(p, "can_list") for v, p in patterns)
                assert granted == (view in allowed), (role, view)
