"""An agent the staff import no longer lists: the managers' list « Intervenants » and
the agent's detail mark them « Inactif »; the others read « Actif »."""

import re

from sqlalchemy import select

from app.extensions import db
from app.services.interfaces.imports.base import IMPORTERS
from models import Academy, Agent
from tests.services.test_import_staff import example_without


def row_of(html: str, name: str) -> str:
    rows = re.findall(r"<tr\b.*?</tr>", html, flags=re.S)
    [row] = [row for row in rows if name in row]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))


def test_the_managers_list_and_detail_mark_an_inactive_agent(app, log_in, demo):
    with app.app_context():
        rennes = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
        IMPORTERS["staff"].apply(
            db.session, rennes, example_without("35E0000008ENS"), skip_refused=False
        )
        db.session.commit()
        gourves = db.session.scalar(select(Agent.id).where(Agent.numen == "35E0000008ENS"))
    client = log_in("gestionnaire")
    page = client.get("/agentmodelview/list/?psize_AgentModelView=100")
    assert page.status_code == 200
    assert "Inactif" in row_of(page.text, "GOURVES")
    assert "Inactif" not in row_of(page.text, "LECLERC")
    assert "Actif" in row_of(page.text, "LECLERC")
    detail = client.get(f"/agentmodelview/show/{gourves}")
    assert detail.status_code == 200
    assert "Inactif" in detail.text
