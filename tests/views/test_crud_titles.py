"""Each page has its own title (WCAG 2.4.2, issue 18): FAB's generated CRUD pages too,
a record's detail and edit pages carrying the record."""

import re
from html import unescape

from sqlalchemy import select

from app.extensions import db
from models import Mission


def title(html: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1))


def test_crud_pages_have_distinct_titles(app, log_in, demo):
    client = log_in("gestionnaire")
    with app.app_context():
        first, second = db.session.scalars(select(Mission).order_by(Mission.id).limit(2)).all()
        ids, numbers = (first.id, second.id), (first.number, second.number)
    titles = {
        "list": title(client.get("/missionmodelview/list/").text),
        "add": title(client.get("/missionmodelview/add").text),
        "show 1": title(client.get(f"/missionmodelview/show/{ids[0]}").text),
        "show 2": title(client.get(f"/missionmodelview/show/{ids[1]}").text),
        "edit 1": title(client.get(f"/missionmodelview/edit/{ids[0]}").text),
    }
    assert len(set(titles.values())) == len(titles), titles
    assert titles["list"] == "Missions – IMAG'IN"
    assert titles["add"] == "Ajout – Missions – IMAG'IN"
    assert titles["show 1"].startswith(f"Détail – Missions – {numbers[0]}")
    assert titles["edit 1"].startswith(f"Modification – Missions – {numbers[0]}")
    assert titles["show 2"].startswith(f"Détail – Missions – {numbers[1]}")


def test_a_contributors_detail_is_titled_with_the_contributor(log_in, demo):
    client = log_in("gestionnaire")
    page = client.get("/agentmodelview/list/?_flt_0_last_name=LECLERC").text
    show = re.search(r'href="(/agentmodelview/show/\d+)"', page)
    assert show
    assert title(client.get(show.group(1)).text).startswith(
        "Détail – Intervenants – LECLERC Claire"
    )
