"""Activities kept for the people they concern (issue 16): the menu lists them only for
the users whose condition holds, and the condition is asked only of a contributor."""

from dataclasses import replace

from sqlalchemy import select

from app.catalogue import BY_CODE, CATALOGUE
from app.services.portal import activities, audience
from models import Agent
from models.enums import Service

ASKED = []


def numen_ends_with_mpc(session, agent):
    ASKED.append(agent.numen)
    return agent.numen.endswith("MPC")


def test_an_activity_for_an_audience_is_listed_only_for_its_people(session, demo, monkeypatch):
    monkeypatch.setitem(audience.AUDIENCES, "test", f"{__name__}:numen_ends_with_mpc")
    kept = replace(BY_CODE["competences_view"], audience="test")
    catalogue = tuple(kept if d.code == kept.code else d for d in CATALOGUE)
    monkeypatch.setattr(activities, "CATALOGUE", catalogue)
    monkeypatch.setitem(activities.BY_CODE, kept.code, kept)
    agents = session.scalars(select(Agent).order_by(Agent.id)).all()
    concerned_one = next(a for a in agents if a.numen.endswith("MPC"))
    other = next(a for a in agents if not a.numen.endswith("MPC"))
    services = [Service.TEACHER]
    assert "test" in activities.audiences_for(services)
    assert activities.audiences_for([Service.MANAGER]) == frozenset()

    def codes(agent):
        found = audience.concerned(session, agent, activities.audiences_for(services))
        menu = activities.menu_for(session, services, concerned=found)
        return {entry.code for section in menu for entry in section.entries}, found

    listed, found = codes(concerned_one)
    assert "competences_view" in listed and activities.concerns("competences_view", found)
    listed, found = codes(other)
    assert "competences_view" not in listed
    assert not activities.concerns("competences_view", found)
    assert "claims_entry" in listed and activities.concerns("claims_entry", found)
    ASKED.clear()
    assert audience.concerned(session, None, {"test"}) == frozenset()
    assert ASKED == []  # a manager or an administrator is never asked
