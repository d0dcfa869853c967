"""The Enquête DCS in a real browser: the six steps with « Etape Suivante » and
« Etape Précédente », a refused step (focus on its first error, what was typed kept),
« Valider mes réponses »; the pages are axe-clean. IMAGIN_SCREENSHOTS=<dir> keeps a
screenshot of each step."""

import os

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("IMAGIN_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def next_step(page):
    page.get_by_role("button", name="Etape Suivante").click()


def test_the_six_steps_and_valider_mes_reponses(page, demo):
    sign_in(page, "enseignant-dcs")
    page.click("#imagin-menu >> text=Enquête DCS")
    expect(page.locator("h2", has_text="1. Activité")).to_be_visible()
    # A refused step: the message next to the field, the focus on it, the choice kept.
    page.get_by_role("radio", name="Autre situation").check()
    next_step(page)
    expect(page.locator("#dcs-situation_detail-help")).to_have_text("Précisez votre situation.")
    expect(page.locator("#situation_detail")).to_be_focused()
    expect(page.get_by_role("radio", name="Autre situation")).to_be_checked()
    shot(page, "dcs-1-error")
    page.get_by_role("radio", name="En activité").check()
    next_step(page)
    expect(page.locator("h2", has_text="2. Etablissements")).to_be_visible()
    expect(page.locator("#establishments")).to_have_value("0350710G")
    shot(page, "dcs-2")
    next_step(page)
    expect(page.locator("h2", has_text="3. Enseignements")).to_be_visible()
    page.get_by_label("DCG – UE10, COMPTABILITE APPROFONDIE").check()
    shot(page, "dcs-3")
    next_step(page)
    page.get_by_role("button", name="Etape Précédente").click()
    expect(page.get_by_label("DCG – UE10, COMPTABILITE APPROFONDIE")).to_be_checked()
    next_step(page)
    expect(page.locator("h2", has_text="4. VAE")).to_be_visible()
    page.get_by_role("radio", name="Oui").check()
    page.get_by_label("Vos disponibilités (périodes, remarques)").fill("Juin")
    shot(page, "dcs-4")
    next_step(page)
    expect(page.locator("h2", has_text="5. Epreuves écrites DSCG ou DCG")).to_be_visible()
    page.get_by_label("DSCG – UE4, COMPTABILITE ET AUDIT").check()
    shot(page, "dcs-5")
    next_step(page)
    expect(page.locator("h2", has_text="6. Epreuves orales DSCG ou DCG")).to_be_visible()
    page.get_by_label("DCG – UE13, COMMUNICATION PROFESSIONNELLE").check()
    page.get_by_label("Où vous souhaitez interroger (villes, centres d'examen)").fill("Rennes")
    shot(page, "dcs-6")
    page.get_by_role("button", name="Valider mes réponses").click()
    expect(page.locator("#imagin-console")).to_contain_text("Vos réponses sont validées.")
    expect(page.locator(".imagin-dcs-state")).to_contain_text("Réponses validées")
    shot(page, "dcs-6-validated")


@pytest.mark.skipif(IS_POSTGRES, reason="axe checks run in the SQLite pass only")
def test_the_pages_are_axe_clean(browser, live_server, demo):
    from tests.browser.test_axe import serious_violations
    from tests.browser.test_axe import sign_in as axe_sign_in

    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", bypass_csp=True
    )
    tab = context.new_page()
    tab.base_url = live_server
    found = []
    axe_sign_in(tab, "enseignant-dcs")
    for step in range(1, 7):
        tab.goto(f"{live_server}/enquete-dcs/etape/{step}")
        found += [f"step {step}: {v}" for v in serious_violations(tab)]
    context.clear_cookies()
    axe_sign_in(tab, "gestionnaire")
    for path in ("/enquete-dcs/reponses/",):
        tab.goto(f"{live_server}{path}")
        found += [f"{path}: {v}" for v in serious_violations(tab)]
        tab.locator("table a").first.click()
        found += [f"answer: {v}" for v in serious_violations(tab)]
        shot(tab, "dcs-manager-answer")
        tab.goto(f"{live_server}{path}")
        shot(tab, "dcs-manager-list")
    context.close()
    assert not found, "\n".join(found)
