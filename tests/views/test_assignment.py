"""Affectation automatique (issue 17 §5) as a manager sees it: the form and its refusals
next to the fields, the proposal job and its review (totals, missions, lines), removing and
replacing a line, convoking with a confirmation, refilling; another académie's run is a
404, ids are bounded; the agents, the head and the administrator cannot reach it."""

import re

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.services.missions.assignment import run_base
from models import Academy, Agent, Assignment, ExamSession, Mission
from models.assignment import AssignmentGap, AssignmentProposal, AssignmentRun, MissionNeed
from models.enums import AssignmentQuality, AssignmentRunState
from tests.conftest import csrf_token, login
from tests.views.helpers import console, text

HOME = "/affectation-automatique/"
# Travaux administratifs, no paper: any active contributor of the académie may take it.
MISSION = 77286


@pytest.fixture
def manager(log_in, demo):
    return log_in("gestionnaire")


def mission_of(app, number):
    with app.app_context():
        mission = db.session.scalar(select(Mission).where(Mission.number == number))
        return mission.id, mission.session_id


def add_need(app, number=MISSION, places=2, quality=AssignmentQuality.INVIGILATOR):
    """``places`` free places on the mission, beyond its contributors convoked already."""
    with app.app_context():
        mission_id = db.session.scalar(select(Mission.id).where(Mission.number == number))
        convoked = len(
            db.session.scalars(
                select(Assignment.id).where(
                    Assignment.mission_id == mission_id, Assignment.cancelled_at.is_(None)
                )
            ).all()
        )
        db.session.add(
            MissionNeed(mission_id=mission_id, quality=quality, places=places + convoked)
        )
        db.session.commit()
        db.session.remove()


def said(app, message) -> str:
    """A service's message as the French pages show it."""
    with app.test_request_context():
        return str(message)


def field_help(page: str, field: str) -> str:
    """The text next to a field (its help and its error)."""
    return text(re.search(rf'id="{field}-help">(.*?)</div>', page, re.S).group(1))


def post(client, url, data=None):
    token = csrf_token(client.get(HOME).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})


def run_job(app, job_id):
    """What a worker does with the job."""
    from app.jobs import runner

    runner.run(app, job_id, last_attempt=True)


def the_run(app, run_id) -> AssignmentRun:
    with app.app_context():
        run = db.session.get(AssignmentRun, run_id)
        db.session.expunge(run)
        return run


def propose(app, client, **fields):
    """Start a proposal on the mission's session from the form, run its job: the run id."""
    _mission_id, session_id = mission_of(app, MISSION)
    data = {"exam_session_id": str(session_id), "mission_numbers": str(MISSION)} | fields
    response = post(client, f"{HOME}lancer", data)
    assert response.status_code == 302, text(response.text)
    run_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    run_job(app, the_run(app, run_id).proposal_job_id)
    return run_id


def lines_of(app, run_id):
    with app.app_context():
        return list(
            db.session.execute(
                select(AssignmentProposal.id, AssignmentProposal.agent_id).where(
                    AssignmentProposal.run_id == run_id
                )
            ).all()
        )


def test_the_form_offers_the_sessions_the_weights_and_the_recent_proposals(app, manager):
    add_need(app)
    page = manager.get(HOME)
    assert page.status_code == 200
    shown = text(page.text)
    assert "Affectation automatique" in shown
    assert "1 mission(s) avec besoins sur" in shown
    for label in (
        "Numéros de missions",
        "Poids d'un kilomètre",
        "Coût d'une mission de plus pour un même intervenant",
        "Gain d'un vœu exprimé",
        "Lancer la proposition",
        "Propositions récentes",
        "Aucune proposition pour l'instant.",
    ):
        assert label in shown, label
    for name, default in (("travel", "1"), ("spread", "40"), ("wish", "30")):
        assert re.search(rf'name="{name}"[^>]*value="{default}"', page.text), name
    assert '<th scope="col">' in page.text and "<caption>" in page.text


def test_wrong_fields_are_refused_next_to_them_and_nothing_typed_is_lost(app, manager):
    add_need(app)
    _mission_id, session_id = mission_of(app, MISSION)
    response = post(
        manager,
        f"{HOME}lancer",
        {
            "exam_session_id": str(session_id),
            "mission_numbers": "99999999 abc",
            "travel": "beaucoup",
            "spread": "40",
            "wish": "5000",
        },
    )
    assert response.status_code == 422
    page = response.text
    assert said(app, _l("Not mission numbers: %(values)s.", values="abc")) in field_help(
        page, "mission_numbers"
    )
    # Each message is next to its field, the field marked invalid; what was typed is back.
    for field in ("mission_numbers", "weight-travel", "weight-wish"):
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page), field
    assert 'id="weight-spread"' in page
    assert not re.search(r'id="weight-spread"[^>]*aria-invalid', page)
    assert "99999999 abc</textarea>" in page
    assert re.search(r'name="travel"[^>]*value="beaucoup"', page)
    wrong_number = said(app, _l("Enter a number from 0 to %(max)s.", max=1000))
    assert wrong_number in field_help(page, "weight-travel")
    assert wrong_number in field_help(page, "weight-wish")
    assert wrong_number not in field_help(page, "weight-spread")
    with app.app_context():
        assert not db.session.scalar(select(AssignmentRun.id))


def test_no_session_chosen_is_refused_next_to_the_select(app, manager):
    response = post(manager, f"{HOME}lancer", {"exam_session_id": "99999999999999"})
    assert response.status_code == 422
    assert re.search(r'id="exam_session_id"[^>]*aria-invalid="true"', response.text)


def test_propose_review_remove_replace_then_convoke(app, manager):
    add_need(app, places=2)
    run_id = propose(app, manager)
    page = manager.get(f"{HOME}{run_id}")
    assert page.status_code == 200
    shown = text(page.text)
    assert "Proposée" in shown
    assert "Intervenants mobilisés" in shown and "Trajet le plus long" in shown
    assert f"Mission N° {MISSION}" in shown
    lines = lines_of(app, run_id)
    assert len(lines) == 2
    assert shown.count("Retirer") >= 2 and "Convoquer" in shown

    # Remove one line: the place is free (a gap « retiré »).
    (line_id, _agent), (kept_id, kept_agent) = lines
    response = post(manager, f"{HOME}{run_id}/retirer/{line_id}")
    assert response.status_code == 302
    page = manager.get(response.headers["Location"])
    assert any("retiré de la proposition" in m for m in console(page.text))
    assert len(lines_of(app, run_id)) == 1
    with app.app_context():
        assert db.session.scalar(select(AssignmentGap.places).where(AssignmentGap.run_id == run_id))

    # Replace the kept line: the select of the eligible contributors, then the choice.
    page = manager.get(f"{HOME}{run_id}?remplacer={kept_id}")
    assert page.status_code == 200
    options = re.findall(rf'<select id="swap-{kept_id}".*?</select>', page.text, re.S)
    assert options, "no select of replacements"
    choices = [int(v) for v in re.findall(r'<option value="(\d+)"', options[0])]
    assert choices and kept_agent not in choices
    response = post(manager, f"{HOME}{run_id}/remplacer/{kept_id}", {"agent_id": str(choices[0])})
    assert response.status_code == 302
    assert [agent for _line, agent in lines_of(app, run_id)] == [choices[0]]

    # Convoke: a confirmation first, then the job, then the result.
    confirm = manager.get(f"{HOME}{run_id}/convoquer")
    assert confirm.status_code == 200
    assert "Confirmer les convocations" in text(confirm.text)
    response = post(manager, f"{HOME}{run_id}/convoquer")
    assert response.status_code == 302
    run = the_run(app, run_id)
    assert run.state is AssignmentRunState.CONVOKING
    page = manager.get(f"{HOME}{run_id}")
    assert 'role="progressbar"' in page.text and "aria-valuenow=" in page.text
    assert "Traitements en cours" in text(page.text)
    run_job(app, run.convocation_job_id)
    page = manager.get(f"{HOME}{run_id}")
    assert said(app, AssignmentRunState.CONVOKED.label) in text(page.text)
    assert 'role="progressbar"' not in page.text
    assert "Compléter les places libérées" in text(page.text)
    with app.app_context():
        assert db.session.scalar(
            select(Assignment.id).where(
                Assignment.agent_id == choices[0], Assignment.cancelled_at.is_(None)
            )
        )

    # Refill: a new run on the same missions.
    response = post(manager, f"{HOME}{run_id}/completer")
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert new_id != run_id
    assert the_run(app, new_id).state is AssignmentRunState.PROPOSING


def test_a_refused_replacement_is_said_next_to_the_select(app, manager):
    add_need(app, places=2)
    run_id = propose(app, manager)
    (line_id, _agent), (_other, other_agent) = lines_of(app, run_id)
    # The other line's contributor already holds a place on this mission.
    response = post(manager, f"{HOME}{run_id}/remplacer/{line_id}", {"agent_id": str(other_agent)})
    assert response.status_code == 422
    assert re.search(rf'id="swap-{line_id}"[^>]*aria-invalid="true"', response.text)
    help_block = re.search(rf'id="swap-{line_id}-help">(.*?)</div>', response.text, re.S).group(1)
    assert 'class="text-danger"' in help_block
    # Nothing chosen: refused too, nothing changed.
    response = post(manager, f"{HOME}{run_id}/remplacer/{line_id}", {"agent_id": ""})
    assert response.status_code == 422
    assert "Choisissez l'intervenant qui prend la place." in text(response.text)
    assert len(lines_of(app, run_id)) == 2


def test_actions_refused_out_of_their_state_say_why(app, manager):
    add_need(app, places=1)
    run_id = propose(app, manager)
    # Not convoked yet: no refill.
    response = post(manager, f"{HOME}{run_id}/completer")
    page = manager.get(response.headers["Location"])
    assert said(app, _l("Only a convoked proposal can be refilled.")) in console(page.text)
    assert the_run(app, run_id).state is AssignmentRunState.PROPOSED
    # A newer proposal discards this one: it can no longer be changed nor convoked.
    propose(app, manager)
    (line_id, _agent), *_rest = lines_of(app, run_id)
    response = post(manager, f"{HOME}{run_id}/retirer/{line_id}")
    page = manager.get(response.headers["Location"])
    assert said(app, run_base.NOT_PROPOSED) in console(page.text)
    assert len(lines_of(app, run_id)) == 1
    confirm = manager.get(f"{HOME}{run_id}/convoquer")
    assert confirm.status_code == 302
    response = post(manager, f"{HOME}{run_id}/convoquer")
    page = manager.get(response.headers["Location"])
    assert said(app, run_base.NOT_PROPOSED) in console(page.text)
    assert the_run(app, run_id).state is AssignmentRunState.DISCARDED


def test_the_review_filters_searches_and_pages(app, manager):
    add_need(app, places=1)
    run_id = propose(app, manager)
    page = manager.get(f"{HOME}{run_id}?q={MISSION}")
    assert f"Mission N° {MISSION}" in text(page.text)
    page = manager.get(f"{HOME}{run_id}?q=aucun-centre-de-ce-nom")
    assert "Aucune mission ne correspond." in text(page.text)
    page = manager.get(f"{HOME}{run_id}?non_pourvues=1")
    assert "Aucune mission ne correspond." in text(page.text)  # its place is filled
    assert manager.get(f"{HOME}{run_id}?page=99999999999999999").status_code == 200


def other_academy_run(app):
    """A run of another académie (Nantes) on the demo session."""
    with app.app_context():
        nantes = db.session.scalar(select(Academy.id).where(Academy.code == "NANTES"))
        exam_session = db.session.scalar(select(ExamSession.id).order_by(ExamSession.id))
        agent = db.session.scalar(select(Agent.id).order_by(Agent.id))
        mission = db.session.scalar(select(Mission.id).order_by(Mission.id))
        run = AssignmentRun(
            academy_id=nantes,
            exam_session_id=exam_session,
            weight_travel=1,
            weight_spread=40,
            weight_wish=30,
            state=AssignmentRunState.PROPOSED,
        )
        db.session.add(run)
        db.session.flush()
        line = AssignmentProposal(
            run_id=run.id, mission_id=mission, agent_id=agent, quality=AssignmentQuality.CORRECTOR
        )
        db.session.add(line)
        db.session.commit()
        ids = run.id, line.id
        db.session.remove()
        return ids


def test_another_academys_run_is_not_found(app, manager):
    run_id, line_id = other_academy_run(app)
    assert manager.get(f"{HOME}{run_id}").status_code == 404
    assert manager.get(f"{HOME}{run_id}?remplacer={line_id}").status_code == 404
    assert manager.get(f"{HOME}{run_id}/convoquer").status_code == 404
    for action in (f"retirer/{line_id}", f"remplacer/{line_id}", "convoquer", "completer"):
        response = post(manager, f"{HOME}{run_id}/{action}", {"agent_id": "1"})
        assert response.status_code == 404, action
    with app.app_context():
        run = db.session.get(AssignmentRun, run_id)
        assert run.state is AssignmentRunState.PROPOSED and len(run.lines) == 1


def test_ids_are_bounded(app, manager):
    assert manager.get(f"{HOME}99999999999999999999").status_code == 404
    assert manager.get(f"{HOME}0").status_code == 404
    assert manager.get(f"{HOME}1?remplacer=99999999999999999999").status_code == 404
    response = post(manager, f"{HOME}1/retirer/99999999999999999999")
    assert response.status_code == 404


@pytest.mark.parametrize("username", ["enseignant", "chef", "EXT35000123", "admin"])
def test_the_others_are_refused(app, client, demo, username):
    add_need(app)
    assert login(client, username).status_code == 302
    page = client.get(HOME)
    assert page.status_code == 403
    assert "Vous n'avez pas accès à cette page." in console(page.text)
    token = csrf_token(client.get("/").text)
    _mission_id, session_id = mission_of(app, MISSION)
    response = client.post(
        f"{HOME}lancer", data={"csrf_token": token, "exam_session_id": str(session_id)}
    )
    assert response.status_code == 403
    with app.app_context():
        assert not db.session.scalar(select(AssignmentRun.id))


def test_the_anonymous_go_to_the_login(client, demo):
    response = client.get(HOME)
    assert response.status_code == 302 and "/login/" in response.headers["Location"]
    response = client.get(f"{HOME}1")
    assert response.status_code == 302 and "/login/" in response.headers["Location"]


def test_the_menu_and_the_help_name_the_activity(manager):
    home = text(manager.get("/").text)
    assert "Affectation automatique" in home
    help_page = text(manager.get("/aide?activite=automatic_assignment").text)
    assert "Compléter les places libérées" in help_page
    assert "Poids d'un kilomètre" in help_page
