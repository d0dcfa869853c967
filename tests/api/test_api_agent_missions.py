"""GET /api/v1/agents/{numen}/missions: what another académie's portal reads of one
agent (the columns of Consultation missions and the access portal, with the correction
state SANTORIN sent), paginated and bounded, and only the client's académie."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from tests.api.conftest import bearer, make_token

TEACHER = "35E0000001MPC"
URL = f"/api/v1/agents/{TEACHER}/missions"


def teacher_assignments(app) -> list:
    from models import Agent, Assignment

    with app.app_context():
        rows = db.session.execute(
            select(Assignment.id, Assignment.mission_id)
            .join(Agent)
            .where(Agent.numen == TEACHER, Assignment.cancelled_at.is_(None))
        ).all()
        db.session.remove()
    return rows


def test_the_agents_missions_with_their_columns_and_correction_state(app, client, read_token):
    from app.transaction import unit_of_work
    from models import CorrectionState, Mission
    from models.enums import CorrectionStatus

    rows = teacher_assignments(app)
    assert rows
    with app.app_context(), unit_of_work(db.session) as session:
        session.add(
            CorrectionState(
                assignment_id=rows[0].id,
                copies=3,
                state=CorrectionStatus.TO_DIGITISE,
                session_label="juin",
            )
        )
        number = session.get(Mission, rows[0].mission_id).number
    response = client.get(f"{URL}?page_size=100", headers=bearer(read_token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == len(rows) == len(body["items"])
    item = next(item for item in body["items"] if item["number"] == number)
    assert item["correction_state"] == {
        "code": "TO_DIGITISE",
        "label": "A numériser dans SANTORIN",
    }
    assert set(item) == {
        "number",
        "exam",
        "session",
        "specialty",
        "paper",
        "mission_type",
        "first_day",
        "last_day",
        "centre",
        "quality",
        "correction_state",
    }
    assert item["exam"] and item["mission_type"]
    days = [item["first_day"] or "" for item in body["items"]]
    assert days == sorted(days, reverse=True)


def test_pages_are_bounded(app, client, read_token):
    total = len(teacher_assignments(app))
    first = client.get(f"{URL}?page_size=1", headers=bearer(read_token)).get_json()
    assert first["total"] == total and len(first["items"]) == 1
    assert first["links"]["next"] == f"{URL}?page_size=1&page=2"
    response = client.get(f"{URL}?page_size=101", headers=bearer(read_token))
    assert response.status_code == 400
    assert client.get(f"{URL}?page=0", headers=bearer(read_token)).status_code == 400


def test_an_unknown_numen_has_no_mission_and_a_too_long_one_is_not_found(client, read_token):
    body = client.get("/api/v1/agents/35E9999999XXX/missions", headers=bearer(read_token))
    assert body.get_json()["total"] == 0
    too_long = client.get("/api/v1/agents/35E0000001MPCX/missions", headers=bearer(read_token))
    assert too_long.status_code == 404
    assert too_long.headers["Content-Type"].startswith("application/problem+json")


def test_a_peer_token_sees_only_its_own_academy(app, client, other_academy):
    """Rennes' teacher has missions in Rennes: a client of the other académie sees none
    of them; and the other académie's agent is not seen by a client of Rennes."""
    other = make_token(app, ["missions:lire"], academy_code="ESSAI")
    rennes = make_token(app, ["missions:lire"])
    assert client.get(URL, headers=bearer(other)).get_json()["total"] == 0
    assert client.get(URL, headers=bearer(rennes)).get_json()["total"] > 0
    nantais = "/api/v1/agents/99E0000000NAN/missions"
    assert client.get(nantais, headers=bearer(rennes)).get_json()["total"] == 0
    mine = client.get(nantais, headers=bearer(other)).get_json()
    assert [item["number"] for item in mine["items"]] == [990001]
