"""Affectation automatique (issue 17, « Done when ») in a real browser: the manager proposes
on a session whose mission has needs, follows the proposal (the page updates itself while
a real worker runs the job), removes one agent, convokes after the confirmation, follows
the convocation job; the agent kept receives the convocation mail with its PDF through the
SMTP test server. axe-core on the form and on the proposal's page."""

import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from models import Agent, Assignment, Mission
from models.assignment import AssignmentProposal, MissionNeed
from models.enums import AssignmentQuality
from tests.browser.test_axe import serious_violations
from tests.conftest import IS_POSTGRES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(IS_POSTGRES, reason="the journey runs in the SQLite pass only"),
]

MISSION = 77286  # travaux administratifs, no paper: any active contributor may take it
SHOTS = os.environ.get("IMAGIN_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def tab(browser, live_server):
    # axe is injected in the page: the test's context lets it past the CSP.
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    page = context.new_page()
    page.base_url = live_server
    yield page
    context.close()


def mission_needs_two(app) -> int:
    """Two free places on the mission; every contributor has a mail address."""
    with app.app_context():
        mission = db.session.scalar(select(Mission).where(Mission.number == MISSION))
        convoked = len(
            db.session.scalars(
                select(Assignment.id).where(
                    Assignment.mission_id == mission.id, Assignment.cancelled_at.is_(None)
                )
            ).all()
        )
        db.session.add(
            MissionNeed(
                mission_id=mission.id,
                quality=AssignmentQuality.INVIGILATOR,
                places=2 + convoked,
            )
        )
        for agent in db.session.scalars(select(Agent)):
            agent.email_personal = agent.email_personal or f"agent{agent.id}@example.org"
        session_id = mission.session_id
        db.session.commit()
        db.session.remove()
        return session_id


def sign_in(page, username):
    page.goto(f"{page.base_url}/login/")
    page.fill("#username", username)
    page.fill("#password", "imagin-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")


def test_the_manager_proposes_removes_one_convokes_and_the_agent_gets_the_pdf(
    app, demo, tab, smtp_server
):
    page = tab
    session_id = mission_needs_two(app)
    sign_in(page, "gestionnaire")
    page.locator("#imagin-menu").get_by_role("link", name="Affectation automatique").click()
    expect(page.get_by_role("heading", name="Nouvelle proposition")).to_be_visible()
    assert serious_violations(page) == []
    page.locator("#exam_session_id").select_option(str(session_id))
    page.get_by_label("Numéros de missions").fill(str(MISSION))
    expect(page.get_by_label("Poids d'un kilomètre")).to_have_value("1")
    shot(page, "assignment-index")
    page.get_by_role("button", name="Lancer la proposition").click()
    expect(page).to_have_url(re.compile(r"/affectation-automatique/\d+$"))
    run_id = int(page.url.rsplit("/", 1)[1])

    # The worker computes it; the page follows and shows the proposal.
    expect(page.locator("#run-state")).to_have_text("Proposée", timeout=30000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    table = page.locator(f"#mission-{MISSION}")
    expect(table.get_by_role("button", name=re.compile("^Retirer"))).to_have_count(2)
    assert serious_violations(page) == []
    shot(page, "assignment-run")

    # « Remplacer » opens the eligible contributors' list, the focus on it; « Annuler ».
    table.get_by_role("link", name=re.compile("^Remplacer")).first.click()
    choice = table.get_by_role("combobox", name=re.compile("^Remplacer .* par$"))
    expect(choice).to_be_focused()
    expect(choice.locator("option")).not_to_have_count(0)
    shot(page, "assignment-swap")
    table.get_by_role("link", name="Annuler").click()
    expect(choice).to_have_count(0)

    # Remove one agent: the place becomes free.
    table.get_by_role("button", name=re.compile("^Retirer")).first.click()
    expect(page.locator(".imagin-console-messages")).to_contain_text(
        "L'intervenant est retiré de la proposition : la place est libre."
    )
    expect(table.get_by_role("button", name=re.compile("^Retirer"))).to_have_count(1)
    with app.app_context():
        (agent_id,) = db.session.scalars(
            select(AssignmentProposal.agent_id).where(AssignmentProposal.run_id == run_id)
        ).all()
        address = db.session.get(Agent, agent_id).email_personal
        db.session.remove()

    # Convoke, after the confirmation.
    page.get_by_role("link", name="Convoquer").click()
    expect(page.get_by_role("heading", name=re.compile("Convoquer la proposition"))).to_be_visible()
    page.get_by_role("button", name="Confirmer les convocations").click()
    expect(page.locator("#run-state")).to_have_text("Convocations faites", timeout=30000)
    expect(page.locator(".imagin-run-messages")).to_contain_text("1 intervenant(s) convoqué(s)")
    expect(page.get_by_role("button", name="Compléter les places libérées")).to_be_visible()
    shot(page, "assignment-convoked")

    mails = smtp_server.wait_for(1, timeout=60)
    smtp_server.settle(timeout=60)
    (mail,) = [m for m in mails if m["To"] == address]
    assert mail["Subject"] == f"IMAG'IN : convocation à la mission n° {MISSION}"
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
