"""One place for every rule: the claim pages show what the services decide (the
actions and tabs available, the amounts, the first mission of the day), and a forged
POST of a refused action gets the same French reason."""

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.services.claims import lifecycle, workflow
from app.services.common import clock
from models import (
    Academy,
    Agent,
    Assignment,
    Establishment,
    ExamSession,
    ExpenseClaim,
    Mission,
    MissionSlot,
    MissionType,
    Paper,
)
from models.enums import AgentKind, ClaimStatus, SlotDuration
from tests.conftest import csrf_token
from tests.views.helpers import console, text
from tests.views.test_claims import accept as accept_conditions
from tests.views.test_claims import claim_id

LIST = "/traitement-etats-de-frais/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DAY = dt.timedelta(days=1)


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


@pytest.fixture
def teacher(log_in, demo):
    client = log_in("enseignant")
    accept_conditions(client)
    return client


def post(client, url, data=None, **kwargs):
    token = csrf_token(client.get("/").text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def form_actions(html: str) -> set[str]:
    """The last part of each form's action URL (the actions the page offers)."""
    return {
        action.rstrip("/").rsplit("/", 1)[-1] for action in re.findall(r'action="([^"]*)"', html)
    }


# --- The manager's claim page ----------------------------------------------------------


def test_a_cancelled_claim_without_fee_can_be_restored(app, manager):
    """Jury de délibération (fee « Pas de frais »), travel validated: once cancelled, the
    page offers « Rétablir » and not « Annuler » again."""
    claim = claim_id(app, "LE GALL", 176629)
    post(manager, f"{LIST}{claim}/annuler", {"comment": "Jury annulé"})
    page = manager.get(f"{LIST}{claim}")
    assert "Rétablir" in page.text
    assert "restaurer" in form_actions(page.text)
    assert "annuler" not in form_actions(page.text)
    assert "Confirmer l'annulation" not in page.text
    restored = post(manager, f"{LIST}{claim}/restaurer", follow_redirects=True)
    assert "L'état de frais est rétabli." in " ".join(console(restored.text))
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        assert (row.fee_status, row.travel_status) == (ClaimStatus.NO_FEE, ClaimStatus.VALIDATED)


def test_no_document_is_deposited_on_a_cancelled_claim_even_by_a_forged_post(app, manager):
    claim = claim_id(app, "LE GALL", 176629)
    post(manager, f"{LIST}{claim}/annuler")
    page = manager.get(f"{LIST}{claim}")
    assert "documents" not in form_actions(page.text)
    forged = post(
        manager,
        f"{LIST}{claim}/documents",
        {"dossier": "TRAVEL", "piece": "MISC_RECEIPT", "file": (io.BytesIO(PNG), "a.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Cet état de frais est annulé : rétablissez-le d'abord." in " ".join(
        console(forged.text)
    )
    with app.app_context():
        assert not db.session.get(ExpenseClaim, claim).documents


def test_a_refused_manager_action_is_shown_disabled_with_its_reason(app, manager):
    """The teacher's validated claim waits for the service done: « Accepter » is not
    offered, and the page says why (the same words as a forged POST gets)."""
    claim = claim_id(app, "LECLERC", 77508)
    page = manager.get(f"{LIST}{claim}")
    reason = "Enregistrez le service fait de cette affectation avant de valider son état de frais."
    assert "accepter" not in form_actions(page.text)
    assert reason in text(page.text)
    forged = post(manager, f"{LIST}{claim}/accepter", follow_redirects=True)
    assert reason in " ".join(console(forged.text))


def test_the_travel_line_total_comes_from_the_service(app, manager):
    from app.services.claims import amounts

    claim = claim_id(app, "LECLERC", 77508)
    with app.app_context():
        row = db.session.get(ExpenseClaim, claim)
        totals = [leg.total for leg in amounts.compute(db.session, row).travel.legs]
    assert totals
    page = text(manager.get(f"{LIST}{claim}").text)
    for total in totals:
        shown = f"{total:.2f}".replace(".", ",")
        assert f"Montant : {shown}" in page


def test_the_agent_filter_names_only_a_contributor_of_the_academy(app, manager):
    """The list's « Intervenant : NAME » line goes through the académie's scoped query."""
    with app.app_context():
        nantes = db.session.scalar(select(Academy).where(Academy.code == "NANTES"))
        stranger = Agent(
            academy=nantes,
            kind=AgentKind.EXTERNAL,
            last_name="ETRANGER",
            first_name="Paul",
            external_id="EXT44000001",
        )
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.id
        leclerc = db.session.scalar(select(Agent.id).where(Agent.last_name == "LECLERC"))
    assert "ETRANGER" not in text(manager.get(f"{LIST}?agent={stranger_id}").text)
    assert "Intervenant : LECLERC Claire" in text(manager.get(f"{LIST}?agent={leclerc}").text)


# --- The agent's claim page ------------------------------------------------------------


def test_unvalidate_is_offered_only_when_the_service_allows_it(app, teacher):
    validated = claim_id(app, "LECLERC", 77508)
    assert "devalider" in form_actions(teacher.get(f"/etats-de-frais/{validated}/suivi").text)
    accepted = claim_id(app, "LECLERC", 77847)
    page = teacher.get(f"/etats-de-frais/{accepted}/suivi")
    assert "devalider" not in form_actions(page.text)
    forged = post(teacher, f"/etats-de-frais/{accepted}/devalider", follow_redirects=True)
    assert "Le gestionnaire a déjà traité cet état de frais" in " ".join(console(forged.text))


def test_a_refused_tab_says_why(app, teacher):
    claim = claim_id(app, "LECLERC", 52531)  # travel « Invalidable »
    post(teacher, f"/etats-de-frais/{claim}/completer")
    page = teacher.get(f"/etats-de-frais/{claim}/suivi")
    assert "/deplacement" not in page.text
    direct = teacher.get(f"/etats-de-frais/{claim}/deplacement", follow_redirects=True)
    assert "première mission de la journée" in " ".join(console(direct.text))


def two_missions_the_same_day(app) -> tuple[int, int, int]:
    """Two correction missions of the teacher: the first spans two days and starts at
    08:00 on the second day; the second starts at 14:00 that second day. Returns
    (first mission number, second claim id, second mission number)."""
    with app.app_context():
        session = db.session
        teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
        corr = session.scalar(select(MissionType).where(MissionType.code == "CORR"))
        rennes = session.scalar(select(Academy).where(Academy.code == "RENNES"))
        exam_session = session.scalars(select(ExamSession)).first()
        paper = session.scalar(select(Paper).where(Paper.code == "MATS"))
        centre = session.scalar(
            select(Establishment).where(Establishment.name == "LGT JOSEPH LOTH")
        )
        day = clock.today() - 45 * DAY  # no demo mission of the teacher near it
        missions = []
        for number, slots in (
            (990001, [(day - DAY, dt.time(9)), (day, dt.time(8))]),
            (990002, [(day, dt.time(14))]),
        ):
            mission = Mission(
                academy=rennes,
                number=number,
                mission_type=corr,
                session=exam_session,
                paper=paper,
                centre=centre,
            )
            mission.slots = [
                MissionSlot(day=d, start_time=t, duration=SlotDuration.HALF_DAY) for d, t in slots
            ]
            assignment = Assignment(mission=mission, agent=teacher)
            assignment.claim = lifecycle.new_claim(corr)
            session.add(assignment)
            missions.append(mission)
        session.flush()
        workflow.refresh_same_day_travel(session, teacher.id, by_user_id=None)
        session.commit()
        second = missions[1].assignments[0].claim
        assert second.travel_status is ClaimStatus.NOT_VALIDATABLE
        return missions[0].number, second.id, missions[1].number


def test_the_first_mission_of_the_day_is_the_one_the_service_chose(app, teacher):
    first_number, second_claim, _second_number = two_missions_the_same_day(app)
    page = text(teacher.get(f"/etats-de-frais/{second_claim}/suivi").text)
    assert "Le déplacement de cette mission est à saisir sur la première mission" in page
    assert f"mission N° {first_number}" in page
