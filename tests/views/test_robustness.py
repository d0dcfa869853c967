"""Hostile ids and list arguments give a page (404, or the list with a French message),
never a server error: one test per mechanism that bounds them (tests/test_fuzz.py sends
such values to every route)."""

import re

import pytest

from tests.conftest import login
from tests.views.helpers import console

HUGE = "9" * 20


@pytest.mark.parametrize(
    "url",
    [
        f"/etats-de-frais/{HUGE}/",
        f"/etats-de-frais/{2**31}/suivi",
        f"/missions/{HUGE}",
        f"/competences/gestion/{HUGE}/",
        f"/traitement-etats-de-frais/{HUGE}",
        f"/mise-en-paiement/lots/{HUGE}.csv",
        f"/missions-affectations/{HUGE}",
        f"/service-fait/{HUGE}",
        f"/intervenants/compte/{HUGE}",
    ],
)
def test_an_id_beyond_32_bits_in_an_int_route_is_not_found(log_in, demo, url):
    teacher = url.startswith(("/etats-de-frais/", "/missions/"))
    client = log_in("enseignant" if teacher else "gestionnaire")
    response = client.get(url)
    assert response.status_code == 404
    assert "Cette page n'existe pas ou vous n'êtes pas autorisé(e) à la consulter." in console(
        response.text
    )


@pytest.mark.parametrize("action", ["show", "edit", "delete"])
def test_a_fab_pk_that_is_not_a_bounded_id_is_not_found(app, demo, action):
    manager, admin = app.test_client(), app.test_client()
    login(manager, "gestionnaire")
    login(admin, "admin")
    for pk in (HUGE, str(2**31), "-1", "0", "abc", "1e3", "%00", "x" * 300):
        assert manager.get(f"/agentmodelview/{action}/{pk}").status_code == 404, pk
        assert manager.get(f"/missionslotmodelview/{action}/{pk}").status_code == 404, pk
        assert admin.get(f"/users/{action}/{pk}").status_code == 404, pk


@pytest.mark.parametrize(
    "url",
    [
        "/agentmodelview/download/x.txt",
        "/users/download/x.txt",
        "/agentmodelview/action/delete/1",
        "/api/v1/menu/",
        # FAB's self-service pages: the portal has its own (password, personal details)
        "/users/userinfo/",
        "/resetmypassword/form",
        "/userinfoeditview/form",
        "/users/action/resetmypassword/1",
        "/userstatschartview/chart/",
    ],
)
def test_unused_fab_routes_are_gone(log_in, demo, url):
    manager_route = url.startswith(("/agentmodelview", "/api"))
    assert log_in("gestionnaire" if manager_route else "admin").get(url).status_code == 404


def test_unused_fab_post_routes_are_gone(app, log_in, demo):
    client = log_in("gestionnaire")
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert not [
        rule for rule in rules if rule.endswith(("/action_post", "/download/<string:filename>"))
    ]
    assert "/agentmodelview/action/<string:name>/<pk>" not in rules
    assert client.post("/agentmodelview/action_post").status_code in (400, 404)


def test_an_unknown_action_on_the_users_screen_is_not_found(log_in, demo):
    assert log_in("admin").get("/users/action/no-such-action/1").status_code == 404


@pytest.mark.parametrize(
    "args",
    [
        {"_flt_0_kind": "NO_SUCH_KIND"},
        {"_flt_1_kind": HUGE},
        {"_flt_9_kind": "TEACHER"},
        {"_flt_0_last_name": "\x00"},
    ],
)
def test_a_hostile_filter_on_a_fab_list_gives_the_list_with_a_french_message(log_in, demo, args):
    client = log_in("gestionnaire")
    response = client.get("/agentmodelview/list/", query_string=args, follow_redirects=True)
    assert response.status_code == 200
    assert "LECLERC" in response.text  # the unfiltered list
    assert any("filtre" in message for message in console(response.text)), console(response.text)


@pytest.mark.parametrize(
    ("url", "args"),
    [
        ("/missionslotmodelview/list/", {"_flt_0_mission": HUGE}),
        ("/missionslotmodelview/list/", {"_flt_0_day": "2026-13-45"}),
        ("/ratelinemodelview/list/", {"_flt_0_amount": "1e400"}),
        ("/assignmentmodelview/list/", {"_flt_0_quality": "x" * 3000}),
        # FAB compares anything but "y" with a boolean column as text (PostgreSQL: 500)
        ("/missiontypemodelview/list/", {"_flt_0_active": "abc"}),
    ],
)
def test_hostile_filters_on_other_fab_lists(log_in, demo, url, args):
    response = log_in("gestionnaire").get(url, query_string=args, follow_redirects=True)
    assert response.status_code == 200


def test_a_valid_enum_filter_still_filters(log_in, demo):
    client = log_in("gestionnaire")
    response = client.get("/agentmodelview/list/", query_string={"_flt_0_kind": "EXTERNAL"})
    assert response.status_code == 200
    assert "LE GALL" in response.text
    assert "LECLERC" not in response.text


@pytest.mark.parametrize(
    ("username", "url", "args"),
    [
        ("gestionnaire", "/traitement-etats-de-frais/", {"session": HUGE}),
        ("gestionnaire", "/traitement-etats-de-frais/", {"exam": HUGE, "agent": str(2**63)}),
        ("gestionnaire", "/traitement-etats-de-frais/", {"type": HUGE, "centre": HUGE}),
        ("gestionnaire", "/tableau-de-bord/", {"session": HUGE}),
        ("gestionnaire", "/missions-affectations/", {"page": HUGE, "q": "x" * 3000}),
        ("gestionnaire", "/service-fait/", {"page": "-" + HUGE}),
        ("enseignant", "/competences/saisie/options", {"exam": HUGE}),
        ("enseignant", "/competences/saisie/options", {"specialty": HUGE}),
        ("enseignant", "/etats-de-frais/", {"page": HUGE}),
    ],
)
def test_hostile_ids_in_the_portal_s_own_list_arguments(log_in, demo, username, url, args):
    response = log_in(username).get(url, query_string=args, follow_redirects=True)
    assert response.status_code in (200, 404)


def test_hostile_ids_in_forms_are_refused_without_an_error(log_in, demo):
    from tests.conftest import csrf_token

    client = log_in("gestionnaire")
    page = client.get("/traitement-etats-de-frais/")
    token = csrf_token(page.text)
    response = client.post(
        "/traitement-etats-de-frais/selection/accepter",
        data={"csrf_token": token, "claim_id": [HUGE, str(2**63)]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    missions = client.get("/missions-affectations/")
    mission_id = int(re.search(r"/missions-affectations/(\d+)", missions.text).group(1))
    response = client.post(
        f"/missions-affectations/{mission_id}/convoquer",
        data={"csrf_token": token, "agent_id": [HUGE], "quality": "CORRECTOR"},
        follow_redirects=True,
    )
    assert response.status_code == 200


def test_a_nul_character_is_refused_with_a_message_not_a_database_error(log_in, demo):
    """PostgreSQL refuses NUL in text (a 500 there): no request may carry one."""
    from tests.conftest import csrf_token

    client = log_in("gestionnaire")
    page = client.get("/messages/teacher/welcome")
    response = client.post(
        "/messages/teacher/welcome",
        data={"csrf_token": csrf_token(page.text), "body": "Bienvenue\x00"},
    )
    assert response.status_code == 400
    assert "La demande n'a pas pu être comprise. Veuillez réessayer." in console(response.text)
    assert client.get("/compte/reinitialiser/abc%00def").status_code == 400
    assert client.get("/traitement-etats-de-frais/", query_string={"q": "a\x00"}).status_code == 400


@pytest.mark.parametrize(
    "args",
    [
        {"page_AgentModelView": HUGE},
        {"psize_AgentModelView": "-" + HUGE},
        {"_oc_AgentModelView": "password", "_od_AgentModelView": "asc"},
        {"_oc_AgentModelView": "last_name", "_od_AgentModelView": "x" * 3000},
    ],
)
def test_hostile_fab_page_and_order_arguments_give_a_list(log_in, demo, args):
    response = log_in("gestionnaire").get(
        "/agentmodelview/list/", query_string=args, follow_redirects=True
    )
    assert response.status_code == 200
