"""The managers' lists on a bigger académie (``seed_large`` at a small scale): the
number of SQL statements of a page does not grow with its rows (no query per row),
keyword search finds claims through every table it covers, and the agent's page
shows their claims with their amounts."""

import datetime as dt
from decimal import Decimal

import pytest
from babel.numbers import format_currency
from sqlalchemy import func, select, update

from app.extensions import db
from app.seeds import large as large_dataset
from app.services.claims import academy as academy_claims
from app.transaction import unit_of_work
from models import Agent, Assignment, ExpenseClaim, Mission
from models.enums import ClaimStatus
from tests.conftest import page_queries
from tests.views.helpers import text
from tests.views.test_claims import list_rows

LIST = "/traitement-etats-de-frais/"


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def grow(app):
    with app.app_context():
        with unit_of_work(db.session):
            large_dataset.seed_large(db.session, agents=60, claims=1200)
        db.session.remove()


def statements(app, client, url):
    count, response = page_queries(app, client, url)
    return count, response.text


def euros(amount) -> str:
    """An amount as the page shows it, its spaces read as ``text`` reads them."""
    return " ".join(format_currency(Decimal(amount), "EUR", locale="fr_FR").split())


def test_list_pages_cost_the_same_statements_with_more_rows(app, manager):
    sent = f"{LIST}?fee=SENT_FOR_PAYMENT"
    urls = (
        sent,
        f"{LIST}?q=a",
        f"{LIST}?sort=agent",
        "/service-fait/",
        "/mise-en-paiement/",
        "/tableau-de-bord/",
        "/agentmodelview/list/",
        "/competences/gestion/",
        "/missions-affectations/",
    )
    small = {url: statements(app, manager, url) for url in urls}
    assert len(list_rows(small[sent][1])) == 1
    grow(app)
    large = {url: statements(app, manager, url) for url in urls}
    assert len(list_rows(large[sent][1])) == 20
    for url in urls:
        assert large[url][0] <= small[url][0] + 1, (url, small[url][0], large[url][0])


def test_keywords_search_numbers_names_and_places(app, manager):
    grow(app)
    with app.app_context():
        claim = db.session.scalar(
            select(ExpenseClaim).where(ExpenseClaim.number.is_not(None)).limit(1)
        )
        number, agent = claim.number, claim.assignment.agent
        mission = claim.assignment.mission
        mission_number, centre = mission.number, mission.centre.name
        agent_claims = db.session.scalar(
            select(func.count(ExpenseClaim.id))
            .join(ExpenseClaim.assignment)
            .where(Assignment.agent_id == agent.id)
        )
    rows = list_rows(manager.get(LIST, query_string={"q": number}).text)
    assert [row[1] for row in rows] == [number]

    rows = list_rows(manager.get(LIST, query_string={"q": str(mission_number)}).text)
    assert rows and all(row[4] == str(mission_number) for row in rows)

    page = manager.get(LIST, query_string={"q": agent.numen or agent.external_id}).text
    rows = list_rows(page)
    assert len(rows) == min(agent_claims, 20)
    assert {row[0] for row in rows} == {f"{agent.last_name} {agent.first_name}"}

    word = centre.split()[-1]
    rows = list_rows(manager.get(LIST, query_string={"q": word}).text)
    assert rows and all(word.lower() in row[6].lower() for row in rows)


def test_typed_wildcards_are_taken_literally(manager):
    nothing = [["Aucune ligne ne correspond."]]
    assert list_rows(manager.get(LIST, query_string={"q": "%"}).text) == nothing
    assert list_rows(manager.get(LIST, query_string={"q": "_"}).text) == nothing
    everything = list_rows(manager.get(LIST).text)
    assert everything


def test_the_agent_page_shows_their_claims_and_amounts(app, manager):
    with app.app_context():
        agent = db.session.scalar(select(Agent).where(Agent.last_name == "LECLERC"))
        agent_id = agent.id
        claims = db.session.scalars(
            select(ExpenseClaim)
            .join(ExpenseClaim.assignment)
            .where(Assignment.agent_id == agent_id)
        ).all()
        sent = [c for c in claims if c.fee_status is ClaimStatus.SENT_FOR_PAYMENT]
        assert sent
        sent_total = sum(
            (c.fee_amount or 0) * (c.fee_status is ClaimStatus.SENT_FOR_PAYMENT)
            + (c.travel_amount or 0) * (c.travel_status is ClaimStatus.SENT_FOR_PAYMENT)
            for c in claims
        )
        shown = sent[0]
        shown_number, shown_fee = shown.number, shown.fee_amount
    page = manager.get(f"/agentmodelview/show/{agent_id}")
    assert page.status_code == 200
    body = text(page.text)
    assert "États de frais de l'intervenant" in body
    assert f"{len(claims)} états de frais" in body
    assert f"{euros(sent_total)} transmis à la liquidation" in body
    row = next(r for r in table_rows(page.text) if shown_number in r)
    assert "Transmis à la liquidation" in row and euros(shown_fee) in row


def table_rows(html: str) -> list[str]:
    section = html[html.index('class="imagin-agent-claims"') :]
    return [text(row) for row in section.split("<tr")[2:]]


def test_the_agent_page_keeps_to_the_latest_claims(app, manager):
    grow(app)
    with app.app_context():
        agent_id = db.session.scalar(
            select(Assignment.agent_id)
            .join(Assignment.mission)
            .where(Mission.number >= 100_000)
            .group_by(Assignment.agent_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        academy_id = db.session.scalar(select(Agent.academy_id).where(Agent.id == agent_id))
        figures = academy_claims.agent_claims(db.session, academy_id, agent_id, limit=3)
        everything = academy_claims.agent_claims(db.session, academy_id, agent_id, limit=1000)
        assert len(figures.latest) == 3 and figures.count == len(everything.latest) > 3
        days = [c.assignment.mission.first_day for c in everything.latest]
        assert days == sorted(days, reverse=True)
        assert [c.id for c in figures.latest] == [c.id for c in everything.latest[:3]]
        gone = academy_claims.GONE
        fee = sum((c.fee_amount or 0) for c in everything.latest if c.fee_status not in gone)
        assert figures.fee_total == Decimal(fee).quantize(Decimal("0.01"))
    count, page = statements(app, manager, f"/agentmodelview/show/{agent_id}")
    assert f"Les 20 derniers de {figures.count} états de frais." in text(page)


def test_a_long_list_is_counted_up_to_a_cap(app, manager, monkeypatch):
    """Past ``COUNT_CAP`` rows the list says "plus de …" instead of counting them all;
    the next page is still offered, the last one is not (unknown), and a page typed
    past the end shows the real last page with its exact count."""
    from app.services.common import listing

    grow(app)
    since = dt.date(1900, 1, 1)  # a filter the summary of the claims does not count
    with app.app_context():
        total = db.session.scalar(
            select(func.count(ExpenseClaim.id))
            .join(ExpenseClaim.assignment)
            .join(Assignment.mission)
            .where(Mission.first_day >= since)
        )
    assert total > 1000
    monkeypatch.setattr(listing, "COUNT_CAP", 100)
    dated = {"from": since.isoformat()}
    page = manager.get(LIST, query_string=dated).text
    body = text(page)
    assert "États de frais de l'académie (plus de 100 lignes)" in body
    assert "Page 1 (plus de 100 lignes)" in body
    assert 'title="Page suivante"' in page and 'title="Dernière page"' not in page
    deep = manager.get(LIST, query_string=dated | {"page": 30}).text
    assert "Page 30 (plus de 100 lignes)" in text(deep)
    assert len(list_rows(deep)) == 20
    # The 30th page is what the uncapped list shows there.
    monkeypatch.setattr(listing, "COUNT_CAP", 10**9)
    exact = manager.get(LIST, query_string=dated | {"page": 30}).text
    assert list_rows(exact) == list_rows(deep)
    assert f"Page 30 / {(total + 19) // 20} ({total} lignes)" in text(exact)
    monkeypatch.setattr(listing, "COUNT_CAP", 100)
    last = (total + 19) // 20
    beyond = text(manager.get(LIST, query_string=dated | {"page": last + 5}).text)
    assert f"Page {last} / {last}" in beyond


def test_the_claims_are_counted_from_the_summary_exactly(app, manager, monkeypatch):
    """Without keywords, on no filter or on those the summary groups by (session, exam,
    statuses), the list's total comes from the summary the database keeps: exact past
    ``COUNT_CAP``, with its last page; on another filter the rows are counted."""
    from flask_appbuilder.security.sqla.models import User

    from app.services.common import listing
    from models import ExamSession, Manager

    grow(app)
    monkeypatch.setattr(listing, "COUNT_CAP", 100)
    with app.app_context():
        academy = db.session.scalar(
            select(Manager.academy_id).where(
                Manager.user_id
                == select(User.id).where(User.username == "gestionnaire").scalar_subquery()
            )
        )
        claims = (
            select(func.count(ExpenseClaim.id))
            .join(ExpenseClaim.assignment)
            .join(Assignment.mission)
            .where(Mission.academy_id == academy)
        )
        session = db.session.get(
            ExamSession, db.session.scalar(select(func.max(Mission.session_id)))
        )
        session_id, exam_id = session.id, session.exam_id
        # Parts rejected by the finance office wait for the manager too, once each
        # (the second one also has its travel part waiting).
        rejected = db.session.scalars(
            select(ExpenseClaim.id)
            .join(ExpenseClaim.assignment)
            .join(Assignment.mission)
            .where(
                Mission.academy_id == academy,
                ExpenseClaim.fee_status == ClaimStatus.SENT_FOR_PAYMENT,
            )
            .order_by(ExpenseClaim.id)
            .limit(2)
        ).all()
        with unit_of_work(db.session):
            db.session.execute(
                update(ExpenseClaim)
                .where(ExpenseClaim.id.in_(rejected))
                .values(
                    fee_status=ClaimStatus.PROCESSED_BY_MANAGER,
                    fee_payment_rejection="RIB invalide",
                )
            )
            db.session.execute(
                update(ExpenseClaim)
                .where(ExpenseClaim.id == rejected[1])
                .values(travel_status=ClaimStatus.VALIDATED)
            )
        waiting = claims.where(academy_claims.waiting_for_manager())
        expected = {
            "": db.session.scalar(claims),
            f"session={session_id}": db.session.scalar(
                claims.where(Mission.session_id == session_id)
            ),
            f"exam={exam_id}": db.session.scalar(
                claims.join(Mission.session).where(ExamSession.exam_id == exam_id)
            ),
            "fee=SENT_FOR_PAYMENT": db.session.scalar(
                claims.where(ExpenseClaim.fee_status == ClaimStatus.SENT_FOR_PAYMENT)
            ),
            f"fee=VALIDATED&session={session_id}": db.session.scalar(
                claims.where(
                    ExpenseClaim.fee_status == ClaimStatus.VALIDATED,
                    Mission.session_id == session_id,
                )
            ),
            "waiting=1": db.session.scalar(waiting),
            f"waiting=1&session={session_id}": db.session.scalar(
                waiting.where(Mission.session_id == session_id)
            ),
        }
    assert expected[""] > 1000
    assert expected["waiting=1"] > 100
    for query, total in expected.items():
        page = manager.get(f"{LIST}?{query}").text
        pages = max(1, (total + 19) // 20)
        assert f"Page 1 / {pages} ({total} lignes)" in text(page), query
        if pages > 1:
            assert 'title="Dernière page"' in page, query
    last = (expected[""] + 19) // 20
    tail = manager.get(LIST, query_string={"page": last}).text
    assert len(list_rows(tail)) == expected[""] - (last - 1) * 20
    # On a filter the summary does not group by, the rows are counted, up to the cap.
    assert "(plus de 100 lignes)" in text(manager.get(f"{LIST}?from=1900-01-01").text)


def test_a_keyword_found_everywhere_gives_the_same_claims_as_a_rare_one(app, manager, monkeypatch):
    """The keys a keyword matches are read first and listed when they are few; past
    ``listed_keys`` (agents, missions or claims) the search stays a subquery. Both ways
    find the same claims, in the same order."""
    from app.services.common import listing

    grow(app)
    with app.app_context():
        name = db.session.scalar(
            select(Agent.last_name)
            .join(Assignment, Assignment.agent_id == Agent.id)
            .where(Agent.last_name.not_like("% %"))
            .group_by(Agent.last_name)
            .order_by(func.count().desc())
            .limit(1)
        )
    listed = {
        page: list_rows(manager.get(LIST, query_string={"q": name, "page": page}).text)
        for page in (1, 2)
    }
    assert len(listed[1]) == 20, listed
    assert all(name.lower() in " ".join(row).lower() for row in listed[1] + listed[2])
    for limit in (3, 30):  # few agents but many claims; then many agents too
        monkeypatch.setattr(listing, "MAX_LISTED_KEYS", {})
        monkeypatch.setattr(listing, "DEFAULT_LISTED_KEYS", limit)
        for page in (1, 2):
            rows = list_rows(manager.get(LIST, query_string={"q": name, "page": page}).text)
            assert rows == listed[page], (limit, page)
