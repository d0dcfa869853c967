"""A new external contributor's first login, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.views.test_accounts import new_external

pytestmark = pytest.mark.browser


def test_first_login_with_the_temporary_password_then_home(app, browser, live_server, demo):
    agent_id = new_external(app)
    manager = browser.new_context(viewport={"width": 1366, "height": 900})
    tab = manager.new_page()
    tab.base_url = live_server
    sign_in(tab, "gestionnaire")
    tab.goto(f"{live_server}/intervenants/compte/{agent_id}")
    tab.get_by_role("button", name="Générer un mot de passe temporaire").click()
    password = tab.locator(".imagin-password code").inner_text()
    assert re.fullmatch(r"[A-Za-z2-9]{14}", password)
    manager.close()

    contractor = browser.new_context(viewport={"width": 1366, "height": 900})
    page = contractor.new_page()
    page.goto(f"{live_server}/login/")
    page.fill("#username", "EXT35000999")
    page.fill("#password", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server}/compte/mot-de-passe")
    expect(page.locator(".alert-info")).to_contain_text("mot de passe temporaire")
    page.goto(f"{live_server}/")  # any other page leads back to the form
    expect(page).to_have_url(f"{live_server}/compte/mot-de-passe")
    page.fill("#current", password)
    page.fill("#new", "une phrase de passe bien à moi")
    page.fill("#confirmation", "une phrase de passe bien à moi")
    page.fill("#email", "paul.nouveau@example.org")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("#imagin-console")).to_contain_text("Votre mot de passe a été modifié.")
    expect(page.locator(".imagin-message")).to_contain_text(
        "Votre identifiant figure en en-tête de votre convocation."
    )
    expect(page.locator("#imagin-menu")).to_contain_text("Saisie état de frais mission")
    contractor.close()
