"""What every page costs besides its own rows (issue 19): the user, their roles, the
openings and the contributor file are read once per request, never twice; a page's
statements do not grow with the tables; the session cookie is signed and sent again
only when the session changes."""

import re

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.seeds import large as large_dataset
from app.transaction import unit_of_work
from models import Mission
from tests.conftest import login

TEACHER_PAGES = ("/", "/etats-de-frais/", "/missions/", "/competences/consultation/")
MANAGER_PAGES = (
    "/traitement-etats-de-frais/",
    "/tableau-de-bord/",
    "/missions-affectations/",
    "/competences/gestion/",
    "/service-fait/",
)


def statements(app, client, url):
    """The (SQL, parameters) a GET of ``url`` runs, after a warm-up request."""
    with app.app_context():
        engine = db.engine
    client.get(url)
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, repr(parameters)))

    event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200, url
    return seen


def candidates_page(app):
    with app.app_context():
        mission_id = db.session.scalar(select(Mission.id).where(Mission.number == 77286))
    return f"/missions-affectations/{mission_id}"


@pytest.mark.parametrize(
    ("username", "pages"), [("enseignant", TEACHER_PAGES), ("gestionnaire", MANAGER_PAGES)]
)
def test_no_statement_runs_twice_in_a_request(app, client, demo, username, pages):
    assert login(client, username).status_code == 302
    for url in pages:
        seen = statements(app, client, url)
        twice = {sql for sql in seen if seen.count(sql) > 1}
        assert not twice, (url, twice)


@pytest.mark.parametrize(
    ("username", "pages"), [("enseignant", TEACHER_PAGES), ("gestionnaire", MANAGER_PAGES)]
)
def test_the_academie_comes_with_the_user_s_file(app, client, demo, username, pages):
    """The shell's académie (its name in the header) and the pages' are the one read
    with the contributor's or the manager's file: no statement reads it alone."""
    assert login(client, username).status_code == 302
    for url in pages:
        alone = [
            sql
            for sql, _ in statements(app, client, url)
            if re.search(r"FROM academy\s+WHERE academy\.(id|code) =", sql)
        ]
        assert alone == [], url


def test_the_conditions_of_use_cost_one_statement(app, client, demo):
    """The teacher's list asks for the conditions of use and their acceptance at once."""
    assert login(client, "enseignant").status_code == 302
    seen = [sql for sql, _ in statements(app, client, "/etats-de-frais/")]
    assert len([sql for sql in seen if "FROM portal_message" in sql]) == 1
    assert not [sql for sql in seen if sql.lstrip().startswith("SELECT conditions_acceptance")]


def test_the_menu_s_audiences_are_asked_in_one_statement(app, client, demo):
    """The audiences that are an ``EXISTS`` (EPS teachers, deliberation presidents)
    are asked together; the post discipline comes with the contributor's file."""
    assert login(client, "enseignant").status_code == 302
    seen = [sql for sql, _ in statements(app, client, "/etats-de-frais/")]
    audiences = [sql for sql in seen if "FROM teaching" in sql or "deliberation" in sql]
    assert len(audiences) == 1
    assert "FROM teaching" in audiences[0] and "mission_type.deliberation" in audiences[0]
    assert not [sql for sql in seen if re.search(r"FROM discipline\s+WHERE", sql)]


@pytest.mark.parametrize(
    ("username", "pages"), [("enseignant", TEACHER_PAGES), ("gestionnaire", MANAGER_PAGES)]
)
def test_the_account_s_security_comes_with_the_user(app, client, demo, username, pages):
    """The session checks read the account's security row loaded with the user (its
    roles and groups too): no statement of its own."""
    assert login(client, username).status_code == 302
    for url in pages:
        seen = [sql for sql, _ in statements(app, client, url)]
        assert not [sql for sql in seen if re.match(r"\s*SELECT account_security\.", sql)], url
        assert any("JOIN account_security" in sql for sql in seen), url


def test_a_page_costs_the_same_statements_on_a_bulk_inflated_database(app, client, demo):
    """The demo, then 2,000 more claims, 80 more agents: the agent's pages and the
    candidates of a mission run exactly the same number of statements."""
    teacher = app.test_client()
    assert login(teacher, "enseignant").status_code == 302
    assert login(client, "gestionnaire").status_code == 302
    candidates = candidates_page(app)
    before = {url: len(statements(app, teacher, url)) for url in TEACHER_PAGES}
    before[candidates] = len(statements(app, client, candidates))
    with app.app_context():
        with unit_of_work(db.session):
            large_dataset.seed_large(db.session, agents=80, claims=2000)
        db.session.remove()
    after = {url: len(statements(app, teacher, url)) for url in TEACHER_PAGES}
    after[candidates] = len(statements(app, client, candidates))
    assert after == before


def test_the_session_cookie_is_sent_again_only_when_the_session_changes(client, demo, frozen_clock):
    assert login(client, "enseignant").status_code == 302
    client.get("/")
    # Browsing within the minute: the session is the same, no cookie is sent.
    for url in ("/", "/etats-de-frais/", "/missions/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, url
    # A minute later the last activity is written again: the cookie follows.
    frozen_clock.advance(minutes=2)
    response = client.get("/")
    assert "imagin_session=" in response.headers.get("Set-Cookie", "")
    assert "Set-Cookie" not in client.get("/").headers
    # The idle end still comes after 30 minutes without a request.
    frozen_clock.advance(minutes=31)
    assert client.get("/etats-de-frais/").status_code == 302


def test_the_candidates_of_a_paper_cost_the_same_statements_however_many(app, client, demo):
    """A mission with a paper: its competent agents are read first, as keys; three times
    more candidates, the same statements (their number and their text)."""
    from app.services.missions import convocation

    assert login(client, "gestionnaire").status_code == 302
    with app.app_context():
        missions = db.session.scalars(
            select(Mission).where(Mission.paper_id.is_not(None)).order_by(Mission.number)
        ).all()
        counts = {m.id: len(convocation.candidates(db.session, m)) for m in missions}
        mission_id = max(counts, key=counts.get)
        db.session.remove()
    url = f"/missions-affectations/{mission_id}"
    before = [sql for sql, _ in statements(app, client, url)]
    with app.app_context():
        with unit_of_work(db.session):
            large_dataset.seed_large(db.session, agents=150, claims=300)
        grown = len(convocation.candidates(db.session, db.session.get(Mission, mission_id)))
        db.session.remove()
    assert grown >= 3 * max(counts[mission_id], 1), (counts[mission_id], grown)
    after = [sql for sql, _ in statements(app, client, url)]
    assert len(after) == len(before)
    assert [" ".join(sql.split())[:60] for sql in after] == [
        " ".join(sql.split())[:60] for sql in before
    ]
