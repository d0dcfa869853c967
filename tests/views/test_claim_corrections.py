"""The agent's claim filled by SANTORIN (seed 001 §2.6.4.2, « Etat de frais rempli
automatiquement par SANTORIN »): after the corrections import, the « Frais
rémunération » tab shows the copies read-only with the regrouping comment."""

import datetime as dt
import re

from sqlalchemy import select

from app.extensions import db
from app.services.claims import lifecycle
from app.services.interfaces.imports import base
from app.services.interfaces.imports import corrections as santorin
from models import Assignment, Mission, MissionSlot
from models.enums import SlotDuration
from tests.views.helpers import text
from tests.views.test_claims import accept, claim_id, post

NUMEN = "35E0000001MPC"


def import_grouped(app) -> None:
    """A second written test of the same session (218281) for the teacher, then a
    SANTORIN file with both missions of the wave 1."""
    with app.app_context():
        first = db.session.scalar(select(Mission).where(Mission.number == 218280))
        mission = Mission(
            academy_id=first.academy_id,
            number=218281,
            mission_type=first.mission_type,
            session_id=first.session_id,
            paper_id=first.paper_id,
        )
        mission.slots = [
            MissionSlot(
                day=first.first_day + dt.timedelta(days=1),
                start_time=dt.time(9, 0),
                duration=SlotDuration.DAY,
            )
        ]
        teacher = first.assignments[0].agent
        assignment = Assignment(mission=mission, agent=teacher)
        assignment.claim = lifecycle.new_claim(first.mission_type)
        db.session.add(assignment)
        db.session.flush()
        data = "\n".join(
            (
                "numero_mission;identifiant;copies;etat;session;vague",
                f"218280;{NUMEN};40;SERVICE_FAIT;juin 2026;1",
                f"218281;{NUMEN};72;SERVICE_FAIT;juin 2026;1",
            )
        ).encode()
        santorin.apply(db.session, first.academy_id, base.Source("santorin.csv", data))
        db.session.commit()


def test_the_agent_sees_the_copies_read_only_with_the_regrouping_comment(app, log_in, demo):
    import_grouped(app)
    client = log_in("enseignant")
    accept(client)
    carrier = claim_id(app, "LECLERC", 218280)
    page = client.get(f"/etats-de-frais/{carrier}/remuneration")
    assert page.status_code == 200
    shown = text(page.text)
    assert "Etat de frais rempli automatiquement par SANTORIN." in shown
    assert re.search(r"Nombre de copies :\s*112", shown)
    assert (
        "Regroupement des copies de la session juin 2026, vague 1 sur cet état de frais :"
        " mission 218280 (40 copies), mission 218281 (72 copies) ; total 112 copies." in shown
    )
    # Read-only: no input of copies, and a forged entry is refused.
    assert 'name="copies"' not in page.text
    post(client, f"/etats-de-frais/{carrier}/remuneration", {"copies": "5"})
    again = text(client.get(f"/etats-de-frais/{carrier}/remuneration").text)
    assert re.search(r"Nombre de copies :\s*112", again)
    # The other mission's claim says where its copies went.
    other = text(
        client.get(f"/etats-de-frais/{claim_id(app, 'LECLERC', 218281)}/remuneration").text
    )
    assert re.search(r"Nombre de copies :\s*0", other)
    assert (
        "Les 72 copies de cette mission sont regroupées sur l'état de frais de la mission 218280."
        in other
    )
