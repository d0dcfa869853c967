"""Who may open which screen: every activity of the catalogue, for every role."""

import pytest
from flask import url_for

from app.catalogue import CATALOGUE, ROLE_BY_SERVICE
from app.seeds.demo import DEMO_ACCOUNTS
from tests.views.helpers import console, text
from tests.views.test_route_matrix import kept_from

ROLE_USER = {account.role: account.username for account in DEMO_ACCOUNTS}
USER_SERVICES = {ROLE_USER[role]: service for service, role in ROLE_BY_SERVICE.items()}


def activity_url(app, definition):
    with app.test_request_context():
        return url_for(definition.endpoint)


CASES = [(username, definition) for definition in CATALOGUE for username in sorted(USER_SERVICES)]


@pytest.mark.parametrize(("username", "definition"), CASES, ids=[f"{u}-{d.code}" for u, d in CASES])
def test_each_role_opens_its_own_activities_and_gets_403_on_the_others(
    app, log_in, demo, username, definition
):
    client = log_in(username)
    response = client.get(activity_url(app, definition))
    if USER_SERVICES[username] in definition.services and kept_from(
        app, definition.endpoint, username
    ):
        assert response.status_code == 404  # kept for the people it concerns (issue 16)
    elif USER_SERVICES[username] in definition.services:
        # Open activity: the page (FAB lists may first redirect to bound their page).
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert client.get(response.headers["Location"]).status_code == 200
    else:
        assert response.status_code == 403
        assert "Vous n'avez pas accès à cette page." in console(response.text)


@pytest.mark.parametrize("definition", CATALOGUE, ids=[d.code for d in CATALOGUE])
def test_the_anonymous_are_sent_to_the_login(app, client, definition):
    response = client.get(activity_url(app, definition))
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/agentmodelview/add",
        "/agentmodelview/edit/1",
        "/agentmodelview/delete/1",
        "/missionmodelview/show/1",
        "/users/list/",
        "/roles/list/",
    ],
)
def test_a_teacher_cannot_reach_manager_or_admin_crud_by_url(log_in, demo, url):
    assert log_in("enseignant").get(url).status_code == 403


def test_admin_manages_users_but_not_the_referential(log_in, demo):
    client = log_in("admin")
    users = client.get("/users/list/")
    assert users.status_code == 200
    assert "Chef d'établissement" in text(users.text)
    assert "[Admin]" not in users.text  # roles by name, not Python lists
    assert client.get("/establishmentmodelview/list/").status_code == 403
