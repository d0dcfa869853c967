"""Barèmes as a manager edits them: the dated tables and their lines, a key written the
way the computation reads it (French message otherwise, input kept), the new rate used
by the claims of missions from its date."""

import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.services.claims import bareme
from models import Academy, RateLine, RateTable
from models.enums import RateKind
from tests.conftest import csrf_token
from tests.views.helpers import text


def test_the_rate_tables_are_listed_with_their_dates(log_in, demo):
    client = log_in("gestionnaire")
    page = client.get("/ratetablemodelview/list/")
    assert page.status_code == 200
    assert "Barème des jurys et déplacements 2022" in text(page.text)
    assert "14/03/2022" in text(page.text) or "2022-03-14" in text(page.text)


def test_a_line_with_a_badly_written_key_is_refused_and_kept(app, log_in, demo):
    client = log_in("gestionnaire")
    with app.app_context():
        table_id = db.session.scalar(select(RateTable.id))
    form = client.get("/ratelinemodelview/add")
    response = client.post(
        "/ratelinemodelview/add",
        data={
            "csrf_token": csrf_token(form.text),
            "table": str(table_id),
            "kind": "KILOMETRE",
            "key": "9 CV de 0 à 2000",
            "amount": "0.50",
        },
    )
    assert response.status_code == 200
    assert "Pour les kilomètres, la clé s'écrit" in text(response.text)
    assert 'value="9 CV de 0 à 2000"' in response.text


def test_a_new_table_applies_to_missions_from_its_date(app, log_in, demo):
    client = log_in("gestionnaire")
    form = client.get("/ratetablemodelview/add")
    client.post(
        "/ratetablemodelview/add",
        data={
            "csrf_token": csrf_token(form.text),
            "name": "Barème 2027",
            "valid_from": "2027-01-01",
            "reference": "Arrêté fictif",
        },
    )
    with app.app_context():
        table_id = db.session.scalar(select(RateTable.id).where(RateTable.name == "Barème 2027"))
        assert table_id is not None
    form = client.get("/ratelinemodelview/add")
    client.post(
        "/ratelinemodelview/add",
        data={
            "csrf_token": csrf_token(form.text),
            "table": str(table_id),
            "kind": "MEAL",
            "key": "standard",
            "amount": "21.50",
        },
    )
    with app.app_context():
        line = db.session.scalar(select(RateLine).where(RateLine.rate_table_id == table_id))
        assert (line.kind, line.key, line.amount) == (RateKind.MEAL, "standard", Decimal("21.50"))
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        assert db.session.get(RateTable, table_id).academy_id == rennes  # the manager's
        before = bareme.rates_for(db.session, dt.date(2026, 12, 31), academy_id=rennes)
        after = bareme.rates_for(db.session, dt.date(2027, 1, 2), academy_id=rennes)
        assert before.get(RateKind.MEAL, "standard") == Decimal("20.00")
        assert after.get(RateKind.MEAL, "standard") == Decimal("21.50")


def test_agents_cannot_change_the_rates(log_in, demo):
    client = log_in("enseignant")
    assert client.get("/ratetablemodelview/list/").status_code in (302, 403)
    assert client.get("/ratelinemodelview/add").status_code in (302, 403)
