"""Missions et affectations as a manager sees it: the missions, a mission's candidates,
convoking, withdrawing, duplicating, the convocation PDF; agents cannot reach it."""

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from models import Agent, Assignment, Mission
from models.enums import ClaimStatus
from tests.conftest import csrf_token
from tests.views.helpers import console, text
from tests.views.test_claims import list_rows

HOME = "/missions-affectations/"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def mission_id(app, number):
    with app.app_context():
        return db.session.scalar(select(Mission.id).where(Mission.number == number))


def post(client, url, data=None):
    token = csrf_token(client.get(HOME).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def test_the_missions_menu_opens_the_missions_of_the_academy(manager):
    page = manager.get(HOME)
    assert page.status_code == 200
    rows = list_rows(page.text)
    row = next(r for r in rows if r[0] == "86373")
    assert row[1:3] == ["BACCALAUREAT GENERAL", "Correction de copies"]
    assert row[-1] == "2"  # the teacher and the external contributor
    assert "Créer une mission" in text(page.text)


def test_convoke_a_candidate_then_withdraw_the_convocation(app, manager):
    mission = mission_id(app, 77286)  # travaux administratifs, no paper: any free agent
    page = manager.get(f"{HOME}{mission}")
    candidates = list_rows(re.search(r'id="candidates".*?</table>', page.text, re.S).group(0))
    assert candidates[0][3] == "même commune"
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.last_name == "BERTHELOT"))
        agent_id, name = agent.id, agent.full_name
    response = post(
        manager,
        f"{HOME}{mission}/convoquer",
        {"agent_id": str(agent_id), "quality": "INVIGILATOR", "jury": "A1"},
    )
    page = manager.get(response.headers["Location"])
    assert any("1 intervenant(s) convoqué(s)." in m for m in console(page.text))
    with app.app_context():
        assignment = db.session.scalar(
            select(Assignment).where(
                Assignment.mission_id == mission, Assignment.agent_id == agent_id
            )
        )
        assert (assignment.quality.name, assignment.jury) == ("INVIGILATOR", "A1")
        assert assignment.claim.fee_status is ClaimStatus.TO_BE_PROCESSED
        assignment_id = assignment.id
    pdf = manager.get(f"{HOME}{mission}/convocation/{assignment_id}.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF")

    response = post(manager, f"{HOME}{mission}/retirer/{assignment_id}")
    page = manager.get(response.headers["Location"])
    assert any(f"La convocation de {name} est retirée" in m for m in console(page.text))
    with app.app_context():
        claim = db.session.get(Assignment, assignment_id).claim
        assert claim.fee_status is ClaimStatus.CANCELLED


def test_an_agent_without_the_competence_is_refused_with_a_message(app, manager):
    mission = mission_id(app, 86373)  # MATS: the colleagues have no such competence
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.last_name == "BERTHELOT"))
        agent_id = agent.id
    response = post(manager, f"{HOME}{mission}/convoquer", {"agent_id": str(agent_id)})
    page = manager.get(response.headers["Location"])
    assert any("Non disponible(s) pour cette mission" in m for m in console(page.text))


def test_duplicate_opens_the_copy(app, manager):
    mission = mission_id(app, 86373)
    response = post(manager, f"{HOME}{mission}/dupliquer")
    page = manager.get(response.headers["Location"])
    number = re.search(r"La mission n° (\d+) est créée par copie", " ".join(console(page.text)))
    assert number is not None
    assert f"Mission N° {number.group(1)}" in text(page.text)
    assert "Personne n'est encore convoqué." in text(page.text)


def test_agents_cannot_reach_the_missions_screens(app, log_in, demo):
    client = log_in("enseignant")
    mission = mission_id(app, 86373)
    for url in (HOME, f"{HOME}{mission}"):
        assert client.get(url).status_code in (302, 403)
    assert manager_only_post_refused(client, f"{HOME}{mission}/dupliquer")


def manager_only_post_refused(client, url):
    token = csrf_token(client.get("/etats-de-frais/").text)
    return client.post(url, data={"csrf_token": token}).status_code in (302, 403)


def test_another_academys_mission_is_not_found(app, manager):
    assert manager.get(f"{HOME}999999").status_code == 404


def test_convoking_the_same_agent_twice_says_so_in_french(app, manager):
    mission = mission_id(app, 77286)  # no paper: any free agent
    with app.app_context():
        agent_id = db.session.scalar(select(Agent.id).where(Agent.last_name == "BERTHELOT"))
    for _ in range(2):
        response = post(manager, f"{HOME}{mission}/convoquer", {"agent_id": str(agent_id)})
    page = manager.get(response.headers["Location"])
    messages = " ".join(console(page.text))
    assert "Déjà convoqué(e) à cette mission : BERTHELOT" in messages
    assert "constraint" not in page.text and "IntegrityError" not in page.text


def test_duplicating_when_the_numbers_are_used_up_is_refused_in_french(app, manager):
    mission = mission_id(app, 86373)
    with app.app_context():
        db.session.get(Mission, mission).number = 999_999_999
        db.session.commit()
    response = post(manager, f"{HOME}{mission}/dupliquer")
    assert response.status_code == 302
    page = manager.get(response.headers["Location"])
    assert "Un numéro de mission va de 1 à 999999999." in " ".join(console(page.text))


def test_candidates_are_filtered_sorted_and_paged_by_the_database(app, manager):
    """On a bigger académie the candidates come as a page of 50, nearest then least
    loaded; every page and sort agrees with the whole list of ``candidates``; a
    keyword narrows them on the names, the town and the distance label."""
    from app.seeds import large as large_dataset
    from app.services.missions import convocation
    from app.transaction import unit_of_work

    with app.app_context():
        with unit_of_work(db.session):
            large_dataset.seed_large(db.session, agents=120, claims=600)
        target = db.session.scalar(
            select(Mission).where(Mission.number == 77286)  # no paper: any free agent
        )
        expected = [
            (f"{c.agent.last_name} {c.agent.first_name}", str(c.proximity_label), str(c.load))
            for c in convocation.candidates(db.session, target)
        ]
        target_id = target.id
    assert len(expected) > 100

    def rows(**args):
        page = manager.get(f"{HOME}{target_id}", query_string=args).text
        table = re.search(r'id="candidates".*?</table>', page, re.S).group(0)
        return [(row[0], row[3], row[4]) for row in list_rows(table)], text(page)

    first, body = rows()
    second, _ = rows(cpage=2)
    assert first + second == expected[:100]
    assert f"Page 1 / {(len(expected) + 49) // 50} ({len(expected)} lignes)" in body
    by_load, _ = rows(csort="load", cdir="desc")
    assert [int(r[2]) for r in by_load] == sorted((int(r[2]) for r in expected), reverse=True)[:50]
    near, body = rows(cq="commune")
    assert near and {r[1] for r in near} == {"même commune"}
    assert f"({sum(r[1] == 'même commune' for r in expected)} lignes)" in body
    word = next(r[0].split()[0] for r in reversed(expected) if len(r[0].split()[0]) > 5)
    named, _ = rows(cq=word)
    assert named and all(word.lower() in r[0].lower() for r in named)
    assert len(named) == sum(word.lower() in r[0].lower() for r in expected)


def test_the_candidates_are_counted_in_the_page_s_statement(app, manager):
    """The candidates, all sorted by distance and load anyway, are counted by the
    statement that reads the page (a window): no statement of their own, whatever the
    sort; a page typed past the end shows the last one; « Page suivante » (a cursor)
    shows what page 2 shows."""
    from app.seeds import large as large_dataset
    from app.services.missions import convocation
    from app.transaction import unit_of_work
    from tests.conftest import page_queries
    from tests.views.test_request_cost import statements

    with app.app_context():
        with unit_of_work(db.session):
            large_dataset.seed_large(db.session, agents=120, claims=600)
        target = db.session.scalar(select(Mission).where(Mission.number == 77286))
        expected = [
            f"{c.agent.last_name} {c.agent.first_name}"
            for c in convocation.candidates(db.session, target)
        ]
        target_id = target.id
    pages = (len(expected) + 49) // 50
    assert pages >= 3
    url = f"{HOME}{target_id}"

    def names(page):
        table = re.search(r'id="candidates".*?</table>', page, re.S).group(0)
        return [row[0] for row in list_rows(table)]

    default, _ = page_queries(app, manager, url)
    for query in ("", "?csort=town", "?csort=load&cdir=desc", "?csort=name", "?cpage=2"):
        seen = [" ".join(sql.split()) for sql, _ in statements(app, manager, url + query)]
        assert len(seen) == default, query
        counted = [sql for sql in seen if "count(*) OVER ()" in sql]
        assert len(counted) == 1 and "LIMIT" in counted[0], query
        assert not [sql for sql in seen if sql.startswith("SELECT count(*)")], query
        response = manager.get(url + query)
        assert f"({len(expected)} lignes)" in text(response.text), query
    last = manager.get(url, query_string={"cpage": 999}).text
    assert f"Page {pages} / {pages} ({len(expected)} lignes)" in text(last)
    assert names(last) == expected[(pages - 1) * 50 :]
    second = manager.get(url, query_string={"cpage": 2}).text
    link = re.search(r'<a href="([^"]+)"[^>]*title="Page suivante"', manager.get(url).text)
    following = manager.get(html.unescape(link.group(1))).text
    assert "capres=" in link.group(1)
    assert names(following) == names(second) == expected[50:100]
    assert f"({len(expected)} lignes)" in text(following)
